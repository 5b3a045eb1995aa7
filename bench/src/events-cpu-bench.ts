/**
 * CPU time of the events pipeline of `events-bench.ts`, for comparing two builds of the SDK in one
 * process: the raw limit (our `FrameDecoder` + `JSON.parse`) and, for each tree given, the
 * Flightdeck pipeline (in-memory transport → `JsonRpcConnection` → `SessionHost` →
 * `session.on`) with `validation: "lenient"` (and `"off"` with `--off`), over the same chunks,
 * in rotating order. Each tree must be built (`pnpm build`: its packages' dist/ are loaded).
 *
 * ```sh
 * pnpm exec tsx bench/src/events-cpu-bench.ts [--rounds 12] [--off] [other-checkout …]
 * ```
 * With no tree given it measures this one. Figures: CPU ms per 50,000 events (median over rounds,
 * `process.cpuUsage()`, user + system) and the share of raw (median of per-round ratios). Not part
 * of `pnpm bench`; writes nothing. CPU time, not wall-clock: it drifts less on a shared machine.
 */
import { randomUUID } from "node:crypto";
import { readFileSync, readdirSync } from "node:fs";
import { loadavg } from "node:os";
import { resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { joinAndChunk } from "./frame-stream.js";
import { median } from "./stats.js";

const here = fileURLToPath(new URL("../../", import.meta.url));
const args = process.argv.slice(2);
const ROUNDS = args.includes("--rounds") ? Number(args[args.indexOf("--rounds") + 1]) : 12;
const roots = args.filter((a, i) => !a.startsWith("--") && args[i - 1] !== "--rounds").map((a) => resolve(a));
if (roots.length === 0) roots.push(here);
const EVENTS = 50_000;
const SESSION_ID = "00000000-0000-4000-8000-000000000001";
const REQUEST_EVENTS = new Set(["permission.requested", "external_tool.requested"]);

type Core = typeof import("@flightdeck/copilot-core");
type Session = typeof import("@flightdeck/copilot-session");
const load = async (root: string) => ({
  core: (await import(`${root}/packages/core/dist/index.js`)) as Core,
  session: (await import(`${root}/packages/session/dist/index.js`)) as Session,
});

const events: Array<Record<string, unknown>> = [];
const dir = `${here}schemas/recordings/runtime-1.0.85/`;
for (const file of readdirSync(dir)
  .filter((f) => f.endsWith(".jsonl"))
  .sort()) {
  for (const line of readFileSync(dir + file, "utf8").split("\n")) {
    if (!line.trim()) continue;
    const { dir: io, msg } = JSON.parse(line) as { dir: string; msg: { method?: string; params?: { event: Record<string, unknown> } } };
    if (io === "in" && msg.method === "session.event" && !REQUEST_EVENTS.has(msg.params!.event.type as string)) events.push(msg.params!.event);
  }
}
const { core: core0 } = await load(roots[0]!);
function stream(count: number): Uint8Array[] {
  const frames: Uint8Array[] = [];
  let parentId: string | null = null;
  for (let i = 0; i < count; i++) {
    const id = randomUUID();
    const frame = core0.encodeMessage({
      jsonrpc: "2.0",
      method: "session.event",
      params: { sessionId: SESSION_ID, event: { ...events[i % events.length]!, id, parentId } },
    });
    parentId = id;
    frames.push(frame);
  }
  return joinAndChunk(frames, 64 * 1024);
}
const chunks = stream(EVENTS);
const warm = stream(5_000);

interface Pipeline {
  name: string;
  reports: number;
  run(chunks: Uint8Array[], count: number): Promise<number>;
}
const cpuMs = (since: NodeJS.CpuUsage) => {
  const d = process.cpuUsage(since);
  return (d.user + d.system) / 1000;
};

async function flightdeck(root: string, validation: "off" | "lenient"): Promise<Pipeline> {
  const { core, session: sessionPackage } = await load(root);
  if (validation !== "off") await import(`${root}/packages/core/dist/validators.js`);
  const [clientSide, serverSide] = core.createInMemoryTransportPair();
  const decoder = new core.FrameDecoder();
  serverSide.onData((chunk) => {
    for (const e of decoder.push(chunk)) {
      if (e.type !== "message" || e.kind !== "request") continue;
      const request = e.message as { id: number; method: string; params?: { sessionId?: string } };
      let result: unknown = {};
      if (request.method === "connect") result = { ok: true, protocolVersion: 3, version: "1.0.85", taskKinds: ["agent", "client", "shell"] };
      else if (request.method === "session.resume") result = { sessionId: request.params?.sessionId, workspacePath: "/bench/workspace", capabilities: {} };
      serverSide.write(core.encodeMessage({ jsonrpc: "2.0", id: request.id, result }));
    }
  });
  const pipeline: Pipeline = { name: `${root === here ? "this tree" : root} ${validation}`, reports: 0, run: async () => 0 };
  const host = new sessionPackage.SessionHost(new core.JsonRpcConnection(clientSide), { validation, onError: () => void pipeline.reports++ });
  const session = await host.resumeSession(SESSION_ID, {});
  let seen = 0;
  let target = Number.POSITIVE_INFINITY;
  let done = () => {};
  session.on((event) => {
    if (event.type !== undefined && ++seen >= target) done();
  });
  pipeline.run = async (input, count) => {
    seen = 0;
    target = count;
    const finished = new Promise<void>((r) => {
      done = r;
    });
    const start = process.cpuUsage();
    for (const chunk of input) {
      serverSide.write(chunk);
      await new Promise<void>((r) => setImmediate(r));
    }
    await finished;
    return cpuMs(start);
  };
  return pipeline;
}

const raw: Pipeline = {
  name: "raw",
  reports: 0,
  async run(input, count) {
    const start = process.cpuUsage();
    const decoder = new core0.FrameDecoder();
    let seen = 0;
    for (const chunk of input) for (const e of decoder.push(chunk)) if (e.type === "message") seen++;
    const ms = cpuMs(start);
    if (seen !== count) throw new Error(`raw decoded ${seen} of ${count} events`);
    return ms;
  },
};

const pipelines: Pipeline[] = [raw];
for (const root of roots) {
  pipelines.push(await flightdeck(root, "lenient"));
  if (args.includes("--off")) pipelines.push(await flightdeck(root, "off"));
}
for (const p of pipelines) await p.run(warm, 5_000);
const times = new Map<Pipeline, number[]>(pipelines.map((p) => [p, []]));
for (let r = 0; r < ROUNDS; r++) {
  for (let k = 0; k < pipelines.length; k++) {
    const p = pipelines[(r + k) % pipelines.length]!;
    times.get(p)!.push(await p.run(chunks, EVENTS));
  }
}
const rawMs = times.get(raw)!;
console.log(`${EVENTS} events, ${ROUNDS} rounds, load average ${loadavg()[0]!.toFixed(1)}; CPU time, median over rounds`);
console.log("| pipeline | CPU ms | µs/event | share of raw | validation reports |\n|---|---|---|---|---|");
for (const p of pipelines) {
  const ms = times.get(p)!;
  const share = median(ms.map((t, i) => rawMs[i]! / t));
  console.log(`| ${p.name} | ${median(ms).toFixed(0)} | ${((median(ms) / EVENTS) * 1000).toFixed(2)} | ${(share * 100).toFixed(1)}% | ${p.reports} |`);
}
