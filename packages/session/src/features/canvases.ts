/**
 * The `canvases` option: canvases this client provides to the session (see `../canvases.ts` for
 * `createCanvas`). Lowered to the declarations plus `requestCanvasRenderer`; answers the runtime's
 * `canvas.open`, `canvas.close` and `canvas.action.invoke` with the canvas's handlers (inputs
 * parsed by their Standard Schemas, failures as typed `CanvasError` codes).
 */
import { defineFeature } from "../feature.js";
import { answerCanvasRequest, resolveCanvasConfig, type Canvas } from "../canvases.js";

export interface CanvasSessionOptions {
  /** Canvases this client provides to the session (made by `createCanvas`). */
  canvases?: readonly Canvas[];
}

export const canvasesFeature = defineFeature<CanvasSessionOptions>()({
  name: "canvases",
  keys: ["canvases"],
  lower(options, wire, { fail }) {
    resolveCanvasConfig(options.canvases, wire, fail);
    return undefined;
  },
  requests: {
    "canvas.open": (ctx, params) => answerCanvasRequest(ctx.options.canvases, "canvas.open", { ...params, sessionId: ctx.sessionId }) as never,
    "canvas.close": (ctx, params) => answerCanvasRequest(ctx.options.canvases, "canvas.close", { ...params, sessionId: ctx.sessionId }) as never,
    "canvas.action.invoke": (ctx, params) =>
      answerCanvasRequest(ctx.options.canvases, "canvas.action.invoke", { ...params, sessionId: ctx.sessionId }) as never,
  },
});
