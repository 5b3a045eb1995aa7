/**
 * Only the concurrent figure of the scale bench (see bench/README.md, "Tool calls, idle sessions,
 * concurrency"): `--sessions` sessions on one client and one runtime send a prompt at once, each
 * answered with `--turns` calls of the trivial tool. Both SDKs, one fresh process per SDK and
 * round, the order rotating every round. Uses the built packages (dist/): rebuild first. Writes
 * nothing.
 *
 *   pnpm exec tsx bench/src/concurrency-bench.ts [--rounds 5] [--sessions 100] [--turns 5] [--baseline DIR]
 *
 * `--baseline DIR` adds a third pipeline: another build of @flightdeck/copilot-sdk (DIR holds its
 * `index.js`, e.g. an older commit's or an experiment's dist/), in the same rotation. Prints each
 * run, then per pipeline the medians and the per-round ratios to the incumbent (the machine's
 * load drifts between rounds more than within one).
 */
import { rmSync } from "node:fs";
import { join, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import type { ToolPhaseResult } from "./scale-bench.js";
import { runChild, scaleTmpDir } from "./scale-run.js";
import { median } from "./stats.js";
import { distUrl } from "./workspace.js";

const argv = process.argv.slice(2);
const num = (name: string, fallback: number): number => {
  const i = argv.indexOf(name);
  if (i < 0) return fallback;
  const value = Number(argv[i + 1]);
  if (!Number.isInteger(value) || value < 1) throw new Error(`${name}: give a whole number ≥ 1, got ${argv[i + 1]}.`);
  return value;
};
const baseline = (() => {
  const i = argv.indexOf("--baseline");
  return i >= 0 ? argv[i + 1] : undefined;
})();
const rounds = num("--rounds", 5);
const turns = num("--turns", 5);
// One warm-up prompt and one sequential prompt precede the concurrent run (toolCalls = turns).
const settings = { rounds, toolCalls: turns, sessions: num("--sessions", 100), turns, idleSessions: 0 };

interface Pipeline {
  name: string;
  sdk: "flightdeck" | "incumbent";
  url: string;
}
const pipelines: Pipeline[] = [
  { name: "flightdeck", sdk: "flightdeck", url: distUrl("sdk") },
  ...(baseline === undefined ? [] : [{ name: "baseline", sdk: "flightdeck" as const, url: pathToFileURL(join(resolve(baseline), "index.js")).href }]),
  { name: "incumbent", sdk: "incumbent", url: distUrl("sdk") },
];

type Concurrent = ToolPhaseResult["concurrent"];
const figures: Array<[string, (c: Concurrent) => number]> = [
  ["wall ms", (c) => c.wallMs],
  ["events/s", (c) => c.events / (c.wallMs / 1000)],
  ["runtime CPU ms", (c) => c.runtimeCpuMs],
  ["SDK CPU ms", (c) => c.sdkCpuMs],
  ["proxy CPU ms", (c) => c.proxyCpuMs],
  ["model CPU ms", (c) => c.peerCpuMs],
  ["tool call in process p50 ms", (c) => median(c.inProcessMs)],
];

const tmp = scaleTmpDir();
try {
  const runs = new Map<string, Concurrent[]>(pipelines.map((p) => [p.name, []]));
  for (let round = 0; round < rounds; round++) {
    for (let k = 0; k < pipelines.length; k++) {
      const p = pipelines[(round + k) % pipelines.length]!;
      const c = runChild<ToolPhaseResult>(p.sdk, "tools", p.url, settings, tmp).concurrent;
      runs.get(p.name)!.push(c);
      console.log(
        `round ${round + 1}, ${p.name}: ${figures.map(([name, f]) => `${name} ${f(c).toFixed(name.startsWith("tool") ? 3 : 0)}`).join(", ")}, ${c.failures} failed`,
      );
    }
  }
  for (const p of pipelines) {
    const mine = runs.get(p.name)!;
    const theirs = runs.get("incumbent")!;
    const cells = figures.map(([name, f]) => {
      const m = median(mine.map(f));
      if (p.name === "incumbent") return `${name} ${m.toFixed(name.startsWith("tool") ? 3 : 0)}`;
      const ratios = mine.map((c, i) => f(c) / f(theirs[i]!));
      return `${name} ${m.toFixed(name.startsWith("tool") ? 3 : 0)} (/incumbent per round ${ratios.map((r) => r.toFixed(2)).join(" ")}; median ${median(ratios).toFixed(2)})`;
    });
    console.log(`${p.name}, medians of ${rounds}:\n  ${cells.join("\n  ")}`);
  }
} finally {
  rmSync(tmp, { recursive: true, force: true });
}
