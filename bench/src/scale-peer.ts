/**
 * The far side of scale-bench.ts, in a process of its own (forked by it) so that none of this
 * shares the measured SDK's event loop, CPU accounting or heap:
 *
 * - the scripted model (OpenAI-compatible, offline): every prompt `bench <n>` gets n calls of the
 *   trivial `echo` tool, one per model request, then a text reply;
 * - a collector for the samples of the stdio proxy (STDIO_PROXY below). The SDK spawns the
 *   proxy as its runtime (`RuntimeConnection.forStdio({ path })`, the default transport); the
 *   proxy spawns the real runtime with the same arguments, forwards bytes both ways unchanged
 *   and, per direction, cuts the Content-Length frames to timestamp each tool request
 *   (`session.event` / `external_tool.requested`, runtime → SDK) and its answer
 *   (`session.tools.handlePendingToolCall`, SDK → runtime) by `requestId`. Each timestamp is
 *   taken when the chunk holding a frame's last byte is read, before forwarding: the time between
 *   the two is the SDK's share of a tool call (plus two pipe hops, the same for both SDKs),
 *   nothing of the runtime's or the model's time.
 *
 * IPC: sends `{ type: "ready", provider, samplePort }`; answers `{ type: "take" }` with
 * `{ type: "samples", overheadMs, unmatched, runtimePids, wire, wireSamples }` (and forgets the
 * samples and the wire counts; `wire` is empty unless the proxy runs with BENCH_WIRE_STATS=1, see
 * stdio-proxy.ts); exits on `{ type: "stop" }`.
 */
import { createServer, type AddressInfo, type Socket } from "node:net";
import type { ModelRequest } from "../../packages/testing/src/model-request.js";
import { startScriptedModel } from "../../packages/testing/src/scripted-model-server.js";
import type { StaticTurn } from "../../packages/testing/src/script.js";

export const TOOL_NAME = "echo";

type PeerMessage = { type: "take" } | { type: "stop" };

const send = (message: unknown) => process.send?.(message);

/** The number of `echo` results after the last `bench <n>` prompt, and that n. */
function progress(request: ModelRequest): { wanted: number; done: number } {
  const messages = (request.body as { messages?: Array<{ role?: string; content?: unknown }> }).messages ?? [];
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

async function main(): Promise<void> {
  const model = await startScriptedModel({ chunkSize: 4096 });
  // Each model request takes one turn; every turn reads the request, so the order does not matter.
  const refill = () => model.push(...Array.from({ length: 1000 }, () => turn));
  refill();
  const refiller = setInterval(() => {
    if (model.remainingTurns < 500) refill();
  }, 200);

  let overheadMs: number[] = [];
  let unmatched = 0;
  const runtimePids: number[] = [];
  /** Frames per `<direction> <kind> <method>` since the last take: count and body bytes. */
  let wire: Record<string, { count: number; bytes: number }> = {};
  /** The first frame body seen for each key (kept across takes). */
  const wireSamples: Record<string, unknown> = {};
  const sockets = new Set<Socket>();
  const collector = createServer((socket) => {
    sockets.add(socket);
    let rest = "";
    socket.setEncoding("utf8");
    socket.on("data", (text: string) => {
      const lines = (rest + text).split("\n");
      rest = lines.pop() ?? "";
      for (const line of lines) {
        if (line.startsWith("ms ")) overheadMs.push(Number(line.slice(3)));
        else if (line.startsWith("pid ")) runtimePids.push(Number(line.slice(4)));
        else if (line === "unmatched") unmatched++;
        else if (line.startsWith("wire ")) {
          const cut = line.lastIndexOf(" ");
          const key = line.slice(5, cut);
          const entry = (wire[key] ??= { count: 0, bytes: 0 });
          entry.count++;
          entry.bytes += Number(line.slice(cut + 1));
        } else if (line.startsWith("sample ")) {
          const [direction, kind, method] = line.slice(7).split(" ", 3);
          const key = `${direction} ${kind} ${method}`;
          wireSamples[key] = JSON.parse(line.slice(7 + key.length + 1));
        }
      }
    });
    socket.on("error", () => {});
  });
  await new Promise<void>((resolve) => collector.listen(0, "127.0.0.1", resolve));

  const stop = async () => {
    clearInterval(refiller);
    for (const s of sockets) s.destroy();
    collector.close();
    await model.close().catch(() => {});
    process.exit(0);
  };
  process.on("message", (message: PeerMessage) => {
    if (message.type === "take") {
      send({ type: "samples", overheadMs, unmatched, runtimePids, wire, wireSamples });
      overheadMs = [];
      unmatched = 0;
      wire = {};
    } else if (message.type === "stop") void stop();
  });
  process.on("disconnect", () => void stop());
  send({ type: "ready", provider: model.provider(), samplePort: (collector.address() as AddressInfo).port });
}

main().catch((error: unknown) => {
  send({ type: "error", message: error instanceof Error ? (error.stack ?? error.message) : String(error) });
  process.exit(1);
});
