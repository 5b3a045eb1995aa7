/** `onAutoModeSwitchRequest`: decides switching to auto mode after a rate limit (`autoModeSwitch.request`). */
import { defineFeature, noHandler } from "../feature.js";
import { checkFunction, describe } from "../option-checks.js";
import type { RequestInvocation } from "./user-input.js";

/** After a rate limit: whether to switch to auto mode. */
export interface AutoModeSwitchRequest {
  errorCode?: string;
  retryAfterSeconds?: number;
}
/** Decides an auto-mode switch: `"yes"` (this turn), `"yes_always"`, or `"no"`. */
export type AutoModeSwitchHandler = (
  request: AutoModeSwitchRequest,
  invocation: RequestInvocation,
) => "yes" | "yes_always" | "no" | Promise<"yes" | "yes_always" | "no">;

export interface AutoModeSwitchOptions {
  /** Decides switching to auto mode after a rate limit. */
  onAutoModeSwitchRequest?: AutoModeSwitchHandler;
}

export const autoModeSwitchFeature = defineFeature<AutoModeSwitchOptions>()({
  name: "onAutoModeSwitchRequest",
  keys: ["onAutoModeSwitchRequest"],
  lower(options, wire, { fail }) {
    checkFunction(options.onAutoModeSwitchRequest, "onAutoModeSwitchRequest", fail);
    if (options.onAutoModeSwitchRequest) wire.requestAutoModeSwitch = true;
    return undefined;
  },
  requests: {
    "autoModeSwitch.request": async (ctx, request, context) => {
      const handler = ctx.options.onAutoModeSwitchRequest;
      if (!handler) throw noHandler(ctx.sessionId, "onAutoModeSwitchRequest", "autoModeSwitch.request");
      const run = ctx.startRun(`auto-mode-switch:${context.id}`, context.signal);
      try {
        const response = await handler(request, { sessionId: ctx.sessionId, signal: run.signal });
        if (response !== "yes" && response !== "yes_always" && response !== "no")
          throw new Error(`it returned ${describe(response)}; return "yes", "yes_always" or "no"`);
        return { response };
      } finally {
        run.end();
      }
    },
  },
});
