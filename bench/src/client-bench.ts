/**
 * Client benchmark: start → ready, ping (stdio and TCP) and stop() of Flightdeck and of the
 * incumbent `@github/copilot-sdk` 1.0.14, on the same runtime binary, in the same process,
 * alternating between the two so that machine noise falls on both alike.
 *
 * `run.ts` starts this file in a child process with a tsconfig that has no `paths`, so that
 * `@flightdeck/*` resolve to the BUILT packages (dist/), exactly as users get them. Standalone:
 *   pnpm exec tsx --tsconfig <a tsconfig without paths> bench/src/client-bench.ts --ours <file URL> [--quick] [--out f.json]
 */
import { existsSync, writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import type * as Ours from "@flightdeck/copilot-client";
import type * as Incumbent from "@github/copilot-sdk";
// The harness is not under test: take it from source so the bench never waits on its build.
import { createIsolatedEnvironment, type IsolatedEnvironment } from "../../packages/testing/src/isolated-environment.js";
import { isRunning, killAll, processTree } from "./proc.js";
import { summarize, type Summary } from "./stats.js";

export type SdkName = "flightdeck" | "incumbent";
export type TransportName = "stdio" | "tcp";

/** What client-bench measures, as written to its JSON output. */
export interface ClientBenchResult {
  runtime: string;
  startReady: Record<SdkName, Summary>;
  stop: Record<SdkName, Summary>;
  /** Runtime processes (the runtime and its children) still running when stop() resolved, summed over all rounds. */
  leftAfterStop: Record<SdkName, number>;
  ping: Record<TransportName, Record<SdkName, Summary>>;
  pingWarmup: number;
  errors: string[];
}

const repo = fileURLToPath(new URL("../../", import.meta.url));
/** Runtime 1.0.85, the one `@github/copilot-sdk` 1.0.14 bundles; both SDKs spawn this same file. */
export const RUNTIME_PATH = `${repo}node_modules/@github/copilot-sdk-linux-x64/prebuilds/linux-x64/copilot-runtime`;
const OP_TIMEOUT_MS = 20_000;

/** The few things the bench does with a client, the same for both SDKs. */
interface Handle {
  start(): Promise<void>;
  ping(): Promise<unknown>;
  stop(): Promise<unknown>;
  forceStop(): Promise<void>;
  pid(): number | undefined;
}

type Driver = (transport: TransportName, iso: IsolatedEnvironment) => Handle;

function oursDriver(mod: typeof Ours): Driver {
  return (transport, iso) => {
    const connection = transport === "tcp" ? mod.RuntimeConnection.forTcp({ path: RUNTIME_PATH }) : mod.RuntimeConnection.forStdio({ path: RUNTIME_PATH });
    const client = new mod.CopilotClient({
      connection,
      env: iso.env,
      workingDirectory: iso.workingDirectory,
      useLoggedInUser: false,
      autoStart: false,
      onError: () => {},
    });
    return {
      start: () => client.start(),
      ping: () => client.ping(),
      stop: () => client.stop(),
      forceStop: () => client.forceStop(),
      pid: () => client.runtimePid,
    };
  };
}

function incumbentDriver(mod: typeof Incumbent): Driver {
  return (transport, iso) => {
    const connection = transport === "tcp" ? mod.RuntimeConnection.forTcp({ path: RUNTIME_PATH }) : mod.RuntimeConnection.forStdio({ path: RUNTIME_PATH });
    const client = new mod.CopilotClient({
      connection,
      env: { ...iso.env },
      workingDirectory: iso.workingDirectory,
      useLoggedInUser: false,
    });
    return {
      start: () => client.start(),
      ping: () => client.ping(),
      stop: () => client.stop(),
      forceStop: () => client.forceStop(),
      // Not public API: the spawned runtime, read only to check for processes left behind.
      pid: () => (client as unknown as { cliProcess?: { pid?: number } | null }).cliProcess?.pid,
    };
  };
}

function withTimeout<T>(what: string, promise: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} took longer than ${OP_TIMEOUT_MS} ms`)), OP_TIMEOUT_MS);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/** Every client started and not yet stopped, so that a failure or Ctrl-C never leaves a runtime behind. */
const live = new Set<{ handle: Handle; iso: IsolatedEnvironment; pids: number[] }>();

async function discard(entry: { handle: Handle; iso: IsolatedEnvironment; pids: number[] }): Promise<void> {
  live.delete(entry);
  await entry.handle.forceStop().catch(() => {});
  killAll(entry.pids);
  entry.iso.cleanup();
}

async function startClient(
  driver: Driver,
  transport: TransportName,
): Promise<{ entry: { handle: Handle; iso: IsolatedEnvironment; pids: number[] }; ms: number }> {
  const iso = createIsolatedEnvironment();
  const t0 = performance.now();
  const handle = driver(transport, iso);
  const entry = { handle, iso, pids: [] as number[] };
  live.add(entry);
  await withTimeout("start()", handle.start());
  const ms = performance.now() - t0;
  const pid = handle.pid();
  if (pid !== undefined) entry.pids = processTree(pid);
  return { entry, ms };
}

/** One start → ping → stop cycle; returns the start and stop wall times and the processes stop() left. */
async function lifecycle(driver: Driver): Promise<{ start: number; stop: number; left: number }> {
  const { entry, ms: start } = await startClient(driver, "stdio");
  try {
    await withTimeout("ping()", entry.handle.ping());
    const pid = entry.handle.pid();
    const tree = pid === undefined ? [] : processTree(pid);
    entry.pids = tree;
    const t0 = performance.now();
    await withTimeout("stop()", entry.handle.stop());
    const stop = performance.now() - t0;
    const left = tree.filter(isRunning).length;
    return { start, stop, left };
  } finally {
    await discard(entry);
  }
}

export interface ClientBenchOptions {
  /** URL of the built Flightdeck entry point to import (the sdk's or the client's dist/index.js). */
  oursEntry: string;
  /** Fewer samples, for a smoke run. */
  quick?: boolean;
  /** Progress lines (to stderr). */
  log?: (line: string) => void;
}

export async function runClientBench(options: ClientBenchOptions): Promise<ClientBenchResult> {
  const log = options.log ?? (() => {});
  if (!existsSync(RUNTIME_PATH)) {
    throw new Error(`The pinned runtime is missing at ${RUNTIME_PATH}. Run \`pnpm install\` at the repo root (it is a root devDependency).`);
  }
  const ours = oursDriver((await import(options.oursEntry)) as typeof Ours);
  const incumbent = incumbentDriver((await import("@github/copilot-sdk")) as typeof Incumbent);
  const drivers: Record<SdkName, Driver> = { flightdeck: ours, incumbent };
  const names: SdkName[] = ["flightdeck", "incumbent"];
  const errors: string[] = [];

  const rounds = options.quick ? 3 : 20;
  // stdio pings cost ~0.1 ms, so take more of them; the incumbent's TCP pings cost ~44 ms each.
  const pingCounts: Record<TransportName, number> = options.quick ? { stdio: 100, tcp: 100 } : { stdio: 1000, tcp: 500 };
  const pingBlock = options.quick ? 50 : 100;
  const warmup = 50;

  // start → ready and stop(): one untimed round each (disk cache, JIT), then alternate who goes first.
  const starts: Record<SdkName, number[]> = { flightdeck: [], incumbent: [] };
  const stops: Record<SdkName, number[]> = { flightdeck: [], incumbent: [] };
  const left: Record<SdkName, number> = { flightdeck: 0, incumbent: 0 };
  for (let round = -1; round < rounds; round++) {
    const order = round % 2 === 0 ? names : [...names].reverse();
    for (const name of order) {
      try {
        const r = await lifecycle(drivers[name]);
        if (round < 0) continue;
        starts[name].push(r.start);
        stops[name].push(r.stop);
        left[name] += r.left;
      } catch (error) {
        errors.push(`${name} lifecycle round ${round}: ${(error as Error).message}`);
      }
    }
  }
  log(`start/stop: ${rounds} rounds each`);

  // Ping: both clients up at once, warmed up, then alternating blocks of sequential pings.
  const ping = {} as Record<TransportName, Record<SdkName, Summary>>;
  for (const transport of ["stdio", "tcp"] as const) {
    const samples: Record<SdkName, number[]> = { flightdeck: [], incumbent: [] };
    const entries: Partial<Record<SdkName, Awaited<ReturnType<typeof startClient>>["entry"]>> = {};
    try {
      for (const name of names) entries[name] = (await startClient(drivers[name], transport)).entry;
      for (const name of names) for (let i = 0; i < warmup; i++) await withTimeout("ping()", entries[name]!.handle.ping());
      for (let block = 0; block < pingCounts[transport] / pingBlock; block++) {
        const order = block % 2 === 0 ? names : [...names].reverse();
        for (const name of order) {
          const handle = entries[name]!.handle;
          for (let i = 0; i < pingBlock; i++) {
            const t0 = performance.now();
            await withTimeout("ping()", handle.ping());
            samples[name].push(performance.now() - t0);
          }
        }
      }
    } catch (error) {
      errors.push(`ping over ${transport}: ${(error as Error).message}`);
    } finally {
      for (const name of names) {
        const entry = entries[name];
        if (entry) {
          await withTimeout("stop()", entry.handle.stop()).catch(() => {});
          await discard(entry);
        }
      }
    }
    ping[transport] = { flightdeck: summarize(samples.flightdeck), incumbent: summarize(samples.incumbent) };
    log(`ping over ${transport}: ${samples.flightdeck.length} + ${samples.incumbent.length} pings`);
  }

  return {
    runtime: "copilot-runtime 1.0.85 (@github/copilot-sdk-linux-x64 1.0.14)",
    startReady: { flightdeck: summarize(starts.flightdeck), incumbent: summarize(starts.incumbent) },
    stop: { flightdeck: summarize(stops.flightdeck), incumbent: summarize(stops.incumbent) },
    leftAfterStop: left,
    ping,
    pingWarmup: warmup,
    errors,
  };
}

async function cleanupAll(): Promise<void> {
  await Promise.all([...live].map(discard));
}

function argValue(flag: string): string | undefined {
  const i = process.argv.indexOf(flag);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const oursEntry = argValue("--ours");
  const out = argValue("--out");
  for (const signal of ["SIGINT", "SIGTERM"] as const) {
    process.once(signal, () => void cleanupAll().finally(() => process.exit(130)));
  }
  if (!oursEntry) {
    console.error("client-bench: pass --ours <file URL of packages/sdk/dist/index.js or packages/client/dist/index.js>.");
    process.exit(2);
  }
  runClientBench({ oursEntry, quick: process.argv.includes("--quick"), log: (l) => console.error(`  ${l}`) })
    .then((result) => {
      const json = JSON.stringify(result, null, 2);
      if (out) writeFileSync(out, json);
      else console.log(json);
    })
    .catch(async (error: unknown) => {
      await cleanupAll();
      console.error(`client-bench failed: ${(error as Error).stack ?? String(error)}`);
      process.exitCode = 1;
    });
}
