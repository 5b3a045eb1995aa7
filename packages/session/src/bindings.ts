/**
 * The one place this package touches the generated bindings of @flightdeck/copilot-core, so a
 * regeneration that renames something breaks here and nowhere else.
 */
export {
  createSessionRpc,
  isKnownSessionEventType,
  type Attachment,
  type AutoModeSwitchRequestParams,
  type AutoModeSwitchRequestResult,
  type ExitPlanModeRequestParams,
  type HookInvokeRequest,
  type HookInvokeResponse,
  type InfiniteSessionsConfig,
  type PermissionDecision,
  type ProtocolSystemMessageConfig,
  type SendMode,
  type SendRequest,
  type SessionCreateParams,
  type SessionCreateResult,
  type SessionEvent,
  type SessionEventOf,
  type SessionEventType,
  type SessionHostCapabilities,
  type SessionLogLevel,
  type SessionResumeParams,
  type SessionResumeResult,
  type SessionRpc,
  type SystemMessageTransformParams,
  type SystemMessageTransformResult,
  type UIExitPlanModeResponse,
  type UIUserInputResponse,
  type UserInputRequestParams,
  type CommandExecuteData,
  type WireCustomAgentConfig,
  type WireExternalToolResult,
  type WireNamedProviderConfig,
  type WireProviderConfig,
  type DefaultAgentConfig,
  type ElicitationRequestedData,
  type McpOauthRequiredData,
  type McpServerConfigHttp,
  type McpServerConfigStdio,
  type ProviderModelConfig,
  type UIElicitationRequest,
  type UIElicitationResponse,
} from "@flightdeck/copilot-core";
export { RPC_METHODS, RPC_PARAM_KEYS, registerClientGlobalHandlers, registerClientSessionHandlers, type ClientSessionHandlers } from "@flightdeck/copilot-core";
export {
  INTERNAL_RPC_METHODS,
  INTERNAL_RPC_PARAM_KEYS,
  createInternalServerRpc,
  createInternalSessionRpc,
  registerInternalClientGlobalHandlers,
  registerInternalClientSessionHandlers,
  type InternalClientGlobalHandlers,
  type InternalServerRpc,
} from "@flightdeck/copilot-core/internal";
import { SESSION_EVENT_TYPES, isKnownSessionEventType as isKnownType, type ClientSessionHandlers } from "@flightdeck/copilot-core";
import type { InternalClientGlobalHandlers } from "@flightdeck/copilot-core/internal";

/**
 * Server→client requests about one session that a feature may answer: the generated
 * `clientSession` handlers plus `hooks.invoke` (global on the wire, but it carries a `sessionId`).
 */
export type SessionRequestHandlers = ClientSessionHandlers & Pick<InternalClientGlobalHandlers, "hooks.invoke">;
/** Wire name of such a request. */
export type SessionRequestMethod = keyof SessionRequestHandlers;
/** Params of request `M` without the `sessionId` the host routes on. */
export type SessionRequestParams<M extends SessionRequestMethod> = Omit<Parameters<SessionRequestHandlers[M]>[0], "sessionId">;
/** What request `M` answers. */
export type SessionRequestResult<M extends SessionRequestMethod> = Awaited<ReturnType<SessionRequestHandlers[M]>>;

/**
 * Result of validating one event: `ok`; `known: false` for a type the bindings do not know (not
 * checked); or the problems found (each names a path).
 */
export type EventValidationResult = { ok: true } | { ok: false; known: boolean; errors: string[] };

/** What this package needs from `@flightdeck/copilot-core/validators`. */
export interface EventValidators {
  /** Checks an event of a type the bindings know; answers `UNKNOWN_TYPE` for any other type. */
  validate(event: { type: string }, mode: "lenient" | "strict"): EventValidationResult;
}

const VALID: EventValidationResult = Object.freeze({ ok: true });
/** The answer for an event type the bindings do not know: nothing was checked. */
export const UNKNOWN_TYPE: EventValidationResult = Object.freeze({ ok: false, known: false, errors: Object.freeze([]) as unknown as string[] });

/** Loads `@flightdeck/copilot-core/validators` on first use (it is large: never imported eagerly). */
export async function loadEventValidators(): Promise<EventValidators> {
  const { validateSessionEvent, VALIDATED_EVENT_TYPES } = await import("@flightdeck/copilot-core/validators");
  // Both lists come from the same schemas: then the validators' own type lookup tells known from
  // unknown, and the host looks each event's type up once instead of twice.
  const sameTypes = VALIDATED_EVENT_TYPES.length === SESSION_EVENT_TYPES.length && VALIDATED_EVENT_TYPES.every((type) => isKnownType(type));
  return {
    validate: (event, mode) => {
      if (!sameTypes && !isKnownType(event.type)) return UNKNOWN_TYPE;
      const result = validateSessionEvent(event, mode);
      // Nearly every event is valid: one shared result rather than an object per event.
      if (result.ok) return VALID;
      if (!result.known && sameTypes) return UNKNOWN_TYPE;
      return { ok: false, known: true, errors: result.errors.map((issue) => `${issue.path || "(root)"}: ${issue.message}`) };
    },
  };
}
