/** Small pure helpers of {@link JsonRpcConnection}: close reasons, timeouts, abort errors, frame sizes. */
import { SdkError } from "./errors.js";
import type { TransportCloseInfo } from "./transport.js";

export function describeClose(info: TransportCloseInfo): string {
  const parts = [info.reason];
  if (info.exitCode !== undefined && info.exitCode !== null) parts.push(`exit code ${info.exitCode}`);
  if (info.signal) parts.push(`signal ${info.signal}`);
  if (info.error && !info.reason.includes(info.error.message)) parts.push(info.error.message);
  let text = parts.join("; ");
  const tail = info.stderrTail?.filter((l) => l.trim() !== "").slice(-10);
  if (tail && tail.length > 0) text += `. Last stderr lines:\n  ${tail.join("\n  ")}\n`;
  return text;
}

export function validateTimeout(name: string, value: number): void {
  if (typeof value !== "number" || Number.isNaN(value) || value < 0) {
    throw new SdkError("INVALID_OPTION", `${name} must be a non-negative number of milliseconds (0 or Infinity for none), got ${String(value)}.`);
  }
}

export function abortedError(method: string, signal: AbortSignal): SdkError {
  return new SdkError("ABORTED", `${method}: the request was aborted by its AbortSignal; any late response is ignored.`, { cause: signal.reason });
}

export function errorMessage(error: unknown): string {
  if (error instanceof Error) return error.message;
  try {
    return String(error);
  } catch {
    return "(unprintable error)";
  }
}

/** The body size of an encoded frame (bytes after the blank line). */
export function bodyLength(frame: Uint8Array): number {
  for (let i = 3; i < frame.length; i++) {
    if (frame[i] === 10 && frame[i - 1] === 13 && frame[i - 2] === 10 && frame[i - 3] === 13) return frame.length - i - 1;
  }
  return frame.length;
}
