/** `onExitPlanModeRequest`: decides the agent's requests to leave plan mode (`exitPlanMode.request`). */
import type { ExitPlanModeRequestParams, UIExitPlanModeResponse } from "../bindings.js";
import { defineFeature, noHandler } from "../feature.js";
import { checkFunction } from "../option-checks.js";
import type { RequestInvocation } from "./user-input.js";

/** The agent asks to leave plan mode. */
export type ExitPlanModeRequest = Omit<ExitPlanModeRequestParams, "sessionId">;
/** Decides whether to leave plan mode: `{ approved, selectedAction?, feedback? }`. */
export type ExitPlanModeHandler = (request: ExitPlanModeRequest, invocation: RequestInvocation) => UIExitPlanModeResponse | Promise<UIExitPlanModeResponse>;

export interface ExitPlanModeOptions {
  /** Decides requests to leave plan mode. */
  onExitPlanModeRequest?: ExitPlanModeHandler;
}

export const exitPlanModeFeature = defineFeature<ExitPlanModeOptions>({
  name: "onExitPlanModeRequest",
  keys: ["onExitPlanModeRequest"],
  lower(options, wire, { fail }) {
    checkFunction(options.onExitPlanModeRequest, "onExitPlanModeRequest", fail);
    if (options.onExitPlanModeRequest) wire.requestExitPlanMode = true;
    return undefined;
  },
  requests: {
    "exitPlanMode.request": async (ctx, request, context) => {
      const handler = ctx.options.onExitPlanModeRequest;
      if (!handler) throw noHandler(ctx.sessionId, "onExitPlanModeRequest", "exitPlanMode.request");
      const run = ctx.startRun(`exit-plan-mode:${context.id}`, context.signal);
      try {
        return await handler(request, { sessionId: ctx.sessionId, signal: run.signal });
      } finally {
        run.end();
      }
    },
  },
});
