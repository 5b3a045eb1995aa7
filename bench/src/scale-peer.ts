/**
 * The far side of scale-bench.ts, in a process of its own (forked by it) so that none of this
 * shares the measured SDK's event loop, CPU accounting or heap:
 *
 * - the runtime (copilot-runtime 1.0.85), spawned here listening on TCP, isolated environment;
 * - a framing proxy the SDK connects to (`RuntimeConnection.forUri`), which forwards bytes both
 *   ways unchanged and, per direction, cuts the Content-Length frames to timestamp each tool
 *   request (`session.event` / `external_tool.requested`, runtime → SDK) and its answer
 *   (`session.tools.handlePendingToolCall`, SDK → runtime) by `requestId`. Timestamps are taken
 *   when the chunk holding a frame's last byte is read, before forwarding: the SDK's share
 *   of a tool call is the time between the two, which includes two loopback hops (the same for
 *   both SDKs) and nothing of the runtime's or the model's time;
 * - the scripted model (OpenAI-compatible, offline): every prompt `bench <n>` gets n tool calls
 *   of the `echo` tool, one per model request, then a text reply.
 *
 * IPC: sends `{ type: "ready", port, provider, runtimePid }`; answers `{ type: "take" }` with
 * `{ type: "samples", overheadMs, unmatched }` (and forgets them); exits on `{ type: "stop" }`.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { createConnection, createServer, type AddressInfo, type Socket } from "node:net";
import { createIsolatedEnvironment } from "../../packages/testing/src/isolated-environment.js";
import type { ModelRequest } from "../../packages/testing/src/model-request.js";
import { startScriptedModel } from "../../packages/testing/src/scripted-model-server.js";
import type { StaticTurn } from "../../packages/testing/src/script.js";
import { RUNTIME_PATH } from "./client-bench.js";

export const TOOL_NAME = "echo";

type PeerMessage = { type: "take" } | { type: "stop" };

const send = (message: unknown) => process.send?.(message);

/** The number of `echo` results after the last `bench <n>` prompt, and that n. */
function progress(request: ModelRequest): { wanted: number; done: number } {
  const messages = ((request.body as { messages?: Array<{ role?: string; content?: unknown }> }).messages ?? []);
  let done = 0;
  for (let i = messages.length - 1; i >= 0; i--) {
    const m = messages[i]!;
    const text = typeof m.content === "string" ? m.content : JSON.stringify(m.content ?? "");
    const match = m.role === "user" ? /bench (\d+)/.exec(text) : null;
    if (match) return { wanted: Number(match[1]), done };
    if (m.role === "tool") done++;
  }
  return { wanted: 0, done };
}

let callCounter = 0;
function turn(request: ModelRequest): StaticTurn {
  const { wanted, done } = progress(request);
  if (done < wanted) return { toolCalls: [{ name: TOOL_NAME, arguments: { n: done, c: ++callCounter } }] };
  return { text: `done ${done}` };
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

async function waitForListening(port: number, runtime: ChildProcess, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (runtime.exitCode !== null) throw new Error(`the runtime exited (${runtime.exitCode}) before listening on ${port}`);
    const ok = await new Promise<boolean>((resolve) => {
      const socket = createConnection({ port, host: "127.0.0.1" }, () => {
        socket.destroy();
        resolve(true);
      });
      socket.on("error", () => resolve(false));
    });
    if (ok) return;
    if (Date.now() > deadline) throw new Error(`the runtime did not listen on ${port} within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Cuts Content-Length frames out of a byte stream; calls `onFrame` with each body as text. */
function frameCutter(onFrame: (body: string) => void): (chunk: Buffer) => void {
  let buffer = Buffer.alloc(0);
  return (chunk) => {
    buffer = buffer.length === 0 ? chunk : Buffer.concat([buffer, chunk]);
    for (;;) {
      const headerEnd = buffer.indexOf("\r\n\r\n");
      if (headerEnd < 0) return;
      const match = /content-length:\s*(\d+)/i.exec(buffer.subarray(0, headerEnd).toString("latin1"));
      if (!match) throw new Error("scale-peer: a frame without Content-Length");
      const start = headerEnd + 4;
      const end = start + Number(match[1]);
      if (buffer.length < end) return;
      onFrame(buffer.subarray(start, end).toString("utf8"));
      buffer = buffer.subarray(end);
    }
  };
}

async function main(): Promise<void> {
  const iso = createIsolatedEnvironment();
  const model = await startScriptedModel({ chunkSize: 4096 });
  // Each model request takes one turn; every turn reads the request, so the order does not matter.
  const refill = () => model.push(...Array.from({ length: 1000 }, () => turn));
  refill();
  const refiller = setInterval(() => {
    if (model.remainingTurns < 500) refill();
  }, 200);

  const runtimePort = await freePort();
  const runtime = spawn(RUNTIME_PATH, ["--headless", "--no-auto-update", "--no-auto-login", "--port", String(runtimePort)], {
    cwd: iso.workingDirectory,
    env: iso.env,
    stdio: ["ignore", "ignore", "ignore"],
  });
  await waitForListening(runtimePort, runtime, 20_000);

  const arrived = new Map<string, number>();
  let overheadMs: number[] = [];
  let unmatched = 0;
  const sockets = new Set<Socket>();
  const proxy = createServer((client) => {
    const upstream = createConnection({ port: runtimePort, host: "127.0.0.1" });
    sockets.add(client).add(upstream);
    client.setNoDelay(true);
    upstream.setNoDelay(true);
    const toClient = frameCutter((body) => {
      if (!body.includes('"external_tool.requested"')) return;
      const msg = JSON.parse(body) as { method?: string; params?: { event?: { type?: string; data?: { requestId?: string } } } };
      const id = msg.params?.event?.type === "external_tool.requested" ? msg.params.event.data?.requestId : undefined;
      if (id) arrived.set(id, performance.now());
    });
    const toRuntime = frameCutter((body) => {
      if (!body.includes('"session.tools.handlePendingToolCall"')) return;
      const now = performance.now();
      const id = (JSON.parse(body) as { params?: { requestId?: string } }).params?.requestId;
      const t0 = id === undefined ? undefined : arrived.get(id);
      if (t0 === undefined) unmatched++;
      else {
        overheadMs.push(now - t0);
        arrived.delete(id!);
      }
    });
    upstream.on("data", (chunk: Buffer) => {
      toClient(chunk);
      client.write(chunk);
    });
    client.on("data", (chunk: Buffer) => {
      toRuntime(chunk);
      upstream.write(chunk);
    });
    const close = () => {
      client.destroy();
      upstream.destroy();
    };
    client.on("close", close).on("error", close);
    upstream.on("close", close).on("error", close);
  });
  await new Promise<void>((resolve) => proxy.listen(0, "127.0.0.1", resolve));

  const stop = async () => {
    clearInterval(refiller);
    for (const s of sockets) s.destroy();
    proxy.close();
    runtime.kill("SIGKILL");
    await model.close().catch(() => {});
    iso.cleanup();
    process.exit(0);
  };
  process.on("message", (message: PeerMessage) => {
    if (message.type === "take") {
      send({ type: "samples", overheadMs, unmatched });
      overheadMs = [];
      unmatched = 0;
      arrived.clear();
    } else if (message.type === "stop") void stop();
  });
  process.on("disconnect", () => void stop());
  send({ type: "ready", port: (proxy.address() as AddressInfo).port, provider: model.provider(), runtimePid: runtime.pid });
}

main().catch((error: unknown) => {
  send({ type: "error", message: error instanceof Error ? error.stack ?? error.message : String(error) });
  process.exit(1);
});
