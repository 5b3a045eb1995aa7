/**
 * `invokeTool`: what a session runs for each `external_tool.requested`. It never throws and never
 * hangs past the tool's timeout: every outcome becomes a result object the model can read, and
 * every program error also goes to `onError`.
 */
import { redactString } from "@flightdeck/copilot-core";
import type { AnyTool, ToolInvocation } from "./define-tool.js";
import { ToolError } from "./errors.js";
import type { JsonSchemaIssue } from "@flightdeck/copilot-core/internal";
import { DEFAULT_MAX_RESULT_CHARS, failureResult, normalizeToolResult } from "./tool-result.js";
import type { ToolResultObject } from "./tool-result.js";

/** Where a tool call came from; `signal` should fire when the session aborts or disconnects. */
export interface ToolCallContext {
  sessionId: string;
  toolCallId: string;
  /** Defaults to the tool's name. */
  toolName?: string;
  signal?: AbortSignal;
  /** W3C trace context of the runtime's tool span, when it sent one. */
  traceparent?: string;
  tracestate?: string;
}

/** Per-call options; each overrides the tool's own setting. */
export interface InvokeToolOptions {
  /** Abandon the handler after this many milliseconds (`resultType: "timeout"`). */
  timeoutMs?: number;
  /** Cap on the result text; longer text is cut with a marker. */
  maxResultChars?: number;
  /**
   * Receives every program error: the handler threw or rejected (`HANDLER_FAILED`, also when it
   * does so after a timeout or abort), timed out (`TIMEOUT`), or returned an invalid result
   * (`VALIDATION`). Bad arguments from the model are not program errors and only reach the model.
   * Defaults to `process.emitWarning`.
   */
  onError?: (error: ToolError) => void;
}

type Outcome = { kind: "value"; value: unknown } | { kind: "thrown"; error: unknown } | { kind: "timeout" } | { kind: "aborted"; reason: unknown };

/**
 * Runs `tool` for one call: parses `rawArguments` (a JSON text or an already-parsed value),
 * validates them, runs the handler with a signal, and normalises what it returns.
 *
 * @returns the result object for `session.tools.handlePendingToolCall` (never rejects).
 * @example
 * ```ts
 * session.on("external_tool.requested", async ({ data }) => {
 *   const result = await invokeTool(tool, data.arguments, { sessionId, toolCallId: data.toolCallId, signal });
 *   await rpc.session.tools.handlePendingToolCall({ sessionId, requestId: data.requestId, result });
 * });
 * ```
 */
// long: the steps of one call (parse, check, run with timeout and abort, normalize, truncate)
// read top to bottom; each step's failure becomes the model-facing result right where it happens.
export async function invokeTool(tool: AnyTool, rawArguments: unknown, context: ToolCallContext, options: InvokeToolOptions = {}): Promise<ToolResultObject> {
  const toolName = context.toolName ?? tool.name;
  const report = (error: ToolError) => reportError(options.onError, error);
  const signal = context.signal;

  if (signal?.aborted) {
    return failureResult(`The call to tool "${toolName}" was cancelled before it started (${describeReason(signal.reason)}).`, "rejected");
  }

  const parsed = parseArguments(rawArguments);
  if (!parsed.ok) {
    return failureResult(
      `Invalid arguments for tool "${toolName}": they are not valid JSON (${parsed.message}). Send the arguments as a JSON object matching the tool's parameters.`,
    );
  }
  const checked = await tool.validateArguments(parsed.value);
  if (!checked.ok) return failureResult(formatIssues(toolName, checked.issues));

  const timeoutMs = options.timeoutMs ?? tool.timeoutMs;
  const maxResultChars = options.maxResultChars ?? tool.maxResultChars ?? DEFAULT_MAX_RESULT_CHARS;
  const controller = new AbortController();
  const invocation: ToolInvocation = {
    sessionId: context.sessionId,
    toolCallId: context.toolCallId,
    toolName,
    arguments: parsed.value,
    signal: controller.signal,
    ...(context.traceparent !== undefined && { traceparent: context.traceparent }),
    ...(context.tracestate !== undefined && { tracestate: context.tracestate }),
  };

  let settled = false;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let onAbort: (() => void) | undefined;
  const outcome = await new Promise<Outcome>((resolve) => {
    const finish = (o: Outcome) => {
      if (settled) return;
      settled = true;
      resolve(o);
    };
    if (signal) {
      onAbort = () => {
        controller.abort(signal.reason);
        finish({ kind: "aborted", reason: signal.reason });
      };
      signal.addEventListener("abort", onAbort, { once: true });
    }
    if (timeoutMs !== undefined) {
      timer = setTimeout(() => {
        const error = new ToolError("TIMEOUT", `Tool "${toolName}" did not finish within ${timeoutMs} ms; its signal was aborted.`, { toolName });
        controller.abort(error);
        finish({ kind: "timeout" });
      }, timeoutMs);
    }
    let running: Promise<unknown>;
    try {
      running = Promise.resolve(tool.handler(checked.value, invocation));
    } catch (error) {
      running = Promise.reject(error);
    }
    running.then(
      (value) => finish({ kind: "value", value }),
      (error: unknown) => {
        // A rejection after the call was abandoned still reaches onError, unless it merely echoes the abort.
        if (settled && !echoesAbort(error, controller.signal.reason)) report(handlerFailed(toolName, error, true));
        finish({ kind: "thrown", error });
      },
    );
  });
  clearTimeout(timer);
  if (signal && onAbort) signal.removeEventListener("abort", onAbort);

  switch (outcome.kind) {
    case "timeout":
      report(new ToolError("TIMEOUT", `Tool "${toolName}" did not finish within ${timeoutMs} ms.`, { toolName }));
      return failureResult(`Tool "${toolName}" timed out after ${timeoutMs} ms.`, "timeout");
    case "aborted":
      return failureResult(`The call to tool "${toolName}" was cancelled (${describeReason(outcome.reason)}).`);
    case "thrown": {
      const error = handlerFailed(toolName, outcome.error, false);
      report(error);
      // The model sees the handler's message, with anything that looks like a credential masked.
      const message = redactString(messageOf(outcome.error));
      return failureResult(`Tool "${toolName}" failed: ${message}`, "failure", message);
    }
    case "value": {
      const normalized = normalizeToolResult(outcome.value, maxResultChars);
      if (normalized.ok) return normalized.result;
      report(new ToolError("VALIDATION", `Tool "${toolName}" returned an invalid result: ${normalized.problem}.`, { toolName }));
      return failureResult(`Tool "${toolName}" produced a result that could not be sent back (${normalized.problem}).`);
    }
  }
}

/**
 * The failure text for invalid arguments: one line per issue with its path, so the model can fix
 * its call. Exported so a session can phrase other argument failures the same way.
 */
export function formatIssues(toolName: string, issues: readonly JsonSchemaIssue[]): string {
  const lines = issues.map((issue) => `- ${formatPath(issue.path)}: ${issue.message}`);
  return `Invalid arguments for tool "${toolName}":\n${lines.join("\n")}\nFix these arguments and call the tool again.`;
}

/** `items[2].name`; `(root)` for the arguments object itself. */
export function formatPath(path: ReadonlyArray<string | number>): string {
  if (path.length === 0) return "(root)";
  let out = "";
  for (const seg of path) {
    if (typeof seg === "number") out += `[${seg}]`;
    else if (/^[A-Za-z_$][\w$]*$/.test(seg)) out += out ? `.${seg}` : seg;
    else out += `[${JSON.stringify(seg)}]`;
  }
  return out;
}

function parseArguments(raw: unknown): { ok: true; value: unknown } | { ok: false; message: string } {
  // The runtime omits arguments for tools called with none; some providers send "" for that.
  if (raw === undefined || raw === null) return { ok: true, value: {} };
  if (typeof raw !== "string") return { ok: true, value: raw };
  if (raw.trim() === "") return { ok: true, value: {} };
  try {
    return { ok: true, value: JSON.parse(raw) };
  } catch (error) {
    return { ok: false, message: (error as Error).message };
  }
}

function handlerFailed(toolName: string, cause: unknown, late: boolean): ToolError {
  const when = late ? " after its call was abandoned" : "";
  return new ToolError("HANDLER_FAILED", `Tool "${toolName}" handler threw${when}: ${messageOf(cause)}`, { toolName, cause });
}

function messageOf(error: unknown): string {
  if (error instanceof Error) return error.message || error.name;
  if (typeof error === "string") return error;
  try {
    return JSON.stringify(error) ?? String(error);
  } catch {
    return String(error);
  }
}

function echoesAbort(error: unknown, reason: unknown): boolean {
  return error === reason || (error instanceof Error && error.name === "AbortError");
}

function describeReason(reason: unknown): string {
  if (reason === undefined) return "aborted";
  return messageOf(reason);
}

function reportError(onError: ((error: ToolError) => void) | undefined, error: ToolError): void {
  if (onError) {
    try {
      onError(error);
      return;
    } catch (thrown) {
      // An onError that throws must not turn a tool result into a crash; surface both instead.
      emitWarning(thrown instanceof Error ? thrown : new Error(String(thrown)));
    }
  }
  emitWarning(error);
}

function emitWarning(error: Error): void {
  const proc = (globalThis as { process?: { emitWarning?: (e: Error) => void } }).process;
  if (proc?.emitWarning) proc.emitWarning(error);
  else console.warn(error);
}
