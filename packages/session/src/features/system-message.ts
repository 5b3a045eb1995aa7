/**
 * `systemMessage`: how the system prompt is built (append, replace, or per-section customize),
 * and the section transforms that run in your code (`systemMessage.transform`).
 */
import { RpcError, RpcErrorCode, SdkError } from "@flightdeck/copilot-core";
import type { ProtocolSystemMessageConfig } from "../bindings.js";
import { defineFeature } from "../feature.js";
import { describe, errorMessage, isObject, type Fail } from "../option-checks.js";

/** Rewrites one system prompt section; gets its current text, returns the new text. */
export type SectionTransform = (content: string, context: { sessionId: string; sectionId: string }) => string | Promise<string>;

/** Override of one system prompt section in `customize` mode. */
export type SectionOverride =
  | { action: "replace" | "append" | "prepend"; content: string }
  | { action: "remove" }
  | { action: "preserve" }
  /** Rewrite the section in code: the runtime sends its text through `systemMessage.transform`. */
  | { action: SectionTransform };

/**
 * How the system prompt is built.
 * - `append` (default): your `content` goes after the standard prompt.
 * - `replace`: your `content` is the whole system prompt.
 * - `customize`: per-section overrides (`identity`, `tone`, `tool_instructions`, …), plus `content` appended.
 */
export type SystemMessageConfig =
  | { mode?: "append"; content?: string }
  | { mode: "replace"; content: string }
  | { mode: "customize"; sections?: Record<string, SectionOverride>; content?: string };

export interface SystemMessageOptions {
  /** How the system prompt is built (append by default). */
  systemMessage?: SystemMessageConfig;
}

const SYSTEM_MODES = ["append", "replace", "customize"];
const STATIC_ACTIONS = ["replace", "append", "prepend"];

/** Section id → the transform your code runs for it. */
type Transforms = ReadonlyMap<string, SectionTransform>;
/** The state of every session without transforms (shared: never written). */
const NO_TRANSFORMS: Transforms = new Map();

export const systemMessageFeature = defineFeature<SystemMessageOptions, Transforms>()({
  name: "systemMessage",
  keys: ["systemMessage"],
  lower(options, wire, { fail }) {
    if (options.systemMessage === undefined) return NO_TRANSFORMS;
    const transforms = new Map<string, SectionTransform>();
    wire.systemMessage = systemMessageToWire(options.systemMessage, transforms, fail);
    return transforms.size > 0 ? transforms : NO_TRANSFORMS;
  },
  requests: {
    "systemMessage.transform": async (ctx, params) => {
      const sections = params.sections as unknown;
      if (!isObject(sections)) throw new RpcError(RpcErrorCode.InvalidParams, "systemMessage.transform: `sections` must be an object keyed by section id.");
      const out: Record<string, { content: string }> = {};
      for (const [sectionId, value] of Object.entries(sections as Record<string, { content?: unknown }>)) {
        const content = typeof value?.content === "string" ? value.content : "";
        out[sectionId] = { content };
        const transform = ctx.state.get(sectionId);
        if (!transform) continue;
        const where = `The systemMessage transform for section "${sectionId}" of session ${ctx.sessionId}`;
        const details = { sessionId: ctx.sessionId, sectionId };
        try {
          const next = await transform(content, { sessionId: ctx.sessionId, sectionId });
          if (typeof next === "string") out[sectionId] = { content: next };
          else
            ctx.report(new SdkError("HANDLER_FAILED", `${where} returned ${describe(next)} instead of a string; the section was kept unchanged.`, { details }));
        } catch (error) {
          ctx.report(new SdkError("HANDLER_FAILED", `${where} threw: ${errorMessage(error)}; the section was kept unchanged.`, { cause: error, details }));
        }
      }
      return { sections: out };
    },
  },
});

function systemMessageToWire(value: unknown, transforms: Map<string, SectionTransform>, fail: Fail): ProtocolSystemMessageConfig {
  if (!isObject(value)) return fail("systemMessage", `must be an object like { mode: "append", content: "…" }, got ${describe(value)}.`);
  const mode = value.mode ?? "append";
  if (typeof mode !== "string" || !SYSTEM_MODES.includes(mode)) {
    return fail("systemMessage.mode", `must be one of "append", "replace", "customize", got ${describe(value.mode)}.`);
  }
  if (value.content !== undefined && typeof value.content !== "string") fail("systemMessage.content", `must be a string, got ${describe(value.content)}.`);
  if (mode === "append") return value.content === undefined ? { mode: "append" } : { mode: "append", content: value.content as string };
  if (mode === "replace") {
    if (typeof value.content !== "string") fail("systemMessage.content", "is required in replace mode: it becomes the whole system prompt.");
    return { mode: "replace", content: value.content as string };
  }
  const sections: Record<string, { action: string; content?: string }> = {};
  if (value.sections !== undefined) {
    if (!isObject(value.sections)) fail("systemMessage.sections", `must be an object keyed by section id, got ${describe(value.sections)}.`);
    for (const [id, override] of Object.entries(value.sections as Record<string, unknown>)) sections[id] = sectionToWire(id, override, transforms, fail);
  }
  const out: Record<string, unknown> = { mode: "customize", sections };
  if (value.content !== undefined) out.content = value.content;
  return out as ProtocolSystemMessageConfig;
}

function sectionToWire(id: string, override: unknown, transforms: Map<string, SectionTransform>, fail: Fail): { action: string; content?: string } {
  const option = `systemMessage.sections.${id}`;
  if (!isObject(override)) return fail(option, `must be an override like { action: "append", content: "…" }, got ${describe(override)}.`);
  const action = override.action;
  if (typeof action === "function") {
    transforms.set(id, action as SectionTransform);
    return { action: "transform" };
  }
  if (action === "remove" || action === "preserve") return { action };
  if (typeof action === "string" && STATIC_ACTIONS.includes(action)) {
    if (typeof override.content !== "string") fail(`${option}.content`, `is required for action "${action}".`);
    return { action, content: override.content as string };
  }
  return fail(`${option}.action`, `must be "replace", "append", "prepend", "remove", "preserve" or a function (content) => string, got ${describe(action)}.`);
}
