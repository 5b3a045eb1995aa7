import type { InterceptedRequest } from "@flightdeck/copilot-client";
import { afterEach, describe, expect, it } from "vitest";
import {
  SCRIPTED_MODEL_UNROUTABLE_BASE_URL,
  TestingError,
  createScriptedRequestHandler,
  startScriptedModel,
  type ScriptedModelServer,
  type ScriptedTurn,
} from "@flightdeck/copilot-testing";
import { chatBody, postJson, responsesBody } from "./sse-helpers.js";

const servers: ScriptedModelServer[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

/** A minimal `InterceptedRequest`, as the client builds it from the runtime's request. */
function intercepted(method: string, path: string, body: unknown, signal = new AbortController().signal): InterceptedRequest {
  const bytes = new TextEncoder().encode(body === undefined ? "" : typeof body === "string" ? body : JSON.stringify(body));
  const text = () => new TextDecoder().decode(bytes);
  return {
    requestId: "r1",
    method,
    url: `${SCRIPTED_MODEL_UNROUTABLE_BASE_URL}${path}`,
    headers: { "content-type": "application/json", authorization: "Bearer sk-secret" },
    rawHeaders: {},
    body: bytes,
    text,
    json: () => JSON.parse(text()) as unknown,
    toRequest: () => {
      throw new Error("not used");
    },
    sessionId: undefined,
    agentId: undefined,
    parentAgentId: undefined,
    agentInvocationId: undefined,
    interactionType: undefined,
    signal,
  };
}

type Init = { status?: number; headers?: Record<string, string>; body?: string | AsyncIterable<string> };

async function readAll(body: Init["body"]): Promise<string> {
  if (body === undefined || typeof body === "string") return body ?? "";
  let out = "";
  for await (const chunk of body) out += chunk;
  return out;
}

// Both front ends share one core: the same script must give the same status and bytes.
async function bothAnswer(
  script: ScriptedTurn[],
  path: string,
  body: unknown,
): Promise<{ http: { status: number; text: string }; handler: { status: number; text: string } }> {
  const server = await startScriptedModel({ script });
  servers.push(server);
  const res = await postJson(`${server.baseUrl}${path}`, body);
  const model = createScriptedRequestHandler({ script });
  const init = (await model.handler(intercepted("POST", path, body))) as Init;
  return { http: { status: res.status, text: await res.text() }, handler: { status: init.status ?? 200, text: await readAll(init.body) } };
}

describe("createScriptedRequestHandler and startScriptedModel share one core", () => {
  it("answer a streamed text turn with the same SSE bytes (timestamps aside)", async () => {
    const { http, handler } = await bothAnswer([{ text: "Hello over both", chunkSize: 4 }], "/chat/completions", chatBody({ stream: true }));
    const norm = (s: string) => s.replace(/"created":\d+/g, '"created":0');
    expect(handler.status).toBe(200);
    expect(http.status).toBe(200);
    expect(norm(handler.text)).toBe(norm(http.text));
  });

  it("reject a responses body without input with the same 400 naming 'array or string'", async () => {
    const { http, handler } = await bothAnswer([{ text: "unused" }], "/responses", { model: "gpt-4.1" });
    expect(http.status).toBe(400);
    expect(handler.status).toBe(400);
    expect(handler.text).toBe(http.text);
    expect(handler.text).toContain('"input\\" array or string');
  });

  it("answer an unknown path with a 404 that lists the served routes, recorded as unexpected", async () => {
    const model = createScriptedRequestHandler({ script: [] });
    const init = (await model.handler(intercepted("POST", "/embeddings", {}))) as Init;
    expect(init.status).toBe(404);
    expect(await readAll(init.body)).toContain("serves POST …/chat/completions");
    expect(model.unexpectedRequests).toHaveLength(1);
  });

  it("the handler drops the stream mid-reply for malformed: truncated (the iterable throws after the first frame)", async () => {
    const model = createScriptedRequestHandler({ script: [{ malformed: "truncated" }] });
    const init = (await model.handler(intercepted("POST", "/responses", responsesBody({ stream: true })))) as Init;
    const seen: string[] = [];
    const drain = (async () => {
      for await (const chunk of init.body as AsyncIterable<string>) seen.push(chunk);
    })();
    await expect(drain).rejects.toThrow(/malformed: truncated/);
    expect(seen).toHaveLength(1);
    expect(seen[0]).toContain("response.created");
  });

  it("the handler checks its options like the server: a bad models list throws INVALID_OPTION naming it", () => {
    const error = (() => {
      try {
        createScriptedRequestHandler({ models: [""] });
      } catch (e) {
        return e;
      }
      return undefined;
    })();
    expect(error).toBeInstanceOf(TestingError);
    expect((error as TestingError).message).toMatch(/^createScriptedRequestHandler: options\.models must be/);
  });
});
