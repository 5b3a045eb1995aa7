/**
 * Elicitations: the runtime (an MCP server, or the agent's ask_user in elicitation form) asks the
 * user for structured input or to open a URL. `onElicitationRequest` answers
 * `elicitation.requested` through `session.ui.handlePendingElicitation`; `SessionUi` lets your
 * code ask a UI-capable client attached to the session.
 */
import { SdkError } from "@flightdeck/copilot-core";
import type { ElicitationRequestedData, SessionHostCapabilities, SessionRpc, UIElicitationRequest, UIElicitationResponse } from "./bindings.js";
import { describe } from "./session-config.js";
import { errorMessage, type SurfaceContext } from "./surface-context.js";

/**
 * An elicitation: `mode: "form"` (default) carries `requestedSchema` (the fields to fill);
 * `mode: "url"` carries `url` to open in a browser. `elicitationSource` names the MCP server
 * that asked, when one did.
 */
export type ElicitationRequest = ElicitationRequestedData;
/** `{ action: "accept", content: { field: value } }`, `{ action: "decline" }` or `{ action: "cancel" }`. */
export type ElicitationResult = UIElicitationResponse;
/**
 * Answers elicitations. Without it the session does not advertise the elicitation capability,
 * so MCP servers and the agent do not ask.
 *
 * @example
 * ```ts
 * onElicitationRequest: async (req) =>
 *   req.mode === "url" ? { action: (await openInBrowser(req.url!)) ? "accept" : "cancel" }
 *                      : { action: "accept", content: await showForm(req.requestedSchema) },
 * ```
 */
export type ElicitationHandler = (
  request: ElicitationRequest,
  invocation: { sessionId: string },
) => ElicitationResult | Promise<ElicitationResult>;

const ACTIONS = ["accept", "decline", "cancel"];

/** `elicitation.requested` → `onElicitationRequest` → `session.ui.handlePendingElicitation`. */
export function handleElicitationRequested(ctx: SurfaceContext, data: ElicitationRequest): void {
  const handler = ctx.config.onElicitationRequest;
  if (!handler || !ctx.firstSight(`elicitation:${data.requestId}`)) return;
  const decide = async (): Promise<ElicitationResult> => {
    try {
      const result = (await handler(data, { sessionId: ctx.sessionId })) as unknown;
      const action = (result as { action?: unknown } | null)?.action;
      if (typeof action !== "string" || !ACTIONS.includes(action)) {
        throw new Error(`it returned ${describe(result)}; return { action: "accept", content } , { action: "decline" } or { action: "cancel" }`);
      }
      return result as ElicitationResult;
    } catch (error) {
      const source = data.elicitationSource ? ` from "${data.elicitationSource}"` : "";
      ctx.report(
        new SdkError("HANDLER_FAILED", `onElicitationRequest${source} for session ${ctx.sessionId} failed: ${errorMessage(error)}. The elicitation was cancelled.`, {
          cause: error,
          details: { sessionId: ctx.sessionId, requestId: data.requestId },
        }),
      );
      return { action: "cancel" };
    }
  };
  decide()
    .then((result) => (ctx.closed ? undefined : ctx.rpc.ui.handlePendingElicitation({ requestId: data.requestId, result })))
    .then(undefined, (error: unknown) => {
      if (!ctx.closed) ctx.report(error);
    });
}

/** A form field of {@link SessionUi.elicitation}. */
export type ElicitationSchema = UIElicitationRequest["requestedSchema"];

/**
 * Asks the user something through a UI-capable client attached to the session (for example the
 * Copilot CLI's terminal UI). Every method needs `session.capabilities.ui.elicitation`; without
 * it they throw `SdkError("INVALID_OPTION")` before sending anything.
 */
export interface SessionUi {
  /** True when a client attached to the session can show elicitations. */
  readonly available: boolean;
  /** Shows a form; resolves with the user's answer. */
  elicitation(message: string, requestedSchema: ElicitationSchema): Promise<ElicitationResult>;
  /** Asks a yes/no question; `true` only when the user accepted and confirmed. */
  confirm(message: string): Promise<boolean>;
  /** Asks the user to pick one of `options`; `undefined` when declined or cancelled. */
  select(message: string, options: readonly string[]): Promise<string | undefined>;
  /** Asks for free text; `undefined` when declined or cancelled. */
  input(message: string): Promise<string | undefined>;
}

/** @internal Builds `session.ui`. */
export function createSessionUi(sessionId: string, capabilities: () => SessionHostCapabilities, rpc: () => SessionRpc): SessionUi {
  const ask = async (method: string, message: string, requestedSchema: ElicitationSchema): Promise<ElicitationResult> => {
    if (capabilities().ui?.elicitation !== true) {
      throw new SdkError(
        "INVALID_OPTION",
        // Starts with @github/copilot-sdk's wording, which programs match on.
        `Elicitation is not supported by the host. Check session.capabilities.ui?.elicitation before calling UI methods. (session.ui.${method}: session ${sessionId} has no elicitation UI (capabilities.ui.elicitation is not true); set \`onElicitationRequest\` on a client of this session, or attach a UI client, before asking the user.)`,
        { details: { sessionId, capability: "ui.elicitation" } },
      );
    }
    if (typeof message !== "string" || message === "") throw new SdkError("INVALID_OPTION", `session.ui.${method}: \`message\` must be a non-empty string, got ${describe(message)}.`, { details: { option: "message" } });
    return rpc().ui.elicitation({ message, requestedSchema });
  };
  return {
    get available() {
      return capabilities().ui?.elicitation === true;
    },
    elicitation: (message, requestedSchema) => ask("elicitation", message, requestedSchema),
    confirm: async (message) => {
      const result = await ask("confirm", message, { type: "object", properties: { confirmed: { type: "boolean", default: true } }, required: ["confirmed"] } as ElicitationSchema);
      return result.action === "accept" && result.content?.confirmed === true;
    },
    select: async (message, options) => {
      if (!Array.isArray(options) || options.length === 0 || options.some((o) => typeof o !== "string")) {
        throw new SdkError("INVALID_OPTION", `session.ui.select: \`options\` must be a non-empty array of strings, got ${describe(options)}.`, { details: { option: "options" } });
      }
      const result = await ask("select", message, { type: "object", properties: { selection: { type: "string", enum: [...options] } }, required: ["selection"] } as ElicitationSchema);
      return result.action === "accept" && typeof result.content?.selection === "string" ? result.content.selection : undefined;
    },
    input: async (message) => {
      const result = await ask("input", message, { type: "object", properties: { value: { type: "string" } }, required: ["value"] } as ElicitationSchema);
      return result.action === "accept" && typeof result.content?.value === "string" ? result.content.value : undefined;
    },
  };
}
