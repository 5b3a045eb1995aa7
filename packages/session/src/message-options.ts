/**
 * The options of `send` and `sendAndWait`, and their checks. `MessageOptions` is the generated
 * `session.send` params without what the SDK sets itself, so a field the runtime adds is
 * available without a hand edit; a key outside them is refused with a did-you-mean.
 */
import { SdkError } from "@flightdeck/copilot-core";
import { RPC_PARAM_KEYS, type SendRequest } from "./bindings.js";
import { describe, isObject, optionFailure, refuseUnknownKeys } from "./option-checks.js";

/** A prompt with options, for `send` / `sendAndWait` (the `session.send` params: `prompt`, `attachments`, `mode`, `displayPrompt`, `agentMode`, …). */
export type MessageOptions = Omit<SendRequest, "traceparent" | "tracestate">;

/** Options of `sendAndWait`. */
export interface SendAndWaitOptions {
  /** Give up after this many ms in total: rejects `SdkError("TIMEOUT")`. Default 60 000; `0` or `Infinity` for none. The turn keeps running: call `abort()` to stop it. */
  timeoutMs?: number;
  /** Give up when no event arrives for this many ms (a stalled turn): rejects `SdkError("TIMEOUT")`. Default: none. */
  idleTimeoutMs?: number;
  /** Aborting rejects with `SdkError("ABORTED")` and aborts the turn on the runtime. */
  signal?: AbortSignal;
}

/** The checked waiting limits of one `sendAndWait`. */
export interface WaitLimits {
  timeoutMs: number | undefined;
  idleTimeoutMs: number | undefined;
  signal: AbortSignal | undefined;
}

const DEFAULT_TIMEOUT_MS = 60_000;
const MAX_TIMER_MS = 2_147_483_647;
const MESSAGE_KEYS = new Set((RPC_PARAM_KEYS["session.send"] ?? []).filter((k) => k !== "sessionId" && k !== "traceparent" && k !== "tracestate"));
const WAIT_KEYS = new Set(["timeoutMs", "idleTimeoutMs", "signal"]);
const ATTACHMENT_REQUIRED: Record<string, string[]> = {
  file: ["path"],
  directory: ["path"],
  selection: ["filePath", "displayName"],
  blob: ["data", "mimeType"],
};

/** Checks the first argument of `send` / `sendAndWait`. @throws {SdkError} `INVALID_OPTION` naming the option. */
export function messageParams(input: unknown, method: "send" | "sendAndWait"): MessageOptions {
  const fail = optionFailure(method);
  if (typeof input === "string") return { prompt: input };
  if (!isObject(input)) return fail("prompt", `must be a string or { prompt, attachments?, mode? }, got ${describe(input)}.`);
  if (MESSAGE_KEYS.size > 0) refuseUnknownKeys(input, MESSAGE_KEYS, fail, "a message option");
  if (typeof input.prompt !== "string") fail("prompt", `must be a string, got ${describe(input.prompt)}.`);
  if (input.mode !== undefined && input.mode !== "enqueue" && input.mode !== "immediate")
    fail("mode", `must be "enqueue" or "immediate", got ${describe(input.mode)}.`);
  for (const key of ["displayPrompt", "source", "requiredTool"]) {
    if (input[key] !== undefined && typeof input[key] !== "string") fail(key, `must be a string, got ${describe(input[key])}.`);
  }
  if (input.attachments !== undefined) {
    if (!Array.isArray(input.attachments)) fail("attachments", `must be an array, got ${describe(input.attachments)}.`);
    (input.attachments as unknown[]).forEach((attachment, i) => {
      if (!isObject(attachment)) return fail(`attachments[${i}]`, `must be an object like { type: "file", path }, got ${describe(attachment)}.`);
      const type = attachment.type;
      if (typeof type !== "string") return fail(`attachments[${i}].type`, `is required ("file", "directory", "selection", "blob", …).`);
      for (const key of ATTACHMENT_REQUIRED[type] ?? []) {
        if (typeof attachment[key] !== "string") fail(`attachments[${i}].${key}`, `is required for a ${type} attachment.`);
      }
    });
  }
  return input as unknown as MessageOptions;
}

/**
 * Checks the second argument of `sendAndWait`: an options object, or (as in `@github/copilot-sdk`)
 * a number of milliseconds meaning `{ timeoutMs }`.
 */
export function waitLimits(options: SendAndWaitOptions | number | undefined): WaitLimits {
  const fail = optionFailure("sendAndWait");
  const ms = (name: string, value: unknown, fallback: number | undefined): number | undefined => {
    if (value === undefined) return fallback;
    if (typeof value !== "number" || Number.isNaN(value) || value < 0) {
      return fail(name, `must be a non-negative number of milliseconds (0 or Infinity for none), got ${describe(value)}.`);
    }
    return value === 0 || value > MAX_TIMER_MS ? undefined : value;
  };
  if (options === undefined) return { timeoutMs: DEFAULT_TIMEOUT_MS, idleTimeoutMs: undefined, signal: undefined };
  if (typeof options === "number") return { timeoutMs: ms("timeoutMs", options, DEFAULT_TIMEOUT_MS), idleTimeoutMs: undefined, signal: undefined };
  if (!isObject(options))
    return fail("options", `must be a number of milliseconds or an object like { timeoutMs, idleTimeoutMs, signal }, got ${describe(options)}.`);
  refuseUnknownKeys(options, WAIT_KEYS, fail, "a sendAndWait option");
  const signal = options.signal as unknown;
  if (signal !== undefined && !(signal instanceof AbortSignal))
    fail("signal", `must be an AbortSignal (e.g. AbortSignal.timeout(5000)), got ${describe(signal)}.`);
  return {
    timeoutMs: ms("timeoutMs", options.timeoutMs, DEFAULT_TIMEOUT_MS),
    idleTimeoutMs: ms("idleTimeoutMs", options.idleTimeoutMs, undefined),
    signal: signal as AbortSignal | undefined,
  };
}

/** `sendAndWait` gave up waiting (the incumbent SDK's wording first: programs match on it). */
export function turnTimeout(sessionId: string, timeoutMs: number): SdkError {
  return new SdkError(
    "TIMEOUT",
    `Timeout after ${timeoutMs}ms waiting for session.idle (sendAndWait on session ${sessionId}). The turn may still be running: call abort() to stop it, or raise timeoutMs (0 for no limit).`,
    { details: { sessionId, timeoutMs } },
  );
}
