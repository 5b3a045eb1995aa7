/**
 * `onPermissionRequest`: decides `permission.requested` broadcasts (shell, write, read, url, mcp,
 * custom-tool, …). Without a handler every request is rejected with feedback for the model, so
 * the agent never waits on a prompt nobody sees.
 */
import { SdkError } from "@flightdeck/copilot-core";
import type { PermissionHandler } from "@flightdeck/copilot-tools";
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

const NO_HANDLER: PermissionDecision = {
  kind: "reject",
  feedback: "No permission handler is configured on this client (onPermissionRequest), so the request was rejected. Continue without this action or ask the user.",
};
const HANDLER_FAILED: PermissionDecision = { kind: "reject", feedback: "The client's permission handler failed, so the request was rejected." };

export const permissionsFeature = defineFeature<PermissionOptions>({
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
      const decide = async (signal: AbortSignal): Promise<PermissionDecision> => {
        if (!handler) return NO_HANDLER;
        try {
          const decision = (await handler(data.permissionRequest as never, { sessionId: ctx.sessionId, signal })) as unknown;
          if (typeof decision === "object" && decision !== null && typeof (decision as { kind?: unknown }).kind === "string") return decision as PermissionDecision;
          ctx.report(new SdkError("HANDLER_FAILED", `onPermissionRequest for session ${ctx.sessionId} returned ${describe(decision)}; return { kind: "approve-once" } or { kind: "reject", feedback }. The request was rejected.`, { details }));
        } catch (error) {
          if (!signal.aborted) ctx.report(new SdkError("HANDLER_FAILED", `onPermissionRequest for session ${ctx.sessionId} threw: ${errorMessage(error)}. The request was rejected.`, { cause: error, details }));
        }
        return HANDLER_FAILED;
      };
      answerInBackground(ctx, `permission:${data.requestId}`, decide, (result) => ctx.rpc.permissions.handlePendingPermissionRequest({ requestId: data.requestId, result }));
    },
    // Settled elsewhere (another client, a hook, or the turn ended): the handler's signal fires.
    "permission.completed": (ctx, { data }) => ctx.cancelRun(`permission:${data.requestId}`, "the permission request was settled elsewhere"),
  },
});
