// End to end against the real pinned runtimes: the scripted model answers, the runtime runs the turn.
// Raw method strings for now; the lead switches this to CopilotClient once packages/client exists.
import { randomUUID } from "node:crypto";
import { afterEach, describe, expect, it } from "vitest";
import { JsonRpcConnection } from "@flightdeck/copilot-core";
import { spawnStdioTransport, type StdioTransport } from "@flightdeck/copilot-core/node";
import {
  createIsolatedEnvironment,
  lastUserText,
  resolveTestRuntimes,
  runtimeArgs,
  startScriptedModel,
  toolResults,
  type IsolatedEnvironment,
  type ScriptedModelServer,
} from "@flightdeck/copilot-testing";

interface SessionEvent {
  type: string;
  data: Record<string, any>;
}

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Starts a runtime in a fresh isolated environment and does the `connect` handshake. */
async function startRuntime(runtime: { path: string; args: string[] }) {
  const iso: IsolatedEnvironment = createIsolatedEnvironment();
  cleanups.push(() => iso.cleanup());
  const transport: StdioTransport = await spawnStdioTransport({
    command: runtime.path,
    args: [...runtime.args, ...runtimeArgs({ logLevel: "error" })],
    env: { ...iso.env },
    cwd: iso.workingDirectory,
  });
  const connection = new JsonRpcConnection(transport, { requestTimeoutMs: 30_000 });
  cleanups.push(() => connection.close());
  const hello = await connection.request<{ ok: boolean; protocolVersion: number; version: string }>("connect", {
    supportedTaskKinds: ["agent", "client", "shell"],
  });
  return { iso, transport, connection, hello };
}

/** Collects one session's events until `session.idle`; fails fast on `session.error`. */
function collectTurn(connection: JsonRpcConnection, sessionId: string, onEvent: (e: SessionEvent) => void = () => {}) {
  const events: SessionEvent[] = [];
  let unsubscribe = () => {};
  const idle = new Promise<SessionEvent[]>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no session.idle within 20 s; events: ${events.map((e) => e.type).join(", ")}`)), 20_000);
    unsubscribe = connection.onNotification("session.event", (params) => {
      const p = params as { sessionId: string; event: SessionEvent };
      if (p.sessionId !== sessionId) return;
      events.push(p.event);
      onEvent(p.event);
      if (p.event.type === "session.error") {
        clearTimeout(timer);
        reject(new Error(`session.error: ${JSON.stringify(p.event.data)}`));
      }
      if (p.event.type === "session.idle") {
        clearTimeout(timer);
        resolve(events);
      }
    });
  });
  return idle.finally(() => unsubscribe());
}

async function stopRuntime(connection: JsonRpcConnection, transport: StdioTransport): Promise<void> {
  await connection.request("runtime.shutdown", {});
  await connection.close();
  await transport.close();
  expect(transport.child.exitCode !== null || transport.child.signalCode !== null).toBe(true);
  expect(isAlive(transport.pid!)).toBe(false);
}

const runtimes = resolveTestRuntimes();

describe.each(runtimes)("real runtime: $name", (runtime) => {
  it("runs a turn answered by the scripted model (chat completions, streaming)", async () => {
    const text = "Hello from the scripted model — offline.";
    const model: ScriptedModelServer = await startScriptedModel({ script: [{ text, chunkSize: 7 }] });
    cleanups.push(() => model.close());
    const { iso, transport, connection, hello } = await startRuntime(runtime);
    expect(hello).toMatchObject({ ok: true, protocolVersion: 3, version: runtime.version });

    const sessionId = randomUUID();
    const created = await connection.request<{ sessionId: string }>("session.create", {
      sessionId,
      model: "gpt-4.1",
      provider: model.provider(),
      requestPermission: true,
      streaming: true,
      workingDirectory: iso.workingDirectory,
    });
    expect(created.sessionId).toBe(sessionId);

    const turn = collectTurn(connection, sessionId);
    await connection.request("session.send", { sessionId, prompt: "Please say hello" });
    const events = await turn;

    const messages = events.filter((e) => e.type === "assistant.message");
    expect(messages.map((m) => m.data["content"])).toEqual([text]);
    const deltas = events.filter((e) => e.type === "assistant.message_delta").map((e) => e.data["deltaContent"]);
    expect(deltas.join("")).toBe(text);

    const [request] = await model.waitForRequests(1);
    expect(request).toMatchObject({ path: "/v1/chat/completions", wireApi: "completions", stream: true, status: 200 });
    expect(request!.headers["authorization"]).toBe("[redacted]");
    expect((request!.body as { model: string }).model).toBe("gpt-4.1");
    // The runtime prefixes the prompt with a <current_datetime> block.
    expect(lastUserText(request!)).toContain("Please say hello");
    model.assertDone();

    await stopRuntime(connection, transport);
  });

  it("round-trips a tool call over the responses API with a dynamic turn", async () => {
    const model = await startScriptedModel({
      script: [
        { toolCalls: [{ name: "get_weather", arguments: { city: "Paris" } }] },
        (req) => ({ text: `Weather: ${toolResults(req).at(-1)?.content ?? "none"}` }),
      ],
    });
    cleanups.push(() => model.close());
    const { iso, transport, connection } = await startRuntime(runtime);
    const sessionId = randomUUID();
    await connection.request("session.create", {
      sessionId,
      model: "gpt-4.1",
      provider: model.provider({ wireApi: "responses" }),
      requestPermission: true,
      workingDirectory: iso.workingDirectory,
      tools: [
        {
          name: "get_weather",
          description: "Current weather for a city",
          parameters: { type: "object", properties: { city: { type: "string" } }, required: ["city"] },
        },
      ],
    });

    const toolArgs: unknown[] = [];
    const turn = collectTurn(connection, sessionId, (event) => {
      if (event.type === "permission.requested") {
        void connection.request("session.permissions.handlePendingPermissionRequest", {
          sessionId,
          requestId: event.data["requestId"],
          result: { kind: "approve-once" },
        });
      }
      if (event.type === "external_tool.requested") {
        toolArgs.push(event.data["arguments"]);
        void connection.request("session.tools.handlePendingToolCall", {
          sessionId,
          requestId: event.data["requestId"],
          result: "sunny, 21 C",
        });
      }
    });
    await connection.request("session.send", { sessionId, prompt: "Weather in Paris?" });
    const events = await turn;

    expect(toolArgs).toEqual([{ city: "Paris" }]);
    const final = events.filter((e) => e.type === "assistant.message").at(-1);
    expect(final?.data["content"]).toBe("Weather: sunny, 21 C");
    const requests = await model.waitForRequests(2);
    expect(requests.map((r) => r.wireApi)).toEqual(["responses", "responses"]);
    expect(toolResults(requests[1]!)).toEqual([{ callId: "call_1_0", name: "get_weather", content: "sunny, 21 C" }]);
    model.assertDone();

    await stopRuntime(connection, transport);
  });
});
