/**
 * Only the sequential tool-call figure of the scale bench (see bench/README.md, "Tool calls, idle
 * sessions, concurrency"), for iterating on the tool-call path: both SDKs, one fresh process per
 * SDK and round, alternating, no concurrency or memory phase. Uses the built packages (dist/):
 * rebuild first (`pnpm exec turbo run build --filter=@flightdeck/copilot-sdk...`). Writes nothing.
 *
 *   pnpm exec tsx bench/src/tools-bench.ts [--rounds 3] [--calls 100] [--turns 5] [--cpu-prof DIR] [--baseline [NAME=]DIR]…
 *
 * `--cpu-prof DIR` writes a V8 CPU profile of each measured process into DIR. `--baseline DIR`
 * adds a pipeline: another build of @flightdeck/copilot-sdk (DIR holds its `index.js`, e.g.
 * an older commit's dist/), in the same rotation, for before/after ratios from one run. It may be
 * given more than once (`--baseline main=DIR1 --baseline detached=DIR2`).
 */
import { rmSync } from "node:fs";
import { join, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import type { ToolPhaseResult } from "./scale-bench.js";
import { runChild, scaleTmpDir } from "./scale-run.js";
import { median, summarize } from "./stats.js";
import { distUrl } from "./workspace.js";

const argv = process.argv.slice(2);
const num = (name: string, fallback: number): number => {
  const i = argv.indexOf(name);
  if (i < 0) return fallback;
  const value = Number(argv[i + 1]);
  if (!Number.isInteger(value) || value < 1) throw new Error(`${name}: give a whole number ≥ 1, got ${argv[i + 1]}.`);
  return value;
};
const text = (name: string): string | undefined => {
  const i = argv.indexOf(name);
  return i >= 0 ? argv[i + 1] : undefined;
};
const rounds = num("--rounds", 3);
const settings = { rounds, toolCalls: num("--calls", 100), sessions: 0, turns: num("--turns", 5), idleSessions: 0 };
const prof = text("--cpu-prof");
const nodeArgs = prof === undefined ? [] : ["--cpu-prof", "--cpu-prof-dir", resolve(prof), "--cpu-prof-interval", "50"];
const baselines = argv.flatMap((arg, i) => (arg === "--baseline" && argv[i + 1] !== undefined ? [argv[i + 1]!] : []));

interface Pipeline {
  name: string;
  sdk: "flightdeck" | "incumbent";
  url: string;
}
const pipelines: Pipeline[] = [
  { name: "flightdeck", sdk: "flightdeck", url: distUrl("sdk") },
  ...baselines.map((spec, i) => {
    const eq = spec.indexOf("=");
    const name = eq > 0 ? spec.slice(0, eq) : baselines.length === 1 ? "baseline" : `baseline${i + 1}`;
    return { name, sdk: "flightdeck" as const, url: pathToFileURL(join(resolve(eq > 0 ? spec.slice(eq + 1) : spec), "index.js")).href };
  }),
  { name: "incumbent", sdk: "incumbent", url: distUrl("sdk") },
];

const tmp = scaleTmpDir();
try {
  const samples = new Map<string, number[]>(pipelines.map((p) => [p.name, []]));
  const wire = new Map<string, number[]>(pipelines.map((p) => [p.name, []]));
  const p50s = new Map<string, number[]>(pipelines.map((p) => [p.name, []]));
  for (let round = 0; round < rounds; round++) {
    for (let k = 0; k < pipelines.length; k++) {
      const p = pipelines[(round + k) % pipelines.length]!;
      const r = runChild<ToolPhaseResult>(p.sdk, "tools", p.url, settings, tmp, nodeArgs);
      samples.get(p.name)!.push(...r.inProcessMs);
      wire.get(p.name)!.push(...r.overheadMs);
      p50s.get(p.name)!.push(median(r.inProcessMs));
      console.log(
        `round ${round + 1}, ${p.name}: p50 ${median(r.inProcessMs).toFixed(3)} ms in process (${r.inProcessMs.length} calls), ${median(r.overheadMs).toFixed(3)} ms on the wire`,
      );
    }
  }
  for (const p of pipelines) {
    const s = summarize(samples.get(p.name)!);
    const w = summarize(wire.get(p.name)!);
    console.log(
      `${p.name}: p50 ${s.median.toFixed(3)} ms, p99 ${s.p99.toFixed(3)} ms, min ${s.min.toFixed(3)} ms (${s.n} calls); on the wire p50 ${w.median.toFixed(3)} ms, p99 ${w.p99.toFixed(3)} ms`,
    );
  }
  const inc = summarize(samples.get("incumbent")!);
  const incWire = summarize(wire.get("incumbent")!);
  for (const p of pipelines) {
    if (p.name === "incumbent") continue;
    const s = summarize(samples.get(p.name)!);
    const w = summarize(wire.get(p.name)!);
    console.log(
      `${p.name} / incumbent, pooled: in process p50 ${(s.median / inc.median).toFixed(2)}×, p99 ${(s.p99 / inc.p99).toFixed(2)}×; on the wire p50 ${(w.median / incWire.median).toFixed(2)}×, p99 ${(w.p99 / incWire.p99).toFixed(2)}×`,
    );
  }
  // Per-round ratios: the machine's load drifts between rounds more than within one.
  for (const p of pipelines) {
    if (p.name === "incumbent") continue;
    const ratios = p50s.get(p.name)!.map((v, i) => v / p50s.get("incumbent")![i]!);
    console.log(
      `${p.name} / incumbent, p50 per round: ${ratios.map((r) => r.toFixed(2)).join(", ")}; median ${median(ratios).toFixed(2)}; pooled p50 ratio ${(median(samples.get(p.name)!) / median(samples.get("incumbent")!)).toFixed(2)}`,
    );
  }
} finally {
  rmSync(tmp, { recursive: true, force: true });
}
