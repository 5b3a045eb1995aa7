import type { ReplyContext } from "./reply-context.js";
import type { ReplyTurn } from "./script.js";
import { argumentsText, chunkText } from "./script.js";

// Responses wire format (`POST /v1/responses`, provider `wireApi: "responses"`).

type Item = Record<string, unknown>;

function usage(ctx: ReplyContext) {
  return {
    input_tokens: ctx.inputTokens,
    input_tokens_details: { cached_tokens: 0 },
    output_tokens: ctx.outputTokens,
    output_tokens_details: { reasoning_tokens: 0 },
    total_tokens: ctx.inputTokens + ctx.outputTokens,
  };
}

function responseObject(ctx: ReplyContext, status: "in_progress" | "completed", output: Item[]): Item {
  return {
    id: ctx.id,
    object: "response",
    created_at: ctx.created,
    status,
    error: null,
    incomplete_details: null,
    model: ctx.model,
    output,
    parallel_tool_calls: true,
    tool_choice: "auto",
    tools: [],
    usage: status === "completed" ? usage(ctx) : null,
  };
}

function messageItem(ctx: ReplyContext, text: string): Item {
  return {
    id: `msg_${ctx.id}`,
    type: "message",
    status: "completed",
    role: "assistant",
    content: [{ type: "output_text", text, annotations: [] }],
  };
}

function functionCallItem(ctx: ReplyContext, turn: ReplyTurn, index: number): Item {
  const call = turn.toolCalls![index]!;
  return {
    id: `fc_${ctx.id}_${index}`,
    type: "function_call",
    status: "completed",
    call_id: ctx.toolCallIds[index],
    name: call.name,
    arguments: argumentsText(call),
  };
}

/** The completed output items: a message when there is text, then one `function_call` per tool call. */
function outputItems(turn: ReplyTurn, ctx: ReplyContext): Item[] {
  const out: Item[] = [];
  if (turn.text !== undefined && turn.text !== "") out.push(messageItem(ctx, turn.text));
  (turn.toolCalls ?? []).forEach((_, i) => out.push(functionCallItem(ctx, turn, i)));
  return out;
}

/** Non-streaming `response` body. */
export function responsesJson(turn: ReplyTurn, ctx: ReplyContext): Item {
  return responseObject(ctx, "completed", outputItems(turn, ctx));
}

/**
 * Streaming frames (`event: <type>\ndata: <json>\n\n`): `response.created`, `response.in_progress`,
 * then per output item `response.output_item.added`, its deltas (`response.output_text.delta` or
 * `response.function_call_arguments.delta`), the matching `…done` events, and `response.completed`.
 */
export function responsesStreamFrames(turn: ReplyTurn, ctx: ReplyContext): string[] {
  let sequence = 0;
  const frames: string[] = [];
  const emit = (type: string, data: Item) => frames.push(`event: ${type}\ndata: ${JSON.stringify({ type, sequence_number: sequence++, ...data })}\n\n`);

  emit("response.created", { response: responseObject(ctx, "in_progress", []) });
  emit("response.in_progress", { response: responseObject(ctx, "in_progress", []) });
  const done = outputItems(turn, ctx);
  done.forEach((item, outputIndex) => {
    const itemId = item["id"] as string;
    if (item["type"] === "message") {
      const text = turn.text ?? "";
      emit("response.output_item.added", { output_index: outputIndex, item: { ...item, status: "in_progress", content: [] } });
      const part = { type: "output_text", text: "", annotations: [] };
      emit("response.content_part.added", { item_id: itemId, output_index: outputIndex, content_index: 0, part });
      for (const delta of chunkText(text, ctx.chunkSize)) {
        emit("response.output_text.delta", { item_id: itemId, output_index: outputIndex, content_index: 0, delta, logprobs: [] });
      }
      emit("response.output_text.done", { item_id: itemId, output_index: outputIndex, content_index: 0, text, logprobs: [] });
      emit("response.content_part.done", { item_id: itemId, output_index: outputIndex, content_index: 0, part: { ...part, text } });
    } else {
      const args = item["arguments"] as string;
      emit("response.output_item.added", { output_index: outputIndex, item: { ...item, status: "in_progress", arguments: "" } });
      for (const delta of chunkText(args, ctx.chunkSize)) {
        emit("response.function_call_arguments.delta", { item_id: itemId, output_index: outputIndex, delta });
      }
      emit("response.function_call_arguments.done", { item_id: itemId, output_index: outputIndex, arguments: args });
    }
    emit("response.output_item.done", { output_index: outputIndex, item });
  });
  emit("response.completed", { response: responseObject(ctx, "completed", done) });
  return frames;
}
