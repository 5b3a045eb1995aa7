/**
 * `pnpm bench`: Flightdeck side by side with the incumbent `@github/copilot-sdk` 1.0.14 in one run,
 * on the same runtime binary (copilot-runtime 1.0.85), printed as one table with ratios and written
 * to bench/results/latest.{json,md}. See bench/README.md for the method.
 *
 * Flags: --quick (few samples, a smoke run; do not publish its figures), --build (rebuild the SDK
 * first), --no-footprint (skip packing and installing), --no-scale (skip the tool-call, memory and
 * concurrency figures), --import-runs N (default 20), --results DIR (where to write, relative to the
 * repository root; default bench/results).
 */
import { spawnSync } from "node:child_process";
import { appendFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { cpus, loadavg, tmpdir } from "node:os";
import { join, relative } from "node:path";
import { pathToFileURL } from "node:url";
import type { ClientBenchResult } from "./client-bench.js";
import { runFootprintBench, type FootprintResult } from "./footprint-bench.js";
import { importsClient, resolveEsm, runImportBench, type ImportBenchResult } from "./import-bench.js";
import { markdownTable, textTable, type Row } from "./report.js";
import { MEMORY_WARMUP } from "./scale-bench.js";
import { median } from "./stats.js";
import { runScaleBench, type ScaleResult } from "./scale-run.js";
import { BENCH_DIR, REPO, buildSdk, distUrl, gitCommit, missingBuildOutputs, staleBuilds } from "./workspace.js";

const argv = process.argv.slice(2);
const quick = argv.includes("--quick");
const importRunsArg = argv.indexOf("--import-runs");
const importRuns = importRunsArg >= 0 ? Number(argv[importRunsArg + 1]) : quick ? 5 : 20;
if (!Number.isInteger(importRuns) || importRuns < 1) {
  console.error("--import-runs: give a whole number of runs ≥ 1, e.g. --import-runs 20.");
  process.exit(2);
}
const log = (line: string) => console.error(`[bench] ${line}`);
const MB = 1e6;

function step<T>(name: string, fn: () => T): T {
  const t0 = performance.now();
  const result = fn();
  log(`${name} done in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  return result;
}

/** Runs client-bench.ts in a child whose tsx has no tsconfig `paths`, so @flightdeck/* load from dist/. */
function runClientBenchChild(oursEntry: string): ClientBenchResult {
  const tmp = mkdtempSync(join(tmpdir(), "flightdeck-bench-client-"));
  try {
    const tsconfig = join(tmp, "tsconfig.json");
    writeFileSync(tsconfig, JSON.stringify({ compilerOptions: { target: "ES2022", module: "ESNext", moduleResolution: "Bundler" } }));
    const out = join(tmp, "client.json");
    const args = ["--tsconfig", tsconfig, join(BENCH_DIR, "src/client-bench.ts"), "--ours", oursEntry, "--out", out, ...(quick ? ["--quick"] : [])];
    const r = spawnSync(join(REPO, "node_modules/.bin/tsx"), args, { cwd: REPO, stdio: ["ignore", "inherit", "inherit"] });
    if (r.status !== 0) throw new Error(`client-bench exited with ${r.status ?? r.signal}; see its output above.`);
    return JSON.parse(readFileSync(out, "utf8")) as ClientBenchResult;
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}

function rowsFrom(imp: ImportBenchResult, client: ClientBenchResult, footprint: FootprintResult | undefined, scale: ScaleResult | undefined): Row[] {
  const ours = imp.targets["flightdeck"]!;
  const inc = imp.targets["incumbent"]!;
  const rows: Row[] = [
    {
      metric: `cold import, fresh node process minus empty one (median of ${imp.runs})`,
      unit: "ms",
      flightdeck: ours.coldImportMs,
      incumbent: inc.coldImportMs,
      target: "≤ 0.4× incumbent",
      met: ours.coldImportMs <= inc.coldImportMs * 0.4,
    },
    { metric: `import() inside that process (median of ${imp.runs})`, unit: "ms", flightdeck: ours.inProcessMs, incumbent: inc.inProcessMs },
    {
      metric: `start() → ready, stdio (median of ${client.startReady.flightdeck.n})`,
      unit: "ms",
      flightdeck: client.startReady.flightdeck.median,
      incumbent: client.startReady.incumbent.median,
    },
    {
      metric: `ping over stdio, p50 (${client.ping.stdio.flightdeck.n} pings)`,
      unit: "ms",
      flightdeck: client.ping.stdio.flightdeck.median,
      incumbent: client.ping.stdio.incumbent.median,
    },
    { metric: "ping over stdio, p99", unit: "ms", flightdeck: client.ping.stdio.flightdeck.p99, incumbent: client.ping.stdio.incumbent.p99 },
    {
      metric: `ping over TCP, p50 (${client.ping.tcp.flightdeck.n} pings)`,
      unit: "ms",
      flightdeck: client.ping.tcp.flightdeck.median,
      incumbent: client.ping.tcp.incumbent.median,
      target: "< 1 ms",
      met: client.ping.tcp.flightdeck.median < 1,
    },
    { metric: "ping over TCP, p99", unit: "ms", flightdeck: client.ping.tcp.flightdeck.p99, incumbent: client.ping.tcp.incumbent.p99 },
    {
      metric: `stop(), stdio (median of ${client.stop.flightdeck.n})`,
      unit: "ms",
      flightdeck: client.stop.flightdeck.median,
      incumbent: client.stop.incumbent.median,
      target: "≤ 60 ms",
      met: client.stop.flightdeck.median <= 60,
    },
    {
      metric: `runtime processes still running when stop() resolved (sum of ${client.stop.flightdeck.n} rounds)`,
      unit: "count",
      flightdeck: client.leftAfterStop.flightdeck,
      incumbent: client.leftAfterStop.incumbent,
    },
  ];
  if (scale) {
    const s = scale.settings;
    const KB = 1024;
    rows.push(
      {
        metric: `tool call: request reaching the SDK → its answer leaving, stdio, trivial handler, p50 (${scale.toolOverhead.flightdeck.n} calls)`,
        unit: "ms",
        flightdeck: scale.toolOverhead.flightdeck.median,
        incumbent: scale.toolOverhead.incumbent.median,
        target: "≤ 0.5× incumbent",
        met: scale.toolOverhead.flightdeck.median <= 0.5 * scale.toolOverhead.incumbent.median,
      },
      {
        metric: "tool call, p99",
        unit: "ms",
        flightdeck: scale.toolOverhead.flightdeck.p99,
        incumbent: scale.toolOverhead.incumbent.p99,
        target: "≤ 0.5× incumbent",
        met: scale.toolOverhead.flightdeck.p99 <= 0.5 * scale.toolOverhead.incumbent.p99,
      },
      {
        metric: "tool call on the wire (stdio proxy: + pipe hops, OS scheduling), p50",
        unit: "ms",
        flightdeck: scale.toolOverheadWire.flightdeck.median,
        incumbent: scale.toolOverheadWire.incumbent.median,
      },
      {
        metric: `heap per idle session (${s.idleSessions} on one client after ${MEMORY_WARMUP}, median of ${s.rounds})`,
        unit: "KB",
        flightdeck: scale.heapPerSessionBytes.flightdeck / KB,
        incumbent: scale.heapPerSessionBytes.incumbent / KB,
        target: "≤ 0.5× incumbent",
        met: scale.heapPerSessionBytes.flightdeck <= 0.5 * scale.heapPerSessionBytes.incumbent,
      },
      {
        metric: "  JavaScript objects retained per idle session (heap snapshots; code not counted)",
        unit: "KB",
        flightdeck: scale.retainedPerSessionBytes.flightdeck / KB,
        incumbent: scale.retainedPerSessionBytes.incumbent / KB,
        target: "≤ 0.5× incumbent",
        met: scale.retainedPerSessionBytes.flightdeck <= 0.5 * scale.retainedPerSessionBytes.incumbent,
      },
      {
        metric: "RSS per idle session",
        unit: "KB",
        flightdeck: scale.rssPerSessionBytes.flightdeck / KB,
        incumbent: scale.rssPerSessionBytes.incumbent / KB,
        target: "≤ 0.5× incumbent",
        met: scale.rssPerSessionBytes.flightdeck <= 0.5 * scale.rssPerSessionBytes.incumbent,
      },
      {
        metric: `${s.sessions} concurrent sessions × ${s.turns} tool turns, one runtime: wall time (median of ${s.rounds} per SDK)`,
        unit: "ms",
        flightdeck: scale.concurrentWallMs.flightdeck,
        incumbent: scale.concurrentWallMs.incumbent,
      },
      {
        metric: `  wall time, paired: median of the ${s.rounds} per-round ratios (each round's two runs back to back)`,
        unit: "×",
        ratioOnly: median(scale.concurrentWallRatioPerRound),
        target: "≤ incumbent",
        met: median(scale.concurrentWallRatioPerRound) <= 1,
      },
      {
        metric: "  events/s seen by the handlers (median per SDK; higher is better: ratio above 1 is better here)",
        unit: "/s",
        flightdeck: scale.eventsPerSecond.flightdeck,
        incumbent: scale.eventsPerSecond.incumbent,
      },
      {
        metric: "  events/s, paired: median of the per-round ratios (above 1 is better)",
        unit: "×",
        ratioOnly: median(scale.eventsPerSecondRatioPerRound),
        target: "≥ incumbent",
        met: median(scale.eventsPerSecondRatioPerRound) >= 1,
      },
      { metric: "  CPU time of the runtime (its share)", unit: "ms", flightdeck: scale.runtimeCpuMs.flightdeck, incumbent: scale.runtimeCpuMs.incumbent },
      { metric: "  CPU time of the SDK's process (its share)", unit: "ms", flightdeck: scale.sdkCpuMs.flightdeck, incumbent: scale.sdkCpuMs.incumbent },
      {
        metric: "  CPU time of the bench's stdio proxy and scripted model (the rest)",
        unit: "ms",
        flightdeck: scale.proxyCpuMs.flightdeck + scale.modelCpuMs.flightdeck,
        incumbent: scale.proxyCpuMs.incumbent + scale.modelCpuMs.incumbent,
      },
      {
        metric: "  tool call under this load, in the SDK's process, p50",
        unit: "ms",
        flightdeck: scale.toolOverheadUnderLoad.flightdeck.median,
        incumbent: scale.toolOverheadUnderLoad.incumbent.median,
      },
    );
  }
  if (footprint) {
    rows.push(
      {
        metric: "install footprint, SDK + dependencies, no runtime (du -sb)",
        unit: "MB",
        flightdeck: footprint.flightdeck.bytes / MB,
        incumbent: footprint.incumbent.bytes / MB,
        target: "≤ 2 MB",
        met: footprint.flightdeck.bytes <= 2 * MB,
      },
      {
        metric: "  of which source maps (*.map)",
        unit: "MB",
        flightdeck: footprint.flightdeck.sourceMapBytes / MB,
        incumbent: footprint.incumbent.sourceMapBytes / MB,
      },
    );
  }
  return rows;
}

function scaleMarkdown(s: ScaleResult): string {
  const kb = (b: number) => (b / 1024).toFixed(1);
  const lines = [
    "### Tool calls, idle sessions, concurrency: every round (the spread)",
    "",
    `${s.settings.rounds} round(s), each SDK in a fresh process per phase, alternating. Tool-call p50 ratio per round: ${s.toolOverheadRatioPerRound.map((r) => `${r.toFixed(2)}×`).join(", ")}.`,
    "",
    "| round | SDK | tool call p50 / p99 ms, in process | on the wire | heap / RSS / retained objects per idle session KB | concurrent wall ms | events | runtime CPU ms | SDK CPU ms | proxy / model CPU ms | tool call under load p50 / p99 ms | failed turns |",
    "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
  ];
  s.rounds.forEach((round, i) => {
    for (const sdk of ["flightdeck", "incumbent"] as const) {
      const r = round[sdk];
      const t = r.tools.inProcessMs;
      const m = r.memory;
      const c = r.tools.concurrent;
      lines.push(
        `| ${i + 1} | ${sdk} | ${summaryPair(t)} | ${summaryPair(r.tools.overheadMs)} | ${kb((m.heapAfterBytes - m.heapBeforeBytes) / m.sessions)} / ${kb((m.rssAfterBytes - m.rssBeforeBytes) / m.sessions)} / ${kb(r.retained.bytes / r.retained.sessions)} | ${c.wallMs.toFixed(0)} | ${c.events} | ${c.runtimeCpuMs} | ${c.sdkCpuMs.toFixed(0)} | ${c.proxyCpuMs} / ${c.peerCpuMs} | ${summaryPair(c.inProcessMs ?? [])} | ${c.failures} |`,
      );
    }
  });
  return lines.join("\n");
}

function summaryPair(samples: readonly number[]): string {
  const sorted = [...samples].sort((a, b) => a - b);
  const p = (q: number) => sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))] ?? Number.NaN;
  return `${p(0.5).toFixed(3)} / ${p(0.99).toFixed(3)}`;
}

function footprintMarkdown(f: FootprintResult): string {
  const mb = (b: number) => (b / MB).toFixed(2);
  const lines = [
    "### Packed packages (`pnpm pack`)",
    "",
    "| package | tarball MB | unpacked MB | of which *.map MB | of which *.d.ts/.d.cts MB | built? |",
    "|---|---:|---:|---:|---:|---|",
    ...f.packed.map(
      (p) =>
        `| ${p.name} | ${mb(p.tarballBytes)} | ${mb(p.unpackedBytes)} | ${mb(p.sourceMapBytes)} | ${mb(p.declarationBytes)} | ${p.built ? "yes" : "NO (no dist/)"} |`,
    ),
    "",
    `### node_modules after install (largest first)`,
    "",
    `Flightdeck (${f.flightdeck.spec}): ${f.flightdeck.packages.map((p) => `${p.name} ${mb(p.bytes)} MB`).join(", ")}.`,
    "",
    `Incumbent (${f.incumbent.spec}): ${f.incumbent.packages.map((p) => `${p.name} ${mb(p.bytes)} MB`).join(", ")}.`,
  ];
  const excluded = [...f.flightdeck.excluded, ...f.incumbent.excluded];
  if (excluded.length) lines.push("", `Left out as runtimes: ${excluded.join(", ")}.`);
  return lines.join("\n");
}

async function main(): Promise<void> {
  const started = performance.now();
  // Other work on the machine shows in the tails (p99) first: record how busy it was.
  const loadBefore = loadavg()[0]!;
  if (argv.includes("--build") || missingBuildOutputs().length > 0) {
    if (!argv.includes("--build")) log(`built packages missing (${missingBuildOutputs().join(", ")})`);
    buildSdk(log);
    const still = missingBuildOutputs();
    if (still.length) throw new Error(`After the build these are still missing: ${still.join(", ")}.`);
  }
  const stale = staleBuilds();
  if (stale.length) log(`WARNING: src/ is newer than dist/ for ${stale.join(", ")}; run \`pnpm bench --build\` for current figures.`);

  // Ours = the package users install. Fall back to the client while the sdk does not export it yet.
  const sdkUrl = distUrl("sdk");
  const oursPackage = importsClient(sdkUrl) ? "@flightdeck/copilot-sdk" : "@flightdeck/copilot-client";
  const oursUrl = oursPackage === "@flightdeck/copilot-sdk" ? sdkUrl : distUrl("client");
  const incumbentUrl = resolveEsm("@github/copilot-sdk", BENCH_DIR);
  log(`Flightdeck = ${oursPackage} (built dist/index.js, ESM); incumbent = @github/copilot-sdk 1.0.14 (dist/index.js, ESM)`);
  if (quick) log("--quick: few samples, for a smoke run only");

  const imp = step("import bench", () =>
    runImportBench(
      [
        { label: "flightdeck", url: oursUrl },
        { label: "incumbent", url: incumbentUrl },
      ],
      importRuns,
    ),
  );
  const client = step("client bench", () => runClientBenchChild(oursUrl));
  const scale = argv.includes("--no-scale") ? undefined : step("scale bench", () => runScaleBench(oursUrl, quick, log));
  let footprint: FootprintResult | undefined;
  let footprintError: string | undefined;
  if (!argv.includes("--no-footprint")) {
    const t0 = performance.now();
    try {
      footprint = await runFootprintBench(REPO, log);
      log(`footprint bench done in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
    } catch (error) {
      // The timings are still worth writing down; the table then has no footprint rows.
      footprintError = error instanceof Error ? error.message : String(error);
      log(`footprint bench failed: ${footprintError}`);
    }
  }

  const rows = rowsFrom(imp, client, footprint, scale);
  const environment = {
    node: process.version,
    platform: `${process.platform}-${process.arch}`,
    cpus: cpus().length,
    cpuModel: cpus()[0]?.model,
    commit: gitCommit(),
    loadAverage1m: { before: Number(loadBefore.toFixed(2)), after: Number(loadavg()[0]!.toFixed(2)) },
    staleBuilds: stale,
    quick,
  };
  const table = textTable(rows);
  console.log(
    `\nFlightdeck (${oursPackage}, built) vs @github/copilot-sdk 1.0.14 — ${client.runtime}, Node ${process.version}, ${environment.cpus} CPUs, load ${environment.loadAverage1m.before} → ${environment.loadAverage1m.after}\n`,
  );
  console.log(table);
  if (client.errors.length) console.log(`\nErrors during the client bench:\n- ${client.errors.join("\n- ")}`);
  if (footprintError) console.log(`\nThe footprint bench failed: ${footprintError}`);

  const resultsArg = argv.indexOf("--results");
  const resultsDir = resultsArg >= 0 ? join(REPO, argv[resultsArg + 1] ?? "") : join(BENCH_DIR, "results");
  mkdirSync(resultsDir, { recursive: true });
  const generatedAt = new Date().toISOString();
  // No absolute path of this machine in the results: paths under the repository become relative.
  const scrub = (text: string) => text.split(pathToFileURL(REPO).href).join("").split(REPO).join("");
  writeFileSync(
    join(resultsDir, "latest.json"),
    scrub(
      `${JSON.stringify({ generatedAt, environment, flightdeckPackage: oursPackage, rows, import: imp, client, scale, footprint, footprintError }, null, 2)}\n`,
    ),
  );
  const md = [
    "# Flightdeck vs `@github/copilot-sdk` 1.0.14",
    "",
    `Generated by \`pnpm bench\` on ${generatedAt}${environment.commit ? ` at commit ${environment.commit}` : ""}: ` +
      `Node ${process.version}, ${environment.platform}, ${environment.cpus} CPUs (${environment.cpuModel ?? "unknown CPU"}), ` +
      `1-minute load average ${environment.loadAverage1m.before} before / ${environment.loadAverage1m.after} after, ${client.runtime}. ` +
      `Flightdeck = \`${oursPackage}\` as built (dist/). Ratio = Flightdeck / incumbent (below 1 is better for every row).` +
      (quick ? " **Quick run: few samples, not for publication.**" : "") +
      (stale.length ? ` **Warning: dist/ was older than src/ for ${stale.join(", ")}.**` : ""),
    "",
    markdownTable(rows),
    "",
    "Method: see [bench/README.md](../README.md).",
    ...(client.errors.length ? ["", "Errors during the client bench:", "", ...client.errors.map((e) => `- ${e}`)] : []),
    ...(scale ? ["", scaleMarkdown(scale)] : []),
    ...(footprint ? ["", footprintMarkdown(footprint)] : []),
    ...(footprintError ? ["", `The footprint bench failed: ${footprintError}`] : []),
    "",
  ].join("\n");
  writeFileSync(join(resultsDir, "latest.md"), scrub(md));
  // One line per full run: the run-to-run spread of the ratios (quick runs are smoke tests, not kept).
  if (!quick) {
    const ratio = (metric: string) => {
      const row = rows.find((r) => r.metric.startsWith(metric));
      return row?.flightdeck !== undefined && row.incumbent ? Number((row.flightdeck / row.incumbent).toFixed(3)) : undefined;
    };
    const line = {
      generatedAt,
      commit: environment.commit,
      loadAverage1m: environment.loadAverage1m,
      coldImportRatio: ratio("cold import"),
      coldImportMs: {
        flightdeck: Number(imp.targets["flightdeck"]!.coldImportMs.toFixed(2)),
        incumbent: Number(imp.targets["incumbent"]!.coldImportMs.toFixed(2)),
      },
      toolCallP50Ratio: ratio("tool call: request"),
      toolCallP99Ratio: ratio("tool call, p99"),
      heapPerSessionRatio: ratio("heap per idle session"),
      rssPerSessionRatio: ratio("RSS per idle session"),
      retainedPerSessionRatio: ratio("  JavaScript objects retained"),
      concurrentWallRatio: ratio(`${scale?.settings.sessions ?? 0} concurrent`),
      concurrentWallPairedRatio: scale ? Number(median(scale.concurrentWallRatioPerRound).toFixed(3)) : undefined,
      footprintMB: footprint ? Number((footprint.flightdeck.bytes / MB).toFixed(3)) : undefined,
    };
    appendFileSync(join(resultsDir, "history.jsonl"), `${JSON.stringify(line)}\n`);
  }
  log(`wrote ${relative(REPO, resultsDir)}/latest.json and latest.md (${((performance.now() - started) / 1000).toFixed(0)} s in all)`);
}

main().catch((error: unknown) => {
  console.error(`[bench] failed: ${error instanceof Error ? error.message : String(error)}`);
  process.exitCode = 1;
});
