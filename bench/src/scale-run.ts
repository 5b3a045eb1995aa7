/**
 * Runs scale-bench.ts for both SDKs, one fresh child process per SDK, phase and round, the SDKs
 * alternating (the order rotating every round) so that machine noise falls on both alike, and
 * sums the rounds up. See bench/README.md ("Tool calls, sessions, concurrency").
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { MemoryPhaseResult, ToolPhaseResult } from "./scale-bench.js";
import { median, summarize, type Summary } from "./stats.js";
import { BENCH_DIR, REPO } from "./workspace.js";

export type Sdk = "flightdeck" | "incumbent";
export const SDKS: readonly Sdk[] = ["flightdeck", "incumbent"];

export interface ScaleSettings {
  rounds: number;
  /** Sequential tool calls per SDK and round. */
  toolCalls: number;
  sessions: number;
  turns: number;
  /** Idle sessions opened for the memory figure. */
  idleSessions: number;
}

export interface ScaleResult {
  settings: ScaleSettings;
  /** Every round's raw figures, per SDK (the spread). */
  rounds: Array<Record<Sdk, { tools: ToolPhaseResult; memory: MemoryPhaseResult }>>;
  /** All rounds' tool-call samples pooled, in the SDK's process, ms. */
  toolOverhead: Record<Sdk, Summary>;
  /** The same calls timed on the wire (at the stdio proxy), ms. */
  toolOverheadWire: Record<Sdk, Summary>;
  /** Per round: Flightdeck p50 / incumbent p50 (in process). */
  toolOverheadRatioPerRound: number[];
  /** Medians over rounds. */
  heapPerSessionBytes: Record<Sdk, number>;
  rssPerSessionBytes: Record<Sdk, number>;
  concurrentWallMs: Record<Sdk, number>;
  eventsPerSecond: Record<Sdk, number>;
  runtimeCpuMs: Record<Sdk, number>;
  sdkCpuMs: Record<Sdk, number>;
  failures: Record<Sdk, number>;
}

export function scaleSettings(quick: boolean): ScaleSettings {
  return quick
    ? { rounds: 1, toolCalls: 10, sessions: 10, turns: 2, idleSessions: 10 }
    : { rounds: 3, toolCalls: 100, sessions: 100, turns: 5, idleSessions: 100 };
}

/** Writes the tsconfig without `paths` that runChild's children use; returns its folder. */
export function scaleTmpDir(): string {
  const tmp = mkdtempSync(join(tmpdir(), "flightdeck-bench-scale-run-"));
  writeFileSync(join(tmp, "tsconfig.json"), JSON.stringify({ compilerOptions: { target: "ES2022", module: "ESNext", moduleResolution: "Bundler" } }));
  return tmp;
}

/** Runs scale-bench.ts for one SDK and phase in a fresh process; `nodeArgs` go to that node (e.g. `--cpu-prof`). */
export function runChild<T>(sdk: Sdk, phase: "tools" | "memory", oursUrl: string, s: ScaleSettings, tmp: string, nodeArgs: readonly string[] = []): T {
  const out = join(tmp, `${sdk}-${phase}.json`);
  const tsconfig = join(tmp, "tsconfig.json");
  const args = [
    ...nodeArgs,
    ...(phase === "memory" ? ["--expose-gc"] : []),
    "--import",
    "tsx",
    join(BENCH_DIR, "src/scale-bench.ts"),
    "--sdk",
    sdk,
    "--ours",
    oursUrl,
    "--phase",
    phase,
    "--sessions",
    String(phase === "memory" ? s.idleSessions : s.sessions),
    "--turns",
    String(s.turns),
    "--samples",
    String(s.toolCalls),
    "--out",
    out,
  ];
  // tsx without tsconfig `paths`: @flightdeck/* load from dist/, as users get them.
  const r = spawnSync(process.execPath, args, {
    cwd: REPO,
    stdio: ["ignore", "inherit", "inherit"],
    env: { ...process.env, TSX_TSCONFIG_PATH: tsconfig },
    timeout: 600_000,
  });
  if (r.status !== 0) throw new Error(`scale-bench (${sdk}, ${phase}) exited with ${r.status ?? r.signal}; see its output above.`);
  return JSON.parse(readFileSync(out, "utf8")) as T;
}

export function runScaleBench(oursUrl: string, quick: boolean, log: (line: string) => void): ScaleResult {
  const settings = scaleSettings(quick);
  const tmp = scaleTmpDir();
  try {
    const rounds: ScaleResult["rounds"] = [];
    for (let round = 0; round < settings.rounds; round++) {
      const order = round % 2 === 0 ? SDKS : [...SDKS].reverse();
      const entry = {} as ScaleResult["rounds"][number];
      for (const sdk of order) {
        const tools = runChild<ToolPhaseResult>(sdk, "tools", oursUrl, settings, tmp);
        const memory = runChild<MemoryPhaseResult>(sdk, "memory", oursUrl, settings, tmp);
        entry[sdk] = { tools, memory };
        log(
          `scale round ${round + 1}/${settings.rounds}, ${sdk}: ${settings.sessions}×${settings.turns} in ${tools.concurrent.wallMs.toFixed(0)} ms, tool call p50 ${median(tools.inProcessMs).toFixed(3)} ms in process, ${median(tools.overheadMs).toFixed(3)} ms on the wire`,
        );
      }
      rounds.push(entry);
    }
    const per = <T>(f: (r: ScaleResult["rounds"][number][Sdk]) => T) =>
      Object.fromEntries(SDKS.map((sdk) => [sdk, rounds.map((r) => f(r[sdk]))])) as Record<Sdk, T[]>;
    const med = (f: (r: ScaleResult["rounds"][number][Sdk]) => number) => {
      const values = per(f);
      return { flightdeck: median(values.flightdeck), incumbent: median(values.incumbent) };
    };
    const pooled = per((r) => r.tools.inProcessMs);
    const wire = per((r) => r.tools.overheadMs);
    return {
      settings,
      rounds,
      toolOverhead: { flightdeck: summarize(pooled.flightdeck.flat()), incumbent: summarize(pooled.incumbent.flat()) },
      toolOverheadWire: { flightdeck: summarize(wire.flightdeck.flat()), incumbent: summarize(wire.incumbent.flat()) },
      toolOverheadRatioPerRound: rounds.map((r) => median(r.flightdeck.tools.inProcessMs) / median(r.incumbent.tools.inProcessMs)),
      heapPerSessionBytes: med((r) => (r.memory.heapAfterBytes - r.memory.heapBeforeBytes) / r.memory.sessions),
      rssPerSessionBytes: med((r) => (r.memory.rssAfterBytes - r.memory.rssBeforeBytes) / r.memory.sessions),
      concurrentWallMs: med((r) => r.tools.concurrent.wallMs),
      eventsPerSecond: med((r) => r.tools.concurrent.events / (r.tools.concurrent.wallMs / 1000)),
      runtimeCpuMs: med((r) => r.tools.concurrent.runtimeCpuMs),
      sdkCpuMs: med((r) => r.tools.concurrent.sdkCpuMs),
      failures: {
        flightdeck: rounds.reduce((n, r) => n + r.flightdeck.tools.concurrent.failures, 0),
        incumbent: rounds.reduce((n, r) => n + r.incumbent.tools.concurrent.failures, 0),
      },
    };
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}
