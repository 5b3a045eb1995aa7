/**
 * The store against a real PostgreSQL (started by the test from the machine's installation):
 * migration and its command, typed errors for bad connections and schemas, the session
 * filesystem's semantics and transactions, and leases between two hosts.
 */
import { execFile } from "node:child_process";
import { createServer, type Socket } from "node:net";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import pg from "pg";
import { startTestPostgres, type TestPostgres } from "@flightdeck/copilot-testing";
import { createSessionFsHandlers } from "@flightdeck/copilot-client";
import type { SessionFsContext, SessionFsProviderError } from "@flightdeck/copilot-sdk";
import { LeaseLostError, PostgresSessionStore, PostgresStoreError, SCHEMA_VERSION, SessionLeasedError, migrate } from "@flightdeck/copilot-postgres";

let db: TestPostgres;
const stores: PostgresSessionStore[] = [];
beforeAll(async () => {
  db = await startTestPostgres();
  await migrate({ connectionString: db.url });
});
afterAll(async () => {
  for (const s of stores) await s.close();
  await db?.cleanup();
});

async function open(options: Partial<ConstructorParameters<typeof PostgresSessionStore>[0]> = {}): Promise<PostgresSessionStore> {
  const store = await PostgresSessionStore.open({ connectionString: db.url, onError: () => {}, ...options });
  stores.push(store);
  return store;
}

const ctx = (sessionId: string): SessionFsContext => ({ sessionId, signal: new AbortController().signal });
const CLI = fileURLToPath(new URL("../src/cli.ts", import.meta.url));

function runCli(args: string[], env: Record<string, string>): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      ["--import", "tsx", CLI, ...args],
      { env: { PATH: process.env.PATH ?? "", ...env }, cwd: fileURLToPath(new URL("..", import.meta.url)) },
      (error, stdout, stderr) => resolve({ code: error ? ((error as { code?: number }).code ?? 1) : 0, stdout, stderr }),
    );
  });
}

describe("migrate", () => {
  it("creates the tables once, records the version, and is idempotent; the CLI reads DATABASE_URL", async () => {
    const again = await migrate({ connectionString: db.url });
    expect(again).toEqual({ from: SCHEMA_VERSION, to: SCHEMA_VERSION, schema: "flightdeck" });
    const fresh = await runCli(["migrate", "--schema", "cli_made"], { DATABASE_URL: db.url });
    expect(fresh.stderr).toBe("");
    expect(fresh.stdout).toBe(`schema "cli_made" migrated from version 0 to ${SCHEMA_VERSION}\n`);
    const rerun = await runCli(["migrate", "--schema", "cli_made"], { DATABASE_URL: db.url });
    expect(rerun.stdout).toContain("already at version");
    const client = new pg.Client({ connectionString: db.url });
    await client.connect();
    try {
      const tables = await client.query<{ table_name: string }>("SELECT table_name FROM information_schema.tables WHERE table_schema = 'cli_made' ORDER BY 1");
      expect(tables.rows.map((r) => r.table_name)).toEqual(["file_chunks", "files", "leases", "schema_version", "sessions"]);
      expect((await client.query("SELECT version FROM cli_made.schema_version")).rows).toEqual([{ version: SCHEMA_VERSION }]);
    } finally {
      await client.end();
    }
  });

  it("the CLI refuses a connection string in argv and says what to set when DATABASE_URL is missing", async () => {
    const argv = await runCli(["migrate", db.url], {});
    expect(argv.code).toBe(2);
    expect(argv.stderr).toContain("set DATABASE_URL");
    expect(argv.stderr).not.toContain(db.password);
    const missing = await runCli(["migrate"], {});
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain("DATABASE_URL is not set");
    const printed = await runCli(["print-schema", "--schema", "shown"], {});
    expect(printed.stdout).toContain('CREATE TABLE IF NOT EXISTS "shown".leases');
    const wrong = await runCli(["migrate"], { DATABASE_URL: db.url.replace(db.password, "not-the-password") });
    expect(wrong.code).toBe(1);
    expect(wrong.stderr).toContain("AUTHENTICATION_FAILED");
    expect(wrong.stderr).not.toContain("not-the-password");
  });
});

describe("bad input: typed errors naming the cause and the fix, never the password", () => {
  it("no database reachable", async () => {
    const url = `postgres://flightdeck:s3cret-pw@127.0.0.1:1/postgres`;
    const error = await PostgresSessionStore.open({ connectionString: url, retryWindowMs: 0, connectTimeoutMs: 1_000 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PostgresStoreError);
    expect((error as PostgresStoreError).code).toBe("DATABASE_UNREACHABLE");
    expect((error as PostgresStoreError).retryable).toBe(true);
    expect((error as Error).message).toMatch(
      /PostgreSQL at postgres:\/\/flightdeck:\[REDACTED\]@127\.0\.0\.1:1\/postgres is unreachable .* Check that the server is running/,
    );
    expect((error as Error).message).not.toContain("s3cret-pw");
  });

  it("a server that accepts connections and never answers: unreachable after connectTimeoutMs, nothing hangs", async () => {
    const sockets: Socket[] = [];
    const blackHole = createServer((socket) => void sockets.push(socket));
    await new Promise<void>((r) => blackHole.listen(0, "127.0.0.1", r));
    const port = (blackHole.address() as { port: number }).port;
    try {
      const started = Date.now();
      const error = await PostgresSessionStore.open({
        connectionString: `postgres://u:pw-in-url@127.0.0.1:${port}/db`,
        connectTimeoutMs: 500,
        retryWindowMs: 0,
      }).catch((e: unknown) => e);
      expect((error as PostgresStoreError).code).toBe("DATABASE_UNREACHABLE");
      expect(Date.now() - started).toBeLessThan(5_000);
      expect((error as Error).message).not.toContain("pw-in-url");
    } finally {
      for (const s of sockets) s.destroy();
      await new Promise((r) => blackHole.close(r));
    }
  });

  it("a wrong password", async () => {
    const url = db.url.replace(db.password, "wrong-password-123");
    const error = await PostgresSessionStore.open({ connectionString: url }).catch((e: unknown) => e);
    expect((error as PostgresStoreError).code).toBe("AUTHENTICATION_FAILED");
    expect((error as Error).message).toContain("refused the credentials");
    expect((error as Error).message).toContain("Check the user and password");
    expect((error as Error).message).not.toContain("wrong-password-123");
    expect(JSON.stringify(error)).not.toContain("wrong-password-123");
  });

  it("no connection string at all, and DATABASE_URL as the default", async () => {
    const saved = process.env.DATABASE_URL;
    delete process.env.DATABASE_URL;
    try {
      expect(() => new PostgresSessionStore()).toThrow(/connectionString: no database given: pass connectionString or set the DATABASE_URL/);
      process.env.DATABASE_URL = db.url;
      const store = await PostgresSessionStore.open();
      stores.push(store);
      expect(store.displayUrl).toBe(db.url.replace(db.password, "[REDACTED]"));
    } finally {
      if (saved === undefined) delete process.env.DATABASE_URL;
      else process.env.DATABASE_URL = saved;
    }
  });

  it("tables missing, or from another version", async () => {
    const missing = await PostgresSessionStore.open({ connectionString: db.url, schema: "never_migrated" }).catch((e: unknown) => e);
    expect((missing as PostgresStoreError).code).toBe("SCHEMA_MISSING");
    expect((missing as Error).message).toContain("Run `flightdeck-postgres migrate`");

    await migrate({ connectionString: db.url, schema: "from_future" });
    const client = new pg.Client({ connectionString: db.url });
    await client.connect();
    await client.query("UPDATE from_future.schema_version SET version = $1", [SCHEMA_VERSION + 1]);
    await client.end();
    const newer = await PostgresSessionStore.open({ connectionString: db.url, schema: "from_future" }).catch((e: unknown) => e);
    expect((newer as PostgresStoreError).code).toBe("SCHEMA_MISMATCH");
    expect((newer as Error).message).toContain(`at version ${SCHEMA_VERSION + 1}, made by a newer @flightdeck/copilot-postgres`);
    const refused = await migrate({ connectionString: db.url, schema: "from_future" }).catch((e: unknown) => e);
    expect((refused as PostgresStoreError).code).toBe("SCHEMA_MISMATCH");
  });

  it("the SQLite capability is refused with a clear error; bad options name the option", () => {
    expect(() => new PostgresSessionStore({ connectionString: db.url, sqlite: true })).toThrow(
      /sqlite: the PostgreSQL session filesystem does not offer the SQLite capability/,
    );
    expect(() => new PostgresSessionStore({ connectionString: db.url, leaseTtlMs: 5 })).toThrow(/leaseTtlMs: 5 is not a duration/);
    expect(() => new PostgresSessionStore({ connectionString: db.url, queryTimeoutMs: 0 })).toThrow(/queryTimeoutMs: 0 is not a duration/);
    expect(() => new PostgresSessionStore({ connectionString: db.url, schema: "Bad-Name" })).toThrow(/schema: "Bad-Name" is not a plain lower-case identifier/);
    expect(() => new PostgresSessionStore({ connectionString: "mysql://u:pw@h/db" })).toThrow(
      /connectionString: mysql:\/\/u:\[REDACTED\]@h\/db is not a postgres:\/\/ URL/,
    );
  });
});

describe("PostgresSessionFs", () => {
  it("writes, appends, reads, stats and lists like a filesystem; sessions are apart", async () => {
    const store = await open();
    const fs = store.sessionFs;
    const a = ctx("fs-a");
    await fs.appendFile("/session-state/events.jsonl", '{"n":1}\n', {}, a);
    await fs.appendFile("/session-state/events.jsonl", '{"n":2}\n', {}, a);
    await fs.writeFile("/session-state/workspace.yaml", "id: fs-a\n", { mode: 0o600 }, a);
    await fs.writeFile("/session-state/checkpoints/index.md", "# cp\n", {}, a);
    expect(await fs.readFile("/session-state/events.jsonl", a)).toBe('{"n":1}\n{"n":2}\n');
    expect(await fs.readdirWithTypes("/session-state", a)).toEqual([
      { name: "checkpoints", type: "directory" },
      { name: "events.jsonl", type: "file" },
      { name: "workspace.yaml", type: "file" },
    ]);
    expect(await fs.readdir("/", a)).toEqual(["session-state"]);
    const stat = await fs.stat("/session-state/events.jsonl", a);
    expect(stat).toMatchObject({ isFile: true, isDirectory: false, size: 16 });
    expect(await fs.exists("/session-state/checkpoints", a)).toBe(true);
    // Another session sees nothing of it.
    expect(await fs.exists("/session-state/events.jsonl", ctx("fs-b"))).toBe(false);
    // writeFile replaces appended content.
    await fs.writeFile("/session-state/events.jsonl", "fresh\n", {}, a);
    expect(await fs.readFile("/session-state/events.jsonl", a)).toBe("fresh\n");
    // Unicode survives; sizes are bytes.
    await fs.writeFile("/u.txt", "héllo ✓", {}, a);
    expect(await fs.readFile("/u.txt", a)).toBe("héllo ✓");
    expect((await fs.stat("/u.txt", a)).size).toBe(Buffer.byteLength("héllo ✓"));
  });

  it("fails like a filesystem: ENOENT for missing paths, classified errors for the rest", async () => {
    const store = await open();
    const fs = store.sessionFs;
    const c = ctx("fs-err");
    const code = async (p: unknown) => ((await Promise.resolve(p).catch((e: unknown) => e)) as SessionFsProviderError).code;
    expect(await code(fs.readFile("/nope", c))).toBe("ENOENT");
    expect(await code(fs.stat("/nope", c))).toBe("ENOENT");
    expect(await code(fs.readdir("/nope", c))).toBe("ENOENT");
    expect(await code(fs.rm("/nope", { recursive: false, force: false }, c))).toBe("ENOENT");
    await fs.rm("/nope", { recursive: false, force: true }, c);
    expect(await code(fs.mkdir("/a/b", { recursive: false }, c))).toBe("ENOENT");
    await fs.mkdir("/a/b", { recursive: true }, c);
    await expect(fs.mkdir("/a/b", { recursive: false }, c)).rejects.toThrow(/EEXIST/);
    await fs.writeFile("/a/b/f", "x", {}, c);
    await expect(fs.readFile("/a", c)).rejects.toThrow(/EISDIR/);
    await expect(fs.writeFile("/a/b/f/g", "x", {}, c)).rejects.toThrow(/ENOTDIR/);
    await expect(fs.rm("/a", { recursive: false, force: false }, c)).rejects.toThrow(/ENOTEMPTY/);
    // `..` cannot climb above the root.
    expect(await fs.readFile("/../../a/b/f", c)).toBe("x");
    await fs.rm("/a", { recursive: true, force: false }, c);
    expect(await fs.readdir("/", c)).toEqual([]);
  });

  it("renames files (replacing the target, as the runtime's atomic write does) and folders with their appended chunks", async () => {
    const store = await open();
    const fs = store.sessionFs;
    const c = ctx("fs-mv");
    await fs.writeFile("/s/workspace.yaml", "old", {}, c);
    await fs.writeFile("/s/workspace.yaml.tmp", "new", {}, c);
    await fs.rename("/s/workspace.yaml.tmp", "/s/workspace.yaml", c);
    expect(await fs.readFile("/s/workspace.yaml", c)).toBe("new");
    expect(await fs.exists("/s/workspace.yaml.tmp", c)).toBe(false);
    await fs.appendFile("/s/log/events.jsonl", "1\n", {}, c);
    await fs.appendFile("/s/log/events.jsonl", "2\n", {}, c);
    await fs.rename("/s", "/t", c);
    expect(await fs.readFile("/t/log/events.jsonl", c)).toBe("1\n2\n");
    expect(await fs.exists("/s", c)).toBe(false);
    await expect(fs.rename("/t", "/t/inside", c)).rejects.toThrow(/into itself/);
    // Appending after the file moved or was removed recreates it (no append lands on a stale row).
    await fs.appendFile("/s/log/events.jsonl", "3\n", {}, c);
    expect(await fs.readFile("/s/log/events.jsonl", c)).toBe("3\n");
    await fs.rm("/s/log/events.jsonl", { recursive: false, force: false }, c);
    await fs.appendFile("/s/log/events.jsonl", "4\n", {}, c);
    expect(await fs.readFile("/s/log/events.jsonl", c)).toBe("4\n");
    expect(await fs.readFile("/t/log/events.jsonl", c)).toBe("1\n2\n");
  });

  it("a long event log: hundreds of appends read back in order (chunks folded along the way)", async () => {
    const store = await open();
    const c = ctx("fs-long");
    const lines = Array.from({ length: 600 }, (_, i) => `{"i":${i}}\n`);
    for (const line of lines) await store.sessionFs.appendFile("/session-state/events.jsonl", line, {}, c);
    expect(await store.sessionFs.readFile("/session-state/events.jsonl", c)).toBe(lines.join(""));
    expect((await store.sessionFs.stat("/session-state/events.jsonl", c)).size).toBe(lines.join("").length);
  });

  it("over the sessionFs wire adapter: a database outage longer than retryWindowMs becomes an UNKNOWN reply naming the cause, reported to onError", async () => {
    const store = await open({ retryWindowMs: 200, connectTimeoutMs: 500 });
    const reported: unknown[] = [];
    const handlers = createSessionFsHandlers({ provider: store.sessionFs }, (e) => reported.push(e));
    const call = (params: Record<string, unknown>) => handlers["sessionFs.writeFile"](params as never, { signal: new AbortController().signal } as never);
    expect(await call({ sessionId: "fs-down", path: "/x", content: "1" })).toBeUndefined();
    await db.stop();
    try {
      const reply = (await call({ sessionId: "fs-down", path: "/x", content: "2" })) as { code: string; message: string };
      expect(reply.code).toBe("UNKNOWN");
      expect(reply.message).toMatch(/sessionFs provider "postgres" failed in writeFile\(\/x\) for session fs-down: PostgreSQL at .* is unreachable/);
      expect(reply.message).not.toContain(db.password);
      expect(reported).toHaveLength(1);
    } finally {
      await db.start();
    }
    // Nothing half-written: the failed write left the old content.
    expect(await store.sessionFs.readFile("/x", ctx("fs-down"))).toBe("1");
  });
});

describe("leases", () => {
  it("one host at a time: the second gets SessionLeasedError naming the holder and expiry; release hands over at once", async () => {
    const a = await open({ hostId: "host-a", leaseTtlMs: 5_000 });
    const b = await open({ hostId: "host-b", leaseTtlMs: 5_000 });
    const lease = await a.acquireLease("L1");
    expect(lease.holder).toBe("host-a");
    const error = await b.acquireLease("L1").catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SessionLeasedError);
    expect((error as SessionLeasedError).holder).toBe("host-a");
    expect((error as SessionLeasedError).expiresAt.getTime()).toBeGreaterThan(Date.now());
    expect((error as Error).message).toMatch(/Session L1 is driven by host "host-a" until \d{4}-\d\d-\d\dT/);
    // B's writes to A's session are refused (fencing), and leave nothing behind.
    const fenced = await Promise.resolve(b.sessionFs.writeFile("/f", "from b", {}, ctx("L1"))).catch((e: unknown) => e);
    expect(fenced).toBeInstanceOf(LeaseLostError);
    expect(await a.sessionFs.exists("/f", ctx("L1"))).toBe(false);
    await a.releaseLease("L1");
    expect((await b.acquireLease("L1")).holder).toBe("host-b");
    expect((await b.listSessions()).find((s) => s.sessionId === "L1")).toMatchObject({ createdBy: "host-a", lastHost: "host-b", lease: { holder: "host-b" } });
  });

  it("hosts racing for one session: exactly one gets the lease, every other one gets SessionLeasedError naming it", async () => {
    const hosts = await Promise.all(Array.from({ length: 6 }, (_, i) => open({ hostId: `racer-${i}` })));
    const outcomes = await Promise.all(
      hosts.map((h) =>
        h.acquireLease("RACE").then(
          (l) => l.holder,
          (e: unknown) => e,
        ),
      ),
    );
    const winners = outcomes.filter((o): o is string => typeof o === "string");
    expect(winners).toHaveLength(1);
    for (const o of outcomes) if (typeof o !== "string") expect(o).toMatchObject({ holder: winners[0], code: "SESSION_LEASED" });
  });

  it("a dead host's lease expires after its TTL and another host takes over then, not before", async () => {
    const b = await open({ hostId: "host-b2", leaseTtlMs: 2_000 });
    const client = new pg.Client({ connectionString: db.url });
    await client.connect();
    // A host that died right after renewing: nobody renews this lease any more.
    await client.query("INSERT INTO flightdeck.leases (session_id, holder, expires_at) VALUES ('L2', 'dead-host', now() + interval '700 milliseconds')");
    await client.end();
    const started = Date.now();
    await expect(b.acquireLease("L2")).rejects.toBeInstanceOf(SessionLeasedError);
    const lease = await b.waitForLease("L2", 5_000);
    const waited = Date.now() - started;
    expect(lease.holder).toBe("host-b2");
    expect(waited).toBeGreaterThanOrEqual(600);
    expect(waited).toBeLessThan(2_000);
  });

  it("lease lost mid-turn: the old holder is told (onLeaseLost, confirmLease) and its writes are refused, leaving the new holder's state intact", async () => {
    const a = await open({ hostId: "host-a3", leaseTtlMs: 600 });
    await a.acquireLease("L3");
    await a.sessionFs.appendFile("/events.jsonl", "a1\n", {}, ctx("L3"));
    const lost: LeaseLostError[] = [];
    a.onLeaseLost("L3", (e) => lost.push(e));
    // A stalled past its TTL and host-b3 took the session over.
    const client = new pg.Client({ connectionString: db.url });
    await client.connect();
    await client.query("UPDATE flightdeck.leases SET holder = 'host-b3', expires_at = now() + interval '1 minute' WHERE session_id = 'L3'");
    await client.end();
    const write = await Promise.resolve(a.sessionFs.appendFile("/events.jsonl", "a2\n", {}, ctx("L3"))).catch((e: unknown) => e);
    expect(write).toBeInstanceOf(LeaseLostError);
    expect((write as LeaseLostError).holder).toBe("host-b3");
    expect((write as Error).message).toMatch(/Host "host-a3" lost the lease of session L3 to host "host-b3"/);
    expect(lost).toHaveLength(1);
    await expect(a.confirmLease("L3")).rejects.toBeInstanceOf(LeaseLostError);
    expect(a.holds("L3")).toBe(false);
    expect(await a.sessionFs.readFile("/events.jsonl", ctx("L3"))).toBe("a1\n");
  });
});
