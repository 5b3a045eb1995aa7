/**
 * Only the sequential tool-call figure of the scale bench (see bench/README.md, "Tool calls, idle
 * sessions, concurrency"), for iterating on the tool-call path: both SDKs, one fresh process per
 * SDK and round, alternating, no concurrency or memory phase. Uses the built packages (dist/):
 * rebuild first (`pnpm exec turbo run build --filter=@flightdeck/copilot-sdk...`). Writes nothing.
 *
 *   pnpm exec tsx bench/src/tools-bench.ts [--rounds 3] [--calls 100] [--turns 5] [--cpu-prof DIR]
 *
 * `--cpu-prof DIR` writes a V8 CPU profile of each measured process into DIR.
 */
import { resolve } from "node:path";
import { rmSync } from "node:fs";
import { runChild, scaleTmpDir, SDKS, type Sdk } from "./scale-run.js";
import type { ToolPhaseResult } from "./scale-bench.js";
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
const rounds = num("--rounds", 3);
const settings = { rounds, toolCalls: num("--calls", 100), sessions: 0, turns: num("--turns", 5), idleSessions: 0 };
const profIndex = argv.indexOf("--cpu-prof");
const nodeArgs = profIndex >= 0 ? ["--cpu-prof", "--cpu-prof-dir", resolve(argv[profIndex + 1] ?? "cpu-prof")] : [];

const tmp = scaleTmpDir();
try {
  const samples: Record<Sdk, number[]> = { flightdeck: [], incumbent: [] };
  const ratios: number[] = [];
  for (let round = 0; round < rounds; round++) {
    const order = round % 2 === 0 ? SDKS : [...SDKS].reverse();
    const p50 = {} as Record<Sdk, number>;
    for (const sdk of order) {
      const r = runChild<ToolPhaseResult>(sdk, "tools", distUrl("sdk"), settings, tmp, nodeArgs);
      samples[sdk].push(...r.inProcessMs);
      p50[sdk] = median(r.inProcessMs);
      console.log(
        `round ${round + 1}, ${sdk}: p50 ${p50[sdk].toFixed(3)} ms in process (${r.inProcessMs.length} calls), ${median(r.overheadMs).toFixed(3)} ms on the wire`,
      );
    }
    ratios.push(p50.flightdeck / p50.incumbent);
  }
  for (const sdk of SDKS) {
    const s = summarize(samples[sdk]);
    console.log(`${sdk}: p50 ${s.median.toFixed(3)} ms, p99 ${s.p99.toFixed(3)} ms, min ${s.min.toFixed(3)} ms (${s.n} calls)`);
  }
  console.log(`ratio of p50s per round: ${ratios.map((r) => r.toFixed(2)).join(", ")}; median ${median(ratios).toFixed(2)}`);
} finally {
  rmSync(tmp, { recursive: true, force: true });
}
