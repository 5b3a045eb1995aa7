/**
 * Model-traffic interception, wire level: a JSON-RPC peer plays the runtime's `llmInference`
 * side (request head, body chunks, cancel) and records the response frames the client sends back.
 * The real runtime runs full turns through it in e2e-interception.test.ts.
 */
import { describe, expect, it } from "vitest";
import { SdkError, isSdkError } from "@flightdeck/copilot-core";
import { CopilotClient, type InterceptedRequest, type ModelRequestHandler } from "@flightdeck/copilot-client";
import { createScriptedRequestHandler, SCRIPTED_MODEL_UNROUTABLE_BASE_URL } from "@flightdeck/copilot-testing";
import { createRequestHandlerHandlers } from "../src/request-handler.js";
import { modelRequestPeer, type Frame } from "./model-request-peer.js";

/** A client serving `handler`, and a fake runtime that sends requests and collects the replies. */
function wire(handler: ModelRequestHandler, options: { accept?: (frame: Frame) => boolean } = {}) {
  const { runtime, frames, errors, done } = modelRequestPeer((caller, onError) => createRequestHandlerHandlers(handler, caller, onError), options);
  const send = async (requestId: string, head: Record<string, unknown>, chunks: Array<Record<string, unknown>>) => {
    await runtime.request("llmInference.httpRequestStart", {
      requestId,
      method: "POST",
      url: "http://model.invalid/v1/chat/completions",
      headers: { "content-type": ["application/json"] },
      ...head,
    });
    for (const c of chunks) await runtime.request("llmInference.httpRequestChunk", { requestId, ...c });
  };
  return { runtime, frames, errors, done, send };
}

describe("requestHandler over the wire", () => {
  it("hands the handler the whole request (text and base64 chunks, multi-valued headers) and streams the reply back in order", async () => {
    let seen: InterceptedRequest | undefined;
    const { send, done, errors } = wire(async (request) => {
      seen = request;
      return {
        status: 200,
        headers: { "content-type": "text/event-stream", "x-multi": ["a", "b"], "transfer-encoding": "chunked" },
        body: (async function* () {
          yield "data: 1\n\n";
          yield new TextEncoder().encode("data: 2\n\n");
        })(),
      };
    });
    const body = JSON.stringify({ model: "m", messages: [{ role: "user", content: "héllo" }], stream: true });
    const bytes = Buffer.from(body);
    await send(
      "r1",
      {
        headers: { authorization: ["Bearer k"], accept: ["application/json", "text/event-stream"] },
        sessionId: "s1",
        agentId: "ag",
        interactionType: "conversation-agent",
      },
      [{ data: body.slice(0, 10) }, { data: bytes.subarray(Buffer.byteLength(body.slice(0, 10))).toString("base64"), binary: true, end: true }],
    );
    const frames = await done("r1");
    expect(seen!.json()).toEqual({ model: "m", messages: [{ role: "user", content: "héllo" }], stream: true });
    expect(seen!.headers).toEqual({ authorization: "Bearer k", accept: "application/json, text/event-stream" });
    expect(seen!.rawHeaders.accept).toEqual(["application/json", "text/event-stream"]);
    expect([seen!.sessionId, seen!.agentId, seen!.interactionType, seen!.method, seen!.url]).toEqual([
      "s1",
      "ag",
      "conversation-agent",
      "POST",
      "http://model.invalid/v1/chat/completions",
    ]);
    expect(seen!.toRequest().method).toBe("POST");
    expect(frames.map((f) => [f.method, f.params])).toEqual([
      // Hop-by-hop headers are not relayed.
      ["httpResponseStart", { requestId: "r1", status: 200, headers: { "content-type": ["text/event-stream"], "x-multi": ["a", "b"] } }],
      ["httpResponseChunk", { requestId: "r1", data: "data: 1\n\n" }],
      ["httpResponseChunk", { requestId: "r1", data: "data: 2\n\n" }],
      ["httpResponseChunk", { requestId: "r1", data: "", end: true }],
    ]);
    expect(errors).toEqual([]);
  });

  it("relays a WHATWG Response (from fetch or new Response), UTF-8 split across chunks intact, binary bodies as base64", async () => {
    const euro = new TextEncoder().encode("price: 5€");
    const { send, done } = wire((request) =>
      request.url.endsWith("/bin")
        ? { headers: { "content-type": "application/octet-stream" }, body: new Uint8Array([0, 255, 1]) }
        : new Response(
            new ReadableStream<Uint8Array>({
              start(controller) {
                controller.enqueue(euro.subarray(0, euro.length - 1)); // splits the 3-byte "€"
                controller.enqueue(euro.subarray(euro.length - 1));
                controller.close();
              },
            }),
            {
              status: 201,
              statusText: "Created",
              headers: { "content-type": "text/plain; charset=utf-8", "content-encoding": "gzip", "content-length": "11" },
            },
          ),
    );
    await send("r2", {}, [{ data: "", end: true }]);
    const frames = await done("r2");
    expect(frames[0]!.params).toEqual({ requestId: "r2", status: 201, statusText: "Created", headers: { "content-type": ["text/plain; charset=utf-8"] } });
    expect(
      frames
        .slice(1)
        .map((f) => f.params.data)
        .join(""),
    ).toBe("price: 5€");
    await send("r3", { url: "http://model.invalid/bin", method: "GET" }, [{ data: "", end: true }]);
    const bin = await done("r3");
    expect(bin[1]!.params).toEqual({ requestId: "r3", data: Buffer.from([0, 255, 1]).toString("base64"), binary: true });
  });

  it("a handler that throws, returns garbage or fails mid-body ends that request with an error naming requestHandler; onError hears it; later requests work", async () => {
    let n = 0;
    const { send, done, errors } = wire(() => {
      n++;
      if (n === 1) throw new Error("upstream is down");
      if (n === 2) return { status: 42 };
      if (n === 3)
        return {
          body: (async function* () {
            yield "partial";
            throw new Error("socket reset");
          })(),
        };
      return { body: "fine" };
    });
    await send("e1", {}, [{ data: "{}", end: true }]);
    expect((await done("e1")).map((f) => f.params)).toEqual([
      {
        requestId: "e1",
        data: "",
        error: { message: "requestHandler failed for POST http://model.invalid/v1/chat/completions: upstream is down", code: "REQUEST_HANDLER_FAILED" },
      },
    ]);
    await send("e2", {}, [{ data: "{}", end: true }]);
    expect((await done("e2"))[0]!.params.error).toMatchObject({ message: expect.stringContaining("status 42 is not an HTTP status") });
    await send("e3", {}, [{ data: "{}", end: true }]);
    const e3 = await done("e3");
    expect(e3.map((f) => f.method)).toEqual(["httpResponseStart", "httpResponseChunk", "httpResponseChunk"]);
    expect(e3[2]!.params.error).toMatchObject({
      message: expect.stringContaining("response body failed for POST http://model.invalid/v1/chat/completions: socket reset"),
      code: "REQUEST_HANDLER_BODY_FAILED",
    });
    await send("ok", {}, [{ data: "{}", end: true }]);
    expect((await done("ok")).map((f) => f.params.data)).toEqual([undefined, "fine", ""]);
    expect(errors).toHaveLength(3);
    expect(errors.every((e) => isSdkError(e, "HANDLER_FAILED"))).toBe(true);
  });

  it("a cancel from the runtime aborts the handler's signal and stops the stream; websocket requests are refused with a clear error", async () => {
    let signal: AbortSignal | undefined;
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const { send, frames, done, runtime, errors } = wire((request) => {
      signal = request.signal;
      return {
        headers: { "content-type": "text/event-stream" },
        body: (async function* () {
          yield "first";
          await gate;
          yield "never sent";
        })(),
      };
    });
    await send("c1", {}, [{ data: "{}", end: true }]);
    await new Promise((r) => setTimeout(r, 20));
    await runtime.request("llmInference.httpRequestChunk", { requestId: "c1", data: "", cancel: true, cancelReason: "turn aborted" });
    expect(signal!.aborted).toBe(true);
    expect(signal!.reason).toBeInstanceOf(SdkError);
    expect((signal!.reason as Error).message).toContain("turn aborted");
    release();
    await new Promise((r) => setTimeout(r, 20));
    expect(frames.filter((f) => f.params.requestId === "c1").map((f) => f.params.data)).toEqual([undefined, "first"]);

    await send("ws", { transport: "websocket", url: "wss://model.invalid/v1/responses" }, [{ data: "{}" }]);
    expect((await done("ws"))[0]!.params.error).toMatchObject({
      code: "WEBSOCKET_UNSUPPORTED",
      message: expect.stringContaining("requestHandler cannot serve POST wss://model.invalid/v1/responses"),
    });
    expect(errors).toHaveLength(1);
    // A body chunk for a request nobody announced is a protocol error, answered as such.
    await expect(runtime.request("llmInference.httpRequestChunk", { requestId: "ghost", data: "x" })).rejects.toThrow(/no request ghost was announced/);
  });

  it("stops streaming when the runtime no longer accepts chunks for the request", async () => {
    let yielded = 0;
    const { send, frames } = wire(
      () => ({
        body: (async function* () {
          for (let i = 0; i < 5; i++) {
            yielded++;
            yield `chunk ${i}`;
          }
        })(),
      }),
      { accept: (f) => f.params.data !== "chunk 1" },
    );
    await send("x", {}, [{ data: "", end: true }]);
    await new Promise((r) => setTimeout(r, 30));
    expect(frames.map((f) => f.params.data)).toEqual([undefined, "chunk 0", "chunk 1"]);
    expect(yielded).toBeLessThan(5);
  });

  it("the requestHandler option must be a function", () => {
    expect(() => new CopilotClient({ requestHandler: {} as never, autoStart: false })).toThrow(/^requestHandler: must be a function/);
  });
});

describe("createScriptedRequestHandler (the scripted model without a port)", () => {
  it("answers the script over requestHandler: streamed chat completion, then a 500 naming the missing turn", async () => {
    const model = createScriptedRequestHandler({ script: [{ text: "Hi there", chunkSize: 3 }] });
    expect(model.provider()).toEqual({ type: "openai", baseUrl: SCRIPTED_MODEL_UNROUTABLE_BASE_URL, apiKey: "test-key", wireApi: "completions" });
    const { send, done } = wire(model.handler);
    const body = JSON.stringify({ model: "gpt-4.1", messages: [{ role: "user", content: "hello" }], stream: true, stream_options: { include_usage: true } });
    await send("m1", { url: `${SCRIPTED_MODEL_UNROUTABLE_BASE_URL}/chat/completions`, headers: { authorization: ["Bearer test-key"] } }, [
      { data: body, end: true },
    ]);
    const frames = await done("m1");
    expect(frames[0]!.params).toMatchObject({ status: 200, headers: { "content-type": ["text/event-stream"] } });
    const sse = frames
      .slice(1)
      .map((f) => f.params.data)
      .join("");
    const deltas = sse
      .split("\n\n")
      .filter((l) => l.startsWith("data: {"))
      .map((l) => (JSON.parse(l.slice(6)) as { choices: Array<{ delta?: { content?: string } }> }).choices[0]?.delta?.content ?? "")
      .join("");
    expect(deltas).toBe("Hi there");
    expect(sse.trimEnd().endsWith("data: [DONE]")).toBe(true);
    expect(model.requests[0]).toMatchObject({ call: 1, turnIndex: 0, status: 200, unexpected: false, headers: { authorization: "[redacted]" } });
    model.assertDone();

    await send("m2", { url: `${SCRIPTED_MODEL_UNROUTABLE_BASE_URL}/chat/completions` }, [{ data: body, end: true }]);
    const extra = await done("m2");
    expect(extra[0]!.params.status).toBe(500);
    expect(extra[1]!.params.data).toContain("no turn left for request #2");
    expect(() => model.assertDone()).toThrow(/unexpected request #2/);
  });
});
