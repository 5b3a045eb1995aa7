/**
 * End to end, real parts only: a PostgreSQL server started here, real runtimes (copilot-runtime
 * 1.0.85) answering with the scripted model. Several hosts share the store: a session resumed on
 * another host with its history; a host SIGKILLed mid-turn and its sessions taken over; the
 * database restarted mid-session.
 */
import { describe, expect, it } from "vitest";
import pg from "pg";
import { LeaseLostError, PostgresSessionStore, PostgresStoreError, RuntimePool, SessionLeasedError } from "@flightdeck/copilot-postgres";
import { isAlive, runtimeOptions, startHostProcess, usePostgresAndModel } from "./helpers.js";

const shared = usePostgresAndModel(200);
const { cleanups } = shared;

/** A host in this process: its own store handle (host id) and a pool of one runtime. */
async function host(hostId: string, options: { leaseTtlMs?: number; retryWindowMs?: number } = {}) {
  const errors: unknown[] = [];
  const store = await PostgresSessionStore.open({
    connectionString: shared.db.url,
    hostId,
    leaseTtlMs: options.leaseTtlMs ?? 3_000,
    retryWindowMs: options.retryWindowMs ?? 10_000,
    onError: (e) => errors.push(e),
  });
  const pool = new RuntimePool({ store, runtimes: [runtimeOptions(cleanups)], onError: (e) => errors.push(e) });
  cleanups.push(async () => {
    await pool.stop().catch(() => {});
    await store.close();
  });
  return { store, pool, errors };
}

const userTexts = (events: Array<{ type: string; data?: unknown }>) =>
  events
    .filter((e) => e.type === "user.message")
    .map((e) =>
      String((e.data as { content: string }).content)
        .replace(/<current_datetime>.*?<\/current_datetime>\s*/s, "")
        .trim(),
    );

describe("hosts sharing one PostgreSQL store", { timeout: 90_000 }, () => {
  it("a session created and used on host A is resumed on host B with its full history, and its next turn answers; A is refused while B drives it", async () => {
    const a = await host("host-a");
    const b = await host("host-b");
    const provider = shared.model.provider();
    const s = await a.pool.createSession({ model: "gpt-4.1", provider });
    expect((await s.sendAndWait("first", { timeoutMs: 30_000 }))?.data.content).toBe("echo: first");
    expect((await s.sendAndWait("second", { timeoutMs: 30_000 }))?.data.content).toBe("echo: second");
    await s.disconnect(); // releases the lease

    const onB = await b.pool.resumeSession(s.sessionId, { model: "gpt-4.1", provider });
    expect(userTexts(await onB.getEvents())).toEqual(["first", "second"]);
    const before = shared.model.requests.length;
    expect((await onB.sendAndWait("third", { timeoutMs: 30_000 }))?.data.content).toBe("echo: third");
    // The model saw the whole conversation, replayed by B's runtime from the store.
    const seen = JSON.stringify(shared.model.requests[before]!.body);
    expect(seen).toContain("echo: first");
    expect(seen).toContain("echo: second");

    const refused = await a.pool.resumeSession(s.sessionId, { model: "gpt-4.1", provider }).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(SessionLeasedError);
    expect((refused as SessionLeasedError).holder).toBe("host-b");
    expect((refused as Error).message).toContain('is driven by host "host-b" until');
    // The store lists it, held by B.
    const listed = (await a.store.listSessions()).find((x) => x.sessionId === s.sessionId);
    expect(listed).toMatchObject({ createdBy: "host-a", lastHost: "host-b", lease: { holder: "host-b" } });
    expect(a.errors).toEqual([]);
    // Creating a session with an id the store has is refused.
    await expect(a.pool.createSession({ model: "gpt-4.1", provider, sessionId: s.sessionId })).rejects.toThrow(
      /sessionId: session .* already exists in the store; use resumeSession\(\)/,
    );
    // A chosen id for a new session is honoured.
    const chosen = globalThis.crypto.randomUUID();
    const fresh = await a.pool.createSession({ model: "gpt-4.1", provider, sessionId: chosen });
    expect(fresh.sessionId).toBe(chosen);
    expect((await fresh.sendAndWait("named", { timeoutMs: 30_000 }))?.data.content).toBe("echo: named");
  });

  it("a session that never got a message moves between hosts too; an unknown id is SESSION_NOT_FOUND", async () => {
    const a = await host("host-a-empty");
    const b = await host("host-b-empty");
    const s = await a.pool.createSession({ model: "gpt-4.1", provider: shared.model.provider() });
    await s.disconnect();
    const onB = await b.pool.resumeSession(s.sessionId, { model: "gpt-4.1", provider: shared.model.provider() });
    expect(onB.sessionId).toBe(s.sessionId);
    expect((await onB.sendAndWait("first, on B", { timeoutMs: 30_000 }))?.data.content).toBe("echo: first, on B");
    const unknown = await b.pool.resumeSession(globalThis.crypto.randomUUID()).catch((e: unknown) => e);
    expect((unknown as PostgresStoreError).code).toBe("SESSION_NOT_FOUND");
  });

  it("host A is SIGKILLed mid-turn: its lease expires within leaseTtlMs and host B takes the session over with its history; the next turn answers", async () => {
    const leaseTtlMs = 2_000;
    const hostA = await startHostProcess({
      DATABASE_URL: shared.db.url,
      HOST_ID: "host-a-proc",
      LEASE_TTL_MS: String(leaseTtlMs),
      PROVIDER: JSON.stringify(shared.model.provider()),
    });
    cleanups.push(() => hostA.cleanup());
    const created = await hostA.command({ op: "create" });
    const sessionId = created.sessionId as string;
    expect(await hostA.command({ op: "send", sessionId, text: "before the crash" })).toEqual({ ok: true, content: "echo: before the crash" });

    // Host B is up before A dies, so the takeover time below is the lease's, not B's start-up.
    const b = await host("host-b-takeover", { leaseTtlMs });
    await b.pool.start();
    // A slow turn: kill host A (and its runtime) while the model is still answering.
    const requestsBefore = shared.model.requests.length;
    void hostA.command({ op: "send", sessionId, text: "slow:5000 interrupted" }).catch(() => {});
    await shared.model.waitForRequests(requestsBefore + 1, { timeoutMs: 20_000 });
    hostA.kill();
    const killedAt = Date.now();

    const early = await b.pool.resumeSession(sessionId, { model: "gpt-4.1", provider: shared.model.provider() }).catch((e: unknown) => e);
    expect(early).toBeInstanceOf(SessionLeasedError);
    expect((early as SessionLeasedError).holder).toBe("host-a-proc");

    const s = await b.pool.resumeSession(sessionId, { model: "gpt-4.1", provider: shared.model.provider() }, { waitMs: 10_000 });
    const takeoverMs = Date.now() - killedAt;
    expect(takeoverMs).toBeLessThan(leaseTtlMs + 3_000);
    // The completed turn is all there. (The runtime persists a turn's events as it completes them, so
    // the prompt that died with host A may be absent; it is never half-written.)
    const texts = userTexts(await s.getEvents());
    expect(texts[0]).toBe("before the crash");
    const log = await b.store.sessionFs.readFile("/session-state/events.jsonl", { sessionId, signal: new AbortController().signal });
    for (const line of log.trim().split("\n")) expect(() => JSON.parse(line)).not.toThrow();
    expect((await s.sendAndWait("after the takeover", { timeoutMs: 30_000 }))?.data.content).toBe("echo: after the takeover");
    expect(userTexts(await s.getEvents()).at(-1)).toBe("after the takeover");
    expect(isAlive(hostA.runtimePid)).toBe(false);
  });

  it("lease lost mid-turn: the pending call fails with LeaseLostError naming the new holder, and nothing of the rest of the turn is written over the new holder's state", async () => {
    const a = await host("host-stalled", { leaseTtlMs: 900 });
    const s = await a.pool.createSession({ model: "gpt-4.1", provider: shared.model.provider() });
    expect((await s.sendAndWait("kept", { timeoutMs: 30_000 }))?.data.content).toBe("echo: kept");
    const before = shared.model.requests.length;
    const turn = s.sendAndWait("slow:6000 cut off", { timeoutMs: 30_000 }).catch((e: unknown) => e);
    await shared.model.waitForRequests(before + 1, { timeoutMs: 20_000 });
    // As if host A stalled past its lease and another host took the session over.
    const sql = new pg.Client({ connectionString: shared.db.url });
    await sql.connect();
    await sql.query("UPDATE flightdeck.leases SET holder = 'host-thief', expires_at = now() + interval '1 minute' WHERE session_id = $1", [s.sessionId]);
    await sql.end();
    const started = Date.now();
    const error = await turn;
    expect(error).toBeInstanceOf(LeaseLostError);
    expect((error as LeaseLostError).holder).toBe("host-thief");
    // Told well before the 6 s turn would have ended: the renewal (every leaseTtlMs / 3) noticed.
    expect(Date.now() - started).toBeLessThan(4_000);
    // Give the runtime time to try writing the rest of the turn: the fence refuses it.
    await new Promise((r) => setTimeout(r, 3_000));
    const log = await a.store.sessionFs.readFile("/session-state/events.jsonl", { sessionId: s.sessionId, signal: new AbortController().signal });
    expect(log).not.toContain("echo: slow:6000 cut off");
    await expect(s.sendAndWait("again", { timeoutMs: 5_000 })).rejects.toThrow(/disconnected from the pool; resume it again/);
  });

  it("the database restarted mid-session: a call while it is down fails with a typed, retryable error; the session then carries on with nothing lost", async () => {
    const a = await host("host-db", { retryWindowMs: 300 });
    const s = await a.pool.createSession({ model: "gpt-4.1", provider: shared.model.provider() });
    expect((await s.sendAndWait("one", { timeoutMs: 30_000 }))?.data.content).toBe("echo: one");
    await shared.db.stop();
    try {
      const error = await s.sendAndWait("while down", { timeoutMs: 30_000 }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(PostgresStoreError);
      expect((error as PostgresStoreError).code).toBe("DATABASE_UNREACHABLE");
      expect((error as PostgresStoreError).retryable).toBe(true);
      expect((error as Error).message).not.toContain(shared.db.password);
    } finally {
      await shared.db.start();
    }
    expect((await s.sendAndWait("two", { timeoutMs: 30_000 }))?.data.content).toBe("echo: two");
    expect(userTexts(await s.getEvents())).toEqual(["one", "two"]);
  });

  it("the database restarts during a turn: the runtime's writes wait for it (within retryWindowMs) and the turn's events all reach the store", async () => {
    const a = await host("host-db2", { retryWindowMs: 15_000 });
    const s = await a.pool.createSession({ model: "gpt-4.1", provider: shared.model.provider() });
    const turn = s.sendAndWait("slow:1500 through a restart", { timeoutMs: 40_000 });
    await new Promise((r) => setTimeout(r, 300));
    await shared.db.stop();
    await new Promise((r) => setTimeout(r, 1_000));
    await shared.db.start();
    expect((await turn)?.data.content).toBe("echo: slow:1500 through a restart");
    await s.disconnect();
    // Read back from the store on another host: the whole turn is there.
    const b = await host("host-db2-reader");
    const again = await b.pool.resumeSession(s.sessionId, { model: "gpt-4.1", provider: shared.model.provider() });
    const events = await again.getEvents();
    expect(userTexts(events)).toEqual(["slow:1500 through a restart"]);
    expect(events.some((e) => e.type === "assistant.message" && (e.data as { content?: string }).content === "echo: slow:1500 through a restart")).toBe(true);
  });
});
