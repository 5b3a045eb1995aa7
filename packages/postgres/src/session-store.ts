/**
 * `PostgresSessionStore`: one host's handle on the shared store. It owns the `pg` pool, the
 * session filesystem provider the runtimes write through, the list of known sessions, and this
 * host's leases: a row per driven session with an expiry (server clock), renewed while the host
 * lives, taken over by another host once it has expired.
 */
import { hostname } from "node:os";
import type pg from "pg";
import type { SessionFsOptions, SessionFsProvider } from "@flightdeck/copilot-sdk";
import { classify, createPool, resolveConnection, retryTransient, type PostgresConnectionOptions, type ResolvedConnection } from "./connection.js";
import { LeaseLostError, PostgresStoreError, SessionLeasedError, type LeaseHolder } from "./errors.js";
import { checkSchema } from "./migrate.js";
import { PostgresSessionFs } from "./postgres-session-fs.js";

/** Options of {@link PostgresSessionStore}. */
export interface PostgresSessionStoreOptions extends PostgresConnectionOptions {
  /** Names this host in leases and in {@link SessionLeasedError}. Default `<hostname>:<pid>:<random>`. Must be unique per live host. */
  hostId?: string;
  /**
   * How long a lease lasts without renewal: the bound on how long a dead host keeps its sessions
   * (another host takes over at most this long after it died). Renewed every third of it. Default 15 000 ms.
   */
  leaseTtlMs?: number;
  /** How long a store call keeps retrying while the database is unreachable (e.g. restarting) before it fails. Default 10 000 ms. */
  retryWindowMs?: number;
  /**
   * Ask for the session filesystem's SQLite capability. Not supported (SQLite statements cannot be
   * run faithfully by PostgreSQL): `true` throws `SQLITE_UNSUPPORTED`. Leave it out.
   */
  sqlite?: boolean;
  /** Receives problems that belong to no call: a lease renewal that failed, a lease lost. Default: console.warn. */
  onError?: (error: unknown) => void;
}

/** A session the store knows. */
export interface StoredSession {
  readonly sessionId: string;
  readonly createdAt: Date;
  /** Last time a host took its lease (started driving it). */
  readonly updatedAt: Date;
  readonly createdBy: string;
  /** The host that drove it last. */
  readonly lastHost: string;
  /** The current lease, when one is live. */
  readonly lease: LeaseHolder | undefined;
}

interface HeldLease {
  expiresAt: Date;
  lost: LeaseLostError | undefined;
  listeners: Set<(error: LeaseLostError) => void>;
}

/**
 * One host's handle on the shared PostgreSQL store. Give its {@link PostgresSessionStore.sessionFsOptions}
 * to every `CopilotClient` of the host (or use a {@link RuntimePool}, which does), and take a session's
 * lease before driving it.
 *
 * @example
 * ```ts
 * const store = await PostgresSessionStore.open({ connectionString: process.env.DATABASE_URL });
 * const pool = new RuntimePool({ store, runtimes: 2, client: { … } });
 * const session = await pool.resumeSession(sessionId, { provider });
 * ```
 */
export class PostgresSessionStore {
  readonly hostId: string;
  readonly leaseTtlMs: number;
  /**
   * The session filesystem provider (files in PostgreSQL), fenced by this host's leases: a write to
   * a session whose lease another host holds is refused with {@link LeaseLostError}. No SQLite capability.
   */
  readonly sessionFs: SessionFsProvider;
  /** Where the store is, with the password masked (safe to log). */
  readonly displayUrl: string;
  readonly #pool: pg.Pool;
  readonly #connection: ResolvedConnection;
  readonly #retryWindowMs: number;
  readonly #onError: (error: unknown) => void;
  readonly #held = new Map<string, HeldLease>();
  readonly #t: { sessions: string; leases: string; files: string };
  #renewTimer: NodeJS.Timeout | undefined;
  #closed = false;

  /** Use {@link PostgresSessionStore.open}: it also checks the connection and the schema. */
  constructor(options: PostgresSessionStoreOptions = {}) {
    const connection = resolveConnection(options);
    if (options.sqlite === true) {
      throw new PostgresStoreError(
        "SQLITE_UNSUPPORTED",
        "sqlite: the PostgreSQL session filesystem does not offer the SQLite capability (SQLite statements cannot be run faithfully by PostgreSQL). Leave `sqlite` out: the runtime then works without its SQL-backed features for these sessions.",
      );
    }
    const hostId = options.hostId ?? `${hostname()}:${process.pid}:${globalThis.crypto.randomUUID().slice(0, 8)}`;
    if (typeof hostId !== "string" || hostId.trim() === "" || hostId.length > 200)
      throw new PostgresStoreError("INVALID_OPTION", "hostId: must be a non-empty string of at most 200 characters, unique per live host.");
    const ttl = options.leaseTtlMs ?? 15_000;
    if (typeof ttl !== "number" || !Number.isFinite(ttl) || ttl < 300)
      throw new PostgresStoreError("INVALID_OPTION", `leaseTtlMs: ${JSON.stringify(ttl)} is not a duration in milliseconds ≥ 300.`);
    const retry = options.retryWindowMs ?? 10_000;
    if (typeof retry !== "number" || !Number.isFinite(retry) || retry < 0)
      throw new PostgresStoreError("INVALID_OPTION", `retryWindowMs: ${JSON.stringify(retry)} is not a duration in milliseconds ≥ 0.`);
    this.hostId = hostId;
    this.leaseTtlMs = ttl;
    this.#retryWindowMs = retry;
    this.#connection = connection;
    this.displayUrl = connection.display;
    this.#onError = options.onError ?? ((e) => console.warn(`[flightdeck-postgres] ${(e as Error)?.message ?? String(e)}`));
    this.#pool = createPool(connection, () => {
      // An idle connection dropped (server restart): the pool reconnects on the next query.
    });
    const s = `"${connection.schema}"`;
    this.#t = { sessions: `${s}.sessions`, leases: `${s}.leases`, files: `${s}.files` };
    this.sessionFs = new PostgresSessionFs({
      pool: this.#pool,
      connection,
      hostId,
      retryWindowMs: retry,
      onLeaseLost: (error) => this.#markLost(error),
    });
  }

  /**
   * Opens the store: checks that the database answers and holds this package's schema.
   * @throws {PostgresStoreError} `DATABASE_UNREACHABLE`, `AUTHENTICATION_FAILED`, `SCHEMA_MISSING` or `SCHEMA_MISMATCH`, each saying what to do.
   */
  static async open(options: PostgresSessionStoreOptions = {}): Promise<PostgresSessionStore> {
    const store = new PostgresSessionStore(options);
    try {
      await checkSchema(store.#pool, store.#connection);
    } catch (error) {
      await store.close();
      throw error;
    }
    return store;
  }

  /** The `sessionFs` option for a `CopilotClient` of this host. */
  sessionFsOptions(): SessionFsOptions {
    return { provider: this.sessionFs };
  }

  /**
   * Takes (or renews) the lease of a session for this host, and records the session. Renewed
   * automatically until {@link PostgresSessionStore.releaseLease}.
   * @throws {SessionLeasedError} another host holds a live lease (says who and until when).
   * @throws {PostgresStoreError} `DATABASE_UNREACHABLE` (after `retryWindowMs`), …
   */
  async acquireLease(sessionId: string): Promise<LeaseHolder> {
    this.#checkOpen();
    if (typeof sessionId !== "string" || sessionId === "") throw new PostgresStoreError("INVALID_OPTION", "sessionId: must be a non-empty session id.");
    // A lease row made concurrently by another host may be invisible to this statement's snapshot
    // (no row either way): ask again.
    let row: { holder: string; expires_at: Date; taken: boolean } | undefined;
    for (let attempt = 0; attempt < 3 && !row; attempt++)
      row = await this.#query("taking a session lease", async () => {
        const r = await this.#pool.query<{ holder: string; expires_at: Date; taken: boolean }>(
          `WITH taken AS (
           INSERT INTO ${this.#t.leases} AS l (session_id, holder, expires_at) VALUES ($1, $2, now() + $3 * interval '1 millisecond')
           ON CONFLICT (session_id) DO UPDATE SET holder = excluded.holder, expires_at = excluded.expires_at,
             acquired_at = CASE WHEN l.holder = excluded.holder THEN l.acquired_at ELSE now() END
           WHERE l.holder = excluded.holder OR l.expires_at <= now()
           RETURNING holder, expires_at
         ), recorded AS (
           INSERT INTO ${this.#t.sessions} AS s (session_id, created_by, last_host) SELECT $1, $2, $2 FROM taken
           ON CONFLICT (session_id) DO UPDATE SET last_host = excluded.last_host, updated_at = now()
         )
         SELECT holder, expires_at, true AS taken FROM taken
         UNION ALL SELECT holder, expires_at, false FROM ${this.#t.leases} WHERE session_id = $1 AND NOT EXISTS (SELECT 1 FROM taken)`,
          [sessionId, this.hostId, this.leaseTtlMs],
        );
        return r.rows[0];
      });
    if (!row) throw new PostgresStoreError("QUERY_FAILED", `Taking the lease of session ${sessionId} returned nothing; retry.`);
    if (!row.taken) throw new SessionLeasedError({ sessionId, holder: row.holder, expiresAt: row.expires_at });
    const held = this.#held.get(sessionId);
    if (held) {
      held.expiresAt = row.expires_at;
      held.lost = undefined;
    } else {
      this.#held.set(sessionId, { expiresAt: row.expires_at, lost: undefined, listeners: new Set() });
    }
    this.#scheduleRenewal();
    return { sessionId, holder: this.hostId, expiresAt: row.expires_at };
  }

  /**
   * Like {@link PostgresSessionStore.acquireLease}, but while another host holds the lease, waits
   * (polling) up to `waitMs` for it to be released or to expire.
   */
  async waitForLease(sessionId: string, waitMs: number): Promise<LeaseHolder> {
    const deadline = Date.now() + waitMs;
    for (;;) {
      try {
        return await this.acquireLease(sessionId);
      } catch (error) {
        if (!(error instanceof SessionLeasedError)) throw error;
        const left = deadline - Date.now();
        if (left <= 0) throw error;
        await new Promise((r) => setTimeout(r, Math.min(left, Math.max(25, Math.min(250, error.expiresAt.getTime() - Date.now())))));
      }
    }
  }

  /** Gives a session's lease up (another host may take it at once). No error when not held. */
  async releaseLease(sessionId: string): Promise<void> {
    this.#held.delete(sessionId);
    if (this.#closed) return;
    await this.#query("releasing a session lease", () =>
      this.#pool.query(`DELETE FROM ${this.#t.leases} WHERE session_id = $1 AND holder = $2`, [sessionId, this.hostId]),
    );
  }

  /** Whether this host believes it holds the session's lease (and has not seen it lost). */
  holds(sessionId: string): boolean {
    const held = this.#held.get(sessionId);
    return held !== undefined && held.lost === undefined;
  }

  /**
   * Checks with the database that this host still holds the lease, renewing it.
   * @throws {LeaseLostError} when another host took it over (or it is gone).
   */
  async confirmLease(sessionId: string): Promise<void> {
    const held = this.#held.get(sessionId);
    if (held?.lost) throw held.lost;
    const r = await this.#query("renewing a session lease", () =>
      this.#pool.query<{ expires_at: Date }>(
        `UPDATE ${this.#t.leases} SET expires_at = now() + $3 * interval '1 millisecond' WHERE session_id = $1 AND holder = $2 RETURNING expires_at`,
        [sessionId, this.hostId, this.leaseTtlMs],
      ),
    );
    const row = r.rows[0];
    if (row) {
      if (held) held.expiresAt = row.expires_at;
      return;
    }
    const current = await this.#currentLease(sessionId);
    const error = new LeaseLostError(sessionId, this.hostId, current);
    this.#markLost(error);
    throw error;
  }

  /** Calls `listener` when this host learns it lost the session's lease. */
  onLeaseLost(sessionId: string, listener: (error: LeaseLostError) => void): () => void {
    const held = this.#held.get(sessionId);
    if (!held) return () => {};
    held.listeners.add(listener);
    return () => void held.listeners.delete(listener);
  }

  /** Every session the store knows, most recently driven first, with its live lease if any. */
  async listSessions(): Promise<StoredSession[]> {
    const r = await this.#query("listing sessions", () =>
      this.#pool.query<{
        session_id: string;
        created_at: Date;
        updated_at: Date;
        created_by: string;
        last_host: string;
        holder: string | null;
        expires_at: Date | null;
      }>(
        `SELECT s.session_id, s.created_at, s.updated_at, s.created_by, s.last_host, l.holder, l.expires_at
         FROM ${this.#t.sessions} s LEFT JOIN ${this.#t.leases} l ON l.session_id = s.session_id AND l.expires_at > now()
         ORDER BY s.updated_at DESC`,
      ),
    );
    return r.rows.map((row) => ({
      sessionId: row.session_id,
      createdAt: row.created_at,
      updatedAt: row.updated_at,
      createdBy: row.created_by,
      lastHost: row.last_host,
      lease: row.holder !== null && row.expires_at !== null ? { sessionId: row.session_id, holder: row.holder, expiresAt: row.expires_at } : undefined,
    }));
  }

  /**
   * Whether the store holds the session's event log, i.e. whether a runtime can resume it. (The
   * runtime writes the log with the session's first message; see {@link PostgresSessionStore.knowsSession}.)
   */
  async hasSession(sessionId: string): Promise<boolean> {
    const r = await this.#query("looking a session up", () =>
      this.#pool.query(
        `SELECT 1 FROM ${this.#t.files} WHERE session_id = $1 AND kind = 'f' AND (path = '/events.jsonl' OR path LIKE '%/events.jsonl') LIMIT 1`,
        [sessionId],
      ),
    );
    return r.rowCount! > 0;
  }

  /** Whether a host of this store created or drove the session (it may have no event log yet). */
  async knowsSession(sessionId: string): Promise<boolean> {
    const r = await this.#query("looking a session up", () => this.#pool.query(`SELECT 1 FROM ${this.#t.sessions} WHERE session_id = $1`, [sessionId]));
    return r.rowCount! > 0;
  }

  /**
   * Deletes a session's files, record and lease, in one transaction.
   * @throws {SessionLeasedError} when another host drives it.
   */
  async deleteSession(sessionId: string): Promise<void> {
    await this.acquireLease(sessionId);
    await this.#query("deleting a session", async () => {
      const client = await this.#pool.connect();
      try {
        await client.query("BEGIN");
        await client.query(`DELETE FROM ${this.#t.files} WHERE session_id = $1`, [sessionId]);
        await client.query(`DELETE FROM ${this.#t.sessions} WHERE session_id = $1`, [sessionId]);
        await client.query(`DELETE FROM ${this.#t.leases} WHERE session_id = $1`, [sessionId]);
        await client.query("COMMIT");
      } catch (error) {
        await client.query("ROLLBACK").catch(() => {});
        throw error;
      } finally {
        client.release();
      }
    });
    this.#held.delete(sessionId);
  }

  /** Releases this host's leases and closes the connections. */
  async close(): Promise<void> {
    if (this.#closed) return;
    clearTimeout(this.#renewTimer);
    const held = [...this.#held.keys()];
    this.#held.clear();
    if (held.length > 0)
      await this.#pool.query(`DELETE FROM ${this.#t.leases} WHERE holder = $1 AND session_id = ANY($2::text[])`, [this.hostId, held]).catch(() => {});
    this.#closed = true;
    await this.#pool.end().catch(() => {});
  }

  // ---- internals ----

  #checkOpen(): void {
    if (this.#closed) throw new PostgresStoreError("INVALID_OPTION", "The store is closed; open a new PostgresSessionStore.");
  }

  async #query<T>(doing: string, fn: () => Promise<T>): Promise<T> {
    this.#checkOpen();
    try {
      return await retryTransient(this.#retryWindowMs, fn);
    } catch (error) {
      throw classify(error, this.#connection, doing);
    }
  }

  async #currentLease(sessionId: string): Promise<{ holder: string; expiresAt: Date } | undefined> {
    const r = await this.#pool
      .query<{ holder: string; expires_at: Date }>(`SELECT holder, expires_at FROM ${this.#t.leases} WHERE session_id = $1 AND expires_at > now()`, [sessionId])
      .catch(() => undefined);
    const row = r?.rows[0];
    return row ? { holder: row.holder, expiresAt: row.expires_at } : undefined;
  }

  #markLost(error: LeaseLostError): void {
    const held = this.#held.get(error.sessionId);
    if (!held || held.lost) return;
    held.lost = error;
    this.#onError(error);
    for (const listener of held.listeners) {
      try {
        listener(error);
      } catch (e) {
        this.#onError(e);
      }
    }
  }

  #scheduleRenewal(): void {
    if (this.#renewTimer || this.#closed) return;
    const tick = async (): Promise<void> => {
      this.#renewTimer = undefined;
      const ids = [...this.#held.entries()].filter(([, h]) => !h.lost).map(([id]) => id);
      if (ids.length === 0 || this.#closed) return;
      try {
        const r = await this.#pool.query<{ session_id: string; expires_at: Date }>(
          `UPDATE ${this.#t.leases} SET expires_at = now() + $3 * interval '1 millisecond' WHERE holder = $1 AND session_id = ANY($2::text[]) RETURNING session_id, expires_at`,
          [this.hostId, ids, this.leaseTtlMs],
        );
        const renewed = new Map(r.rows.map((row) => [row.session_id, row.expires_at]));
        for (const id of ids) {
          const held = this.#held.get(id);
          if (!held) continue;
          const expiresAt = renewed.get(id);
          if (expiresAt) held.expiresAt = expiresAt;
          else this.#markLost(new LeaseLostError(id, this.hostId, await this.#currentLease(id)));
        }
      } catch (error) {
        this.#onError(classify(error, this.#connection, "renewing this host's leases"));
      }
      if (!this.#closed && this.#held.size > 0) this.#renewTimer = setTimeout(() => void tick(), Math.max(100, this.leaseTtlMs / 3)).unref();
    };
    this.#renewTimer = setTimeout(() => void tick(), Math.max(100, this.leaseTtlMs / 3)).unref();
  }
}
