/**
 * `invokeTool`: what a session runs for each `external_tool.requested`. It never throws and never
 * hangs past the tool's timeout: every outcome becomes a result object the model can read, and
 * every program error also goes to `onError`.
 */
import { redactString } from "@flightdeck/copilot-core";
import { checkArgumentsNow, type AnyTool, type ArgumentsCheck, type ToolInvocation } from "./define-tool.js";
import { ToolError } from "./errors.js";
import { LazyAbortController, cancellationOf, type Cancellation, type JsonSchemaIssue } from "@flightdeck/copilot-core/internal";
import { DEFAULT_MAX_RESULT_CHARS, failureResult, normalizeToolResult } from "./tool-result.js";
import type { ToolHandlerResult, ToolResultObject } from "./tool-result.js";

/** Where a tool call came from; `signal` should fire when the session aborts or disconnects. */
export interface ToolCallContext {
  sessionId: string;
  toolCallId: string;
  /** Defaults to the tool's name. */
  toolName?: string;
  signal?: AbortSignal;
  /**
   * @internal What a session passes instead of `signal`: the same cancellation, with a signal
   * built only if the handler reads `invocation.signal`. Takes precedence over `signal`.
   */
  cancellation?: Cancellation;
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
export async function invokeTool(tool: AnyTool, rawArguments: unknown, context: ToolCallContext, options: InvokeToolOptions = {}): Promise<ToolResultObject> {
  return invokeToolNow(tool, rawArguments, context, options);
}

/**
 * {@link invokeTool} without a promise when none is needed: when the arguments check and the
 * handler both answer at once (the handler returns a plain value or throws), the result object is
 * returned in the same turn; otherwise a promise of it. For hosts that answer a tool call as soon
 * as its result is known. Never throws; the promise never rejects.
 */
export function invokeToolNow(
  tool: AnyTool,
  rawArguments: unknown,
  context: ToolCallContext,
  options: InvokeToolOptions = {},
): ToolResultObject | Promise<ToolResultObject> {
  const toolName = context.toolName ?? tool.name;
  const cancel = context.cancellation ?? (context.signal === undefined ? undefined : cancellationOf(context.signal));
  if (cancel?.aborted) {
    return failureResult(`The call to tool "${toolName}" was cancelled before it started (${describeReason(cancel.reason)}).`, "rejected");
  }
  // The runtime sends the arguments parsed; a JSON text (other callers, some providers) is parsed here.
  let args: unknown = rawArguments;
  if (typeof rawArguments === "string" || rawArguments === undefined || rawArguments === null) {
    const parsed = parseArguments(rawArguments);
    if (!parsed.ok) {
      return failureResult(
        `Invalid arguments for tool "${toolName}": they are not valid JSON (${parsed.message}). Send the arguments as a JSON object matching the tool's parameters.`,
      );
    }
    args = parsed.value;
  }
  const checked = checkArgumentsNow(tool, args);
  if (checked instanceof Promise) return checked.then((result) => runChecked(tool, toolName, cancel, result, args, context, options));
  return runChecked(tool, toolName, cancel, checked, args, context, options);
}

/** The rest of a call once its arguments are checked: the handler's run and its result object. */
function runChecked(
  tool: AnyTool,
  toolName: string,
  cancel: Cancellation | undefined,
  checked: ArgumentsCheck<unknown>,
  args: unknown,
  context: ToolCallContext,
  options: InvokeToolOptions,
): ToolResultObject | Promise<ToolResultObject> {
  if (!checked.ok) return failureResult(formatIssues(toolName, checked.issues));
  const timeoutMs = options.timeoutMs ?? tool.timeoutMs;
  // Without a timeout, a session's run cancellation is the handler's signal itself: no second
  // controller, and (for a handler that answers at once) no timer or abort listener at all.
  const direct = timeoutMs === undefined && (cancel === undefined || cancel instanceof LazyAbortController);
  const controller = direct ? undefined : new LazyAbortController();
  const call: HandlerCall = { tool, toolName, timeoutMs, cancel, onError: options.onError, controller };
  // A call nothing can cancel still gets a signal of its own (a handler may add listeners to it).
  const invocation = invocationOf(context, toolName, args, controller ?? cancel ?? new LazyAbortController());
  const running = controller === undefined ? runDirect(call, checked.value, invocation) : runHandler(call, controller, checked.value, invocation);
  const maxResultChars = options.maxResultChars ?? tool.maxResultChars ?? DEFAULT_MAX_RESULT_CHARS;
  return running instanceof Promise ? running.then((outcome) => resultOf(call, outcome, maxResultChars)) : resultOf(call, running, maxResultChars);
}

/** One handler run's settings. */
interface HandlerCall {
  tool: AnyTool;
  toolName: string;
  timeoutMs: number | undefined;
  cancel: Cancellation | undefined;
  onError: ((error: ToolError) => void) | undefined;
  /** The handler's own controller (a timeout, or a caller's plain AbortSignal); undefined when its signal is `cancel`'s. */
  controller: LazyAbortController | undefined;
}

function invocationOf(context: ToolCallContext, toolName: string, args: unknown, source: Cancellation): ToolInvocation {
  const invocation = new Invocation(context.sessionId, context.toolCallId, toolName, args, source);
  if (context.traceparent !== undefined) invocation.traceparent = context.traceparent;
  if (context.tracestate !== undefined) invocation.tracestate = context.tracestate;
  return invocation;
}

/**
 * What a handler gets besides its arguments, one per tool call. A class, not an object literal
 * with a getter: V8 makes such a literal through the runtime (~7 µs per tool call measured in
 * `bench/src/tools-bench.ts` conditions, against well under 1 µs for this). `signal` is a getter
 * on the prototype, built on first read (most handlers never look at it): read it or destructure
 * it; a spread copy (`{ ...invocation }`) does not carry it.
 */
class Invocation implements ToolInvocation {
  sessionId: string;
  toolCallId: string;
  toolName: string;
  arguments: unknown;
  declare traceparent?: string;
  declare tracestate?: string;
  readonly #source: Cancellation;
  constructor(sessionId: string, toolCallId: string, toolName: string, args: unknown, source: Cancellation) {
    this.sessionId = sessionId;
    this.toolCallId = toolCallId;
    this.toolName = toolName;
    this.arguments = args;
    this.#source = source;
  }
  get signal(): AbortSignal {
    return this.#source.signal;
  }
}

/**
 * A run whose signal is the caller's cancellation (or none) and that has no timeout: a handler
 * that returns a plain value or throws settles at once, without a timer, listener or promise.
 * The cancellation is read after the handler returns, so an abort the handler caused still wins.
 */
function runDirect(call: HandlerCall, args: unknown, invocation: ToolInvocation): Outcome | Promise<Outcome> {
  const cancel = call.cancel;
  let running: unknown;
  try {
    running = call.tool.handler(args, invocation);
    if (!isThenable(running)) return cancel?.aborted ? { kind: "aborted", reason: cancel.reason } : { kind: "value", value: running };
  } catch (error) {
    return cancel?.aborted ? { kind: "aborted", reason: cancel.reason } : { kind: "thrown", error };
  }
  return new Promise<Outcome>((resolve) => {
    let outcome: Outcome | undefined;
    const finish = (o: Outcome) => {
      if (outcome !== undefined) return;
      outcome = o;
      offAbort?.();
      resolve(o);
    };
    const offAbort = cancel?.onAbort((reason) => finish({ kind: "aborted", reason }));
    if (cancel?.aborted) finish({ kind: "aborted", reason: cancel.reason });
    Promise.resolve(running).then(
      (value) => finish({ kind: "value", value }),
      (error: unknown) => {
        // A rejection after the call was abandoned still reaches onError, unless it merely echoes the abort.
        if (outcome !== undefined && !echoesAbort(error, cancel?.reason)) reportError(call.onError, handlerFailed(call.toolName, error, true));
        finish({ kind: "thrown", error });
      },
    );
  });
}

/**
 * Calls the handler; settles on its value or error, the caller's cancellation or the timeout,
 * whichever comes first. A handler that returns a plain value settles at once, without a promise.
 */
function runHandler(call: HandlerCall, controller: LazyAbortController, args: unknown, invocation: ToolInvocation): Outcome | Promise<Outcome> {
  const { toolName, timeoutMs, cancel } = call;
  let outcome: Outcome | undefined;
  let resolve: ((o: Outcome) => void) | undefined;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let offAbort: (() => void) | undefined;
  const finish = (o: Outcome) => {
    if (outcome !== undefined) return;
    outcome = o;
    if (timer !== undefined) clearTimeout(timer);
    offAbort?.();
    resolve?.(o);
  };
  if (cancel) {
    offAbort = cancel.onAbort((reason) => {
      controller.abort(reason);
      finish({ kind: "aborted", reason });
    });
  }
  if (timeoutMs !== undefined) {
    timer = setTimeout(() => {
      controller.abort(new ToolError("TIMEOUT", `Tool "${toolName}" did not finish within ${timeoutMs} ms; its signal was aborted.`, { toolName }));
      finish({ kind: "timeout" });
    }, timeoutMs);
  }
  let running: unknown;
  let thenable: boolean;
  try {
    running = call.tool.handler(args, invocation);
    thenable = isThenable(running); // may run a `then` getter
  } catch (error) {
    finish({ kind: "thrown", error });
    return outcome!;
  }
  if (!thenable) {
    finish({ kind: "value", value: running });
    return outcome!;
  }
  Promise.resolve(running).then(
    (value) => finish({ kind: "value", value }),
    (error: unknown) => {
      // A rejection after the call was abandoned still reaches onError, unless it merely echoes the abort.
      if (outcome !== undefined && !echoesAbort(error, controller.reason)) reportError(call.onError, handlerFailed(toolName, error, true));
      finish({ kind: "thrown", error });
    },
  );
  return outcome ?? new Promise<Outcome>((r) => (resolve = r));
}

/** The result object for an outcome; program errors also go to `onError`. */
function resultOf(call: HandlerCall, outcome: Outcome, maxResultChars: number): ToolResultObject {
  const { toolName, timeoutMs } = call;
  const report = (error: ToolError) => reportError(call.onError, error);
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
      const normalized = normalizeToolResult(outcome.value as ToolHandlerResult, maxResultChars);
      if (normalized.ok) return normalized.result;
      report(new ToolError("VALIDATION", `Tool "${toolName}" returned an invalid result: ${normalized.problem}.`, { toolName }));
      return failureResult(`Tool "${toolName}" produced a result that could not be sent back (${normalized.problem}).`);
    }
  }
}

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return (typeof value === "object" || typeof value === "function") && value !== null && typeof (value as { then?: unknown }).then === "function";
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
