/** The two OpenAI-compatible wire APIs the runtime speaks to a BYOK provider. */
export type WireApi = "completions" | "responses";

/** A request the scripted model received, as dynamic turns and the request log see it. */
export interface ModelRequest {
  /** 1-based arrival number among every request the server received, including bad ones. */
  readonly index: number;
  readonly method: string;
  /** Path without the query string, e.g. `/v1/chat/completions`. */
  readonly path: string;
  /** Lower-cased headers; credentials (`authorization`, `api-key`, …) are replaced by `[redacted]`. */
  readonly headers: Readonly<Record<string, string>>;
  /** Parsed JSON body; `undefined` when there was none or it was not JSON. */
  readonly body: unknown;
  /** Which API the path belongs to; `"models"` for `GET /v1/models`, `"unknown"` otherwise. */
  readonly wireApi: WireApi | "models" | "unknown";
  /** `true` when the body asked for `stream: true`. */
  readonly stream: boolean;
  /** `Date.now()` when the request arrived. */
  readonly receivedAt: number;
}

/** A tool result the agent sent back to the model. */
export interface ModelToolResult {
  /** The tool-call id the model gave (`tool_call_id` / `call_id`). */
  callId: string;
  /** The tool name, found from the matching tool call earlier in the conversation. */
  name: string | undefined;
  /** The result as text (content parts are joined). */
  content: string;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** Text of a message `content`: a string, or an array of `{type:"text"|"input_text"|"output_text", text}` parts. */
function contentText(content: unknown): string {
  if (typeof content === "string") return content;
  if (Array.isArray(content)) {
    return content.map((part: unknown) => (isRecord(part) && typeof part["text"] === "string" ? part["text"] : "")).join("");
  }
  return "";
}

/** The conversation items of either wire API: `messages` (completions) or `input` (responses). */
function items(request: ModelRequest | { body: unknown }): Record<string, unknown>[] {
  const body = request.body;
  if (!isRecord(body)) return [];
  const list = Array.isArray(body["messages"]) ? body["messages"] : body["input"];
  if (typeof list === "string") return [{ role: "user", content: list }];
  return Array.isArray(list) ? list.filter(isRecord) : [];
}

// Blocks the runtime wraps around the user's prompt before sending it to the model.
const DECORATION = /^\s*<(current_datetime|reminder|system_reminder|environment_context)>[\s\S]*?<\/\1>\s*/;

/** The user's own prompt: `text` without the runtime's leading decoration (`<current_datetime>…</current_datetime>`). */
export function stripPromptDecoration(text: string): string {
  let out = text;
  for (let m = DECORATION.exec(out); m !== null; m = DECORATION.exec(out)) out = out.slice(m[0].length);
  return out;
}

/** Options of {@link lastUserText}. */
export interface LastUserTextOptions {
  /** Keep the runtime's prompt decoration (`<current_datetime>…`) as the model saw it. Default `false`. */
  raw?: boolean;
}

/**
 * The text of the last user message in the request (either wire API), or `undefined`. The runtime
 * prefixes each prompt with context such as `<current_datetime>…</current_datetime>`: that is
 * removed, so the result is what the user sent (pass `{ raw: true }` to keep it).
 * @example
 * const model = await startScriptedModel({ script: [(req) => ({ text: `echo: ${lastUserText(req)}` })] });
 */
export function lastUserText(request: ModelRequest | { body: unknown }, options: LastUserTextOptions = {}): string | undefined {
  const all = items(request);
  for (let i = all.length - 1; i >= 0; i--) {
    const item = all[i]!;
    if (item["role"] === "user" && (item["type"] === undefined || item["type"] === "message")) {
      const text = contentText(item["content"]);
      return options.raw === true ? text : stripPromptDecoration(text);
    }
  }
  return undefined;
}

/**
 * Every tool result in the request, oldest first: `role:"tool"` messages (completions) or
 * `function_call_output` items (responses). The last one is usually what a dynamic turn wants.
 */
export function toolResults(request: ModelRequest | { body: unknown }): ModelToolResult[] {
  const names = new Map<string, string>();
  const out: ModelToolResult[] = [];
  for (const item of items(request)) {
    if (item["type"] === "function_call" && typeof item["call_id"] === "string" && typeof item["name"] === "string") {
      names.set(item["call_id"], item["name"]);
    }
    if (item["role"] === "assistant" && Array.isArray(item["tool_calls"])) {
      for (const call of item["tool_calls"]) {
        if (isRecord(call) && typeof call["id"] === "string" && isRecord(call["function"])) {
          const name = call["function"]["name"];
          if (typeof name === "string") names.set(call["id"], name);
        }
      }
    }
    if (item["role"] === "tool" && typeof item["tool_call_id"] === "string") {
      out.push({ callId: item["tool_call_id"], name: names.get(item["tool_call_id"]), content: contentText(item["content"]) });
    }
    if (item["type"] === "function_call_output" && typeof item["call_id"] === "string") {
      out.push({ callId: item["call_id"], name: names.get(item["call_id"]), content: contentText(item["output"]) });
    }
  }
  return out;
}

/**
 * The system prompt: `instructions` (responses) or the `system`/`developer` messages joined by a
 * blank line (either API). `undefined` when there is none.
 */
export function systemPrompt(request: ModelRequest | { body: unknown }): string | undefined {
  const parts: string[] = [];
  const body = request.body;
  if (isRecord(body) && typeof body["instructions"] === "string") parts.push(body["instructions"]);
  for (const item of items(request)) {
    if ((item["role"] === "system" || item["role"] === "developer") && (item["type"] === undefined || item["type"] === "message")) {
      parts.push(contentText(item["content"]));
    }
  }
  return parts.length > 0 ? parts.join("\n\n") : undefined;
}
