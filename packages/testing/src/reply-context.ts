import type { ReplyTurn } from "./script.js";
import { argumentsText } from "./script.js";

/** Everything a wire encoder needs to turn a reply turn into bytes, fixed per request. */
export interface ReplyContext {
  /** Response id (`chatcmpl-…` / `resp_…`). */
  id: string;
  /** Echo of the request's `model`. */
  model: string;
  /** Unix seconds. */
  created: number;
  chunkSize: number;
  /** One id per tool call of the turn. */
  toolCallIds: string[];
  inputTokens: number;
  outputTokens: number;
}

/** Rough token estimate (~4 characters per token), deterministic for a given request. */
export function estimateTokens(chars: number): number {
  return Math.max(1, Math.ceil(chars / 4));
}

/** The output token count for a reply: scripted, or estimated from text plus arguments. */
export function outputTokens(turn: ReplyTurn): number {
  if (turn.usage?.outputTokens !== undefined) return turn.usage.outputTokens;
  const chars = (turn.text ?? "").length + (turn.toolCalls ?? []).reduce((n, c) => n + c.name.length + argumentsText(c).length, 0);
  return estimateTokens(chars);
}
