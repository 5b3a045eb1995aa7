/**
 * `onElicitationRequest`: the runtime (an MCP server, or the agent's ask_user in elicitation form)
 * asks the user for structured input or to open a URL; the handler answers `elicitation.requested`
 * through `session.ui.handlePendingElicitation`.
 */
import { SdkError } from "@flightdeck/copilot-core";
import type { ElicitationRequestedData } from "../bindings.js";
import { answerInBackground, defineFeature, type FeatureContext } from "../feature.js";
import { checkFunction, describe, errorMessage } from "../option-checks.js";
import type { ElicitationResult } from "../session-ui.js";

/**
 * An elicitation: `mode: "form"` (default) carries `requestedSchema` (the fields to fill);
 * `mode: "url"` carries `url` to open in a browser. `elicitationSource` names the MCP server
 * that asked, when one did.
 */
export type ElicitationRequest = ElicitationRequestedData;
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
  invocation: { sessionId: string; signal: AbortSignal },
) => ElicitationResult | Promise<ElicitationResult>;

const ACTIONS = ["accept", "decline", "cancel"];

/** `elicitation.requested` → `onElicitationRequest` → `session.ui.handlePendingElicitation`. */
function handleElicitationRequested(ctx: FeatureContext<ElicitationOptions, undefined>, data: ElicitationRequest): void {
  const handler = ctx.options.onElicitationRequest;
  if (!handler || !ctx.firstSight(`elicitation:${data.requestId}`)) return;
  const decide = async (signal: AbortSignal): Promise<ElicitationResult> => {
    try {
      const result = (await handler(data, { sessionId: ctx.sessionId, signal })) as unknown;
      const action = (result as { action?: unknown } | null)?.action;
      if (typeof action !== "string" || !ACTIONS.includes(action)) {
        throw new Error(`it returned ${describe(result)}; return { action: "accept", content } , { action: "decline" } or { action: "cancel" }`);
      }
      return result as ElicitationResult;
    } catch (error) {
      const source = data.elicitationSource ? ` from "${data.elicitationSource}"` : "";
      ctx.report(
        new SdkError(
          "HANDLER_FAILED",
          `onElicitationRequest${source} for session ${ctx.sessionId} failed: ${errorMessage(error)}. The elicitation was cancelled.`,
          {
            cause: error,
            details: { sessionId: ctx.sessionId, requestId: data.requestId },
          },
        ),
      );
      return { action: "cancel" };
    }
  };
  answerInBackground(ctx, `elicitation:${data.requestId}`, decide, (result) => ctx.rpc.ui.handlePendingElicitation({ requestId: data.requestId, result }));
}

export interface ElicitationOptions {
  /** Answers elicitations (forms and URL prompts); enables the elicitation capability. */
  onElicitationRequest?: ElicitationHandler;
}

export const elicitationFeature = defineFeature<ElicitationOptions>()({
  name: "onElicitationRequest",
  keys: ["onElicitationRequest"],
  lower(options, wire, { fail }) {
    checkFunction(options.onElicitationRequest, "onElicitationRequest", fail);
    if (options.onElicitationRequest) wire.requestElicitation = true;
    return undefined;
  },
  events: {
    "elicitation.requested": (ctx, { data }) => handleElicitationRequested(ctx, data),
    "elicitation.completed": (ctx, { data }) => ctx.cancelRun(`elicitation:${data.requestId}`, "the elicitation was settled elsewhere"),
  },
});
