/**
 * `pnpm exec tsx bench/src/postgres-bench.ts [--quick] [--only=resume,takeover,events,capacity]`: figures of @flightdeck/copilot-postgres on
 * real parts (a throw-away PostgreSQL from the machine's installation, copilot-runtime 1.0.85, the
 * scripted model). Not part of `pnpm bench`. Writes bench/results/postgres.json and prints a table.
 *
 * 1. resume latency of a session with 100 turns of history, PostgreSQL vs DirectorySessionFs
 * 2. takeover time after a host dies (SIGKILL), for two lease TTLs
 * 3. events/s written to the store (the provider's appendFile, one session and 16 at once)
 * 4. sessions per runtime before the turn latency doubles
 */
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import { CopilotClient, DirectorySessionFs, RuntimeConnection, type CopilotClientOptions, type SessionFsOptions } from "@flightdeck/copilot-client";
import { PostgresSessionStore, RuntimePool, migrate } from "@flightdeck/copilot-postgres";
import {
  createIsolatedEnvironment,
  lastUserText,
  resolveTestRuntimes,
  startScriptedModel,
  startTestPostgres,
  type ScriptedTurn,
} from "@flightdeck/copilot-testing";

const quick = process.argv.includes("--quick");
// `--only resume,takeover,events,capacity` runs some sections.
const onlyArg = process.argv.find((a) => a.startsWith("--only="))?.slice("--only=".length);
const run = (section: string) => onlyArg === undefined || onlyArg.split(",").includes(section);
const runtime = resolveTestRuntimes()[0]!;
const cleanups: Array<() => unknown> = [];
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const round = (x: number, d = 1) => Math.round(x * 10 ** d) / 10 ** d;
const echo: ScriptedTurn = (request) => {
  const text = (lastUserText(request) ?? "").replace(/<current_datetime>.*?<\/current_datetime>\s*/s, "").trim();
  return { text: `echo: ${text}` };
};

function clientOptions(sessionFs: SessionFsOptions): CopilotClientOptions {
  const iso = createIsolatedEnvironment();
  cleanups.push(() => iso.cleanup());
  return {
    connection: RuntimeConnection.forStdio({ path: runtime.path, args: runtime.args }),
    env: { ...iso.env },
    workingDirectory: iso.workingDirectory,
    useLoggedInUser: false,
    sessionFs,
    onError: () => {},
  };
}

const db = await startTestPostgres();
cleanups.push(() => db.cleanup());
const model = await startScriptedModel({ script: Array.from({ length: 20_000 }, () => echo) });
cleanups.push(() => model.close());
await migrate({ connectionString: db.url });
const provider = model.provider();
const os = await import("node:os");
const results: Record<string, unknown> = {
  machine: { cores: os.cpus().length, node: process.version, runtime: runtime.version, loadAverageBefore: os.loadavg()[0] },
  quick,
};

try {
  // ---- 1. resume latency, 100 turns of history ----
  const turns = quick ? 20 : 100;
  const resumes = quick ? 5 : 15;
  const store = await PostgresSessionStore.open({ connectionString: db.url, hostId: "bench", onError: () => {} });
  cleanups.unshift(() => store.close());
  const dir = mkdtempSync(join(tmpdir(), "flightdeck-bench-dir-"));
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  const resume: Record<string, unknown> = { turns, resumes };
  if (run("resume"))
    for (const [name, sessionFs] of [
      ["postgres", store.sessionFsOptions()],
      ["directory", { provider: new DirectorySessionFs(dir) }],
    ] as const) {
      const writer = new CopilotClient(clientOptions(sessionFs));
      const session = await writer.createSession({ model: "gpt-4.1", provider });
      const turnStart = performance.now();
      for (let i = 0; i < turns; i++) await session.sendAndWait(`turn ${i} ${"lorem ipsum ".repeat(20)}`, { timeoutMs: 30_000 });
      const turnMs = (performance.now() - turnStart) / turns;
      await session.disconnect();
      await writer.stop();
      // Resume on a fresh runtime each time (another host, cold), then again on the same runtime (warm).
      const cold: number[] = [];
      const warm: number[] = [];
      let events = 0;
      for (let i = 0; i < resumes; i++) {
        const reader = new CopilotClient(clientOptions(sessionFs));
        await reader.start();
        let t = performance.now();
        const s = await reader.resumeSession(session.sessionId, { provider });
        cold.push(performance.now() - t);
        events = (await s.getEvents()).length;
        await s.disconnect();
        t = performance.now();
        const again = await reader.resumeSession(session.sessionId, { provider });
        warm.push(performance.now() - t);
        await again.disconnect();
        await reader.stop();
      }
      resume[name] = { coldMedianMs: round(median(cold)), warmMedianMs: round(median(warm)), events, turnMs: round(turnMs) };
      console.log(
        `resume (${name}): ${turns} turns (${events} events) cold ${round(median(cold))} ms, warm ${round(median(warm))} ms; a turn while writing ${round(turnMs)} ms`,
      );
    }
  if (run("resume")) results.resume = resume;

  // ---- 2. takeover after a host dies ----
  const fixture = fileURLToPath(new URL("../../packages/postgres/test/fixtures/host.ts", import.meta.url));
  const takeover: Record<string, number> = {};
  for (const ttl of run("takeover") ? [1_000, 3_000] : []) {
    const isoParent = mkdtempSync(join(tmpdir(), "flightdeck-bench-host-"));
    const child = spawn(process.execPath, ["--import", "tsx", fixture], {
      cwd: fileURLToPath(new URL("../../packages/postgres/", import.meta.url)),
      env: {
        PATH: process.env.PATH ?? "",
        HOME: isoParent,
        ISO_PARENT: isoParent,
        DATABASE_URL: db.url,
        HOST_ID: `dying-${ttl}`,
        LEASE_TTL_MS: String(ttl),
        PROVIDER: JSON.stringify(provider),
      },
      detached: true,
      stdio: ["pipe", "pipe", "inherit"],
    });
    const lines = createInterface({ input: child.stdout! })[Symbol.asyncIterator]();
    const next = async () => JSON.parse((await lines.next()).value as string) as Record<string, unknown>;
    await next();
    child.stdin!.write(`${JSON.stringify({ op: "create" })}\n`);
    const sessionId = (await next()).sessionId as string;
    child.stdin!.write(`${JSON.stringify({ op: "send", sessionId, text: "hello" })}\n`);
    await next();
    const b = await PostgresSessionStore.open({ connectionString: db.url, hostId: `taker-${ttl}`, leaseTtlMs: ttl, onError: () => {} });
    const pool = new RuntimePool({ store: b, runtimes: [clientOptions(b.sessionFsOptions())], onError: () => {} });
    await pool.start();
    process.kill(-child.pid!, "SIGKILL");
    const killed = performance.now();
    const s = await pool.resumeSession(sessionId, { model: "gpt-4.1", provider }, { waitMs: ttl * 3 });
    const tookOver = performance.now() - killed;
    await s.sendAndWait("after", { timeoutMs: 30_000 });
    takeover[`ttl${ttl}Ms`] = round(tookOver);
    console.log(`takeover: lease TTL ${ttl} ms → session resumed on the other host ${round(tookOver)} ms after the SIGKILL`);
    await pool.stop();
    await b.close();
    rmSync(isoParent, { recursive: true, force: true });
  }
  if (run("takeover")) results.takeover = takeover;

  // ---- 3. events/s written to the store ----
  const event = JSON.stringify({
    type: "assistant.message",
    data: { messageId: "m", content: "x".repeat(400) },
    id: "00000000-0000-0000-0000-000000000000",
    timestamp: new Date().toISOString(),
    parentId: null,
  });
  const appends = quick ? 500 : 3_000;
  const ctx = (sessionId: string) => ({ sessionId, signal: new AbortController().signal });
  if (run("events")) {
    for (let i = 0; i < 200; i++) await store.sessionFs.appendFile("/session-state/events.jsonl", `${event}\n`, {}, ctx("bench-warm"));
    let t = performance.now();
    for (let i = 0; i < appends; i++) await store.sessionFs.appendFile("/session-state/events.jsonl", `${event}\n`, {}, ctx("bench-seq"));
    const sequential = appends / ((performance.now() - t) / 1000);
    await store.acquireLease("bench-seq"); // fenced writes: the lease check is part of every write
    t = performance.now();
    for (let i = 0; i < appends; i++) await store.sessionFs.appendFile("/session-state/events.jsonl", `${event}\n`, {}, ctx("bench-seq"));
    const sequentialLeased = appends / ((performance.now() - t) / 1000);
    t = performance.now();
    await Promise.all(
      Array.from({ length: 16 }, async (_, s) => {
        for (let i = 0; i < appends / 16; i++) await store.sessionFs.appendFile("/session-state/events.jsonl", `${event}\n`, {}, ctx(`bench-par-${s}`));
      }),
    );
    const parallel = appends / ((performance.now() - t) / 1000);
    results.eventsPerSecond = {
      eventBytes: event.length + 1,
      oneSession: Math.round(sequential),
      oneSessionLeased: Math.round(sequentialLeased),
      sixteenSessions: Math.round(parallel),
    };
    console.log(
      `events/s to the store (${event.length + 1} B each): one session ${Math.round(sequential)}/s (${Math.round(sequentialLeased)}/s under a lease), 16 sessions at once ${Math.round(parallel)}/s`,
    );
  }

  // ---- 4. sessions per runtime before latency doubles ----
  if (run("capacity")) {
    const pool = new RuntimePool({ store, runtimes: [clientOptions(store.sessionFsOptions())], maxSessionsPerRuntime: 256, onError: () => {} });
    await pool.start();
    const levels = quick ? [1, 4, 16] : [1, 2, 4, 8, 16, 32, 64];
    const latency: Array<{ sessions: number; medianTurnMs: number }> = [];
    const open = [];
    for (const n of levels) {
      while (open.length < n) {
        const s = await pool.createSession({ model: "gpt-4.1", provider });
        await s.sendAndWait("warm up", { timeoutMs: 60_000 });
        open.push(s);
      }
      const samples: number[] = [];
      for (let round_ = 0; round_ < 3; round_++) {
        samples.push(
          ...(await Promise.all(
            open.map(async (s, i) => {
              const start = performance.now();
              await s.sendAndWait(`load ${n} ${i}`, { timeoutMs: 120_000 });
              return performance.now() - start;
            }),
          )),
        );
      }
      latency.push({ sessions: n, medianTurnMs: round(median(samples)) });
      console.log(`one runtime, ${n} sessions with a turn in flight each: median turn ${round(median(samples))} ms`);
    }
    await pool.stop();
    const base = latency[0]!.medianTurnMs;
    const doubled = latency.find((l) => l.medianTurnMs >= 2 * base);
    results.sessionsPerRuntime = { latency, doublesAt: doubled?.sessions ?? null };
    console.log(
      doubled
        ? `turn latency doubles at ${doubled.sessions} concurrent sessions on one runtime`
        : `turn latency did not double up to ${levels.at(-1)} sessions`,
    );
  }
} finally {
  for (const c of cleanups.reverse()) await c();
}

(results.machine as Record<string, unknown>).loadAverageAfter = os.loadavg()[0];
const out = fileURLToPath(new URL(onlyArg === undefined ? "../results/postgres.json" : "../results/postgres-partial.json", import.meta.url));
writeFileSync(out, `${JSON.stringify(results, null, 2)}\n`);
console.log(`written: ${out.slice(out.indexOf("bench/"))}`);
