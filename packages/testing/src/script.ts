import { TestingError } from "./errors.js";
import type { ModelRequest } from "./model-request.js";

/** One tool call the scripted model asks for. */
export interface ScriptedToolCall {
  /** Tool name, e.g. a tool you registered on the session or a built-in one such as `"bash"`. */
  name: string;
  /**
   * The call's arguments. An object is sent as JSON; a string is sent as is, so a test can
   * send arguments that are not valid JSON and check how the agent copes.
   */
  arguments?: Record<string, unknown> | unknown[] | string;
  /** Tool-call id the runtime echoes back with the result. Default `call_<request>_<index>`. */
  id?: string;
}

/** Timing knobs shared by every turn. */
export interface TurnTiming {
  /** Wait this long before sending the response headers. */
  delayMs?: number;
  /** Wait this long between two streamed chunks (streaming requests only). */
  chunkDelayMs?: number;
}

/** The model answers with text, tool calls, or both (text first). */
export interface ReplyTurn extends TurnTiming {
  text?: string;
  toolCalls?: ScriptedToolCall[];
  /** Characters per streamed text or argument chunk. Default: the server's `chunkSize`. */
  chunkSize?: number;
  /** Token counts reported in the usage block. Default: estimated from the sizes (~4 chars/token). */
  usage?: { inputTokens?: number; outputTokens?: number };
}

/** HTTP status codes an OpenAI-compatible provider commonly fails with. */
export type ScriptedErrorStatus = 400 | 401 | 403 | 404 | 408 | 409 | 413 | 422 | 429 | 500 | 502 | 503 | 504;

/** The model endpoint fails with an OpenAI-style error body. */
export interface ErrorTurn extends TurnTiming {
  error: { status: ScriptedErrorStatus; message: string; type?: string; code?: string };
}

/**
 * The model endpoint answers 200 but breaks the stream: `"invalid-json"` sends a data line that is
 * not JSON; `"truncated"` sends a first chunk and then drops the connection.
 */
export interface MalformedTurn extends TurnTiming {
  malformed: "invalid-json" | "truncated";
}

/** A turn known in advance. */
export type StaticTurn = ReplyTurn | ErrorTurn | MalformedTurn;

/**
 * A turn computed from the request, e.g. an answer that depends on the last tool result.
 * Use {@link lastUserText}, {@link toolResults} and {@link systemPrompt} to read the request.
 */
export type DynamicTurn = (request: ModelRequest) => StaticTurn | Promise<StaticTurn>;

/** One entry of a script: each model request consumes the next turn. */
export type ScriptedTurn = StaticTurn | DynamicTurn;

const ERROR_STATUSES: ReadonlySet<number> = new Set([400, 401, 403, 404, 408, 409, 413, 422, 429, 500, 502, 503, 504]);

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function checkNonNegative(where: string, name: string, value: unknown, min = 0): void {
  if (value === undefined) return;
  if (typeof value !== "number" || !Number.isFinite(value) || value < min) {
    throw new TestingError(
      "INVALID_SCRIPT",
      `${where}.${name} must be a finite number >= ${min} (got ${JSON.stringify(value)}); fix the turn or leave ${name} out.`,
    );
  }
}

/**
 * Checks one static turn and returns it, or throws `TestingError("INVALID_SCRIPT")` naming the
 * turn (`where`, e.g. `script[2]`) and what to change.
 */
export function validateTurn(turn: unknown, where: string): StaticTurn {
  if (!isRecord(turn)) {
    throw new TestingError(
      "INVALID_SCRIPT",
      `${where} must be an object ({ text }, { toolCalls }, { error }, { malformed }) or a function returning one (got ${turn === null ? "null" : typeof turn}).`,
    );
  }
  checkNonNegative(where, "delayMs", turn["delayMs"]);
  checkNonNegative(where, "chunkDelayMs", turn["chunkDelayMs"]);
  const kinds = ["error", "malformed"].filter((k) => turn[k] !== undefined);
  const isReply = turn["text"] !== undefined || turn["toolCalls"] !== undefined;
  if (kinds.length + (isReply ? 1 : 0) !== 1) {
    throw new TestingError(
      "INVALID_SCRIPT",
      `${where} must have exactly one of: text and/or toolCalls, error, malformed (got keys: ${Object.keys(turn).join(", ") || "none"}).`,
    );
  }
  if (turn["error"] !== undefined) {
    const error = turn["error"];
    if (!isRecord(error) || !ERROR_STATUSES.has(error["status"] as number) || typeof error["message"] !== "string") {
      throw new TestingError(
        "INVALID_SCRIPT",
        `${where}.error must be { status, message } with status one of ${[...ERROR_STATUSES].join(", ")} and message a string.`,
      );
    }
    return turn as unknown as ErrorTurn;
  }
  if (turn["malformed"] !== undefined) {
    if (turn["malformed"] !== "invalid-json" && turn["malformed"] !== "truncated") {
      throw new TestingError("INVALID_SCRIPT", `${where}.malformed must be "invalid-json" or "truncated" (got ${JSON.stringify(turn["malformed"])}).`);
    }
    return turn as unknown as MalformedTurn;
  }
  if (turn["text"] !== undefined && typeof turn["text"] !== "string") {
    throw new TestingError("INVALID_SCRIPT", `${where}.text must be a string (got ${typeof turn["text"]}).`);
  }
  checkNonNegative(where, "chunkSize", turn["chunkSize"], 1);
  if (turn["toolCalls"] !== undefined) {
    const calls = turn["toolCalls"];
    if (!Array.isArray(calls) || calls.length === 0) {
      throw new TestingError("INVALID_SCRIPT", `${where}.toolCalls must be a non-empty array of { name, arguments?, id? }.`);
    }
    calls.forEach((call: unknown, i) => {
      const at = `${where}.toolCalls[${i}]`;
      if (!isRecord(call) || typeof call["name"] !== "string" || call["name"] === "") {
        throw new TestingError("INVALID_SCRIPT", `${at} must be an object with a non-empty string "name".`);
      }
      const args = call["arguments"];
      if (args !== undefined && typeof args !== "string" && typeof args !== "object") {
        throw new TestingError("INVALID_SCRIPT", `${at}.arguments must be an object (sent as JSON) or a string (sent raw); got ${typeof args}.`);
      }
      if (call["id"] !== undefined && (typeof call["id"] !== "string" || call["id"] === "")) {
        throw new TestingError("INVALID_SCRIPT", `${at}.id must be a non-empty string or left out.`);
      }
    });
  }
  return turn as unknown as ReplyTurn;
}

/** Checks a whole script eagerly so a typo fails at start-up, not in the middle of a test. */
export function validateScript(script: unknown, where = "script"): ScriptedTurn[] {
  if (!Array.isArray(script)) {
    throw new TestingError("INVALID_SCRIPT", `${where} must be an array of turns (got ${typeof script}).`);
  }
  return script.map((turn: unknown, i) => (typeof turn === "function" ? (turn as DynamicTurn) : validateTurn(turn, `${where}[${i}]`)));
}

/** The arguments string sent on the wire for a scripted tool call. */
export function argumentsText(call: ScriptedToolCall): string {
  if (call.arguments === undefined) return "{}";
  return typeof call.arguments === "string" ? call.arguments : JSON.stringify(call.arguments);
}

/** Splits text into chunks of at most `size` characters (code points, so emoji stay whole). */
export function chunkText(text: string, size: number): string[] {
  const chars = Array.from(text);
  const out: string[] = [];
  for (let i = 0; i < chars.length; i += size) out.push(chars.slice(i, i + size).join(""));
  return out;
}
