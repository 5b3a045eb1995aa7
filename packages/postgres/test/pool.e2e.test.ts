/**
 * The runtime pool end to end: real runtimes (copilot-runtime 1.0.85), a real PostgreSQL, the
 * scripted model. A runtime killed with 10 sessions on it; a frozen runtime caught by the health
 * check; 50 sessions over 3 runtimes with no event reaching the wrong session; a session the
 * runtime dropped after its idle limit resumed transparently.
 */
import { describe, expect, it } from "vitest";
import { CopilotClient, RuntimeConnection } from "@flightdeck/copilot-sdk";
import { createIsolatedEnvironment } from "@flightdeck/copilot-testing";
import { PoolExhaustedError, PostgresSessionStore, RuntimeLostError, RuntimePool, type PooledSession } from "@flightdeck/copilot-postgres";
import { RUNTIME, isAlive, runtimeOptions, usePostgresAndModel } from "./helpers.js";

const shared = usePostgresAndModel(400);
const { cleanups } = shared;

async function makePool(
  runtimes: number,
  options: { maxSessionsPerRuntime?: number; healthCheckIntervalMs?: number; pingTimeoutMs?: number; client?: Record<string, unknown> } = {},
) {
  const errors: unknown[] = [];
  const store = await PostgresSessionStore.open({ connectionString: shared.db.url, onError: (e) => errors.push(e) });
  const { client, ...rest } = options;
  const pool = new RuntimePool({
    store,
    runtimes: Array.from({ length: runtimes }, () => ({ ...runtimeOptions(cleanups), ...client })),
    onError: (e) => errors.push(e),
    ...rest,
  });
  cleanups.push(async () => {
    await pool.stop().catch(() => {});
    await store.close();
  });
  await pool.start();
  return { store, pool, errors };
}

const config = () => ({ model: "gpt-4.1", provider: shared.model.provider() });
const killGroup = (pid: number) => {
  try {
    process.kill(-pid, "SIGKILL");
  } catch {
    process.kill(pid, "SIGKILL");
  }
};
const until = async (what: string, check: () => boolean, timeoutMs = 20_000) => {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
};

describe("RuntimePool", { timeout: 120_000 }, () => {
  it("a runtime killed with 10 sessions on it: their pending calls fail with RuntimeLostError (retryable), the sessions move to the other runtime with their history, and the retried call answers", async () => {
    const { pool } = await makePool(2, { maxSessionsPerRuntime: 20 });
    const sessions: PooledSession[] = [];
    for (let i = 0; i < 20; i++) sessions.push(await pool.createSession(config()));
    expect(pool.runtimes().map((r) => r.sessions)).toEqual([10, 10]);
    await Promise.all(sessions.map(async (s, i) => expect((await s.sendAndWait(`hello ${i}`, { timeoutMs: 60_000 }))?.data.content).toBe(`echo: hello ${i}`)));

    const victims = sessions.filter((s) => s.runtime === 0);
    expect(victims).toHaveLength(10);
    const pid = pool.clientOf(0).runtimePid!;
    const before = shared.model.requests.length;
    const pending = victims.map((s) =>
      s.sendAndWait("slow:4000 doomed", { timeoutMs: 60_000 }).then(
        () => "answered",
        (e: unknown) => e,
      ),
    );
    await shared.model.waitForRequests(before + 10, { timeoutMs: 30_000 });
    killGroup(pid);

    const outcomes = await Promise.all(pending);
    for (const outcome of outcomes) {
      expect(outcome).toBeInstanceOf(RuntimeLostError);
      expect((outcome as RuntimeLostError).retryable).toBe(true);
      expect((outcome as Error).message).toContain("runtime #0 of the pool was lost");
    }
    expect(isAlive(pid)).toBe(false);
    // Moved to runtime #1 (resumed from the store), and the retried call answers there.
    await until("the sessions to move", () => victims.every((s) => s.runtime === 1));
    await Promise.all(
      victims.map(async (s) => {
        expect((await s.sendAndWait(`retry ${s.sessionId}`, { timeoutMs: 60_000 }))?.data.content).toBe(`echo: retry ${s.sessionId}`);
        const texts = (await s.getEvents()).filter((e) => e.type === "user.message").map((e) => String((e.data as { content: string }).content));
        expect(texts.some((t) => t.includes("hello "))).toBe(true);
      }),
    );
    // The dead runtime is replaced.
    await until("runtime #0 to be replaced", () => pool.runtimes()[0]!.healthy);
    expect(pool.runtimes()[0]!.failures).toBe(1);
    expect(pool.clientOf(0).runtimePid).not.toBe(pid);
  });

  it("a session that never got a message survives its runtime's death too (reopened under its id elsewhere)", async () => {
    const { pool } = await makePool(2);
    const a = await pool.createSession(config());
    const b = await pool.createSession(config());
    const orphan = [a, b].find((s) => s.runtime === 0)!;
    killGroup(pool.clientOf(0).runtimePid!);
    await until("the session to move", () => orphan.runtime === 1);
    expect((await orphan.sendAndWait("first words", { timeoutMs: 30_000 }))?.data.content).toBe("echo: first words");
    const texts = (await orphan.getEvents()).filter((e) => e.type === "user.message").map((e) => String((e.data as { content: string }).content));
    expect(texts.at(-1)).toContain("first words");
  });

  it("health check: a frozen runtime (SIGSTOP) misses its ping deadline, is replaced, and its session moves; the pending call fails with RuntimeLostError", async () => {
    const { pool, errors } = await makePool(2, { healthCheckIntervalMs: 300, pingTimeoutMs: 500 });
    const a = await pool.createSession(config());
    const b = await pool.createSession(config());
    for (const s of [a, b]) expect((await s.sendAndWait("warm up", { timeoutMs: 30_000 }))?.data.content).toBe("echo: warm up");
    const frozen = [a, b].find((s) => s.runtime === 0)!;
    const pid = pool.clientOf(0).runtimePid!;
    process.kill(pid, "SIGSTOP");
    cleanups.push(() => {
      try {
        process.kill(pid, "SIGKILL");
      } catch {
        // gone
      }
    });
    const outcome = await frozen.sendAndWait("stuck", { timeoutMs: 30_000 }).catch((e: unknown) => e);
    expect(outcome).toBeInstanceOf(RuntimeLostError);
    await until("the session to move", () => frozen.runtime === 1).catch((e: unknown) => {
      throw new Error(`${(e as Error).message}; pool errors: ${errors.map((x) => (x as Error).message).join(" | ")}`);
    });
    expect((await frozen.sendAndWait("unstuck", { timeoutMs: 30_000 }))?.data.content).toBe("echo: unstuck");
  });

  it("50 sessions across 3 runtimes, turns in parallel: every session sees its own events and no other's", async () => {
    const { pool } = await makePool(3, { maxSessionsPerRuntime: 17 });
    const sessions: PooledSession[] = [];
    for (let i = 0; i < 50; i++) sessions.push(await pool.createSession(config()));
    expect(
      pool
        .runtimes()
        .map((r) => r.sessions)
        .sort(),
    ).toEqual([16, 17, 17]);
    // One seat left (3 × 17 = 51), then the pool is full.
    const last = await pool.createSession(config());
    await expect(pool.createSession(config())).rejects.toBeInstanceOf(PoolExhaustedError);
    await last.disconnect();
    const seen = new Map<string, string[]>();
    for (const s of sessions) {
      const mine: string[] = [];
      seen.set(s.sessionId, mine);
      s.on("user.message", (e) => void mine.push(e.data.content));
      s.on("assistant.message", (e) => void mine.push(e.data.content));
    }
    const replies = await Promise.all(sessions.map((s, i) => s.sendAndWait(`token-${i}-${s.sessionId}`, { timeoutMs: 90_000 })));
    for (const [i, s] of sessions.entries()) {
      const token = `token-${i}-${s.sessionId}`;
      expect(replies[i]?.data.content).toBe(`echo: ${token}`);
      const mine = seen.get(s.sessionId)!;
      expect(mine.length).toBeGreaterThanOrEqual(2);
      for (const text of mine) expect(text).toContain(token);
    }
  });

  it("runtimes reached over TCP (started elsewhere) serve pooled sessions like spawned ones", async () => {
    // A runtime started by another client on a TCP port, as one would run on another machine.
    const iso = createIsolatedEnvironment();
    const owner = new CopilotClient({
      connection: RuntimeConnection.forTcp({ path: RUNTIME.path, args: RUNTIME.args }),
      env: { ...iso.env },
      workingDirectory: iso.workingDirectory,
      useLoggedInUser: false,
    });
    cleanups.push(async () => {
      await owner.forceStop();
      iso.cleanup();
    });
    await owner.start();
    const remote = { connection: RuntimeConnection.forUri(`127.0.0.1:${owner.runtimePort}`, { connectionToken: owner.connectionToken! }) };
    const errors: unknown[] = [];
    const store = await PostgresSessionStore.open({ connectionString: shared.db.url, onError: (e) => errors.push(e) });
    const pool = new RuntimePool({ store, runtimes: [remote, runtimeOptions(cleanups)], onError: (e) => errors.push(e) });
    cleanups.push(async () => {
      await pool.stop().catch(() => {});
      await store.close();
    });
    const sessions = [await pool.createSession(config()), await pool.createSession(config())];
    expect(sessions.map((s) => s.runtime).sort()).toEqual([0, 1]);
    for (const s of sessions) expect((await s.sendAndWait(`over ${s.runtime}`, { timeoutMs: 30_000 }))?.data.content).toBe(`echo: over ${s.runtime}`);
    expect(pool.runtimes()[0]!.pid).toBeUndefined(); // not spawned by the pool
  });

  it("bad pool options fail at construction, naming the option", async () => {
    const store = new PostgresSessionStore({ connectionString: shared.db.url, onError: () => {} });
    cleanups.push(() => store.close());
    expect(() => new RuntimePool({ store, runtimes: 0 })).toThrow(/runtimes: 0 is not a whole number ≥ 1/);
    expect(() => new RuntimePool({ store, runtimes: 1, maxSessionsPerRuntime: 0 })).toThrow(/maxSessionsPerRuntime: 0 is not a whole number ≥ 1/);
    expect(() => new RuntimePool({ store, runtimes: 1, pingTimeoutMs: -1 })).toThrow(/pingTimeoutMs: -1 is not a duration/);
    expect(() => new RuntimePool({ store: {} as never, runtimes: 1 })).toThrow(/store: required, a PostgresSessionStore/);
  });

  it("a session dropped by the runtime after its idle limit is resumed transparently on the next call", async () => {
    const { pool } = await makePool(1, { client: { sessionIdleTimeoutSeconds: 1 } });
    const s = await pool.createSession(config());
    expect((await s.sendAndWait("before idling", { timeoutMs: 30_000 }))?.data.content).toBe("echo: before idling");
    const first = s.session;
    // Wait past the runtime's idle limit (it checks periodically).
    await new Promise((r) => setTimeout(r, 4_000));
    expect((await s.sendAndWait("after idling", { timeoutMs: 30_000 }))?.data.content).toBe("echo: after idling");
    const texts = (await s.getEvents()).filter((e) => e.type === "user.message").map((e) => String((e.data as { content: string }).content));
    expect(texts.filter((t) => t.includes("idling"))).toHaveLength(2);
    // The runtime had dropped it ("Session not found"): the call resumed it and retried.
    expect(s.session).not.toBe(first);
  });
});
