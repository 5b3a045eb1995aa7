/**
 * `onPermissionRequest`: decides `permission.requested` broadcasts (shell, write, read, url, mcp,
 * custom-tool, …). Without a handler every request is rejected with feedback for the model, so
 * the agent never waits on a prompt nobody sees. A handler may return any decision kind of the
 * protocol, an attributed result, or `no-result` to leave the request to another client.
 */
import { SdkError, type PermissionDecisionContext } from "@flightdeck/copilot-core";
import { resolvePermissionResult, type PermissionHandler } from "@flightdeck/copilot-tools";
import type { PermissionDecision } from "../bindings.js";
import { answerInBackground, defineFeature } from "../feature.js";
import { checkFunction, describe, errorMessage } from "../option-checks.js";

export interface PermissionOptions {
  /**
   * Decides permission requests (shell, write, read, url, mcp, custom-tool, …). Without it every
   * request is rejected, with feedback telling the model no handler is configured.
   * Use `approveAll` from `@flightdeck/copilot-tools` only for trusted set-ups.
   */
  onPermissionRequest?: PermissionHandler;
}

/** What to send: a decision (with its context, for attributed results), or nothing for `no-result`. */
interface Answer {
  decision: PermissionDecision | undefined;
  decisionContext?: PermissionDecisionContext | undefined;
}

const NO_HANDLER: Answer = {
  decision: {
    kind: "reject",
    feedback:
      "No permission handler is configured on this client (onPermissionRequest), so the request was rejected. Continue without this action or ask the user.",
  },
};
const HANDLER_FAILED: Answer = { decision: { kind: "reject", feedback: "The client's permission handler failed, so the request was rejected." } };

export const permissionsFeature = defineFeature<PermissionOptions>()({
  name: "onPermissionRequest",
  keys: ["onPermissionRequest"],
  lower(options, wire, { fail }) {
    checkFunction(options.onPermissionRequest, "onPermissionRequest", fail);
    // This client always answers permission prompts (rejecting when no handler is set).
    wire.requestPermission = true;
    return undefined;
  },
  events: {
    "permission.requested": (ctx, { data }) => {
      if (data.resolvedByHook) return; // a permissionRequest hook already decided
      if (!ctx.firstSight(`permission:${data.requestId}`)) return;
      const handler = ctx.options.onPermissionRequest;
      const details = { sessionId: ctx.sessionId };
      const decide = async (signal: AbortSignal): Promise<Answer> => {
        if (!handler) return NO_HANDLER;
        try {
          const value = (await handler(data.permissionRequest as never, { sessionId: ctx.sessionId, signal })) as unknown;
          const resolved = resolvePermissionResult(value);
          if (resolved) return resolved;
          ctx.report(
            new SdkError(
              "HANDLER_FAILED",
              `onPermissionRequest for session ${ctx.sessionId} returned ${describe(value)}; return { kind: "approve-once" }, { kind: "reject", feedback } or { kind: "no-result" }. The request was rejected.`,
              { details },
            ),
          );
        } catch (error) {
          if (!signal.aborted)
            ctx.report(
              new SdkError("HANDLER_FAILED", `onPermissionRequest for session ${ctx.sessionId} threw: ${errorMessage(error)}. The request was rejected.`, {
                cause: error,
                details,
              }),
            );
        }
        return HANDLER_FAILED;
      };
      answerInBackground(ctx, `permission:${data.requestId}`, decide, async ({ decision, decisionContext }) =>
        // "no-result": this client abstains; another client (or the runtime) answers.
        decision === undefined
          ? undefined
          : ctx.rpc.permissions.handlePendingPermissionRequest({
              requestId: data.requestId,
              result: decision,
              ...(decisionContext !== undefined && { decisionContext }),
            }),
      );
    },
    // Settled elsewhere (another client, a hook, or the turn ended): the handler's signal fires.
    "permission.completed": (ctx, { data }) => ctx.cancelRun(`permission:${data.requestId}`, "the permission request was settled elsewhere"),
  },
});
