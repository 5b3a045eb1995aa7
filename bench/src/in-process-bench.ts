/**
 * In-process vs stdio: the same built `@flightdeck/copilot-client` (dist/) on runtime 1.0.85, once
 * with `RuntimeConnection.forStdio()` (a child process) and once with `forInProcess()` (the
 * runtime library loaded into this process through koffi). Each cell runs in its own fresh Node
 * process so that memory figures do not mix.
 *
 *   pnpm exec tsx bench/src/in-process-bench.ts [--quick]
 *
 * Measures: start() → ready (the first in-process start, which loads the library, separately),
 * ping p50 / p99, session events per second delivered to a handler during a streamed turn of the
 * scripted model, and resident memory (this process, plus the runtime's process tree for stdio).
 * Writes bench/results/in-process.{json,md}. A benchmark, not a test: nothing is asserted.
 */
import { spawnSync } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import type * as Client from "@flightdeck/copilot-client";
import { createIsolatedEnvironment } from "../../packages/testing/src/isolated-environment.js";
import { startScriptedModel } from "../../packages/testing/src/scripted-model-server.js";
import { processTree } from "./proc.js";
import { summarize, type Summary } from "./stats.js";

type Cell = "stdio" | "inprocess";
interface CellResult {
  cell: Cell;
  firstStart: number;
  startReady: Summary;
  ping: Summary;
  eventsPerSecond: number;
  events: number;
  rssMb: { clientProcess: number; runtimeProcesses: number; total: number; baselineClientProcess: number };
}

const repo = fileURLToPath(new URL("../../", import.meta.url));
const RUNTIME_DIR = join(repo, "node_modules/@github/copilot-sdk-linux-x64/prebuilds/linux-x64");
const quick = process.argv.includes("--quick");

function rssMb(pid: number | "self"): number {
  try {
    const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
    return m ? Number(m[1]) / 1024 : 0;
  } catch {
    return 0;
  }
}

async function runCell(cell: Cell): Promise<CellResult> {
  const mod = (await import(pathToFileURL(join(repo, "packages/client/dist/index.js")).href)) as typeof Client;
  const baselineClientProcess = rssMb("self");
  const connection = () =>
    cell === "inprocess"
      ? mod.RuntimeConnection.forInProcess({ libraryPath: join(RUNTIME_DIR, "runtime.node") })
      : mod.RuntimeConnection.forStdio({ path: join(RUNTIME_DIR, "copilot-runtime") });
  const make = (iso: ReturnType<typeof createIsolatedEnvironment>) =>
    new mod.CopilotClient({
      connection: connection(),
      env: iso.env,
      workingDirectory: iso.workingDirectory,
      useLoggedInUser: false,
      autoStart: false,
      onError: () => {},
    });

  const rounds = quick ? 4 : 20;
  const starts: number[] = [];
  let firstStart = Number.NaN;
  for (let i = 0; i <= rounds; i++) {
    const iso = createIsolatedEnvironment();
    const client = make(iso);
    const t0 = performance.now();
    await client.start();
    const ms = performance.now() - t0;
    if (i === 0) firstStart = ms;
    else starts.push(ms);
    await client.stop();
    iso.cleanup();
  }

  const iso = createIsolatedEnvironment();
  const client = make(iso);
  await client.start();
  const pings: number[] = [];
  for (let i = 0; i < 50; i++) await client.ping();
  for (let i = 0; i < (quick ? 200 : 1000); i++) {
    const t0 = performance.now();
    await client.ping();
    pings.push(performance.now() - t0);
  }

  // A streamed turn: one delta event per 4 characters of a long reply.
  const text = "flightdeck ".repeat(quick ? 2_000 : 10_000);
  const model = await startScriptedModel({ script: [{ text }, { text }], chunkSize: 4 });
  const session = await client.createSession({ model: "gpt-4.1", provider: model.provider(), streaming: true });
  await session.sendAndWait("warm up", { timeoutMs: 120_000 });
  let events = 0;
  let first = 0;
  let last = 0;
  const off = session.on(() => {
    const now = performance.now();
    if (events === 0) first = now;
    last = now;
    events++;
  });
  await session.sendAndWait("stream", { timeoutMs: 120_000 });
  off();
  const runtimePid = client.runtimePid;
  const clientProcess = rssMb("self");
  const runtimeProcesses = runtimePid === undefined ? 0 : processTree(runtimePid).reduce((sum, pid) => sum + rssMb(pid), 0);
  await client.stop();
  await model.close();
  iso.cleanup();
  return {
    cell,
    firstStart,
    startReady: summarize(starts),
    ping: summarize(pings),
    eventsPerSecond: events / ((last - first) / 1000),
    events,
    rssMb: { clientProcess, runtimeProcesses, total: clientProcess + runtimeProcesses, baselineClientProcess },
  };
}

const cellArg = process.argv.indexOf("--cell");
if (cellArg !== -1) {
  const result = await runCell(process.argv[cellArg + 1] as Cell);
  process.stdout.write(`${JSON.stringify(result)}\n`);
  process.exit(0);
}

const results: CellResult[] = [];
for (const cell of ["stdio", "inprocess"] as const) {
  const run = spawnSync(process.execPath, [...process.execArgv, fileURLToPath(import.meta.url), "--cell", cell, ...(quick ? ["--quick"] : [])], {
    encoding: "utf8",
    maxBuffer: 16 * 1024 * 1024,
  });
  if (run.status !== 0) throw new Error(`the ${cell} cell failed (exit ${run.status}): ${run.stderr}`);
  results.push(JSON.parse(run.stdout.trim().split("\n").at(-1)!) as CellResult);
}
const [stdio, inproc] = results as [CellResult, CellResult];
const f = (n: number, d = 2) => n.toFixed(d);
const rows = [
  ["first start() → ready (in process: loads the library)", f(stdio.firstStart, 1), f(inproc.firstStart, 1), "ms"],
  [`start() → ready, median of ${stdio.startReady.n}`, f(stdio.startReady.median, 1), f(inproc.startReady.median, 1), "ms"],
  [`ping p50 (${stdio.ping.n} pings)`, f(stdio.ping.median, 3), f(inproc.ping.median, 3), "ms"],
  ["ping p99", f(stdio.ping.p99, 3), f(inproc.ping.p99, 3), "ms"],
  [`session events/s to a handler (${inproc.events} events of a streamed turn)`, f(stdio.eventsPerSecond, 0), f(inproc.eventsPerSecond, 0), "events/s"],
  ["RSS of the client process after the turn", f(stdio.rssMb.clientProcess, 1), f(inproc.rssMb.clientProcess, 1), "MB"],
  ["RSS of the runtime's processes", f(stdio.rssMb.runtimeProcesses, 1), f(inproc.rssMb.runtimeProcesses, 1), "MB"],
  ["RSS total", f(stdio.rssMb.total, 1), f(inproc.rssMb.total, 1), "MB"],
];
const md = [
  `In process vs stdio, runtime 1.0.85, built @flightdeck/copilot-client, Node ${process.version}${quick ? " (--quick: few samples)" : ""}.`,
  "",
  "| metric | stdio | in process | unit |",
  "|---|---:|---:|---|",
  ...rows.map((r) => `| ${r.join(" | ")} |`),
  "",
].join("\n");
process.stdout.write(md);
writeFileSync(join(repo, "bench/results/in-process.json"), `${JSON.stringify({ node: process.version, quick, results }, null, 2)}\n`);
writeFileSync(join(repo, "bench/results/in-process.md"), md);
