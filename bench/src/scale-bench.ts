/**
 * What a busy agent app pays per tool call, per open session and per event, for ONE SDK in this
 * process (run.ts starts one child per SDK and phase, alternating, with a tsconfig without
 * `paths` so `@flightdeck/*` load from dist/). The SDK spawns its runtime over stdio (the
 * default transport) through a timestamping stdio proxy (stdio-proxy.ts); the scripted model and
 * the proxy's sample collector live in a forked peer process (scale-peer.ts).
 *
 * Phases (`--phase`):
 * - `tools`: one session, prompts that each make the model call the trivial `echo` tool
 *   `--turns` times, each call timed twice: in this process, from the chunk holding the tool
 *   request reaching the runtime pipe's socket (`Socket#push`, before any SDK code sees it) to
 *   the SDK writing the answer (`Socket#write`): the SDK's own share, the same hook for both SDKs
 *   (both read and write the runtime's stdio through net.Socket); and on the wire, by the stdio
 *   proxy (which adds the pipe hops and the OS's scheduling of the SDK's process).
 *   Then `concurrent`: `--sessions` sessions send such a prompt at once; wall time, events seen
 *   by the handlers, the runtime's CPU time (its process tree, /proc) and this process's CPU
 *   time and event-loop busy time.
 * - `memory` (run with --expose-gc): heap and RSS before and after opening `--sessions` idle
 *   sessions on one client, after `--warmup` sessions (default 20), each measured after two full
 *   GCs. The bench keeps only the SDK's session objects, each with one shared no-op handler.
 *   Diagnostics: `--heap-snapshots <dir>` writes `before`/`after.heapsnapshot` around the
 *   measured openings; `--allocation-profile <file>` samples what they allocate, garbage
 *   included (a `.heapprofile` for Chrome DevTools; that run's figures are then off);
 *   `--warmup-profile <file>` samples what the warm-up left live at the first reading; `--trace`
 *   prints V8's heap spaces and the memory mappings that changed, before → after (stderr).
 * - `retained` (--expose-gc): the same openings, with heap snapshots around them: the bytes of the
 *   JavaScript objects they left (code and object shapes not counted; heap-snapshot-diff.ts).
 *
 *   pnpm exec tsx --tsconfig <no paths> bench/src/scale-bench.ts --sdk flightdeck|incumbent --ours <file URL> --phase tools|memory|retained --out f.json
 *   (scale-run.ts runs it for both SDKs; `pnpm exec tsx bench/src/scale-run.ts --phases memory,retained` runs only those)
 */
import { fork, type ChildProcess } from "node:child_process";
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import type * as Ours from "@flightdeck/copilot-sdk";
import type * as Incumbent from "@github/copilot-sdk";
import { createIsolatedEnvironment, type IsolatedEnvironment } from "../../packages/testing/src/isolated-environment.js";
import { RUNTIME_PATH } from "./client-bench.js";
import { Socket } from "node:net";
import { getHeapSpaceStatistics, writeHeapSnapshot } from "node:v8";
import { Session as InspectorSession } from "node:inspector";
import { processTree } from "./proc.js";
import { STDIO_PROXY } from "./stdio-proxy.js";
import { retainedObjects, type RetainedObjects } from "./heap-snapshot-diff.js";

export interface ToolPhaseResult {
  /** Tool request reaching the SDK's socket → the SDK writing the answer, ms, sequential calls on one session. */
  inProcessMs: number[];
  /** Tool request → answer at the stdio proxy (on the wire), ms, the same calls. */
  overheadMs: number[];
  unmatched: number;
  concurrent: {
    sessions: number;
    turnsPerSession: number;
    wallMs: number;
    events: number;
    /** CPU time of the runtime's process tree during the phase, ms (from /proc, 10 ms ticks). */
    runtimeCpuMs: number;
    /** CPU time of this process (the SDK, plus the bench loop driving it), ms. */
    sdkCpuMs: number;
    /** CPU time of the stdio proxy (between the SDK and the runtime, the same for both SDKs), ms. */
    proxyCpuMs: number;
    /** CPU time of the peer process (the scripted model, the samples' collector), ms. */
    peerCpuMs: number;
    /** In this process, tool request reaching the socket → the answer written, ms, every call of the concurrent run. */
    inProcessMs: number[];
    /** Time the event loop of this process was busy, ms. */
    sdkLoopBusyMs: number;
    failures: number;
  };
  /** With `--wire-stats` only: frames per `<direction> <kind> <method>` (see stdio-proxy.ts). */
  wire?: WireStats;
}

/** Frames seen by the stdio proxy, per `<direction> <kind> <method>`: count and body bytes. */
export type WireCounts = Record<string, { count: number; bytes: number }>;
export interface WireStats {
  /** While the concurrent phase's sessions were opened (`createSession` and what follows it). */
  open: WireCounts;
  /** While they ran their prompt (send to the last `sendAndWait` resolving). */
  run: WireCounts;
  /** The first body seen of each key, over the whole process. */
  samples: Record<string, unknown>;
}

export interface MemoryPhaseResult {
  sessions: number;
  /** Sessions opened and kept before the first reading. */
  warmup: number;
  heapBeforeBytes: number;
  heapAfterBytes: number;
  rssBeforeBytes: number;
  rssAfterBytes: number;
}

const TIMEOUT_MS = 180_000;
/** Sessions opened (and kept) before the memory phase's first reading. */
export const MEMORY_WARMUP = 20;

/** In-process tool-call timing: see the header. Installed before the SDK is imported. */
const inProcess = { arrived: new Map<string, number>(), answeredEarly: new Map<string, number>(), overheadMs: [] as number[] };
function hookSockets(): void {
  const push = Socket.prototype.push;
  const write = Socket.prototype.write;
  const tails = new WeakMap<Socket, string>();
  Socket.prototype.push = function (this: Socket, chunk: unknown, encoding?: BufferEncoding) {
    const now = performance.now();
    const result = push.call(this, chunk, encoding);
    // Scanned after the SDK had the chunk, so the scan is not in the timed window. An SDK may
    // answer inside this synchronous call (a trivial handler answered in the same turn): the
    // write hook then keeps the answer's time, and the pair is matched here.
    if (Buffer.isBuffer(chunk)) {
      // Keep a short tail: a frame may be split across chunks.
      const text = (tails.get(this) ?? "") + chunk.toString("latin1");
      const cut = text.lastIndexOf("Content-Length");
      tails.set(this, cut > 0 ? text.slice(cut) : text.slice(-65536));
      for (const m of text.matchAll(/"external_tool\.requested"[\s\S]*?"requestId":"([^"]+)"/g)) {
        const id = m[1]!;
        const answered = inProcess.answeredEarly.get(id);
        if (answered !== undefined) {
          inProcess.answeredEarly.delete(id);
          inProcess.overheadMs.push(answered - now);
        } else if (!inProcess.arrived.has(id)) inProcess.arrived.set(id, now);
      }
    }
    return result;
  } as typeof Socket.prototype.push;
  Socket.prototype.write = function (this: Socket, chunk: unknown, ...rest: unknown[]) {
    const now = performance.now();
    // Bytes, or (Flightdeck's stdio transport since 2026-12-06) the frame as text the stream encodes.
    const text =
      typeof chunk === "string"
        ? chunk
        : chunk instanceof Uint8Array
          ? Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength).toString("latin1")
          : undefined;
    if (text !== undefined) {
      if (text.includes("handlePendingToolCall")) {
        const id = /"requestId":"([^"]+)"/.exec(text)?.[1];
        const t0 = id === undefined ? undefined : inProcess.arrived.get(id);
        if (t0 !== undefined) {
          inProcess.overheadMs.push(now - t0);
          inProcess.arrived.delete(id!);
        } else if (id !== undefined) inProcess.answeredEarly.set(id, now); // answered inside the chunk's push (see above)
      }
    }
    return (write as (...args: unknown[]) => boolean).call(this, chunk, ...rest);
  } as typeof Socket.prototype.write;
}

/** The few things the bench does with an SDK, the same for both. */
interface Driver {
  start(): Promise<void>;
  /** `session` is the SDK's own object (what the memory phase keeps); `run` sends a prompt and waits. */
  openSession(onEvent: () => void): Promise<{ session: object; run(prompt: string): Promise<unknown> }>;
  stop(): Promise<void>;
}

/** Where and how the SDK spawns its runtime: the stdio proxy, in an isolated environment. */
interface Launch {
  proxyPath: string;
  env: Record<string, string>;
  iso: IsolatedEnvironment;
  provider: Record<string, unknown>;
}

function oursDriver(mod: typeof Ours, launch: Launch): Driver {
  const client = new mod.CopilotClient({
    connection: mod.RuntimeConnection.forStdio({ path: launch.proxyPath }),
    env: launch.env,
    workingDirectory: launch.iso.workingDirectory,
    useLoggedInUser: false,
    autoStart: false,
    onError: () => {},
  });
  const provider = launch.provider;
  const echo = mod.defineTool("echo", {
    description: "Returns ok",
    parameters: { type: "object", properties: { n: { type: "number" }, c: { type: "number" } } } as const,
    skipPermission: true,
    handler: () => "ok",
  });
  return {
    start: () => client.start(),
    async openSession(onEvent) {
      const session = await client.createSession({ model: "gpt-4.1", provider: provider as never, tools: [echo], onPermissionRequest: mod.approveAll });
      session.on(onEvent);
      return { session, run: (prompt) => session.sendAndWait(prompt, { timeoutMs: TIMEOUT_MS }) };
    },
    stop: async () => {
      await client.stop();
    },
  };
}

function incumbentDriver(mod: typeof Incumbent, launch: Launch): Driver {
  const client = new mod.CopilotClient({
    connection: mod.RuntimeConnection.forStdio({ path: launch.proxyPath }),
    env: { ...launch.env },
    workingDirectory: launch.iso.workingDirectory,
    useLoggedInUser: false,
  });
  const provider = launch.provider;
  const echo = mod.defineTool("echo", {
    description: "Returns ok",
    parameters: { type: "object", properties: { n: { type: "number" }, c: { type: "number" } } },
    skipPermission: true,
    handler: () => "ok",
  });
  return {
    start: () => client.start(),
    async openSession(onEvent) {
      const session = await client.createSession({ model: "gpt-4.1", provider: provider as never, tools: [echo], onPermissionRequest: mod.approveAll });
      session.on(onEvent);
      return { session, run: (prompt) => session.sendAndWait(prompt, TIMEOUT_MS) };
    },
    stop: async () => {
      await client.stop();
    },
  };
}

interface Samples {
  overheadMs: number[];
  unmatched: number;
  runtimePids: number[];
  wire: WireCounts;
  wireSamples: Record<string, unknown>;
}

interface Peer {
  pid: number;
  samplePort: number;
  provider: Record<string, unknown>;
  take(): Promise<Samples>;
  stop(): void;
}

function startPeer(): Promise<Peer> {
  const child: ChildProcess = fork(fileURLToPath(new URL("./scale-peer.ts", import.meta.url)), [], {
    execArgv: ["--import", "tsx"],
    stdio: ["ignore", "inherit", "inherit", "ipc"],
  });
  return new Promise((resolve, reject) => {
    child.once("exit", (code) => reject(new Error(`scale-peer exited (${code}) before it was ready`)));
    child.once("message", (m: { type: string; samplePort: number; provider: Record<string, unknown>; message?: string }) => {
      if (m.type !== "ready") return reject(new Error(`scale-peer: ${m.message ?? JSON.stringify(m)}`));
      child.removeAllListeners("exit");
      resolve({
        pid: child.pid!,
        samplePort: m.samplePort,
        provider: m.provider,
        take: () =>
          new Promise((ok) => {
            child.once("message", (s: Samples) => ok(s));
            child.send({ type: "take" });
          }),
        stop: () => {
          if (child.connected) child.send({ type: "stop" });
          setTimeout(() => child.kill("SIGKILL"), 2000).unref();
        },
      });
    });
  });
}

/**
 * CPU time of `pid` and its live descendants, ms: each one's utime + stime, plus the cutime +
 * cstime of the children it reaped (short-lived ones, e.g. a `git` or `bash` the runtime runs,
 * that ended between two readings; before 2026-12-06 those were left out, for both SDKs alike).
 */
function treeCpuMs(pid: number): number {
  let ms = 0;
  for (const p of processTree(pid)) ms += processCpuMs(p, true);
  return ms;
}

/** utime + stime of one process (with `reaped`: plus its reaped children's), ms; 0 once it ended. */
function processCpuMs(pid: number, reaped = false): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    // After the command: state(0) ppid(1) … utime(11) stime(12) cutime(13) cstime(14), in clock ticks (USER_HZ = 100).
    const ticks = Number(fields[11]) + Number(fields[12]) + (reaped ? Number(fields[13]) + Number(fields[14]) : 0);
    return ticks * 10;
  } catch {
    return 0; // ended meanwhile
  }
}

/** The parent of `pid` (the stdio proxy, for the runtime). */
function parentPid(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
  return Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
}

async function toolPhase(driver: Driver, peer: Peer, samples: number, sessions: number, turns: number, wireStats: boolean): Promise<ToolPhaseResult> {
  // Sequential tool calls on one session: what one call costs without contention.
  const one = await driver.openSession(() => {});
  await one.run(`bench ${turns}`); // warm-up: loads validators, JITs the hot paths
  const runtimePid = (await peer.take()).runtimePids.at(-1);
  if (runtimePid === undefined) throw new Error("the stdio proxy reported no runtime pid");
  inProcess.overheadMs = [];
  for (let done = 0; done < samples; done += turns) await one.run(`bench ${turns}`);
  const { overheadMs, unmatched } = await peer.take();
  const inProcessMs = inProcess.overheadMs;
  inProcess.overheadMs = [];

  // Many sessions at once on one runtime (`--sessions 0` skips it: tools-bench.ts).
  if (sessions === 0) {
    return {
      inProcessMs,
      overheadMs,
      unmatched,
      concurrent: {
        sessions,
        turnsPerSession: turns,
        wallMs: 0,
        events: 0,
        runtimeCpuMs: 0,
        sdkCpuMs: 0,
        proxyCpuMs: 0,
        peerCpuMs: 0,
        inProcessMs: [],
        sdkLoopBusyMs: 0,
        failures: 0,
      },
    };
  }
  let events = 0;
  const onEvent = () => {
    events++;
  };
  const opened = await Promise.all(Array.from({ length: sessions }, () => driver.openSession(onEvent)));
  // Let the sessions' opening traffic settle so it is counted as such (the wire stats only).
  if (wireStats) await new Promise((r) => setTimeout(r, 1000));
  const open = wireStats ? (await peer.take()).wire : undefined;
  events = 0;
  const cpu0 = process.cpuUsage();
  const elu0 = performance.eventLoopUtilization();
  const proxyPid = parentPid(runtimePid);
  const runtime0 = treeCpuMs(runtimePid);
  const proxy0 = processCpuMs(proxyPid);
  const peer0 = processCpuMs(peer.pid);
  inProcess.overheadMs = [];
  const t0 = performance.now();
  const results = await Promise.allSettled(opened.map((s) => s.run(`bench ${turns}`)));
  const wallMs = performance.now() - t0;
  const runtimeCpuMs = treeCpuMs(runtimePid) - runtime0;
  const proxyCpuMs = processCpuMs(proxyPid) - proxy0;
  const peerCpuMs = processCpuMs(peer.pid) - peer0;
  const concurrentInProcessMs = inProcess.overheadMs;
  inProcess.overheadMs = [];
  const cpu = process.cpuUsage(cpu0);
  const elu = performance.eventLoopUtilization(elu0);
  if (wireStats) await new Promise((r) => setTimeout(r, 1000));
  const after = await peer.take();
  return {
    ...(open ? { wire: { open, run: after.wire, samples: after.wireSamples } } : {}),
    inProcessMs,
    overheadMs,
    unmatched,
    concurrent: {
      sessions,
      turnsPerSession: turns,
      wallMs,
      events,
      runtimeCpuMs,
      sdkCpuMs: (cpu.user + cpu.system) / 1000,
      proxyCpuMs,
      peerCpuMs,
      inProcessMs: concurrentInProcessMs,
      sdkLoopBusyMs: elu.active,
      failures: results.filter((r) => r.status === "rejected").length,
    },
  };
}

/** The `retained` phase: what the same openings left on the heap, from two heap snapshots (see heap-snapshot-diff.ts). */
export interface RetainedPhaseResult extends RetainedObjects {
  sessions: number;
}

async function retainedPhase(driver: Driver, sessions: number, warmup: number): Promise<RetainedPhaseResult> {
  const dir = mkdtempSync(join(tmpdir(), "flightdeck-bench-heap-"));
  try {
    await memoryPhase(driver, sessions, warmup, { snapshotDir: dir });
    return { sessions, ...retainedObjects(join(dir, "before.heapsnapshot"), join(dir, "after.heapsnapshot")) };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Diagnostics of the memory phase (see bench/README.md, "Finding what a session retains"). */
interface MemoryDiagnostics {
  /** Heap snapshots before and after the measured openings (`before.heapsnapshot`, `after.heapsnapshot`). */
  snapshotDir?: string;
  /** A sampled allocation profile of the measured openings, garbage included (the figures of that run are then off). */
  allocationProfile?: string;
  /** A sampled profile of what the warm-up openings allocated and still hold at the first reading (what survives into the window's start). */
  warmupProfile?: string;
  /** Print V8's heap spaces (used and resident bytes) and the process's memory mappings that grew, before → after, to stderr. */
  trace?: boolean;
}

/** What `--trace` compares: each V8 heap space's used and resident (physical) bytes, and the resident KB of each mapping. */
interface MemoryTrace {
  spaces: Map<string, { used: number; physical: number; size: number }>;
  mappings: Map<string, number>;
}

function heapSpaces(): MemoryTrace["spaces"] {
  return new Map(getHeapSpaceStatistics().map((s) => [s.space_name, { used: s.space_used_size, physical: s.physical_space_size, size: s.space_size }]));
}

function memoryTrace(): MemoryTrace {
  const spaces = heapSpaces();
  const mappings = new Map<string, number>();
  try {
    let key = "";
    for (const line of readFileSync("/proc/self/smaps", "utf8").split("\n")) {
      const head = /^([0-9a-f]+)-([0-9a-f]+) \S+ \S+ \S+ \S+\s*(.*)$/.exec(line);
      // A fresh copy: a substring would keep the whole file's text alive (in the window's figures).
      if (head)
        key = Buffer.from(`${head[1]} ${((Number.parseInt(head[2]!, 16) - Number.parseInt(head[1]!, 16)) / 1024) | 0}K ${head[3] || "[anon]"}`).toString();
      const rss = /^Rss:\s+(\d+) kB/.exec(line);
      if (rss) mappings.set(key, Number(rss[1]));
    }
    // The last match's input (a slice of the whole file) stays reachable from the RegExp state otherwise.
    /x/.exec("x");
  } catch {
    // not Linux: spaces only
  }
  return { spaces, mappings };
}

function printTrace(before: MemoryTrace, after: MemoryTrace, sessions: number): void {
  const kb = (n: number) => `${(n / 1024).toFixed(0)} KB`;
  const lines = ["memory trace (before → after, per session of the difference):"];
  for (const [name, a] of after.spaces) {
    const b = before.spaces.get(name) ?? { used: 0, physical: 0, size: 0 };
    lines.push(
      `  ${name.padEnd(22)} used ${kb(b.used)} → ${kb(a.used)} (${((a.used - b.used) / sessions / 1024).toFixed(2)} KB/session), resident ${kb(b.physical)} → ${kb(a.physical)}, size ${kb(b.size)} → ${kb(a.size)}`,
    );
  }
  let total = 0;
  for (const [key, a] of after.mappings) {
    const grew = a - (before.mappings.get(key) ?? 0);
    total += grew;
    if (Math.abs(grew) >= 64) lines.push(`  mapping ${key}: ${before.mappings.get(key) ?? "new"} → ${a} KB resident`);
  }
  for (const [key, b] of before.mappings)
    if (!after.mappings.has(key)) {
      total -= b;
      if (b >= 64) lines.push(`  mapping ${key}: ${b} KB resident → gone`);
    }
  lines.push(`  resident mappings, sum of differences: ${total} KB`);
  console.error(lines.join("\n"));
}

async function memoryPhase(driver: Driver, sessions: number, warmup: number, diagnostics: MemoryDiagnostics = {}): Promise<MemoryPhaseResult> {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (!gc) throw new Error("the memory phase needs node --expose-gc");
  const settle = async () => {
    await new Promise((r) => setTimeout(r, 200));
    gc();
    gc();
  };
  // Only what the SDK retains is measured: the bench keeps the sessions themselves (not its own
  // wrappers around them) and subscribes one shared no-op handler to each.
  const noop = () => {};
  const keep: object[] = [];
  const open = async () => keep.push((await driver.openSession(noop)).session);
  // Warm-up: first-use code and caches, and most of the code the JIT compiles once sessions are
  // opened in numbers (a one-time cost that would otherwise be divided among the measured sessions).
  const warmupProfiler = diagnostics.warmupProfile ? await startAllocationSampling(false) : undefined;
  for (let i = 0; i < warmup; i++) await open();
  // Let the warm-up sessions' first events arrive (and what they load once, e.g. validators).
  await new Promise((r) => setTimeout(r, 1000));
  await settle();
  if (warmupProfiler) writeFileSync(diagnostics.warmupProfile!, JSON.stringify(await warmupProfiler.stop()));
  // `--trace` reads its figures first and collects its garbage again, so that what it allocates is not in the window.
  const traceBefore = diagnostics.trace ? memoryTrace() : undefined;
  if (traceBefore) {
    await settle();
    // The spaces as at the reading (cheap to read, unlike the mappings).
    traceBefore.spaces = heapSpaces();
  }
  const before = process.memoryUsage();
  if (diagnostics.trace) console.error("--- window start ---");
  if (diagnostics.snapshotDir) writeHeapSnapshot(join(diagnostics.snapshotDir, "before.heapsnapshot"));
  const profiler = diagnostics.allocationProfile ? await startAllocationSampling() : undefined;
  for (let i = 0; i < sessions; i++) await open();
  if (profiler) writeFileSync(diagnostics.allocationProfile!, JSON.stringify(await profiler.stop()));
  await settle();
  if (diagnostics.trace) console.error("--- window end ---");
  const after = process.memoryUsage();
  if (traceBefore) printTrace(traceBefore, memoryTrace(), sessions);
  if (diagnostics.snapshotDir) writeHeapSnapshot(join(diagnostics.snapshotDir, "after.heapsnapshot"));
  if (keep.length !== sessions + warmup) throw new Error("lost a session");
  return { sessions, warmup, heapBeforeBytes: before.heapUsed, heapAfterBytes: after.heapUsed, rssBeforeBytes: before.rss, rssAfterBytes: after.rss };
}

/** Samples every allocation (garbage included) until `stop()`, which returns the profile (Chrome DevTools' `.heapprofile`). */
async function startAllocationSampling(includeGarbage = true): Promise<{ stop(): Promise<unknown> }> {
  const inspector = new InspectorSession();
  inspector.connect();
  const post = (method: string, params?: object) =>
    new Promise<unknown>((resolve, reject) => inspector.post(method, params, (error, result) => (error ? reject(error) : resolve(result))));
  await post("HeapProfiler.enable");
  await post("HeapProfiler.startSampling", {
    samplingInterval: 1024,
    includeObjectsCollectedByMajorGC: includeGarbage,
    includeObjectsCollectedByMinorGC: includeGarbage,
  });
  return {
    async stop() {
      const { profile } = (await post("HeapProfiler.stopSampling")) as { profile: unknown };
      inspector.disconnect();
      return profile;
    },
  };
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const arg = (name: string, fallback?: string) => {
    const i = args.indexOf(name);
    const value = i >= 0 ? args[i + 1] : fallback;
    if (value === undefined) throw new Error(`scale-bench: ${name} is required`);
    return value;
  };
  const sdk = arg("--sdk");
  const phase = arg("--phase");
  const out = arg("--out");
  const sessions = Number(arg("--sessions", "100"));
  const turns = Number(arg("--turns", "5"));
  const samples = Number(arg("--samples", "100"));
  if (phase === "tools") hookSockets();
  const peer = await startPeer();
  const iso = createIsolatedEnvironment();
  const dir = mkdtempSync(join(tmpdir(), "flightdeck-bench-scale-"));
  let driver: Driver | undefined;
  try {
    const proxyPath = join(dir, "runtime-proxy");
    writeFileSync(proxyPath, `#!${process.execPath}\n${STDIO_PROXY}`);
    chmodSync(proxyPath, 0o755);
    const env: Record<string, string> = { ...iso.env, BENCH_REAL_RUNTIME: RUNTIME_PATH, BENCH_SAMPLE_PORT: String(peer.samplePort) };
    if (args.includes("--wire-stats")) env.BENCH_WIRE_STATS = "1";
    const launch: Launch = { proxyPath, env, iso, provider: peer.provider };
    if (sdk === "flightdeck") driver = oursDriver((await import(arg("--ours"))) as typeof Ours, launch);
    else if (sdk === "incumbent") driver = incumbentDriver(await import("@github/copilot-sdk"), launch);
    else throw new Error(`scale-bench: --sdk must be flightdeck or incumbent, got ${sdk}`);
    await driver.start();
    const optional = (name: string) => (args.includes(name) ? arg(name) : undefined);
    const diagnostics = {
      snapshotDir: optional("--heap-snapshots"),
      allocationProfile: optional("--allocation-profile"),
      warmupProfile: optional("--warmup-profile"),
      trace: args.includes("--trace"),
    };
    const warmup = Number(arg("--warmup", String(MEMORY_WARMUP)));
    const result =
      phase === "memory"
        ? await memoryPhase(driver, sessions, warmup, diagnostics)
        : phase === "retained"
          ? await retainedPhase(driver, sessions, warmup)
          : await toolPhase(driver, peer, samples, sessions, turns, args.includes("--wire-stats"));
    writeFileSync(out, JSON.stringify(result));
  } finally {
    await driver?.stop().catch(() => {});
    peer.stop();
    iso.cleanup();
    rmSync(dir, { recursive: true, force: true });
  }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  main().then(
    () => process.exit(0),
    (error: unknown) => {
      console.error(error instanceof Error ? error.stack : error);
      process.exit(1);
    },
  );
}
