/**
 * The debug log: every JSON-RPC frame in and out and every line the runtime writes to stderr,
 * with credentials masked by core's `redact`. Switched on by the `debug` client option, or by the
 * `FLIGHTDECK_DEBUG` environment variable (`1`/`true` → stderr, anything else → a file path).
 */
import { nodeFs } from "./node-builtins.js";
import { SdkError, redact, redactString, type FrameLogEntry } from "@flightdeck/copilot-core";

/** `true` logs to stderr, a function receives each line, `false` turns the log off even when `FLIGHTDECK_DEBUG` is set. */
export type DebugOption = boolean | ((line: string) => void);

/** The environment variable read when the `debug` option is not given. */
export const DEBUG_ENV = "FLIGHTDECK_DEBUG";

// Frames past this size are cut in the log (a session's history can be megabytes).
const MAX_FRAME_CHARS = 16_384;

export interface DebugLog {
  /** Logs one frame (pass as `JsonRpcConnection`'s `onFrame`). */
  readonly frame: (entry: FrameLogEntry) => void;
  /** Logs one runtime stderr line. */
  readonly stderr: (line: string) => void;
  /** Logs a note from the client itself (e.g. an ignored option). */
  readonly note: (message: string) => void;
}

function sinkFor(option: DebugOption | undefined, env: Readonly<Record<string, string | undefined>>): ((line: string) => void) | undefined {
  if (option === false) return undefined;
  if (typeof option === "function") return option;
  if (option === true) return (line) => void process.stderr.write(`${line}\n`);
  if (option !== undefined) {
    throw new SdkError("INVALID_OPTION", `debug: must be true, false or a function receiving each log line, got ${typeof option}.`, {
      details: { option: "debug" },
    });
  }
  const value = env[DEBUG_ENV]?.trim();
  if (!value || value === "0" || value.toLowerCase() === "false") return undefined;
  if (value === "1" || value.toLowerCase() === "true") return (line) => void process.stderr.write(`${line}\n`);
  const file = value;
  // Synchronous appends: the log is complete even when the process dies right after a frame.
  return (line) => {
    try {
      nodeFs().appendFileSync(file, `${line}\n`);
    } catch {
      // A debug log must never break the application; the path problem shows as a missing file.
    }
  };
}

function describe(entry: FrameLogEntry): string {
  const m = entry.message as { id?: unknown; method?: unknown; error?: unknown };
  const kind =
    typeof m.method === "string"
      ? m.id !== undefined
        ? `request ${m.method} #${String(m.id)}`
        : `notify ${m.method}`
      : `${m.error !== undefined ? "error" : "result"} #${String(m.id)}`;
  return `${entry.direction === "out" ? "-->" : "<--"} ${kind} (${entry.byteLength} B)`;
}

/**
 * Builds the debug log for a client, or `undefined` when it is off. Lines look like
 * `[flightdeck 2025-01-01T12:00:00.000Z] --> request session.create #3 (812 B) {…redacted JSON…}`.
 */
export function createDebugLog(option: DebugOption | undefined, env: Readonly<Record<string, string | undefined>> = process.env): DebugLog | undefined {
  const sink = sinkFor(option, env);
  if (!sink) return undefined;
  const write = (text: string) => {
    try {
      sink(`[flightdeck ${new Date().toISOString()}] ${text}`);
    } catch {
      // A throwing user sink must not break the connection.
    }
  };
  return {
    frame: (entry) => {
      let body = JSON.stringify(redact(entry.message));
      if (body.length > MAX_FRAME_CHARS) body = `${body.slice(0, MAX_FRAME_CHARS)}… (${body.length - MAX_FRAME_CHARS} more chars)`;
      write(`${describe(entry)} ${body}`);
    },
    stderr: (line) => write(`runtime stderr: ${redactString(line)}`),
    note: (message) => write(`client: ${redactString(message)}`),
  };
}
