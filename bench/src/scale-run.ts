/**
 * Runs scale-bench.ts for both SDKs, one fresh child process per SDK, phase and round, the SDKs
 * alternating (the order rotating every round) so that machine noise falls on both alike, and
 * sums the rounds up. See bench/README.md ("Tool calls, sessions, concurrency").
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { redact } from "@flightdeck/copilot-core";
import type { MemoryPhaseResult, RetainedPhaseResult, ToolPhaseResult } from "./scale-bench.js";
import { importsClient } from "./import-bench.js";
import { median, summarize, type Summary } from "./stats.js";
import { BENCH_DIR, REPO, distUrl } from "./workspace.js";

export type Sdk = "flightdeck" | "incumbent";
export const SDKS: readonly Sdk[] = ["flightdeck", "incumbent"];
export type Phase = "tools" | "memory" | "retained";
const PHASES: readonly Phase[] = ["tools", "memory", "retained"];

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
  rounds: Array<Record<Sdk, { tools: ToolPhaseResult; memory: MemoryPhaseResult; retained: RetainedPhaseResult }>>;
  /** All rounds' tool-call samples pooled, in the SDK's process, ms. */
  toolOverhead: Record<Sdk, Summary>;
  /** The same calls timed on the wire (at the stdio proxy), ms. */
  toolOverheadWire: Record<Sdk, Summary>;
  /** Per round: Flightdeck p50 / incumbent p50 (in process). */
  toolOverheadRatioPerRound: number[];
  /** Medians over rounds. */
  heapPerSessionBytes: Record<Sdk, number>;
  rssPerSessionBytes: Record<Sdk, number>;
  /** JavaScript objects retained per idle session (heap snapshots; code not counted). */
  retainedPerSessionBytes: Record<Sdk, number>;
  concurrentWallMs: Record<Sdk, number>;
  /**
   * Per round: Flightdeck's concurrent wall time / the incumbent's. The two runs of a round are
   * back to back, so the machine's drift between rounds (the runtime's own CPU for the same work
   * moves by up to ±20%) cancels in the ratio; its median is the figure the target is judged on.
   */
  concurrentWallRatioPerRound: number[];
  eventsPerSecond: Record<Sdk, number>;
  /** Per round: Flightdeck's events/s / the incumbent's (paired as above). */
  eventsPerSecondRatioPerRound: number[];
  runtimeCpuMs: Record<Sdk, number>;
  sdkCpuMs: Record<Sdk, number>;
  /** CPU time of the bench's stdio proxy and of its scripted model over the same window (the rest of the machine's work). */
  proxyCpuMs: Record<Sdk, number>;
  modelCpuMs: Record<Sdk, number>;
  /** Tool calls of the concurrent run, in the SDK's process (request reaching the socket → answer written), all rounds pooled, ms. */
  toolOverheadUnderLoad: Record<Sdk, Summary>;
  failures: Record<Sdk, number>;
}

export function scaleSettings(quick: boolean): ScaleSettings {
  return quick
    ? { rounds: 1, toolCalls: 10, sessions: 10, turns: 2, idleSessions: 10 }
    : { rounds: 5, toolCalls: 200, sessions: 100, turns: 5, idleSessions: 100 };
}

/** Writes the tsconfig without `paths` that runChild's children use; returns its folder. */
export function scaleTmpDir(): string {
  const tmp = mkdtempSync(join(tmpdir(), "flightdeck-bench-scale-run-"));
  writeFileSync(join(tmp, "tsconfig.json"), JSON.stringify({ compilerOptions: { target: "ES2022", module: "ESNext", moduleResolution: "Bundler" } }));
  return tmp;
}

/** Runs scale-bench.ts for one SDK and phase in a fresh process; `nodeArgs` go to that node (e.g. `--cpu-prof`). */
export function runChild<T>(
  sdk: Sdk,
  phase: Phase,
  oursUrl: string,
  s: ScaleSettings,
  tmp: string,
  nodeArgs: readonly string[] = [],
  benchArgs: readonly string[] = [],
): T {
  const out = join(tmp, `${sdk}-${phase}.json`);
  const tsconfig = join(tmp, "tsconfig.json");
  const args = [
    ...nodeArgs,
    ...(phase === "tools" ? [] : ["--expose-gc"]),
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
    String(phase === "tools" ? s.sessions : s.idleSessions),
    "--turns",
    String(s.turns),
    "--samples",
    String(s.toolCalls),
    "--out",
    out,
    ...benchArgs,
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
  return runScale(oursUrl, scaleSettings(quick), PHASES, log);
}

/** Runs `phases` (all three for `pnpm bench`); a phase left out has no figures (NaN). `benchArgs` go to every scale-bench.ts child. */
function runScale(
  oursUrl: string,
  settings: ScaleSettings,
  phases: readonly Phase[],
  log: (line: string) => void,
  benchArgs: readonly string[] = [],
): ScaleResult {
  const tmp = scaleTmpDir();
  try {
    const rounds: ScaleResult["rounds"] = [];
    for (let round = 0; round < settings.rounds; round++) {
      const order = round % 2 === 0 ? SDKS : [...SDKS].reverse();
      const entry = {} as ScaleResult["rounds"][number];
      for (const sdk of order) {
        const run = <T>(phase: Phase, none: T): T => (phases.includes(phase) ? runChild<T>(sdk, phase, oursUrl, settings, tmp, [], benchArgs) : none);
        const tools = run<ToolPhaseResult>("tools", NO_TOOLS);
        const memory = run<MemoryPhaseResult>("memory", NO_MEMORY);
        const retained = run<RetainedPhaseResult>("retained", NO_RETAINED);
        entry[sdk] = { tools, memory, retained };
        const kb = (bytes: number) => `${(bytes / 1024).toFixed(2)} KB`;
        const said: string[] = [];
        if (phases.includes("tools")) {
          said.push(
            `${settings.sessions}×${settings.turns} in ${tools.concurrent.wallMs.toFixed(0)} ms (${(tools.concurrent.events / (tools.concurrent.wallMs / 1000)).toFixed(0)} events/s, runtime CPU ${tools.concurrent.runtimeCpuMs.toFixed(0)} ms, SDK CPU ${tools.concurrent.sdkCpuMs.toFixed(0)} ms, proxy ${tools.concurrent.proxyCpuMs.toFixed(0)} ms, model ${tools.concurrent.peerCpuMs.toFixed(0)} ms, tool call in process under load p50 ${median(tools.concurrent.inProcessMs).toFixed(3)} ms, ${tools.concurrent.failures} failed), tool call p50 ${median(tools.inProcessMs).toFixed(3)} ms in process, ${median(tools.overheadMs).toFixed(3)} ms on the wire`,
          );
        }
        if (phases.includes("memory"))
          said.push(
            `per idle session: heap ${kb((memory.heapAfterBytes - memory.heapBeforeBytes) / memory.sessions)}, RSS ${kb((memory.rssAfterBytes - memory.rssBeforeBytes) / memory.sessions)}`,
          );
        if (phases.includes("retained")) said.push(`retained objects per idle session ${kb(retained.bytes / retained.sessions)}`);
        log(`scale round ${round + 1}/${settings.rounds}, ${sdk}: ${said.join("; ")}`);
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
      retainedPerSessionBytes: med((r) => r.retained.bytes / r.retained.sessions),
      concurrentWallMs: med((r) => r.tools.concurrent.wallMs),
      concurrentWallRatioPerRound: rounds.map((r) => r.flightdeck.tools.concurrent.wallMs / r.incumbent.tools.concurrent.wallMs),
      eventsPerSecond: med((r) => r.tools.concurrent.events / (r.tools.concurrent.wallMs / 1000)),
      eventsPerSecondRatioPerRound: rounds.map(
        (r) =>
          r.flightdeck.tools.concurrent.events /
          r.flightdeck.tools.concurrent.wallMs /
          (r.incumbent.tools.concurrent.events / r.incumbent.tools.concurrent.wallMs),
      ),
      runtimeCpuMs: med((r) => r.tools.concurrent.runtimeCpuMs),
      sdkCpuMs: med((r) => r.tools.concurrent.sdkCpuMs),
      proxyCpuMs: med((r) => r.tools.concurrent.proxyCpuMs),
      modelCpuMs: med((r) => r.tools.concurrent.peerCpuMs),
      toolOverheadUnderLoad: {
        flightdeck: summarize(per((r) => r.tools.concurrent.inProcessMs).flightdeck.flat()),
        incumbent: summarize(per((r) => r.tools.concurrent.inProcessMs).incumbent.flat()),
      },
      failures: {
        flightdeck: rounds.reduce((n, r) => n + r.flightdeck.tools.concurrent.failures, 0),
        incumbent: rounds.reduce((n, r) => n + r.incumbent.tools.concurrent.failures, 0),
      },
    };
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}

const NO_TOOLS: ToolPhaseResult = {
  inProcessMs: [],
  overheadMs: [],
  unmatched: 0,
  concurrent: {
    sessions: 0,
    turnsPerSession: 0,
    wallMs: Number.NaN,
    events: 0,
    runtimeCpuMs: Number.NaN,
    sdkCpuMs: Number.NaN,
    proxyCpuMs: Number.NaN,
    peerCpuMs: Number.NaN,
    inProcessMs: [],
    sdkLoopBusyMs: Number.NaN,
    failures: 0,
  },
};
const NO_MEMORY: MemoryPhaseResult = {
  sessions: 0,
  warmup: 0,
  heapBeforeBytes: Number.NaN,
  heapAfterBytes: Number.NaN,
  rssBeforeBytes: Number.NaN,
  rssAfterBytes: Number.NaN,
};
const NO_RETAINED: RetainedPhaseResult = { sessions: 0, bytes: Number.NaN, objects: 0, top: [] };

/** Prints, per `<direction> <kind> <method>`, frames and body bytes per session for both SDKs (the `--wire-stats` diagnostic). */
function printWireStats(result: ScaleResult, log: (line: string) => void): void {
  for (const part of ["open", "run"] as const) {
    const keys = new Set<string>();
    for (const round of result.rounds) for (const sdk of SDKS) for (const key of Object.keys(round[sdk].tools.wire?.[part] ?? {})) keys.add(key);
    log(`wire traffic while the sessions ${part === "open" ? "opened" : "ran"}, per session (median of rounds): frames / body bytes, flightdeck vs incumbent`);
    const perSession = (sdk: Sdk, key: string, field: "count" | "bytes") =>
      median(result.rounds.map((r) => (r[sdk].tools.wire?.[part][key]?.[field] ?? 0) / r[sdk].tools.concurrent.sessions));
    const fmt = (n: number) => (Number.isInteger(n) ? String(n) : n.toFixed(2));
    const totals = { flightdeck: [0, 0], incumbent: [0, 0] } as Record<Sdk, [number, number]>;
    for (const key of [...keys].sort()) {
      const cells = SDKS.map((sdk) => {
        const count = perSession(sdk, key, "count");
        const bytes = perSession(sdk, key, "bytes");
        totals[sdk][0] += count;
        totals[sdk][1] += bytes;
        return `${fmt(count)} / ${bytes.toFixed(0)} B`;
      });
      log(`  ${key.padEnd(64)} ${cells[0]!.padStart(18)}   ${cells[1]!.padStart(18)}`);
    }
    log(
      `  ${"total".padEnd(64)} ${`${fmt(totals.flightdeck[0])} / ${totals.flightdeck[1].toFixed(0)} B`.padStart(18)}   ${`${fmt(totals.incumbent[0])} / ${totals.incumbent[1].toFixed(0)} B`.padStart(18)}`,
    );
  }
}

/**
 * Only some phases, for iterating on one figure (needs the built packages, as `pnpm bench`):
 *   pnpm exec tsx bench/src/scale-run.ts --phases memory,retained [--rounds 3] [--sessions 100]
 *   pnpm exec tsx bench/src/scale-run.ts --phases tools [--rounds 3] [--sessions 100] [--turns 5] [--wire-stats [--wire-samples f.json]]
 * Prints each round and the medians; writes nothing but the `--wire-samples` file (the first
 * body of each kind of frame, both SDKs, credentials masked by core's `redact`: a diagnostic,
 * with the bench's temp paths in it).
 */
function main(argv: readonly string[]): void {
  const value = (name: string) => {
    const i = argv.indexOf(name);
    return i >= 0 ? argv[i + 1] : undefined;
  };
  const phases = (value("--phases") ?? "memory,retained").split(",") as Phase[];
  const bad = phases.find((p) => !PHASES.includes(p));
  if (bad !== undefined) throw new Error(`scale-run: --phases takes ${PHASES.join(", ")} (comma-separated), got "${bad}".`);
  const defaults = scaleSettings(false);
  const sessions = Number(value("--sessions") ?? defaults.sessions);
  const settings = { ...defaults, rounds: Number(value("--rounds") ?? 3), sessions, idleSessions: sessions, turns: Number(value("--turns") ?? defaults.turns) };
  // As run.ts: the SDK's built entry, or the client's when the SDK's does not load it.
  const oursUrl = importsClient(distUrl("sdk")) ? distUrl("sdk") : distUrl("client");
  const wireStats = argv.includes("--wire-stats");
  const result = runScale(oursUrl, settings, phases, (line) => console.log(line), wireStats ? ["--wire-stats"] : []);
  if (wireStats && phases.includes("tools")) {
    printWireStats(result, (line) => console.log(line));
    const samplesFile = value("--wire-samples");
    if (samplesFile)
      writeFileSync(samplesFile, JSON.stringify(redact(Object.fromEntries(SDKS.map((sdk) => [sdk, result.rounds[0]?.[sdk].tools.wire?.samples]))), null, 2));
  }
  const kb = (r: Record<Sdk, number>) =>
    `${(r.flightdeck / 1024).toFixed(2)} KB vs ${(r.incumbent / 1024).toFixed(2)} KB (${(r.flightdeck / r.incumbent).toFixed(2)}×)`;
  if (phases.includes("memory")) console.log(`medians per idle session: heap ${kb(result.heapPerSessionBytes)}, RSS ${kb(result.rssPerSessionBytes)}`);
  if (phases.includes("retained")) console.log(`median retained objects per idle session: ${kb(result.retainedPerSessionBytes)}`);
  if (phases.includes("tools")) {
    console.log(`tool call p50 in process: ${result.toolOverhead.flightdeck.median.toFixed(3)} ms vs ${result.toolOverhead.incumbent.median.toFixed(3)} ms`);
    const ratio = (r: Record<Sdk, number>) => (r.flightdeck / r.incumbent).toFixed(2);
    const per = (f: (c: ToolPhaseResult["concurrent"]) => number) =>
      SDKS.map((sdk) => result.rounds.map((r) => f(r[sdk].tools.concurrent).toFixed(0)).join(", "));
    const [ourWall, theirWall] = per((c) => c.wallMs);
    const [ourRate, theirRate] = per((c) => c.events / (c.wallMs / 1000));
    console.log(
      `${settings.sessions}×${settings.turns} concurrent, medians: wall ${result.concurrentWallMs.flightdeck.toFixed(0)} vs ${result.concurrentWallMs.incumbent.toFixed(0)} ms (${ratio(result.concurrentWallMs)}×; rounds ${ourWall} vs ${theirWall}), events/s ${result.eventsPerSecond.flightdeck.toFixed(0)} vs ${result.eventsPerSecond.incumbent.toFixed(0)} (${ratio(result.eventsPerSecond)}×; rounds ${ourRate} vs ${theirRate}), runtime CPU ${result.runtimeCpuMs.flightdeck.toFixed(0)} vs ${result.runtimeCpuMs.incumbent.toFixed(0)} ms (${ratio(result.runtimeCpuMs)}×), SDK CPU ${result.sdkCpuMs.flightdeck.toFixed(0)} vs ${result.sdkCpuMs.incumbent.toFixed(0)} ms (${ratio(result.sdkCpuMs)}×), failures ${result.failures.flightdeck} vs ${result.failures.incumbent}`,
    );
  }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) main(process.argv.slice(2));
