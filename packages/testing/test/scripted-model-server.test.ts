import { afterEach, describe, expect, it } from "vitest";
import {
  TestingError,
  lastUserText,
  stripPromptDecoration,
  startScriptedModel,
  systemPrompt,
  toolResults,
  type ScriptedModelOptions,
  type ScriptedModelServer,
} from "@flightdeck/copilot-testing";
import { chatBody, parseSse, postJson, responsesBody } from "./sse-helpers.js";

const servers: ScriptedModelServer[] = [];
async function start(options: ScriptedModelOptions): Promise<ScriptedModelServer> {
  const server = await startScriptedModel(options);
  servers.push(server);
  return server;
}
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

type Json = Record<string, any>;
const json = (frames: { data: string }[]) => frames.map((f) => JSON.parse(f.data) as Json);

describe("chat completions", () => {
  it("answers a non-streaming request with a chat.completion", async () => {
    const model = await start({ script: [{ text: "Hello there" }] });
    const res = await postJson(`${model.baseUrl}/chat/completions`, chatBody());
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("application/json");
    const body = (await res.json()) as Json;
    expect(body).toMatchObject({
      id: "chatcmpl-scripted-1",
      object: "chat.completion",
      model: "gpt-4.1",
      choices: [{ index: 0, message: { role: "assistant", content: "Hello there" }, finish_reason: "stop" }],
    });
    expect(body.choices[0].message.tool_calls).toBeUndefined();
    expect(body.usage.total_tokens).toBe(body.usage.prompt_tokens + body.usage.completion_tokens);
  });

  it("streams text: role first, chunks of chunkSize, finish_reason, usage, [DONE]", async () => {
    const model = await start({ script: [{ text: "abcdefghij", chunkSize: 4 }] });
    const res = await postJson(`${model.baseUrl}/chat/completions`, chatBody({ stream: true, stream_options: { include_usage: true } }));
    expect(res.headers.get("content-type")).toBe("text/event-stream");
    const frames = parseSse(await res.text());
    expect(frames.at(-1)!.data).toBe("[DONE]");
    const chunks = json(frames.slice(0, -1));
    expect(chunks.every((c) => c.object === "chat.completion.chunk" && c.id === "chatcmpl-scripted-1")).toBe(true);
    expect(chunks[0]!.choices[0].delta).toEqual({ role: "assistant", content: "" });
    const contents = chunks.slice(1).flatMap((c) => (c.choices[0]?.delta.content ? [c.choices[0].delta.content] : []));
    expect(contents).toEqual(["abcd", "efgh", "ij"]);
    const finish = chunks.filter((c) => c.choices[0]?.finish_reason);
    expect(finish.map((c) => c.choices[0].finish_reason)).toEqual(["stop"]);
    const usage = chunks.at(-1)!;
    expect(usage.choices).toEqual([]);
    expect(usage.usage.completion_tokens).toBeGreaterThan(0);
  });

  it("omits the usage chunk when stream_options.include_usage is not set", async () => {
    const model = await start({ script: [{ text: "hi" }] });
    const chunks = json(parseSse(await (await postJson(`${model.baseUrl}/chat/completions`, chatBody({ stream: true }))).text()).slice(0, -1));
    expect(chunks.some((c) => c.usage !== undefined)).toBe(false);
  });

  it("streams tool calls: an opening delta with id/name/empty arguments, then argument chunks", async () => {
    const model = await start({
      chunkSize: 5,
      script: [
        {
          toolCalls: [
            { name: "get_weather", arguments: { city: "Paris" } },
            { name: "noop", id: "my-id" },
          ],
        },
      ],
    });
    const frames = parseSse(await (await postJson(`${model.baseUrl}/chat/completions`, chatBody({ stream: true }))).text());
    const chunks = json(frames.slice(0, -1));
    const deltas = chunks.flatMap((c) => c.choices[0]?.delta.tool_calls ?? []);
    expect(deltas[0]).toEqual({ index: 0, id: "call_1_0", type: "function", function: { name: "get_weather", arguments: "" } });
    const args0 = deltas.filter((d: Json) => d.index === 0 && d.id === undefined).map((d: Json) => d.function.arguments);
    expect(args0.join("")).toBe('{"city":"Paris"}');
    expect(args0.every((a: string) => a.length <= 5)).toBe(true);
    const open1 = deltas.find((d: Json) => d.index === 1 && d.id !== undefined);
    expect(open1).toEqual({ index: 1, id: "my-id", type: "function", function: { name: "noop", arguments: "" } });
    expect(chunks.at(-1)!.choices[0].finish_reason).toBe("tool_calls");
  });

  it("sends string arguments raw, even when they are not valid JSON", async () => {
    const model = await start({ script: [{ toolCalls: [{ name: "x", arguments: "{city: Paris" }] }, { toolCalls: [{ name: "x", arguments: "{oops" }] }] });
    const body = (await (await postJson(`${model.baseUrl}/chat/completions`, chatBody())).json()) as Json;
    expect(body.choices[0]).toMatchObject({
      finish_reason: "tool_calls",
      message: { content: null, tool_calls: [{ id: "call_1_0", type: "function", function: { name: "x", arguments: "{city: Paris" } }] },
    });
    const chunks = json(parseSse(await (await postJson(`${model.baseUrl}/chat/completions`, chatBody({ stream: true }))).text()).slice(0, -1));
    const args = chunks
      .flatMap((c) => c.choices[0]?.delta.tool_calls ?? [])
      .map((d: Json) => d.function.arguments)
      .join("");
    expect(args).toBe("{oops");
  });

  it("sends text and tool calls in one turn, text first", async () => {
    const model = await start({ script: [{ text: "Let me check.", toolCalls: [{ name: "t", arguments: {} }] }] });
    const chunks = json(parseSse(await (await postJson(`${model.baseUrl}/chat/completions`, chatBody({ stream: true }))).text()).slice(0, -1));
    const firstTool = chunks.findIndex((c) => c.choices[0]?.delta.tool_calls);
    const lastText = chunks.findLastIndex((c) => c.choices[0]?.delta.content);
    expect(lastText).toBeGreaterThan(0);
    expect(firstTool).toBeGreaterThan(lastText);
  });
});

describe("responses", () => {
  it("answers a non-streaming request with a completed response", async () => {
    const model = await start({ script: [{ text: "Hi", toolCalls: [{ name: "lookup", arguments: { q: 1 } }] }] });
    const res = await postJson(`${model.baseUrl}/responses`, responsesBody());
    expect(res.status).toBe(200);
    const body = (await res.json()) as Json;
    expect(body).toMatchObject({ id: "resp_scripted_1", object: "response", status: "completed", model: "gpt-4.1" });
    expect(body.output).toEqual([
      { id: "msg_resp_scripted_1", type: "message", status: "completed", role: "assistant", content: [{ type: "output_text", text: "Hi", annotations: [] }] },
      { id: "fc_resp_scripted_1_0", type: "function_call", status: "completed", call_id: "call_1_0", name: "lookup", arguments: '{"q":1}' },
    ]);
    expect(body.usage.total_tokens).toBe(body.usage.input_tokens + body.usage.output_tokens);
  });

  it("streams text: created → output_item.added → output_text.delta… → done → completed", async () => {
    const model = await start({ script: [{ text: "Hello world", chunkSize: 5 }] });
    const frames = parseSse(await (await postJson(`${model.baseUrl}/responses`, responsesBody({ stream: true }))).text());
    const events = json(frames);
    expect(frames.every((f, i) => f.event === events[i]!.type)).toBe(true);
    expect(events.map((e) => e.sequence_number)).toEqual(events.map((_, i) => i));
    expect(events.map((e) => e.type)).toEqual([
      "response.created",
      "response.in_progress",
      "response.output_item.added",
      "response.content_part.added",
      "response.output_text.delta",
      "response.output_text.delta",
      "response.output_text.delta",
      "response.output_text.done",
      "response.content_part.done",
      "response.output_item.done",
      "response.completed",
    ]);
    expect(events.filter((e) => e.type === "response.output_text.delta").map((e) => e.delta)).toEqual(["Hello", " worl", "d"]);
    expect(events.at(-1)!.response.output[0].content[0].text).toBe("Hello world");
    expect(events[0]!.response.status).toBe("in_progress");
  });

  it("streams function calls with argument deltas, including invalid JSON", async () => {
    const model = await start({ chunkSize: 3, script: [{ toolCalls: [{ name: "bash", arguments: "{not json", id: "c9" }] }] });
    const events = json(parseSse(await (await postJson(`${model.baseUrl}/responses`, responsesBody({ stream: true }))).text()));
    const added = events.find((e) => e.type === "response.output_item.added")!;
    expect(added.item).toMatchObject({ type: "function_call", call_id: "c9", name: "bash", arguments: "" });
    const deltas = events.filter((e) => e.type === "response.function_call_arguments.delta");
    expect(deltas.map((e) => e.delta).join("")).toBe("{not json");
    expect(deltas.every((e) => e.item_id === added.item.id)).toBe(true);
    expect(events.find((e) => e.type === "response.function_call_arguments.done")!.arguments).toBe("{not json");
    expect(events.at(-1)!.response.output).toEqual([expect.objectContaining({ type: "function_call", call_id: "c9", arguments: "{not json" })]);
  });

  it("accepts a plain string input", async () => {
    const model = await start({ script: [(req) => ({ text: `you said ${lastUserText(req)}` })] });
    const body = (await (await postJson(`${model.baseUrl}/responses`, { model: "m", input: "ping" })).json()) as Json;
    expect(body.output[0].content[0].text).toBe("you said ping");
  });
});

describe("errors and broken streams", () => {
  it.each([400, 401, 429, 500] as const)("fails with status %i and an OpenAI error body", async (status) => {
    const model = await start({ script: [{ error: { status, message: `boom ${status}` } }] });
    const res = await postJson(`${model.baseUrl}/chat/completions`, chatBody({ stream: true }));
    expect(res.status).toBe(status);
    const body = (await res.json()) as Json;
    expect(body.error.message).toBe(`boom ${status}`);
    expect(typeof body.error.type).toBe("string");
    expect(model.requests[0]).toMatchObject({ status, unexpected: false, turnIndex: 0 });
  });

  it("sends a data line that is not JSON for malformed: invalid-json", async () => {
    const model = await start({ script: [{ malformed: "invalid-json" }, { malformed: "invalid-json" }] });
    const frames = parseSse(await (await postJson(`${model.baseUrl}/chat/completions`, chatBody({ stream: true }))).text());
    expect(() => JSON.parse(frames.at(-1)!.data)).toThrow();
    expect(frames.some((f) => f.data === "[DONE]")).toBe(false);
    const res = await postJson(`${model.baseUrl}/responses`, responsesBody());
    await expect(res.json()).rejects.toThrow();
  });

  it("drops the connection mid-reply for malformed: truncated", async () => {
    const model = await start({ script: [{ malformed: "truncated" }, { malformed: "truncated" }] });
    const streamed = await postJson(`${model.baseUrl}/responses`, responsesBody({ stream: true }));
    expect(streamed.status).toBe(200);
    await expect(streamed.text()).rejects.toThrow();
    const plain = await postJson(`${model.baseUrl}/chat/completions`, chatBody());
    await expect(plain.text()).rejects.toThrow();
  });

  it("answers 500 'no turn left for request #N' when the script runs out, and records it as unexpected", async () => {
    const model = await start({ script: [{ text: "only one" }] });
    expect((await postJson(`${model.baseUrl}/chat/completions`, chatBody())).status).toBe(200);
    const res = await postJson(`${model.baseUrl}/chat/completions`, chatBody({ stream: true }));
    expect(res.status).toBe(500);
    expect(((await res.json()) as Json).error.message).toContain("scripted model: no turn left for request #2");
    expect(model.unexpectedRequests).toHaveLength(1);
    expect(model.unexpectedRequests[0]).toMatchObject({ call: 2, status: 500, turn: undefined });
    expect(() => model.assertDone()).toThrow(/unexpected request #2 POST \/v1\/chat\/completions: no turn left/);
  });

  it("reports a dynamic turn that throws or returns a bad turn as a 500 and an unexpected request", async () => {
    const model = await start({
      script: [
        () => {
          throw new Error("my bug");
        },
        () => ({ nonsense: true }) as never,
      ],
    });
    const a = await postJson(`${model.baseUrl}/chat/completions`, chatBody());
    expect(a.status).toBe(500);
    expect(((await a.json()) as Json).error.message).toContain("my bug");
    const b = await postJson(`${model.baseUrl}/chat/completions`, chatBody());
    expect(((await b.json()) as Json).error.message).toContain("script[1] (returned by the function) must have exactly one of");
    expect(model.unexpectedRequests.map((r) => r.turnIndex)).toEqual([undefined, undefined]);
  });
});

describe("bad requests", () => {
  it("answers 400 JSON for a body that is not JSON or lacks messages/input, and keeps serving", async () => {
    const model = await start({ script: [{ text: "still alive" }] });
    const notJson = await postJson(`${model.baseUrl}/chat/completions`, "{not json");
    expect(notJson.status).toBe(400);
    expect(((await notJson.json()) as Json).error.message).toMatch(/not valid JSON/);
    const noMessages = await postJson(`${model.baseUrl}/chat/completions`, { model: "x" });
    expect(noMessages.status).toBe(400);
    expect(((await noMessages.json()) as Json).error.message).toContain('"messages" array');
    const noInput = await postJson(`${model.baseUrl}/responses`, [1, 2]);
    expect(noInput.status).toBe(400);
    const empty = await fetch(`${model.baseUrl}/chat/completions`, { method: "POST" });
    expect(empty.status).toBe(400);
    const unknown = await fetch(`${model.baseUrl}/embeddings`, { method: "POST", body: "{}" });
    expect(unknown.status).toBe(404);
    expect(model.unexpectedRequests).toHaveLength(5);
    expect(model.remainingTurns).toBe(1);
    const ok = (await (await postJson(`${model.baseUrl}/chat/completions`, chatBody())).json()) as Json;
    expect(ok.choices[0].message.content).toBe("still alive");
  });

  it("rejects a wrong API key with 401 when apiKey is set", async () => {
    const model = await start({ apiKey: "right", script: [{ text: "ok" }] });
    expect((await postJson(`${model.baseUrl}/chat/completions`, chatBody(), { authorization: "Bearer wrong" })).status).toBe(401);
    expect((await postJson(`${model.baseUrl}/chat/completions`, chatBody(), { authorization: "Bearer right" })).status).toBe(200);
    expect(model.provider().apiKey).toBe("right");
    expect(model.unexpectedRequests).toHaveLength(1);
  });
});

describe("timing", () => {
  it("waits delayMs before answering and chunkDelayMs between chunks", async () => {
    const model = await start({
      script: [
        { text: "x", delayMs: 150 },
        { text: "abc", chunkSize: 1, chunkDelayMs: 60 },
      ],
    });
    let t0 = Date.now();
    await (await postJson(`${model.baseUrl}/chat/completions`, chatBody())).json();
    expect(Date.now() - t0).toBeGreaterThanOrEqual(140);
    t0 = Date.now();
    const text = await (await postJson(`${model.baseUrl}/chat/completions`, chatBody({ stream: true }))).text();
    // role + 3 text + finish + [DONE] = 6 frames → 5 gaps of 60 ms.
    expect(parseSse(text)).toHaveLength(6);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(280);
  });

  it("close() ends a reply that is still waiting and leaves no timer behind", async () => {
    const timersBefore = process.getActiveResourcesInfo().filter((r) => r === "Timeout").length;
    const model = await startScriptedModel({ script: [{ text: "late", delayMs: 60_000 }] });
    const pending = postJson(`${model.baseUrl}/chat/completions`, chatBody()).then(
      (r) => r.text(),
      (e: unknown) => e,
    );
    await model.waitForRequests(1);
    const t0 = Date.now();
    await model.close();
    await pending;
    expect(Date.now() - t0).toBeLessThan(1000);
    await model.close(); // idempotent
    const timersAfter = process.getActiveResourcesInfo().filter((r) => r === "Timeout").length;
    expect(timersAfter).toBeLessThanOrEqual(timersBefore);
    await expect(fetch(`${model.baseUrl}/models`)).rejects.toThrow();
  });
});

describe("request log and helpers", () => {
  it("records method, path, redacted headers, parsed body, wire API and the turn", async () => {
    const model = await start({ script: [{ text: "a" }, { text: "b" }] });
    await postJson(`${model.baseUrl}/chat/completions`, chatBody(), { "api-key": "azure-secret", "x-trace": "t1" });
    await postJson(`${model.baseUrl}/responses`, responsesBody({ stream: true }));
    const [first, second] = await model.waitForRequests(2);
    expect(first).toMatchObject({
      index: 1,
      call: 1,
      method: "POST",
      path: "/v1/chat/completions",
      wireApi: "completions",
      stream: false,
      turnIndex: 0,
      turn: { text: "a" },
      status: 200,
      unexpected: false,
    });
    expect(first!.headers["authorization"]).toBe("[redacted]");
    expect(first!.headers["api-key"]).toBe("[redacted]");
    expect(first!.headers["x-trace"]).toBe("t1");
    expect(JSON.stringify(model.requests)).not.toContain("sk-secret-123");
    expect(JSON.stringify(model.requests)).not.toContain("azure-secret");
    expect((first!.body as Json).messages[1].content).toBe("Say hello");
    expect(second).toMatchObject({ call: 2, path: "/v1/responses", wireApi: "responses", stream: true, turn: { text: "b" } });
    expect(() => model.assertDone()).not.toThrow();
  });

  it("waitForRequests rejects with TIMEOUT when too few requests arrive, and SERVER_CLOSED on close", async () => {
    const model = await start({ script: [] });
    const error = await model.waitForRequests(1, { timeoutMs: 50 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TestingError);
    expect((error as TestingError).code).toBe("TIMEOUT");
    expect((error as Error).message).toContain(model.baseUrl);
    const waiting = model.waitForRequests(1).catch((e: unknown) => e);
    await model.close();
    expect(((await waiting) as TestingError).code).toBe("SERVER_CLOSED");
  });

  it("serves GET /v1/models without consuming a turn", async () => {
    const model = await start({ models: ["gpt-4.1", "claude-sonnet-4.5"], script: [{ text: "x" }] });
    const res = await fetch(`${model.baseUrl}/models`);
    expect(((await res.json()) as Json).data.map((m: Json) => m.id)).toEqual(["gpt-4.1", "claude-sonnet-4.5"]);
    expect(model.remainingTurns).toBe(1);
    expect(model.requests[0]).toMatchObject({ wireApi: "models", call: undefined });
    expect(await model.waitForRequests(1, { filter: (r) => r.wireApi === "models" })).toHaveLength(1);
  });

  it("lastUserText, toolResults and systemPrompt read both wire formats", () => {
    const chat = {
      body: {
        messages: [
          { role: "system", content: "sys" },
          { role: "user", content: "first" },
          { role: "assistant", content: null, tool_calls: [{ id: "c1", type: "function", function: { name: "get_weather", arguments: "{}" } }] },
          { role: "tool", tool_call_id: "c1", content: [{ type: "text", text: "sunny" }] },
          { role: "user", content: [{ type: "text", text: "second" }] },
        ],
      },
    };
    expect(lastUserText(chat)).toBe("second");
    expect(systemPrompt(chat)).toBe("sys");
    expect(toolResults(chat)).toEqual([{ callId: "c1", name: "get_weather", content: "sunny" }]);
    const responses = {
      body: {
        instructions: "be brief",
        input: [
          { role: "user", content: "hi" },
          { type: "function_call", call_id: "c2", name: "bash", arguments: "{}" },
          { type: "function_call_output", call_id: "c2", output: "ok" },
        ],
      },
    };
    expect(lastUserText(responses)).toBe("hi");
    expect(systemPrompt(responses)).toBe("be brief");
    expect(toolResults(responses)).toEqual([{ callId: "c2", name: "bash", content: "ok" }]);
    expect(lastUserText({ body: undefined })).toBeUndefined();
    expect(systemPrompt({ body: { messages: [] } })).toBeUndefined();
  });

  it("lastUserText hides the runtime's prompt decoration unless raw is asked for", () => {
    const decorated = "<current_datetime>2026-12-05T22:07:29.237+00:00</current_datetime>\n\nWeather in Paris?";
    const chat = { body: { messages: [{ role: "user", content: decorated }] } };
    expect(lastUserText(chat)).toBe("Weather in Paris?");
    expect(lastUserText(chat, { raw: true })).toBe(decorated);
    expect(stripPromptDecoration("<reminder>x</reminder>\n<current_datetime>t</current_datetime>\n\n<b>bold</b> text")).toBe("<b>bold</b> text");
    expect(stripPromptDecoration("plain <current_datetime>t</current_datetime>")).toBe("plain <current_datetime>t</current_datetime>");
  });

  it("answers concurrent requests with distinct turns, and push() adds turns", async () => {
    const model = await start({ script: [{ text: "1" }, { text: "2" }] });
    const bodies = await Promise.all(
      [1, 2].map(async () => ((await (await postJson(`${model.baseUrl}/chat/completions`, chatBody())).json()) as Json).choices[0].message.content),
    );
    expect(bodies.sort()).toEqual(["1", "2"]);
    model.push((req) => ({ text: `system was: ${systemPrompt(req)}` }));
    const third = (await (await postJson(`${model.baseUrl}/chat/completions`, chatBody())).json()) as Json;
    expect(third.choices[0].message.content).toBe("system was: You are terse.");
  });

  it("provider() returns a ready BYOK config", async () => {
    const model = await start({});
    expect(model.baseUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/v1$/);
    expect(model.provider()).toEqual({ type: "openai", baseUrl: model.baseUrl, apiKey: "test-key", wireApi: "completions" });
    expect(model.provider({ wireApi: "responses", apiKey: "k" })).toEqual({ type: "openai", baseUrl: model.baseUrl, apiKey: "k", wireApi: "responses" });
    expect(() => model.provider({ wireApi: "chat" as never })).toThrow(/wireApi must be "completions" or "responses"/);
  });
});

describe("script validation", () => {
  it.each([
    [[{}], /options\.script\[0\] must have exactly one of/],
    [[{ text: "a" }, { text: 5 }], /options\.script\[1\]\.text must be a string/],
    [[{ error: { status: 418, message: "x" } }], /script\[0\]\.error must be \{ status, message \}/],
    [[{ malformed: "weird" }], /script\[0\]\.malformed must be "invalid-json" or "truncated"/],
    [[{ toolCalls: [] }], /script\[0\]\.toolCalls must be a non-empty array/],
    [[{ toolCalls: [{ arguments: {} }] }], /script\[0\]\.toolCalls\[0\] must be an object with a non-empty string "name"/],
    [[{ text: "a", delayMs: -1 }], /script\[0\]\.delayMs must be a finite number >= 0/],
    [[{ text: "a", error: { status: 400, message: "x" } }], /exactly one of/],
    ["nope", /options\.script must be an array/],
  ])("rejects %j at start-up", async (script, message) => {
    const error = await startScriptedModel({ script: script as never }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TestingError);
    expect((error as TestingError).code).toBe("INVALID_SCRIPT");
    expect((error as Error).message).toMatch(message);
  });

  it("rejects bad options naming the option", async () => {
    await expect(startScriptedModel({ chunkSize: 0 })).rejects.toThrow(/options\.chunkSize must be an integer >= 1/);
    await expect(startScriptedModel({ models: [""] })).rejects.toThrow(/options\.models/);
    const model = await start({});
    expect(() => model.push({ text: 1 } as never)).toThrow(/push\(\)\[0\]\.text must be a string/);
  });
});
