/**
 * `tools`: your tools, answering `external_tool.requested` broadcasts for this session, and the
 * `availableTools` / `excludedTools` filters. A call's handler gets a signal that fires when the
 * turn is aborted, another client answered, or the session disconnects; its late result is dropped.
 */
import { ToolError, ToolSet, invokeToolNow, type AnyTool, type ToolDefinitionWire, type ToolLike } from "@flightdeck/copilot-tools";
import type { WireExternalToolResult } from "../bindings.js";
import { answerRunInBackground, defineFeature, type HandlerRun } from "../feature.js";
import { describe, type Fail } from "../option-checks.js";

export interface ToolsOptions {
  /** Your tools (made with `defineTool`), as an array or a `ToolSet`. */
  tools?: ToolSet | readonly ToolLike[];
  /** Allowlist of tool names or patterns (`builtin:*`, `custom:*`, `mcp:server/*`); a `ToolSet` gives its `toArray()`. */
  availableTools?: ToolSet | readonly string[];
  /** Denylist, same syntax as `availableTools`. */
  excludedTools?: ToolSet | readonly string[];
  /**
   * What to do with `external_tool.requested` for a tool this session did not register.
   * `"ignore"` (default) leaves it to the client that registered it (tool requests are broadcast to
   * every client attached to the session, and the first answer wins); `"fail"` answers at once
   * with a failure the model can read, for a session you know has no other client.
   */
  unknownToolCalls?: "fail" | "ignore";
}

/**
 * A session's tools: the user's `ToolSet` as given, or the tools of an array (checked through a
 * `ToolSet`, then kept as a plain array: a session's few tools need no map of their own).
 */
type SessionTools = ToolSet | readonly AnyTool[];

const NO_TOOLS: readonly AnyTool[] = [];

/** The wire definition of each tool, made once and shared by every session that offers it (tools are frozen). */
const definitions = new WeakMap<AnyTool, ToolDefinitionWire>();
function definitionOf(tool: AnyTool): ToolDefinitionWire {
  let definition = definitions.get(tool);
  if (!definition) {
    definition = Object.freeze(tool.toJSON());
    definitions.set(tool, definition);
  }
  return definition;
}

/**
 * The last list of tools checked, per its first tool, and its wire form: an app that opens many
 * sessions with the same tools (a fresh array each time) shares one pair of arrays among them
 * instead of two per session. Both are frozen; an entry goes with its first tool.
 */
const lastLists = new WeakMap<AnyTool, { readonly tools: readonly AnyTool[]; readonly wire: readonly ToolDefinitionWire[] }>();
function sharedList(tools: readonly AnyTool[]): { readonly tools: readonly AnyTool[]; readonly wire: readonly ToolDefinitionWire[] } {
  const first = tools[0]!;
  const last = lastLists.get(first);
  if (last && last.tools.length === tools.length && tools.every((tool, i) => last.tools[i] === tool)) return last;
  const list = { tools: Object.freeze(tools.slice()), wire: Object.freeze(tools.map(definitionOf)) };
  lastLists.set(first, list);
  return list;
}

function findTool(tools: SessionTools, name: string): AnyTool | undefined {
  if (tools instanceof ToolSet) return tools.get(name);
  // A plain loop: runs once per tool call, and a callback to `find` costs more than the few tools a list has.
  for (let i = 0; i < tools.length; i++) if (tools[i]!.name === name) return tools[i];
  return undefined;
}

export const toolsFeature = defineFeature<ToolsOptions, SessionTools>()({
  name: "tools",
  keys: ["tools", "availableTools", "excludedTools", "unknownToolCalls"],
  lower(options, wire, { fail }) {
    let tools = toSessionTools(options.tools, fail);
    if (tools instanceof ToolSet) {
      if (tools.size > 0) wire.tools = [...tools].map(definitionOf);
    } else if (tools.length > 0) {
      const shared = sharedList(tools);
      tools = shared.tools;
      wire.tools = shared.wire as ToolDefinitionWire[];
    }
    for (const key of ["availableTools", "excludedTools"] as const) {
      const value = options[key] as unknown;
      if (value === undefined) continue;
      if (value instanceof ToolSet) {
        wire[key] = value.toArray();
        continue;
      }
      if (!Array.isArray(value)) fail(key, `must be an array of tool names or patterns (or a ToolSet), got ${describe(value)}.`);
      (value as unknown[]).forEach((name, i) => {
        if (typeof name !== "string" || name.trim() === "") fail(`${key}[${i}]`, `must be a non-empty tool name or pattern, got ${describe(name)}.`);
      });
      wire[key] = [...(value as string[])];
    }
    // As the incumbent SDK: a tool is offered if the allowlist (when set) has it AND the denylist
    // has not, so excludedTools narrows availableTools. The runtime's own default ("available")
    // ignores excludedTools once availableTools is set. An explicit `toolFilterPrecedence` wins.
    if (wire.availableTools !== undefined || wire.excludedTools !== undefined) wire.toolFilterPrecedence = "excluded";
    const unknown = options.unknownToolCalls as unknown;
    if (unknown !== undefined && unknown !== "fail" && unknown !== "ignore") fail("unknownToolCalls", `must be "fail" or "ignore", got ${describe(unknown)}.`);
    return tools;
  },
  events: {
    "external_tool.requested": (ctx, { data }) => {
      if (data.sessionId !== undefined && data.sessionId !== ctx.sessionId) return; // meant for another session (sub-agent)
      const tool = findTool(ctx.state, data.toolName);
      // Only the owner answers a broadcast tool call (unless "fail" is asked for).
      if (!tool && ctx.options.unknownToolCalls !== "fail") return;
      const key = `tool:${data.requestId}`;
      if (!ctx.firstSight(key)) return;
      const run = (handlerRun: HandlerRun): WireExternalToolResult | Promise<WireExternalToolResult> => {
        if (!tool) {
          const known = [...ctx.state].map((t) => t.name);
          const text = `Tool "${data.toolName}" is not available on this client (it offers: ${known.length > 0 ? known.join(", ") : "no tools"}). Use one of those tools or answer without it.`;
          return { textResultForLlm: text, resultType: "failure", error: text };
        }
        // The run's cancellation, not its signal: the handler's signal is built only if it reads it.
        const context = {
          sessionId: ctx.sessionId,
          toolCallId: data.toolCallId,
          toolName: data.toolName,
          cancellation: handlerRun.cancellation,
          // The runtime's tool span, for handlers that continue the trace (as the incumbent passes them).
          traceparent: data.traceparent,
          tracestate: data.tracestate,
        };
        return invokeToolNow(tool, data.arguments, context, { onError: (error) => ctx.report(error) }) as
          | WireExternalToolResult
          | Promise<WireExternalToolResult>;
      };
      // The handler runs once the session's own handlers have seen the request; one that answers
      // at once (a plain value) is answered in that same turn, before the rest of the chunk is read.
      return () =>
        // `session.tools.handlePendingToolCall`, sent directly (the typed stub's extra steps cost a
        // few microseconds on the path every tool call takes).
        answerRunInBackground(ctx, key, run, (result) => ctx.request("session.tools.handlePendingToolCall", { requestId: data.requestId, result }));
    },
    // Another client answered first (tool calls are broadcast): stop ours.
    "external_tool.completed": (ctx, { data }) => ctx.cancelRun(`tool:${data.requestId}`, "another client answered this tool call"),
  },
});

function toSessionTools(value: unknown, fail: Fail): SessionTools {
  if (value instanceof ToolSet) return value;
  if (value === undefined) return NO_TOOLS;
  if (value !== undefined && (typeof value === "string" || typeof (value as { [Symbol.iterator]?: unknown })?.[Symbol.iterator] !== "function")) {
    return fail("tools", `must be an array of tools made with defineTool (or a ToolSet), got ${describe(value)}.`);
  }
  try {
    return [...new ToolSet(value as Iterable<ToolLike>)];
  } catch (error) {
    if (!(error instanceof ToolError)) throw error;
    const option = error.toolName ? `tools.${error.toolName}${error.option ? `.${error.option}` : ""}` : "tools";
    return fail(option, `is invalid: ${error.message}`, error);
  }
}
