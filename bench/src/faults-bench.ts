/**
 * Reliability under faults, Flightdeck side by side with `@github/copilot-sdk` 1.0.14, on the same
 * runtime binary (copilot-runtime 1.0.85) and the same faults:
 *   - how long a pending call takes to settle after the runtime is killed (SIGKILL), frozen
 *     (SIGSTOP) and after its TCP connection is closed on the server side;
 *   - how long stop() takes with a frozen runtime and a session open;
 *   - processes left after forceStop() while the agent runs a shell command (`sleep` via `bash`);
 *   - how many times a runtime that dies right after its handshake is restarted in 5 s.
 * Every wait is capped (CAP_MS); a cap reached is reported as "never (> cap)".
 *
 *   pnpm exec tsx bench/src/faults-bench.ts [--out bench/results/faults-latest]
 *
 * Flightdeck is loaded from source (tsx maps @flightdeck/* to src/): these are behaviours, not
 * speed figures. Everything the bench starts is killed before it exits.
 */
import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { createServer, connect as netConnect, type Socket } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import * as Ours from "@flightdeck/copilot-sdk";
import * as Incumbent from "@github/copilot-sdk";
import { createIsolatedEnvironment, startScriptedModel, type IsolatedEnvironment } from "../../packages/testing/src/index.js";

const repo = fileURLToPath(new URL("../../", import.meta.url));
const RUNTIME_PATH = `${repo}node_modules/@github/copilot-sdk-linux-x64/prebuilds/linux-x64/copilot-runtime`;
const FAKE_RUNTIME = `${repo}packages/client/test/faults/fake-runtime.mjs`;
const CAP_MS = 15_000;
/** Flightdeck's deadline for requests in this bench (its default is 60 s; the incumbent has none). */
const OUR_REQUEST_TIMEOUT_MS = 5_000;

type SdkName = "flightdeck" | "incumbent";
const SDKS: SdkName[] = ["flightdeck", "incumbent"];

interface AnyClient {
  start(): Promise<void>;
  stop(): Promise<unknown>;
  forceStop(): Promise<unknown>;
  ping(message?: string): Promise<unknown>;
  createSession(config: Record<string, unknown>): Promise<{ send(arg: unknown): Promise<unknown> }>;
}

const started = new Set<number>(); // every runtime pid the bench saw, killed at the end
const isos: IsolatedEnvironment[] = [];

function makeClient(
  sdk: SdkName,
  connection: { kind: "stdio"; path?: string; env?: Record<string, string> } | { kind: "uri"; url: string; token: string },
  extra: Record<string, unknown> = {},
): AnyClient {
  const iso = createIsolatedEnvironment();
  isos.push(iso);
  const lib = sdk === "flightdeck" ? Ours : Incumbent;
  const conn =
    connection.kind === "uri"
      ? lib.RuntimeConnection.forUri(connection.url, { connectionToken: connection.token })
      : lib.RuntimeConnection.forStdio({ path: connection.path ?? RUNTIME_PATH, args: [] });
  const processOptions =
    connection.kind === "uri" ? {} : { env: { ...iso.env, ...(connection.env ?? {}) }, workingDirectory: iso.workingDirectory, useLoggedInUser: false };
  const ours = sdk === "flightdeck" ? { onError: () => {}, requestTimeoutMs: OUR_REQUEST_TIMEOUT_MS } : {};
  const Client = lib.CopilotClient as unknown as new (options: Record<string, unknown>) => AnyClient;
  return new Client({ connection: conn, ...processOptions, ...ours, ...extra });
}

// ---- /proc helpers ----

interface Proc {
  pid: number;
  ppid: number;
  state: string;
  cmd: string;
}

function procs(): Proc[] {
  const out: Proc[] = [];
  for (const name of readdirSync("/proc")) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, "latin1");
      const [state, ppid] = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      const cmd = readFileSync(`/proc/${name}/cmdline`, "latin1").replace(/\0/g, " ").trim();
      out.push({ pid: Number(name), ppid: Number(ppid), state: state ?? "?", cmd });
    } catch {
      // ended while we looked
    }
  }
  return out;
}

const live = (p: Proc) => p.state !== "Z" && p.state !== "X";

/** Runtime processes that are children of this process (both SDKs spawn the runtime directly). */
function runtimeChildren(): number[] {
  return procs()
    .filter((p) => p.ppid === process.pid && live(p) && (p.cmd.includes("copilot-runtime") || p.cmd.includes("fake-runtime")))
    .map((p) => p.pid);
}

/** Starts the client and returns the pid of the runtime it spawned. */
async function startAndFindRuntime(client: AnyClient): Promise<number> {
  const before = new Set(runtimeChildren());
  await client.start();
  const pid = runtimeChildren().find((p) => !before.has(p));
  if (pid === undefined) throw new Error("could not find the runtime process the client started");
  started.add(pid);
  return pid;
}

function descendants(pid: number): number[] {
  const table = procs();
  const tree = [pid];
  for (let i = 0; i < tree.length; i++) for (const p of table) if (p.ppid === tree[i] && live(p)) tree.push(p.pid);
  return tree.filter((p) => table.some((q) => q.pid === p && live(q)));
}

function sleepers(marker: string): number[] {
  return procs()
    .filter((p) => live(p) && p.cmd === `sleep ${marker}`)
    .map((p) => p.pid);
}

function killQuietly(pids: Iterable<number>): void {
  for (const pid of pids) {
    try {
      process.kill(pid, "SIGCONT");
      process.kill(pid, "SIGKILL");
    } catch {
      // gone
    }
  }
}

const delay = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Milliseconds until `promise` settles, or undefined when the cap is reached first. */
async function settleTime(promise: Promise<unknown>, since = performance.now()): Promise<number | undefined> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const outcome = await Promise.race([
    promise.then(
      () => "settled",
      () => "settled",
    ),
    new Promise<"cap">((resolve) => (timer = setTimeout(() => resolve("cap"), CAP_MS))),
  ]);
  clearTimeout(timer);
  return outcome === "cap" ? undefined : performance.now() - since;
}

async function withTimeout<T>(promise: Promise<T>, ms = CAP_MS): Promise<T | undefined> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const result = await Promise.race([promise.catch(() => undefined), new Promise<undefined>((resolve) => (timer = setTimeout(() => resolve(undefined), ms)))]);
  clearTimeout(timer);
  return result;
}

// ---- the faults ----

async function pendingAfterKill(sdk: SdkName): Promise<number | undefined> {
  const client = makeClient(sdk, { kind: "stdio" });
  const pid = await startAndFindRuntime(client);
  process.kill(pid, "SIGSTOP"); // so the call is certainly pending
  const pending = client.ping();
  await delay(50);
  const t0 = performance.now();
  process.kill(pid, "SIGKILL");
  const ms = await settleTime(pending, t0);
  await withTimeout(client.forceStop(), 3_000);
  return ms;
}

async function pendingAfterFreeze(sdk: SdkName): Promise<number | undefined> {
  const client = makeClient(sdk, { kind: "stdio" });
  const pid = await startAndFindRuntime(client);
  process.kill(pid, "SIGSTOP");
  const ms = await settleTime(client.ping());
  killQuietly(descendants(pid));
  await withTimeout(client.forceStop(), 3_000);
  return ms;
}

async function tcpRuntime(): Promise<{ port: number; token: string; pid: number }> {
  const iso = createIsolatedEnvironment();
  isos.push(iso);
  const token = "bench-token-1234";
  const child = spawn(RUNTIME_PATH, ["--headless", "--no-auto-update", "--no-auto-login", "--port", "0"], {
    env: { ...iso.env, COPILOT_CONNECTION_TOKEN: token },
    cwd: iso.workingDirectory,
    stdio: ["ignore", "pipe", "ignore"],
  });
  started.add(child.pid!);
  const port = await new Promise<number>((resolve, reject) => {
    let out = "";
    child.stdout.on("data", (d: Buffer) => {
      out += d.toString();
      const m = /listening on port (\d+)/i.exec(out);
      if (m) resolve(Number(m[1]));
    });
    child.once("exit", () => reject(new Error(`the runtime exited: ${out}`)));
  });
  return { port, token, pid: child.pid! };
}

async function pendingAfterSocketClose(sdk: SdkName): Promise<number | undefined> {
  const runtime = await tcpRuntime();
  const sockets = new Set<Socket>();
  const server = createServer((down) => {
    const up = netConnect({ host: "127.0.0.1", port: runtime.port });
    for (const s of [down, up]) {
      sockets.add(s);
      s.on("error", () => {});
      s.on("close", () => sockets.delete(s));
    }
    down.pipe(up);
    up.pipe(down);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const proxyPort = (server.address() as { port: number }).port;
  const client = makeClient(sdk, { kind: "uri", url: `127.0.0.1:${proxyPort}`, token: runtime.token });
  await client.start();
  const t0 = performance.now();
  const pending = client.ping();
  for (const s of sockets) s.destroy();
  const ms = await settleTime(pending, t0);
  await withTimeout(client.forceStop(), 3_000);
  await new Promise<void>((resolve) => server.close(() => resolve()));
  killQuietly([runtime.pid]);
  return ms;
}

async function stopWithFrozenRuntime(sdk: SdkName, providerBaseUrl: string): Promise<{ ms: number | undefined; left: number }> {
  const client = makeClient(sdk, { kind: "stdio" });
  const pid = await startAndFindRuntime(client);
  await client.createSession({
    model: "gpt-4.1",
    provider: { type: "openai", baseUrl: providerBaseUrl, apiKey: "bench" },
    onPermissionRequest: sdk === "flightdeck" ? Ours.approveAll : Incumbent.approveAll,
  });
  const tree = descendants(pid);
  process.kill(pid, "SIGSTOP");
  const ms = await settleTime(client.stop());
  await delay(200);
  const left = tree.filter((p) => procs().some((q) => q.pid === p && live(q))).length;
  killQuietly(tree);
  await withTimeout(client.forceStop(), 3_000);
  return { ms, left };
}

async function leftAfterForceStopWithShell(sdk: SdkName, round: number): Promise<number> {
  const model = await startScriptedModel({ script: [] });
  const marker = `${300 + round}.${sdk === "flightdeck" ? 1 : 2}`;
  model.push({ toolCalls: [{ name: "bash", arguments: { command: `sleep ${marker}`, description: "wait" } }] }, { text: "done" });
  const client = makeClient(sdk, { kind: "stdio" });
  const pid = await startAndFindRuntime(client);
  const session = await client.createSession({
    model: "gpt-4.1",
    provider: model.provider(),
    onPermissionRequest: sdk === "flightdeck" ? Ours.approveAll : Incumbent.approveAll,
  });
  void session.send({ prompt: "sleep" }).catch(() => {});
  for (let i = 0; i < 300 && sleepers(marker).length === 0; i++) await delay(50);
  if (sleepers(marker).length === 0) throw new Error(`${sdk}: the agent's shell command never started`);
  const tree = descendants(pid);
  await withTimeout(client.forceStop(), 5_000);
  await delay(500);
  const left = new Set([...sleepers(marker), ...tree.filter((p) => procs().some((q) => q.pid === p && live(q)))]);
  killQuietly(left);
  await model.close();
  return left.size;
}

async function restartsInCrashLoop(sdk: SdkName): Promise<number> {
  const dir = mkdtempSync(join(tmpdir(), "fd-faults-bench-"));
  try {
    const count = join(dir, "starts");
    writeFileSync(count, "");
    const client = makeClient(sdk, { kind: "stdio", path: FAKE_RUNTIME, env: { FAKE_CRASH_AFTER_HANDSHAKE: "0", FAKE_COUNT: count } }, { autoRestart: true });
    await client.start().catch(() => {});
    await delay(5_000);
    const starts = readFileSync(count, "utf8").split("\n").filter(Boolean);
    await withTimeout(client.forceStop(), 3_000);
    killQuietly(starts.map(Number));
    return Math.max(0, starts.length - 1);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

// ---- run ----

const fmt = (ms: number | undefined) =>
  ms === undefined ? `never (> ${CAP_MS / 1000} s)` : ms < 1000 ? `${ms.toFixed(ms < 10 ? 1 : 0)} ms` : `${(ms / 1000).toFixed(2)} s`;

/** Errors thrown outside any call (the bench keeps going and reports them). */
const uncaught: string[] = [];
let currentStep = "";

async function main(): Promise<void> {
  process.on("uncaughtException", (error) => void uncaught.push(`${currentStep}: uncaught ${error.name}: ${error.message}`));
  process.on(
    "unhandledRejection",
    (error) => void uncaught.push(`${currentStep}: unhandled rejection: ${error instanceof Error ? error.message : String(error)}`),
  );
  const outIndex = process.argv.indexOf("--out");
  const out = outIndex > 0 ? process.argv[outIndex + 1] : join(repo, "bench/results/faults-latest");
  const model = await startScriptedModel({ script: [] });
  const results: Record<string, Record<SdkName, string>> = {};
  const raw: Record<string, Record<SdkName, unknown>> = {};
  const record = (row: string, sdk: SdkName, text: string, value: unknown) => {
    (results[row] ??= {} as Record<SdkName, string>)[sdk] = text;
    (raw[row] ??= {} as Record<SdkName, unknown>)[sdk] = value;
    console.log(`${row} | ${sdk} | ${text}`);
  };
  try {
    for (const sdk of SDKS) {
      currentStep = `${sdk}`;
      const kills = [await pendingAfterKill(sdk), await pendingAfterKill(sdk), await pendingAfterKill(sdk)];
      const worst = kills.some((k) => k === undefined) ? undefined : Math.max(...(kills as number[]));
      record("pending call settles after the runtime is killed (SIGKILL; worst of 3)", sdk, fmt(worst), kills);
      const freeze = await pendingAfterFreeze(sdk);
      record(
        `pending call settles after the runtime is frozen (SIGSTOP)${sdk === "flightdeck" ? "" : ""}`,
        sdk,
        sdk === "flightdeck" ? `${fmt(freeze)} (requestTimeoutMs ${OUR_REQUEST_TIMEOUT_MS / 1000} s; default 60 s)` : fmt(freeze),
        freeze,
      );
      const close = await pendingAfterSocketClose(sdk);
      record("pending call settles after a server-side TCP close", sdk, fmt(close), close);
      const stop = await stopWithFrozenRuntime(sdk, model.provider().baseUrl as string);
      record("stop() with a frozen runtime and a session open", sdk, `${fmt(stop.ms)}, ${stop.left} process(es) left`, stop);
      const left = [await leftAfterForceStopWithShell(sdk, 1), await leftAfterForceStopWithShell(sdk, 2)];
      record("processes left after forceStop() with the agent running `sleep` (2 rounds)", sdk, String(left.reduce((a, b) => a + b, 0)), left);
      const restarts = await restartsInCrashLoop(sdk);
      record("restart attempts in 5 s of a crash loop (autoRestart on)", sdk, String(restarts), restarts);
    }
  } finally {
    await model.close();
    killQuietly(started);
    for (const iso of isos) iso.cleanup();
  }
  const lines = [
    `Faults bench (bench/src/faults-bench.ts), runtime copilot-runtime 1.0.85, Node ${process.version}, cap ${CAP_MS / 1000} s.`,
    "",
    "| fault | Flightdeck | @github/copilot-sdk 1.0.14 |",
    "|---|---|---|",
    ...Object.entries(results).map(([row, r]) => `| ${row} | ${r.flightdeck} | ${r.incumbent} |`),
    ...(uncaught.length > 0 ? ["", "Errors thrown outside any call during the run:", "", ...uncaught.map((u) => `- ${u}`)] : []),
  ];
  console.log(`\n${lines.join("\n")}`);
  writeFileSync(`${out}.md`, `${lines.join("\n")}\n`);
  writeFileSync(`${out}.json`, `${JSON.stringify({ node: process.version, capMs: CAP_MS, results: raw, uncaught }, null, 2)}\n`);
}

await main();
// The incumbent may leave handles (timers, sockets) behind after a fault: do not wait on them.
process.exit(0);
