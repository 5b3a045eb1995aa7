/**
 * When a tool call is answered: a handler that returns a plain value is answered in the same turn
 * as the chunk that carried the request, after the session's own handlers saw the request and
 * before the next frame of that chunk is dispatched; one that returns a promise is answered when
 * it settles. Drives the client's connection with raw chunks (several frames in one), as a pipe
 * delivers them.
 */
import { afterEach, describe, expect, it, vi } from "vitest";
import { JsonRpcConnection, createInMemoryTransportPair, encodeMessage } from "@flightdeck/copilot-core";
import { defineTool } from "@flightdeck/copilot-tools";
import { SessionHost, type SessionConfig } from "@flightdeck/copilot-session";

const connections: JsonRpcConnection[] = [];
afterEach(async () => {
  for (const c of connections.splice(0)) await c.close();
});

async function setup(config: SessionConfig, log: string[]) {
  const [clientSide, serverSide] = createInMemoryTransportPair();
  const server = new JsonRpcConnection(serverSide);
  server.onRequest("session.create", (p) => ({ sessionId: (p as { sessionId: string }).sessionId, workspacePath: "/projects/ws", capabilities: {} }));
  server.onRequest("session.detach", () => ({ success: true }));
  const answers: Array<Record<string, unknown>> = [];
  server.onRequest("session.tools.handlePendingToolCall", (p) => {
    answers.push(p as Record<string, unknown>);
    return { success: true };
  });
  const write = clientSide.write.bind(clientSide);
  clientSide.write = (bytes: Uint8Array) => {
    if (Buffer.from(bytes).includes("session.tools.handlePendingToolCall")) log.push("answer written");
    write(bytes);
  };
  const client = new JsonRpcConnection(clientSide);
  connections.push(client, server);
  const onError = vi.fn();
  const host = new SessionHost(client, { onError, validation: "off" });
  const session = await host.createSession(config);
  /** Hands the client one chunk holding these events of the session, framed back to back. */
  const deliver = (...events: Array<{ type: string; data: unknown }>) => {
    const frames = events.map((event, i) =>
      encodeMessage({
        jsonrpc: "2.0",
        method: "session.event",
        params: { sessionId: session.sessionId, event: { id: `e-${log.length}-${i}`, timestamp: new Date(0).toISOString(), parentId: null, ...event } },
      }),
    );
    clientSide.receive(Buffer.concat(frames));
  };
  return { session, deliver, answers, onError };
}

const toolRequest = (sessionId: string, requestId: string, toolName = "echo") => ({
  type: "external_tool.requested",
  data: { requestId, sessionId, toolCallId: `call-${requestId}`, toolName, arguments: { text: "hi" } },
});
const idle = { type: "session.idle", data: {} };
const parameters = { type: "object", properties: { text: { type: "string" } }, required: ["text"] } as const;

describe("tool call answers", () => {
  it("hands the handler the runtime's trace context (traceparent, tracestate) when the request carries it", async () => {
    const log: string[] = [];
    const seen: Array<Record<string, unknown>> = [];
    const echo = defineTool("echo", { description: "Echo", parameters, handler: (_args, invocation) => (seen.push({ ...invocation }), "ok") });
    const { session, deliver, answers } = await setup({ tools: [echo] }, log);
    const traced = toolRequest(session.sessionId, "r-trace");
    deliver({ ...traced, data: { ...traced.data, traceparent: "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01", tracestate: "vendor=1" } });
    deliver(toolRequest(session.sessionId, "r-plain"));
    await vi.waitFor(() => expect(answers).toHaveLength(2));
    expect(seen[0]).toMatchObject({
      toolCallId: "call-r-trace",
      traceparent: "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01",
      tracestate: "vendor=1",
    });
    expect(seen[1]).not.toHaveProperty("traceparent");
    expect(seen[1]).not.toHaveProperty("tracestate");
  });

  it("a handler that returns a plain value is answered in the same turn, after the session's handlers and before the chunk's next frame", async () => {
    const log: string[] = [];
    const echo = defineTool("echo", {
      description: "Echoes",
      parameters,
      handler: ({ text }) => {
        log.push(`tool ran (${text})`);
        return "ok";
      },
    });
    const { session, deliver, answers, onError } = await setup({ tools: [echo] }, log);
    session.on("external_tool.requested", () => log.push("handler saw the request"));
    session.on("session.idle", () => log.push("next event"));
    deliver(toolRequest(session.sessionId, "r1"), idle);
    // All of it happened synchronously, inside the delivery of the chunk.
    expect(log).toEqual(["handler saw the request", "tool ran (hi)", "answer written", "next event"]);
    await vi.waitFor(() => expect(answers).toHaveLength(1));
    expect(answers[0]).toMatchObject({ sessionId: session.sessionId, requestId: "r1", result: { textResultForLlm: "ok" } });
    expect(onError).not.toHaveBeenCalled();
  });

  it("a handler that returns a promise is answered once it resolves, after the rest of the chunk", async () => {
    const log: string[] = [];
    const echo = defineTool("echo", {
      description: "Echoes",
      parameters,
      handler: async ({ text }) => {
        log.push(`tool ran (${text})`);
        await new Promise((resolve) => setTimeout(resolve, 5));
        return "later";
      },
    });
    const { session, deliver, answers } = await setup({ tools: [echo] }, log);
    session.on("external_tool.requested", () => log.push("handler saw the request"));
    session.on("session.idle", () => log.push("next event"));
    deliver(toolRequest(session.sessionId, "r1"), idle);
    expect(log).toEqual(["handler saw the request", "tool ran (hi)", "next event"]);
    await vi.waitFor(() => expect(answers).toHaveLength(1));
    expect(log.at(-1)).toBe("answer written");
    expect(answers[0]).toMatchObject({ requestId: "r1", result: { textResultForLlm: "later" } });
  });

  it("invalid arguments and a throwing handler are answered in the same turn too, the error reported with credentials masked", async () => {
    const log: string[] = [];
    const boom = defineTool("boom", {
      description: "Fails",
      parameters,
      handler: () => {
        throw new Error("token ghp_abcdefghijklmnopqrstuvwxyz0123456789 rejected");
      },
    });
    const { session, deliver, answers, onError } = await setup({ tools: [boom] }, log);
    deliver({ ...toolRequest(session.sessionId, "r1", "boom"), data: { ...toolRequest(session.sessionId, "r1", "boom").data, arguments: { text: 3 } } });
    deliver(toolRequest(session.sessionId, "r2", "boom"));
    expect(log).toEqual(["answer written", "answer written"]);
    await vi.waitFor(() => expect(answers).toHaveLength(2));
    const [invalid, thrown] = answers as Array<{ result: { resultType: string; textResultForLlm: string } }>;
    expect(invalid!.result).toMatchObject({ resultType: "failure" });
    expect(invalid!.result.textResultForLlm).toMatch(/Invalid arguments for tool "boom"/);
    expect(thrown!.result.resultType).toBe("failure");
    expect(thrown!.result.textResultForLlm).toContain("rejected");
    expect(thrown!.result.textResultForLlm).not.toContain("ghp_abcdefghijklmnopqrstuvwxyz0123456789");
    expect(onError).toHaveBeenCalledTimes(1);
    expect(onError.mock.calls[0]![0]).toMatchObject({ code: "HANDLER_FAILED" });
  });

  it("a session disconnected by its own handler for the request does not run the tool nor answer", async () => {
    const log: string[] = [];
    const echo = defineTool("echo", {
      description: "Echoes",
      parameters,
      handler: () => {
        log.push("tool ran");
        return "ok";
      },
    });
    const { session, deliver, answers, onError } = await setup({ tools: [echo] }, log);
    session.on("external_tool.requested", () => {
      log.push("handler saw the request");
      void session.disconnect();
    });
    deliver(toolRequest(session.sessionId, "r1"));
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(log).toEqual(["handler saw the request"]);
    expect(answers).toEqual([]);
    expect(onError).not.toHaveBeenCalled();
  });

  it("a tool whose Standard Schema validates asynchronously is answered once the check resolves", async () => {
    const log: string[] = [];
    const asyncSchema = {
      "~standard": {
        version: 1 as const,
        vendor: "test",
        validate: async (value: unknown) => ({ value }),
        jsonSchema: { input: () => ({ type: "object", properties: {} }), output: () => ({ type: "object", properties: {} }) },
      },
    };
    const echo = defineTool("echo", {
      description: "Echoes",
      parameters: asyncSchema as never,
      handler: () => {
        log.push("tool ran");
        return "ok";
      },
    });
    const { session, deliver, answers } = await setup({ tools: [echo] }, log);
    deliver(toolRequest(session.sessionId, "r1"));
    expect(log).toEqual([]);
    await vi.waitFor(() => expect(answers).toHaveLength(1));
    expect(log).toEqual(["tool ran", "answer written"]);
  });
});
