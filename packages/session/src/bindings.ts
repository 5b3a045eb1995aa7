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
import type { ClientSessionHandlers } from "@flightdeck/copilot-core";
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

/** Result of validating one event: `ok`, or the problems found (each names a path). */
export type EventValidationResult = { ok: true } | { ok: false; errors: string[] };

/** What this package needs from `@flightdeck/copilot-core/validators`. */
export interface EventValidators {
  validate(event: unknown, mode: "lenient" | "strict"): EventValidationResult;
}

const VALID: EventValidationResult = Object.freeze({ ok: true });

/** Loads `@flightdeck/copilot-core/validators` on first use (it is large: never imported eagerly). */
export async function loadEventValidators(): Promise<EventValidators> {
  const { validateSessionEvent } = await import("@flightdeck/copilot-core/validators");
  return {
    validate: (event, mode) => {
      const result = validateSessionEvent(event, mode);
      // Nearly every event is valid: one shared result rather than an object per event.
      return result.ok ? VALID : { ok: false, errors: result.errors.map((issue) => `${issue.path || "(root)"}: ${issue.message}`) };
    },
  };
}
