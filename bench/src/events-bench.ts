/**
 * Session events per second, from framed bytes on the connection to a user's event handler.
 * Run from the repo root: `pnpm exec tsx bench/src/events-bench.ts [--events 50000] [--runs 9] [--quick]
 * [--validation off|lenient|strict] [--only flightdeck|incumbent]`.
 * Not a test: it asserts nothing about speed. Writes bench/results/events.json.
 *
 * The input is the real `session.event` traffic recorded from runtime 1.0.85
 * (schemas/recordings/runtime-1.0.85/*.jsonl), replicated to `--events` events with fresh ids
 * (each event's `parentId` is the previous one's id), framed once with Content-Length headers and
 * cut into 64 KiB chunks, as a pipe would deliver them: one chunk per event-loop turn to the SDKs.
 * Every pipeline gets the very same chunks.
 *
 * - **Flightdeck**: an in-memory transport → `JsonRpcConnection` → `SessionHost` (validation
 *   `lenient`: each known event is checked by the generated validators) → `CopilotSession` →
 *   `session.on(handler)`.
 * - **Incumbent** (`@github/copilot-sdk` 1.0.14): a `CopilotClient` made with `forUri` (so it
 *   spawns nothing) whose `connectToServer` is pointed at a pair of `PassThrough` streams through
 *   its own stdio code path (`connectToChildProcessViaStdio`: vscode-jsonrpc `StreamMessageReader`
 *   → `createMessageConnection` → `handleSessionEventNotification` → `session._dispatchEvent`), so
 *   `start()` (the `connect` handshake), `createSession` and `session.on(handler)` are its public API.
 * - **Raw limit**: our `FrameDecoder` alone (Content-Length framing + `JSON.parse`), synchronous.
 *
 * Both SDKs talk to the same in-process fake peer that answers their requests (`connect`,
 * `session.create` / `session.resume`, anything else with `{}`). The recorded
 * `permission.requested` and `external_tool.requested` events are left out: they make each SDK
 * send an answer, which is a different benchmark.
 */
import { randomUUID } from "node:crypto";
import { mkdirSync, readFileSync, readdirSync, writeFileSync } from "node:fs";
import { cpus, loadavg } from "node:os";
import { PassThrough } from "node:stream";
import { fileURLToPath } from "node:url";
import { FrameDecoder, JsonRpcConnection, createInMemoryTransportPair, encodeMessage, type InMemoryTransport } from "@flightdeck/copilot-core";
import { SessionHost } from "@flightdeck/copilot-session";
import { CopilotClient as IncumbentClient, RuntimeConnection as IncumbentConnection, approveAll as incumbentApproveAll } from "@github/copilot-sdk";
import { joinAndChunk } from "./frame-stream.js";
import { median } from "./stats.js";

const repo = fileURLToPath(new URL("../../", import.meta.url));
const args = process.argv.slice(2);
const option = (name: string, fallback: number) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? Number(args[i + 1]) : fallback;
};
const quick = args.includes("--quick");
const EVENTS = option("events", quick ? 10_000 : 50_000);
const RUNS = option("runs", quick ? 3 : 9);
const VALIDATION = (args.includes("--validation") ? args[args.indexOf("--validation") + 1] : "lenient") as "off" | "lenient" | "strict";
if (!["off", "lenient", "strict"].includes(VALIDATION)) throw new Error(`--validation must be off, lenient or strict, got ${VALIDATION}`);
const CHUNK_BYTES = 64 * 1024;
const RECORDED_SESSION_ID = "00000000-0000-4000-8000-000000000001";
/** Events that make an SDK answer the runtime: not part of a dispatch benchmark. */
const REQUEST_EVENTS = new Set(["permission.requested", "external_tool.requested"]);

// ---- input ----

function recordedEvents(): Array<Record<string, unknown>> {
  const dir = `${repo}schemas/recordings/runtime-1.0.85/`;
  const events: Array<Record<string, unknown>> = [];
  for (const file of readdirSync(dir)
    .filter((f) => f.endsWith(".jsonl"))
    .sort()) {
    for (const line of readFileSync(dir + file, "utf8").split("\n")) {
      if (!line.trim()) continue;
      const { dir: direction, msg } = JSON.parse(line) as { dir: string; msg: { method?: string; params?: { event: Record<string, unknown> } } };
      if (direction !== "in" || msg.method !== "session.event") continue;
      const event = msg.params!.event;
      if (!REQUEST_EVENTS.has(event.type as string)) events.push(event);
    }
  }
  return events;
}

function buildStream(source: Array<Record<string, unknown>>, count: number): { chunks: Uint8Array[]; bytes: number; types: number } {
  const frames: Uint8Array[] = [];
  let bytes = 0;
  let parentId: string | null = null;
  for (let i = 0; i < count; i++) {
    const id = randomUUID();
    const event = { ...source[i % source.length]!, id, parentId };
    parentId = id;
    const frame = encodeMessage({ jsonrpc: "2.0", method: "session.event", params: { sessionId: RECORDED_SESSION_ID, event } });
    frames.push(frame);
    bytes += frame.length;
  }
  return { chunks: joinAndChunk(frames, CHUNK_BYTES), bytes, types: new Set(source.map((e) => e.type)).size };
}

// ---- a fake runtime peer for both SDKs ----

/** Answers every request it decodes from `incoming` bytes by calling `send` with a framed reply. */
function fakePeer(send: (bytes: Uint8Array) => void): (chunk: Uint8Array) => void {
  const decoder = new FrameDecoder();
  return (chunk) => {
    for (const e of decoder.push(chunk)) {
      if (e.type !== "message" || e.kind !== "request") continue;
      const request = e.message as { id: number | string; method: string; params?: { sessionId?: string } };
      let result: unknown = {};
      if (request.method === "connect") result = { ok: true, protocolVersion: 3, version: "1.0.85", taskKinds: ["agent", "client", "shell"] };
      else if (request.method === "session.create" || request.method === "session.resume") {
        result = { sessionId: request.params?.sessionId, workspacePath: "/bench/workspace", capabilities: {} };
      }
      send(encodeMessage({ jsonrpc: "2.0", id: request.id, result }));
    }
  };
}

/** A pipeline under test: `run` feeds the chunks and resolves when the handler saw `count` events. */
interface Pipeline {
  name: string;
  run(chunks: Uint8Array[], count: number): Promise<number>;
  close(): Promise<void>;
}

/**
 * Delivers one chunk per event-loop turn, as a pipe does (Node reads a pipe once per poll phase),
 * so neither SDK is handed 30 MB in one go and backlogs form only if it is slower than the input.
 */
async function feed(chunks: Uint8Array[], write: (chunk: Uint8Array) => void): Promise<void> {
  for (const chunk of chunks) {
    write(chunk);
    await new Promise<void>((resolve) => setImmediate(resolve));
  }
}

function counter(): { onEvent: () => void; wait: (count: number) => Promise<void> } {
  let seen = 0;
  let target = Infinity;
  let done: (() => void) | undefined;
  return {
    onEvent: () => {
      if (++seen >= target) done?.();
    },
    wait: (count) => {
      seen = 0;
      target = count;
      return new Promise<void>((resolve) => {
        done = resolve;
      });
    },
  };
}

async function flightdeck(name: string, validation: "off" | "lenient" | "strict"): Promise<Pipeline & { errors: () => Record<string, number> }> {
  const [clientSide, serverSide]: [InMemoryTransport, InMemoryTransport] = createInMemoryTransportPair();
  serverSide.onData(fakePeer((bytes) => serverSide.write(bytes)));
  const connection = new JsonRpcConnection(clientSide);
  const errors = new Map<string, number>();
  const host = new SessionHost(connection, {
    validation,
    onError: (error) => {
      const type = String((error as { details?: { eventType?: unknown } }).details?.eventType ?? "other");
      errors.set(type, (errors.get(type) ?? 0) + 1);
    },
  });
  // Resume under the recorded id so the same bytes reach both SDKs.
  const session = await host.resumeSession(RECORDED_SESSION_ID, {});
  const count = counter();
  session.on((event) => {
    if (event.type !== undefined) count.onEvent();
  });
  return {
    name,
    errors: () => Object.fromEntries(errors),
    async run(chunks, n) {
      const finished = count.wait(n);
      const start = performance.now();
      // As a socket's data event hands chunks to the stdio transport: no copy, no extra hop (the
      // in-memory pair's write() copies each chunk for tests, a cost no user's pipe has).
      await feed(chunks, (chunk) => clientSide.receive(chunk));
      await finished;
      return performance.now() - start;
    },
    async close() {
      host.dispose();
      await connection.close();
    },
  };
}

async function incumbent(): Promise<Pipeline> {
  const toClient = new PassThrough();
  const fromClient = new PassThrough();
  fromClient.on(
    "data",
    fakePeer((bytes) => toClient.write(bytes)),
  );
  // forUri: an external runtime, so start() spawns nothing; then its own stdio wiring on our streams.
  const client = new IncumbentClient({ connection: IncumbentConnection.forUri("127.0.0.1:9") });
  const internals = client as unknown as { cliProcess: unknown; connectToServer: () => Promise<void>; connectToChildProcessViaStdio: () => Promise<void> };
  internals.cliProcess = { stdin: fromClient, stdout: toClient, kill: () => true };
  internals.connectToServer = () => internals.connectToChildProcessViaStdio();
  await client.start();
  const session = await client.createSession({ sessionId: RECORDED_SESSION_ID, onPermissionRequest: incumbentApproveAll });
  const count = counter();
  session.on((event) => {
    if (event.type !== undefined) count.onEvent();
  });
  return {
    name: "incumbent",
    async run(chunks, n) {
      const finished = count.wait(n);
      const start = performance.now();
      await feed(chunks, (chunk) => toClient.write(chunk));
      await finished;
      return performance.now() - start;
    },
    async close() {
      internals.cliProcess = null;
      await client.forceStop().catch(() => {});
      toClient.destroy();
      fromClient.destroy();
    },
  };
}

function raw(): Pipeline {
  return {
    name: "raw",
    async run(chunks, n) {
      const start = performance.now();
      const decoder = new FrameDecoder();
      let seen = 0;
      for (const chunk of chunks) for (const e of decoder.push(chunk)) if (e.type === "message") seen++;
      const ms = performance.now() - start;
      if (seen !== n) throw new Error(`raw decoded ${seen} of ${n} events`);
      return ms;
    },
    async close() {},
  };
}

// ---- main ----

// Fail loudly rather than measure a stack whose validators silently fell back to "off".
if (VALIDATION !== "off") await import("@flightdeck/copilot-core/validators");
const source = recordedEvents();
const stream = buildStream(source, EVENTS);
const warm = buildStream(source, Math.min(EVENTS, 5_000));
const only = args.includes("--only") ? args[args.indexOf("--only") + 1] : undefined;
const ours = await flightdeck("flightdeck", VALIDATION);
// The same stack with validation off, to show what validation costs.
const unvalidated = VALIDATION === "off" ? undefined : await flightdeck("flightdeck, validation off", "off");
const theirs = await incumbent();
const NAMES = ["flightdeck", "flightdeck, validation off", "incumbent", "raw"];
const pipelines: Pipeline[] = [ours, unvalidated, theirs, raw()].filter(
  (p): p is Pipeline => p !== undefined && (only === undefined || p.name.startsWith(only) || p.name === "raw"),
);
const times = new Map<string, number[]>(NAMES.map((name) => [name, []]));

// Warm up (JIT, our lazily loaded validators), then measure in rotating order.
for (const p of pipelines) await p.run(warm.chunks, Math.min(EVENTS, 5_000));
for (let r = 0; r < RUNS; r++) {
  for (let k = 0; k < pipelines.length; k++) {
    const p = pipelines[(r + k) % pipelines.length]!;
    times.get(p.name)!.push(await p.run(stream.chunks, EVENTS));
  }
}
for (const p of pipelines) await p.close();

const rate = (name: string) => EVENTS / (median(times.get(name)!) / 1000);
// Other work on the machine drifts over a run; ratios within one round (same few seconds) drift less.
const paired = (a: string, b: string) => median(times.get(a)!.map((ms, i) => times.get(b)![i]! / ms));
const result = {
  generatedAt: new Date().toISOString(),
  environment: {
    node: process.version,
    platform: `${process.platform}-${process.arch}`,
    cpus: cpus().length,
    cpuModel: cpus()[0]?.model,
    loadAverage1m: loadavg()[0],
  },
  input: {
    source: "schemas/recordings/runtime-1.0.85/*.jsonl session.event frames (permission.requested / external_tool.requested left out)",
    recordedEvents: source.length,
    eventTypes: stream.types,
    events: EVENTS,
    bytes: stream.bytes,
    meanFrameBytes: Math.round(stream.bytes / EVENTS),
    chunkBytes: CHUNK_BYTES,
    runs: RUNS,
  },
  eventsPerSecond: {
    flightdeck: rate("flightdeck"),
    flightdeckValidationOff: rate("flightdeck, validation off"),
    incumbent: rate("incumbent"),
    raw: rate("raw"),
  },
  medianMs: Object.fromEntries([...times].map(([name, ms]) => [name, median(ms)])),
  samplesMs: Object.fromEntries(times),
  /** Median over rounds of the per-round rate ratio (robust to load drift); these decide the targets. */
  ratios: {
    flightdeckVsIncumbent: paired("flightdeck", "incumbent"),
    flightdeckVsRaw: paired("flightdeck", "raw"),
    flightdeckValidationOffVsRaw: paired("flightdeck, validation off", "raw"),
    incumbentVsRaw: paired("incumbent", "raw"),
  },
  /** Median per-event cost of validation (lenient minus off), in microseconds. */
  validationMicrosPerEvent: (1000 * (median(times.get("flightdeck")!) - median(times.get("flightdeck, validation off")!))) / EVENTS,
  targets: { atLeastIncumbent: paired("flightdeck", "incumbent") >= 1, atLeast75PercentOfRaw: paired("flightdeck", "raw") >= 0.75 },
  validation: VALIDATION,
  flightdeckValidationReports: ours.errors(),
};

const fmt = (n: number) => Math.round(n).toLocaleString("en-US");
console.log(
  `${EVENTS} events (${(stream.bytes / 1e6).toFixed(1)} MB, ${stream.types} event types from ${source.length} recorded), ${RUNS} rounds, Flightdeck validation ${VALIDATION}`,
);
console.log("| pipeline | events/s (median) | median ms | vs incumbent (paired) | vs raw (paired) |");
console.log("|---|---|---|---|---|");
for (const name of NAMES) {
  if (times.get(name)!.length === 0) continue;
  console.log(
    `| ${name} | ${fmt(rate(name))} | ${median(times.get(name)!).toFixed(1)} | ${paired(name, "incumbent").toFixed(2)}× | ${(100 * paired(name, "raw")).toFixed(0)}% |`,
  );
}
console.log(
  `targets: ≥ incumbent ${result.targets.atLeastIncumbent ? "met" : "NOT met"}; ≥ 75% of raw ${result.targets.atLeast75PercentOfRaw ? "met" : "NOT met"}; validation reports (all runs, by event type): ${JSON.stringify(result.flightdeckValidationReports)}`,
);
if (!quick && only === undefined && VALIDATION === "lenient") {
  mkdirSync(`${repo}bench/results`, { recursive: true });
  writeFileSync(`${repo}bench/results/events.json`, `${JSON.stringify(result, null, 2)}\n`);
  console.log("wrote bench/results/events.json");
}
