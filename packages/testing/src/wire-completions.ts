import type { ReplyContext } from "./reply-context.js";
import type { ReplyTurn } from "./script.js";
import { argumentsText, chunkText } from "./script.js";

// Chat Completions wire format (`POST /v1/chat/completions`), as the runtime consumes it.

function usage(ctx: ReplyContext) {
  return {
    prompt_tokens: ctx.inputTokens,
    completion_tokens: ctx.outputTokens,
    total_tokens: ctx.inputTokens + ctx.outputTokens,
  };
}

function finishReason(turn: ReplyTurn): "tool_calls" | "stop" {
  return turn.toolCalls && turn.toolCalls.length > 0 ? "tool_calls" : "stop";
}

/** Non-streaming `chat.completion` body. */
export function completionsJson(turn: ReplyTurn, ctx: ReplyContext): Record<string, unknown> {
  const message: Record<string, unknown> = { role: "assistant", content: turn.text ?? null };
  if (turn.toolCalls && turn.toolCalls.length > 0) {
    message["tool_calls"] = turn.toolCalls.map((call, i) => ({
      id: ctx.toolCallIds[i],
      type: "function",
      function: { name: call.name, arguments: argumentsText(call) },
    }));
  }
  return {
    id: ctx.id,
    object: "chat.completion",
    created: ctx.created,
    model: ctx.model,
    choices: [{ index: 0, message, logprobs: null, finish_reason: finishReason(turn) }],
    usage: usage(ctx),
  };
}

/**
 * Streaming frames (`data: <chat.completion.chunk>\n\n` … `data: [DONE]\n\n`): a first delta with
 * the role, text chunks, each tool call opened with id/name and empty arguments then argument
 * chunks, a `finish_reason` chunk, a usage chunk when asked for, and `[DONE]`.
 */
export function completionsStreamFrames(turn: ReplyTurn, ctx: ReplyContext, includeUsage: boolean): string[] {
  const chunk = (delta: Record<string, unknown>, finish: string | null = null) =>
    `data: ${JSON.stringify({
      id: ctx.id,
      object: "chat.completion.chunk",
      created: ctx.created,
      model: ctx.model,
      choices: [{ index: 0, delta, logprobs: null, finish_reason: finish }],
    })}\n\n`;
  const frames = [chunk({ role: "assistant", content: "" })];
  for (const piece of chunkText(turn.text ?? "", ctx.chunkSize)) frames.push(chunk({ content: piece }));
  (turn.toolCalls ?? []).forEach((call, index) => {
    frames.push(
      chunk({
        tool_calls: [{ index, id: ctx.toolCallIds[index], type: "function", function: { name: call.name, arguments: "" } }],
      }),
    );
    for (const piece of chunkText(argumentsText(call), ctx.chunkSize)) {
      frames.push(chunk({ tool_calls: [{ index, function: { arguments: piece } }] }));
    }
  });
  frames.push(chunk({}, finishReason(turn)));
  if (includeUsage) {
    frames.push(
      `data: ${JSON.stringify({
        id: ctx.id,
        object: "chat.completion.chunk",
        created: ctx.created,
        model: ctx.model,
        choices: [],
        usage: usage(ctx),
      })}\n\n`,
    );
  }
  frames.push("data: [DONE]\n\n");
  return frames;
}
