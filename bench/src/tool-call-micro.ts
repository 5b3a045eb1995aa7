/**
 * The tool-call path of each SDK in one process, without a runtime: a micro-benchmark to find
 * where our time goes (the figure to publish is the scale bench's; see bench/README.md).
 *
 *   pnpm exec tsx bench/src/tool-call-micro.ts [--calls 2000] [--rounds 5] [--only flightdeck|incumbent]
 *
 * Each call hands the SDK one chunk as a pipe delivers it: the frames runtime 1.0.85 sends
 * before a tool request in a recorded turn (schemas/recordings/runtime-1.0.85/tool-turn.jsonl:
 * `assistant.usage` … `tool.execution_start`, the `session.updated` lifecycle notifications,
 * then `external_tool.requested` with a fresh `requestId`, then one more `session.updated`),
 * and times from handing it over to the SDK writing its `session.tools.handlePendingToolCall`
 * request; the fake peer answers that request and the next call starts on a fresh event-loop
 * turn. Flightdeck is loaded from src (the root tsconfig maps @flightdeck/* there); the
 * incumbent gets the bytes through its own stdio code path (vscode-jsonrpc over PassThrough
 * streams, as in events-bench.ts). The handler is the trivial `echo` tool of the scale bench.
 * Not a test; asserts nothing about speed; writes nothing.
 */
import { randomUUID } from "node:crypto";
import { readFileSync } from "node:fs";
import { PassThrough } from "node:stream";
import { fileURLToPath } from "node:url";
import { FrameDecoder, JsonRpcConnection, encodeMessage, type Transport, type TransportCloseInfo } from "@flightdeck/copilot-core";
import { SessionHost } from "@flightdeck/copilot-session";
import { approveAll, defineTool } from "@flightdeck/copilot-sdk";
import {
  CopilotClient as IncumbentClient,
  RuntimeConnection as IncumbentConnection,
  approveAll as incumbentApproveAll,
  defineTool as incumbentDefineTool,
} from "@github/copilot-sdk";
import { median, percentile } from "./stats.js";

const repo = fileURLToPath(new URL("../../", import.meta.url));
const args = process.argv.slice(2);
const option = (name: string, fallback: number) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? Number(args[i + 1]) : fallback;
};
const CALLS = option("calls", 2000);
const ROUNDS = option("rounds", 5);
const only = args.includes("--only") ? args[args.indexOf("--only") + 1] : undefined;
const SESSION_ID = "00000000-0000-4000-8000-000000000001";
const REQUEST_ID = "00000000-0000-4000-8000-00000000001c";

/** The recorded messages from `assistant.usage` to the `session.updated` after the tool request, permission traffic left out. */
function recordedChunkMessages(): Array<Record<string, unknown>> {
  const lines = readFileSync(`${repo}schemas/recordings/runtime-1.0.85/tool-turn.jsonl`, "utf8").split("\n").filter(Boolean);
  const all = lines.map((l) => JSON.parse(l) as { dir: string; msg: Record<string, unknown> & { params?: { event?: { type?: string } } } });
  const start = all.findIndex((r) => r.msg.params?.event?.type === "assistant.usage");
  const tool = all.findIndex((r) => r.msg.params?.event?.type === "external_tool.requested");
  const picked = all.slice(start, tool + 3).filter((r) => r.dir === "in" && !String(r.msg.params?.event?.type ?? "").startsWith("permission."));
  return picked.map((r) => r.msg);
}

/** One chunk per call: the recorded frames, the tool request with a fresh requestId (same length). */
function buildChunks(count: number): Array<{ requestId: string; bytes: Uint8Array }> {
  const messages = recordedChunkMessages();
  const text = messages.map((m) => JSON.stringify(m));
  return Array.from({ length: count }, () => {
    const requestId = randomUUID();
    const frames = text.map((t) => encodeMessage(JSON.parse(t.includes(REQUEST_ID) ? t.replaceAll(REQUEST_ID, requestId) : t) as object));
    return { requestId, bytes: Buffer.concat(frames) };
  });
}

/** Answers requests: connect, session.create/resume, anything else with `{}`; calls `onToolAnswer` for tool answers. */
function fakePeer(send: (bytes: Uint8Array) => void, onToolAnswer: (requestId: string) => void): (chunk: Uint8Array) => void {
  const decoder = new FrameDecoder();
  return (chunk) => {
    for (const e of decoder.push(chunk)) {
      if (e.type !== "message" || e.kind !== "request") continue;
      const request = e.message as { id: number | string; method: string; params?: { sessionId?: string; requestId?: string } };
      let result: unknown = {};
      if (request.method === "connect") result = { ok: true, protocolVersion: 3, version: "1.0.85", taskKinds: ["agent", "client", "shell"] };
      else if (request.method === "session.create" || request.method === "session.resume") {
        result = { sessionId: request.params?.sessionId, workspacePath: "/bench/workspace", capabilities: {} };
      } else if (request.method === "session.tools.handlePendingToolCall") {
        onToolAnswer(request.params!.requestId!);
        result = { success: true };
      }
      send(encodeMessage({ jsonrpc: "2.0", id: request.id, result }));
    }
  };
}

interface Sdk {
  name: string;
  /** Hands over the chunk; resolves with ms until the answer to `requestId` was written. */
  call(chunk: { requestId: string; bytes: Uint8Array }): Promise<number>;
  close(): Promise<void>;
}

function waiter() {
  let expected = "";
  let t0 = 0;
  let done: ((ms: number) => void) | undefined;
  return {
    arm(requestId: string) {
      expected = requestId;
      return new Promise<number>((resolve) => {
        done = resolve;
        t0 = performance.now();
      });
    },
    written(requestId: string) {
      if (requestId !== expected) return;
      const ms = performance.now() - t0;
      expected = "";
      done?.(ms);
    },
  };
}

/** Writes seen by the peer are timed at the SDK's `write` call, before the peer decodes them. */
class TimedTransport implements Transport {
  isClosed = false;
  #data: Array<(chunk: Uint8Array) => void> = [];
  #onWrite: (bytes: Uint8Array) => void;
  constructor(onWrite: (bytes: Uint8Array) => void) {
    this.#onWrite = onWrite;
  }
  write(bytes: Uint8Array): void {
    this.#onWrite(bytes);
  }
  onData(listener: (chunk: Uint8Array) => void) {
    this.#data.push(listener);
    return () => {};
  }
  onClose(_listener: (info: TransportCloseInfo) => void) {
    return () => {};
  }
  emit(chunk: Uint8Array): void {
    for (const l of this.#data) l(chunk);
  }
  close(): Promise<void> {
    this.isClosed = true;
    return Promise.resolve();
  }
}

const ECHO_PARAMETERS = { type: "object", properties: { city: { type: "string" } } } as const;

async function flightdeck(): Promise<Sdk> {
  const w = waiter();
  let transport!: TimedTransport;
  const peer = fakePeer(
    (bytes) => queueMicrotask(() => transport.emit(bytes)),
    (id) => w.written(id),
  );
  transport = new TimedTransport((bytes) => peer(bytes));
  const connection = new JsonRpcConnection(transport);
  const host = new SessionHost(connection, { validation: "lenient", onError: () => {} });
  const echo = defineTool("get_weather", { description: "Returns ok", parameters: ECHO_PARAMETERS, skipPermission: true, handler: () => "ok" });
  const session = await host.createSession({ sessionId: SESSION_ID, tools: [echo], onPermissionRequest: approveAll });
  session.on(() => {});
  return {
    name: "flightdeck",
    call(chunk) {
      const done = w.arm(chunk.requestId);
      transport.emit(chunk.bytes);
      return done;
    },
    async close() {
      host.dispose();
      await connection.close();
    },
  };
}

async function incumbent(): Promise<Sdk> {
  const w = waiter();
  const toClient = new PassThrough();
  const fromClient = new PassThrough();
  const peer = fakePeer(
    (bytes) => toClient.write(bytes),
    () => {},
  );
  // Time at the write call, as for ours: the body frame carries the requestId.
  const write = fromClient.write.bind(fromClient) as (chunk: unknown, ...rest: unknown[]) => boolean;
  fromClient.write = ((chunk: unknown, ...rest: unknown[]) => {
    const text = typeof chunk === "string" ? chunk : Buffer.from(chunk as Uint8Array).toString("utf8");
    if (text.includes("handlePendingToolCall")) w.written(/"requestId":"([^"]+)"/.exec(text)?.[1] ?? "");
    return write(chunk, ...rest);
  }) as typeof fromClient.write;
  fromClient.on("data", peer);
  const client = new IncumbentClient({ connection: IncumbentConnection.forUri("127.0.0.1:9") });
  const internals = client as unknown as { cliProcess: unknown; connectToServer: () => Promise<void>; connectToChildProcessViaStdio: () => Promise<void> };
  internals.cliProcess = { stdin: fromClient, stdout: toClient, kill: () => true };
  internals.connectToServer = () => internals.connectToChildProcessViaStdio();
  await client.start();
  const echo = incumbentDefineTool("get_weather", { description: "Returns ok", parameters: ECHO_PARAMETERS, skipPermission: true, handler: () => "ok" });
  const session = await client.createSession({ sessionId: SESSION_ID, tools: [echo], onPermissionRequest: incumbentApproveAll });
  session.on(() => {});
  return {
    name: "incumbent",
    call(chunk) {
      const done = w.arm(chunk.requestId);
      toClient.write(chunk.bytes);
      return done;
    },
    async close() {
      internals.cliProcess = null;
      await client.forceStop().catch(() => {});
      toClient.destroy();
      fromClient.destroy();
    },
  };
}

const sdks = [only !== "incumbent" ? await flightdeck() : undefined, only !== "flightdeck" ? await incumbent() : undefined].filter(
  (s): s is Sdk => s !== undefined,
);
const times = new Map<string, number[]>(sdks.map((s) => [s.name, []]));
const turn = () => new Promise<void>((resolve) => setImmediate(resolve));
for (const sdk of sdks) for (const chunk of buildChunks(option("warmup", 500))) await sdk.call(chunk), await turn(); // warm-up
for (let r = 0; r < ROUNDS; r++) {
  for (let k = 0; k < sdks.length; k++) {
    const sdk = sdks[(r + k) % sdks.length]!;
    for (const chunk of buildChunks(CALLS)) {
      times.get(sdk.name)!.push(await sdk.call(chunk));
      await turn();
    }
  }
}
for (const sdk of sdks) await sdk.close();
for (const [name, ms] of times) {
  console.log(`${name}: p50 ${(1000 * median(ms)).toFixed(1)} µs, p99 ${(1000 * percentile(ms, 99)).toFixed(1)} µs (${ms.length} calls)`);
}
if (times.size === 2) console.log(`ratio of p50s: ${(median(times.get("flightdeck")!) / median(times.get("incumbent")!)).toFixed(2)}`);
