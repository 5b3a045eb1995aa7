/**
 * `CopilotRequestHandler` (the incumbent's class form of model interception), wire level: a
 * JSON-RPC peer plays the runtime's `llmInference` side and records the response frames. The real
 * runtime runs a full turn through a subclass in interception.e2e.test.ts.
 */
import { createServer, type Server } from "node:http";
import { describe, expect, it } from "vitest";
import { isSdkError } from "@flightdeck/copilot-core";
import { CopilotRequestHandler, CopilotWebSocketCloseStatus, CopilotWebSocketHandler, type CopilotRequestContext } from "@flightdeck/copilot-client";
import { createCopilotRequestHandlerHandlers } from "../src/copilot-request-server.js";
import { afterThisTest, modelRequestPeer, type Frame } from "./model-request-peer.js";

function wire(handler: CopilotRequestHandler) {
  const { runtime, frames, errors, done } = modelRequestPeer((caller, onError) => createCopilotRequestHandlerHandlers(handler, caller, onError));
  const start = (requestId: string, head: Record<string, unknown> = {}) =>
    runtime.request("llmInference.httpRequestStart", {
      requestId,
      sessionId: "session-1",
      agentId: "agent-1",
      method: "POST",
      url: "http://model.invalid/v1/chat/completions",
      headers: { "content-type": ["application/json"], authorization: ["Bearer x"], "content-length": ["9"] },
      ...head,
    });
  const chunk = (requestId: string, params: Record<string, unknown>) => runtime.request("llmInference.httpRequestChunk", { requestId, ...params });
  return { frames, errors, done, start, chunk };
}

function text(frames: Frame[]): string {
  return frames
    .filter((f) => f.method === "httpResponseChunk" && typeof f.params.data === "string")
    .map((f) => (f.params.binary ? Buffer.from(f.params.data as string, "base64").toString("utf8") : (f.params.data as string)))
    .join("");
}

describe("CopilotRequestHandler subclass", () => {
  it("gets a WHATWG Request with the body and the runtime's ids, and streams its Response back", async () => {
    const seen: Array<{ url: string; method: string; body: string; auth: string | null; ctx: CopilotRequestContext }> = [];
    class Recorder extends CopilotRequestHandler {
      protected override async sendRequest(request: Request, ctx: CopilotRequestContext): Promise<Response> {
        seen.push({ url: request.url, method: request.method, body: await request.text(), auth: request.headers.get("authorization"), ctx });
        const stream = new ReadableStream<Uint8Array>({
          start(controller) {
            controller.enqueue(new TextEncoder().encode("data: one\n\n"));
            controller.enqueue(new TextEncoder().encode("data: [DONE]\n\n"));
            controller.close();
          },
        });
        return new Response(stream, { status: 200, headers: { "content-type": "text/event-stream", "x-trace": "t1" } });
      }
    }
    const w = wire(new Recorder());
    await w.start("r1");
    await w.chunk("r1", { data: '{"a":' });
    await w.chunk("r1", { data: Buffer.from("1}").toString("base64"), binary: true, end: true });
    const frames = await w.done("r1");
    expect(seen).toHaveLength(1);
    expect(seen[0]).toMatchObject({ url: "http://model.invalid/v1/chat/completions", method: "POST", body: '{"a":1}', auth: "Bearer x" });
    expect(seen[0]!.ctx).toMatchObject({ requestId: "r1", sessionId: "session-1", agentId: "agent-1", transport: "http" });
    const head = frames.find((f) => f.method === "httpResponseStart")!;
    expect(head.params).toMatchObject({ status: 200, headers: { "content-type": ["text/event-stream"], "x-trace": ["t1"] } });
    expect(text(frames)).toBe("data: one\n\ndata: [DONE]\n\n");
    expect(w.errors).toEqual([]);
  });

  it("with nothing overridden, forwards to the real URL with fetch", async () => {
    const server: Server = createServer((req, res) => {
      let body = "";
      req.on("data", (c) => (body += c));
      req.on("end", () => {
        res.writeHead(201, { "content-type": "application/json" });
        res.end(JSON.stringify({ echoed: body, path: req.url }));
      });
    });
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    afterThisTest(() => new Promise((r) => server.close(r)));
    const port = (server.address() as { port: number }).port;
    const w = wire(new CopilotRequestHandler());
    await w.start("r1", { url: `http://127.0.0.1:${port}/v1/x` });
    await w.chunk("r1", { data: "hello", end: true });
    const frames = await w.done("r1");
    expect(frames[0]!.params.status).toBe(201);
    expect(JSON.parse(text(frames))).toEqual({ echoed: "hello", path: "/v1/x" });
  });

  it("a thrown error becomes an inference error (502) carrying its message, and goes to onError", async () => {
    class Broken extends CopilotRequestHandler {
      protected override sendRequest(): Promise<Response> {
        throw new Error("upstream quota exhausted");
      }
    }
    const w = wire(new Broken());
    await w.start("r1");
    await w.chunk("r1", { data: "{}", end: true });
    const frames = await w.done("r1");
    expect(frames[0]).toMatchObject({ method: "httpResponseStart", params: { status: 502 } });
    expect(frames.at(-1)!.params).toMatchObject({ end: true, error: { message: "upstream quota exhausted" } });
    expect(w.errors).toHaveLength(1);
    expect(isSdkError(w.errors[0], "HANDLER_FAILED")).toBe(true);
  });

  it("a runtime cancel aborts ctx.signal and ends the request as cancelled (499), without reporting an error", async () => {
    let signal: AbortSignal | undefined;
    class Slow extends CopilotRequestHandler {
      protected override sendRequest(_request: Request, ctx: CopilotRequestContext): Promise<Response> {
        signal = ctx.signal;
        return new Promise((_resolve, reject) => ctx.signal.addEventListener("abort", () => reject(ctx.signal.reason)));
      }
    }
    const w = wire(new Slow());
    await w.start("r1");
    await w.chunk("r1", { data: "{}", end: true });
    await expect.poll(() => signal).toBeDefined();
    await w.chunk("r1", { cancel: true, cancelReason: "turn aborted" });
    const frames = await w.done("r1");
    expect(signal!.aborted).toBe(true);
    expect(frames[0]!.params.status).toBe(499);
    expect(frames.at(-1)!.params).toMatchObject({ error: { message: "Request cancelled by runtime", code: "cancelled" } });
    expect(w.errors).toEqual([]);
  });

  it("serves a WebSocket exchange with a synthetic handler: 101, one reply per message, closed when the runtime ends", async () => {
    const received: string[] = [];
    class Echo extends CopilotWebSocketHandler {
      constructor(ctx: CopilotRequestContext) {
        super(ctx);
      }
      async sendRequestMessage(data: string | Uint8Array): Promise<void> {
        received.push(String(data));
        await this.sendResponseMessage(`echo:${String(data)}`);
      }
    }
    class Sockets extends CopilotRequestHandler {
      protected override async openWebSocket(ctx: CopilotRequestContext): Promise<CopilotWebSocketHandler> {
        return new Echo(ctx);
      }
    }
    const w = wire(new Sockets());
    await w.start("ws1", { transport: "websocket", method: "GET", url: "wss://model.invalid/v1/responses" });
    await w.chunk("ws1", { data: "first" });
    await w.chunk("ws1", { data: "second", end: true });
    const frames = await w.done("ws1");
    expect(received).toEqual(["first", "second"]);
    expect(frames[0]).toMatchObject({ method: "httpResponseStart", params: { status: 101 } });
    expect(frames.filter((f) => f.method === "httpResponseChunk" && f.params.data !== "").map((f) => f.params.data)).toEqual(["echo:first", "echo:second"]);
    expect(frames.at(-1)!.params.error).toBeUndefined();
  });

  it("a WebSocket handler closing with an error status reports an inference error", async () => {
    class Refuse extends CopilotWebSocketHandler {
      constructor(ctx: CopilotRequestContext) {
        super(ctx);
      }
      async sendRequestMessage(): Promise<void> {
        await this.close(new CopilotWebSocketCloseStatus("model overloaded", "overloaded", new Error("model overloaded")));
      }
    }
    class Sockets extends CopilotRequestHandler {
      protected override async openWebSocket(ctx: CopilotRequestContext): Promise<CopilotWebSocketHandler> {
        return new Refuse(ctx);
      }
    }
    const w = wire(new Sockets());
    await w.start("ws1", { transport: "websocket", method: "GET", url: "wss://model.invalid/v1/responses" });
    await w.chunk("ws1", { data: "hi" });
    const frames = await w.done("ws1");
    expect(frames.at(-1)!.params).toMatchObject({ end: true, error: { message: "model overloaded", code: "overloaded" } });
  });

  it("a WebSocket handler cannot be built outside openWebSocket: a typed error, not a TypeError", () => {
    class Lone extends CopilotWebSocketHandler {
      constructor() {
        super({ requestId: "x", transport: "websocket", url: "wss://x", headers: {}, signal: new AbortController().signal });
      }
      sendRequestMessage(): void {}
    }
    let error: unknown;
    try {
      new Lone();
    } catch (e) {
      error = e;
    }
    expect(isSdkError(error, "INVALID_OPTION")).toBe(true);
  });
});
