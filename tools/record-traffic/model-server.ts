/**
 * A tiny scripted OpenAI-compatible chat-completions server on 127.0.0.1, used as the BYOK
 * provider of recorded sessions. Each request is answered by the scenario's `reply` function.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

export type ModelReply = { text: string } | { toolCall: { name: string; arguments: Record<string, unknown> } };

export interface ChatRequest {
  model: string;
  messages: { role: string; content?: unknown; tool_calls?: unknown[]; tool_call_id?: string }[];
  tools?: { function: { name: string } }[];
  stream?: boolean;
}

export class ScriptedModelServer {
  readonly requests: ChatRequest[] = [];
  private server: Server | undefined;
  private callCounter = 0;

  constructor(private readonly reply: (request: ChatRequest) => ModelReply) {}

  async start(): Promise<string> {
    this.server = createServer((req, res) => void this.handle(req, res));
    await new Promise<void>((resolve) => this.server!.listen(0, "127.0.0.1", resolve));
    const { port } = this.server.address() as AddressInfo;
    return `http://127.0.0.1:${port}/v1`;
  }

  async stop(): Promise<void> {
    if (!this.server) return;
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server!.close(() => resolve()));
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    if (req.method !== "POST" || !req.url?.endsWith("/chat/completions")) {
      res.writeHead(404, { "content-type": "application/json" });
      res.end(JSON.stringify({ error: { message: `record-traffic model server: no route ${req.method} ${req.url}` } }));
      return;
    }
    const body = JSON.parse(Buffer.concat(chunks).toString("utf8")) as ChatRequest;
    this.requests.push(body);
    const reply = this.reply(body);
    const id = "chatcmpl-recorded";
    const created = 1_700_000_000;
    if (body.stream !== true) {
      res.writeHead(200, { "content-type": "application/json" });
      res.end(JSON.stringify(this.completion(body, reply, id, created)));
      return;
    }
    const base = { id, object: "chat.completion.chunk", created, model: body.model };
    const frames: unknown[] = [];
    if ("text" in reply) {
      frames.push({ ...base, choices: [{ index: 0, delta: { role: "assistant", content: "" }, finish_reason: null }] });
      // Two content chunks so streaming sessions show more than one delta.
      const half = Math.ceil(reply.text.length / 2);
      for (const part of [reply.text.slice(0, half), reply.text.slice(half)]) {
        if (part) frames.push({ ...base, choices: [{ index: 0, delta: { content: part }, finish_reason: null }] });
      }
      frames.push({ ...base, choices: [{ index: 0, delta: {}, finish_reason: "stop" }] });
    } else {
      const callId = `call_${++this.callCounter}`;
      const args = JSON.stringify(reply.toolCall.arguments);
      frames.push({
        ...base,
        choices: [
          {
            index: 0,
            delta: {
              role: "assistant",
              content: null,
              tool_calls: [{ index: 0, id: callId, type: "function", function: { name: reply.toolCall.name, arguments: "" } }],
            },
            finish_reason: null,
          },
        ],
      });
      frames.push({ ...base, choices: [{ index: 0, delta: { tool_calls: [{ index: 0, function: { arguments: args } }] }, finish_reason: null }] });
      frames.push({ ...base, choices: [{ index: 0, delta: {}, finish_reason: "tool_calls" }] });
    }
    frames.push({ ...base, choices: [], usage: { prompt_tokens: 100, completion_tokens: 10, total_tokens: 110 } });
    res.writeHead(200, { "content-type": "text/event-stream", "cache-control": "no-cache", connection: "keep-alive" });
    for (const frame of frames) res.write(`data: ${JSON.stringify(frame)}\n\n`);
    res.end("data: [DONE]\n\n");
  }

  // Sessions with streaming off ask for one JSON completion instead of SSE.
  private completion(body: ChatRequest, reply: ModelReply, id: string, created: number): unknown {
    const message =
      "text" in reply
        ? { role: "assistant", content: reply.text }
        : {
            role: "assistant",
            content: null,
            tool_calls: [
              {
                id: `call_${++this.callCounter}`,
                type: "function",
                function: { name: reply.toolCall.name, arguments: JSON.stringify(reply.toolCall.arguments) },
              },
            ],
          };
    return {
      id,
      object: "chat.completion",
      created,
      model: body.model,
      choices: [{ index: 0, message, finish_reason: "text" in reply ? "stop" : "tool_calls" }],
      usage: { prompt_tokens: 100, completion_tokens: 10, total_tokens: 110 },
    };
  }
}

/** The last message of a chat request, as plain text (tool results included). */
export function lastMessageText(request: ChatRequest): string {
  const last = request.messages[request.messages.length - 1];
  if (!last) return "";
  if (typeof last.content === "string") return last.content;
  if (Array.isArray(last.content)) return last.content.map((p) => (p as { text?: string }).text ?? "").join("");
  return "";
}
