/**
 * `PostgresSessionFs`: a session filesystem (see `SessionFsProvider` in @flightdeck/copilot-client)
 * whose files live in PostgreSQL. Every write is one transaction; with a lease fence, a write from
 * a host that no longer holds the session's lease is refused inside that transaction, so it can
 * never land on top of the new holder's state.
 */
import { posix } from "node:path";
import type pg from "pg";
import { SessionFsProviderError, type SessionFsContext, type SessionFsDirEntry, type SessionFsFileInfo, type SessionFsProvider } from "@flightdeck/copilot-sdk";
import { classify, inTransaction, retryTransient, type ResolvedConnection } from "./connection.js";
import { LeaseLostError, PostgresStoreError } from "./errors.js";

/** Internals a {@link PostgresSessionFs} shares with the store that made it. */
export interface PostgresSessionFsInit {
  readonly pool: pg.Pool;
  readonly connection: ResolvedConnection;
  /** Writes are refused when another host holds the session's lease. Without it, no fencing. */
  readonly hostId?: string;
  /** How long a call keeps retrying while the server is unreachable (restarting). */
  readonly retryWindowMs: number;
  /** Called when a write was refused because another host holds the lease. */
  readonly onLeaseLost?: (error: LeaseLostError) => void;
}

type Queryable = Pick<pg.Pool, "query">;

/** Appends to one file before its chunks are folded into the file row. */
const FOLD_EVERY = 256;

/** Normalized absolute key of a wire path; `..` cannot climb above `/`. */
function keyOf(path: string): string {
  if (typeof path !== "string" || path.includes("\0")) throw new SessionFsProviderError("UNKNOWN", `invalid path ${JSON.stringify(path)}`);
  return posix.normalize(`/${path}`).replace(/\/+$/, "") || "/";
}

function ancestors(key: string): string[] {
  const out: string[] = [];
  for (let dir = posix.dirname(key); dir !== "/"; dir = posix.dirname(dir)) out.push(dir);
  return out;
}

/**
 * A {@link SessionFsProvider} keeping each session's files in PostgreSQL. Make it with
 * `PostgresSessionStore.sessionFs` (fenced by the store's leases), not directly.
 */
export class PostgresSessionFs implements SessionFsProvider {
  readonly name = "postgres";
  readonly #init: PostgresSessionFsInit;
  readonly #t: { files: string; chunks: string; leases: string };
  readonly #appends = new Map<string, number>();
  /** Files this process appended to (the one-statement append applies to them). */
  readonly #existing = new Set<string>();

  constructor(init: PostgresSessionFsInit) {
    this.#init = init;
    const s = `"${init.connection.schema}"`;
    this.#t = { files: `${s}.files`, chunks: `${s}.file_chunks`, leases: `${s}.leases` };
  }

  /**
   * The optional SQLite capability is deliberately absent: SQLite statements (its dialect, its
   * `lastInsertRowid`, its typing) cannot be run faithfully by PostgreSQL. Without it the runtime
   * keeps working; it only does not offer its SQL-backed features for these sessions.
   */
  readonly sqlite = undefined;

  async readFile(path: string, context: SessionFsContext): Promise<string> {
    const key = keyOf(path);
    const row = await this.#read(
      "readFile",
      async (db) =>
        (
          await db.query<{ kind: string; content: string }>(
            `SELECT f.kind, f.content || coalesce((SELECT string_agg(c.content, '' ORDER BY c.seq) FROM ${this.#t.chunks} c WHERE c.session_id = f.session_id AND c.path = f.path), '') AS content
           FROM ${this.#t.files} f WHERE f.session_id = $1 AND f.path = $2`,
            [context.sessionId, key],
          )
        ).rows[0],
    );
    if (!row) throw SessionFsProviderError.notFound(path, "readFile");
    if (row.kind === "d") throw new SessionFsProviderError("UNKNOWN", `readFile: ${path} is a directory (EISDIR)`);
    return row.content;
  }

  async writeFile(path: string, content: string, options: { mode?: number }, context: SessionFsContext): Promise<void> {
    const key = keyOf(path);
    if (key === "/") throw new SessionFsProviderError("UNKNOWN", `writeFile: ${path} is a directory (EISDIR)`);
    await this.#write("writeFile", context.sessionId, async (db) => {
      await this.#ensureParents(db, context.sessionId, key, "writeFile");
      const r = await db.query<{ kind: string }>(
        `INSERT INTO ${this.#t.files} AS f (session_id, path, kind, content, mode) VALUES ($1, $2, 'f', $3, $4)
         ON CONFLICT (session_id, path) DO UPDATE SET content = excluded.content, mtime = now() WHERE f.kind = 'f'
         RETURNING f.kind`,
        [context.sessionId, key, content, options.mode ?? null],
      );
      if (r.rowCount === 0) throw new SessionFsProviderError("UNKNOWN", `writeFile: ${path} is a directory (EISDIR)`);
      await db.query(`DELETE FROM ${this.#t.chunks} WHERE session_id = $1 AND path = $2`, [context.sessionId, key]);
    });
    this.#appends.delete(`${context.sessionId}\0${key}`);
    this.#existing.add(`${context.sessionId}\0${key}`);
  }

  async appendFile(path: string, content: string, options: { mode?: number }, context: SessionFsContext): Promise<void> {
    const key = keyOf(path);
    if (key === "/") throw new SessionFsProviderError("UNKNOWN", `appendFile: ${path} is a directory (EISDIR)`);
    const counter = `${context.sessionId}\0${key}`;
    const count = (this.#appends.get(counter) ?? 0) + 1;
    // The hot path (an event appended to an existing log): one statement, so one round trip, with
    // the lease fence inside it. A new file, or a fold, takes the transactional path below.
    if (count < FOLD_EVERY && this.#existing.has(counter)) {
      const done = await this.#appendExisting(context.sessionId, key, content);
      if (done) {
        this.#appends.set(counter, count);
        return;
      }
    }
    await this.#write("appendFile", context.sessionId, async (db) => {
      const r = await db.query<{ kind: string; inserted: boolean }>(
        `INSERT INTO ${this.#t.files} AS f (session_id, path, kind, mode) VALUES ($1, $2, 'f', $3)
         ON CONFLICT (session_id, path) DO UPDATE SET mtime = now() WHERE f.kind = 'f'
         RETURNING f.kind, (xmax = 0) AS inserted`,
        [context.sessionId, key, options.mode ?? null],
      );
      if (r.rowCount === 0) throw new SessionFsProviderError("UNKNOWN", `appendFile: ${path} is a directory (EISDIR)`);
      if (r.rows[0]!.inserted) await this.#ensureParents(db, context.sessionId, key, "appendFile");
      await db.query(`INSERT INTO ${this.#t.chunks} (session_id, path, content) VALUES ($1, $2, $3)`, [context.sessionId, key, content]);
      if (count >= FOLD_EVERY) await this.#fold(db, context.sessionId, key);
    });
    this.#appends.set(counter, count >= FOLD_EVERY ? 0 : count);
    this.#existing.add(counter);
  }

  async exists(path: string, context: SessionFsContext): Promise<boolean> {
    const key = keyOf(path);
    if (key === "/") return true;
    return this.#read(
      "exists",
      async (db) => (await db.query(`SELECT 1 FROM ${this.#t.files} WHERE session_id = $1 AND path = $2`, [context.sessionId, key])).rowCount! > 0,
    );
  }

  async stat(path: string, context: SessionFsContext): Promise<SessionFsFileInfo> {
    const key = keyOf(path);
    if (key === "/") return { isFile: false, isDirectory: true, size: 0, mtime: new Date(0), birthtime: new Date(0) };
    const row = await this.#read(
      "stat",
      async (db) =>
        (
          await db.query<{ kind: string; size: string; mtime: Date; birthtime: Date }>(
            `SELECT f.kind, f.mtime, f.birthtime,
             octet_length(f.content) + coalesce((SELECT sum(octet_length(c.content)) FROM ${this.#t.chunks} c WHERE c.session_id = f.session_id AND c.path = f.path), 0) AS size
           FROM ${this.#t.files} f WHERE f.session_id = $1 AND f.path = $2`,
            [context.sessionId, key],
          )
        ).rows[0],
    );
    if (!row) throw SessionFsProviderError.notFound(path, "stat");
    return {
      isFile: row.kind === "f",
      isDirectory: row.kind === "d",
      size: row.kind === "f" ? Number(row.size) : 0,
      mtime: row.mtime,
      birthtime: row.birthtime,
    };
  }

  async mkdir(path: string, options: { recursive: boolean; mode?: number }, context: SessionFsContext): Promise<void> {
    const key = keyOf(path);
    if (key === "/") {
      if (options.recursive) return;
      throw new SessionFsProviderError("UNKNOWN", `mkdir: ${path} already exists (EEXIST)`);
    }
    await this.#write("mkdir", context.sessionId, async (db) => {
      const existing = await this.#kind(db, context.sessionId, key);
      if (existing) {
        if (existing === "d" && options.recursive) return;
        throw new SessionFsProviderError("UNKNOWN", `mkdir: ${path} already exists (EEXIST)`);
      }
      if (options.recursive) await this.#ensureParents(db, context.sessionId, key, "mkdir");
      else await this.#requireParent(db, context.sessionId, key, path, "mkdir");
      await db.query(`INSERT INTO ${this.#t.files} (session_id, path, kind, mode) VALUES ($1, $2, 'd', $3)`, [context.sessionId, key, options.mode ?? null]);
    });
  }

  async readdir(path: string, context: SessionFsContext): Promise<string[]> {
    return (await this.readdirWithTypes(path, context)).map((e) => e.name);
  }

  async readdirWithTypes(path: string, context: SessionFsContext): Promise<SessionFsDirEntry[]> {
    const key = keyOf(path);
    const result = await this.#read("readdir", async (db) => {
      const kind = key === "/" ? "d" : await this.#kind(db, context.sessionId, key);
      if (!kind) return undefined;
      if (kind !== "d") throw new SessionFsProviderError("UNKNOWN", `readdir: ${path} is not a directory (ENOTDIR)`);
      const prefix = key === "/" ? "/" : `${key}/`;
      return (
        await db.query<{ path: string; kind: string }>(
          `SELECT path, kind FROM ${this.#t.files} WHERE session_id = $1 AND starts_with(path, $2) AND strpos(substr(path, length($2) + 1), '/') = 0 ORDER BY path COLLATE "C"`,
          [context.sessionId, prefix],
        )
      ).rows;
    });
    if (!result) throw SessionFsProviderError.notFound(path, "readdir");
    return result.map((r) => ({ name: posix.basename(r.path), type: r.kind === "d" ? ("directory" as const) : ("file" as const) }));
  }

  async rm(path: string, options: { recursive: boolean; force: boolean }, context: SessionFsContext): Promise<void> {
    const key = keyOf(path);
    if (key === "/") throw new SessionFsProviderError("UNKNOWN", `rm: refusing to remove the root folder of the session filesystem (${path})`);
    await this.#write("rm", context.sessionId, async (db) => {
      const kind = await this.#kind(db, context.sessionId, key);
      if (!kind) {
        if (options.force) return;
        throw SessionFsProviderError.notFound(path, "rm");
      }
      if (kind === "d") {
        const children = await db.query(`SELECT 1 FROM ${this.#t.files} WHERE session_id = $1 AND starts_with(path, $2) LIMIT 1`, [
          context.sessionId,
          `${key}/`,
        ]);
        if (children.rowCount! > 0 && !options.recursive)
          throw new SessionFsProviderError("UNKNOWN", `rm: ${path} is a non-empty directory; pass recursive (ENOTEMPTY)`);
        await db.query(`DELETE FROM ${this.#t.files} WHERE session_id = $1 AND starts_with(path, $2)`, [context.sessionId, `${key}/`]);
      }
      await db.query(`DELETE FROM ${this.#t.files} WHERE session_id = $1 AND path = $2`, [context.sessionId, key]);
    });
    this.#forget(context.sessionId, key);
  }

  async rename(src: string, dest: string, context: SessionFsContext): Promise<void> {
    const from = keyOf(src);
    const to = keyOf(dest);
    if (from === "/" || to === "/") throw new SessionFsProviderError("UNKNOWN", `rename: cannot move the root folder of the session filesystem (EINVAL)`);
    await this.#write("rename", context.sessionId, async (db) => {
      const kind = await this.#kind(db, context.sessionId, from);
      if (!kind) throw SessionFsProviderError.notFound(src, "rename");
      if (from === to) return;
      if (to.startsWith(`${from}/`)) throw new SessionFsProviderError("UNKNOWN", `rename: cannot move ${src} into itself (EINVAL)`);
      await this.#requireParent(db, context.sessionId, to, dest, "rename");
      const target = await this.#kind(db, context.sessionId, to);
      if (target === "d") {
        const children = await db.query(`SELECT 1 FROM ${this.#t.files} WHERE session_id = $1 AND starts_with(path, $2) LIMIT 1`, [
          context.sessionId,
          `${to}/`,
        ]);
        if (kind === "f" || children.rowCount! > 0)
          throw new SessionFsProviderError("UNKNOWN", `rename: ${dest} is a ${kind === "f" ? "directory (EISDIR)" : "non-empty directory (ENOTEMPTY)"}`);
      }
      if (target === "f" && kind === "d") throw new SessionFsProviderError("UNKNOWN", `rename: ${dest} is a file (ENOTDIR)`);
      if (target) await db.query(`DELETE FROM ${this.#t.files} WHERE session_id = $1 AND path = $2`, [context.sessionId, to]);
      // Chunks follow through ON UPDATE CASCADE.
      await db.query(
        `UPDATE ${this.#t.files} SET path = $3 || substr(path, length($2) + 1), mtime = now() WHERE session_id = $1 AND (path = $2 OR starts_with(path, $2 || '/'))`,
        [context.sessionId, from, to],
      );
    });
    this.#forget(context.sessionId, from);
  }

  // ---- internals ----

  #forget(sessionId: string, key: string): void {
    const prefix = `${sessionId}\0${key}`;
    for (const k of [...this.#existing]) if (k === prefix || k.startsWith(`${prefix}/`)) this.#existing.delete(k);
    for (const k of [...this.#appends.keys()]) if (k === prefix || k.startsWith(`${prefix}/`)) this.#appends.delete(k);
  }

  /**
   * Appends to a file that exists, in one statement: the lease fence (the lease row read FOR SHARE),
   * the file's mtime and the new chunk. Returns false when the file is not (or no longer) a file, so
   * the caller takes the transactional path; throws LeaseLostError when another host holds the lease.
   */
  async #appendExisting(sessionId: string, key: string, content: string): Promise<boolean> {
    const hostId = this.#init.hostId ?? null;
    let row: { ok: boolean; appended: boolean; holder: string | null; expires_at: Date | null } | undefined;
    try {
      row = await retryTransient(
        this.#init.retryWindowMs,
        async () =>
          (
            await this.#init.pool.query<{ ok: boolean; appended: boolean; holder: string | null; expires_at: Date | null }>(
              `WITH lease AS (SELECT holder, expires_at, expires_at > now() AS live FROM ${this.#t.leases} WHERE session_id = $1 FOR SHARE),
                  allowed AS (SELECT $4::text IS NULL OR NOT EXISTS (SELECT 1 FROM lease WHERE holder <> $4::text AND live) AS ok),
                  touched AS (UPDATE ${this.#t.files} SET mtime = now() WHERE session_id = $1 AND path = $2 AND kind = 'f' AND (SELECT ok FROM allowed) RETURNING session_id, path),
                  added AS (INSERT INTO ${this.#t.chunks} (session_id, path, content) SELECT session_id, path, $3 FROM touched RETURNING 1)
             SELECT (SELECT ok FROM allowed) AS ok, EXISTS (SELECT 1 FROM added) AS appended, (SELECT holder FROM lease) AS holder, (SELECT expires_at FROM lease) AS expires_at`,
              [sessionId, key, content, hostId],
            )
          ).rows[0],
      );
    } catch (error) {
      throw this.#typed(error, "appendFile");
    }
    if (row && !row.ok && hostId !== null) {
      const error = new LeaseLostError(sessionId, hostId, row.holder && row.expires_at ? { holder: row.holder, expiresAt: row.expires_at } : undefined);
      this.#init.onLeaseLost?.(error);
      throw error;
    }
    return row?.appended === true;
  }

  async #kind(db: Queryable, sessionId: string, key: string): Promise<string | undefined> {
    return (await db.query<{ kind: string }>(`SELECT kind FROM ${this.#t.files} WHERE session_id = $1 AND path = $2`, [sessionId, key])).rows[0]?.kind;
  }

  async #requireParent(db: Queryable, sessionId: string, key: string, path: string, operation: string): Promise<void> {
    const parent = posix.dirname(key);
    if (parent === "/") return;
    const kind = await this.#kind(db, sessionId, parent);
    if (!kind) throw SessionFsProviderError.notFound(posix.dirname(path), operation);
    if (kind !== "d") throw new SessionFsProviderError("UNKNOWN", `${operation}: ${posix.dirname(path)} is not a directory (ENOTDIR)`);
  }

  /** Creates the missing folders above `key`; fails with ENOTDIR when one of them is a file. */
  async #ensureParents(db: Queryable, sessionId: string, key: string, operation: string): Promise<void> {
    const dirs = ancestors(key);
    if (dirs.length === 0) return;
    const files = await db.query<{ path: string }>(
      `SELECT path FROM ${this.#t.files} WHERE session_id = $1 AND path = ANY($2::text[]) AND kind = 'f' LIMIT 1`,
      [sessionId, dirs],
    );
    if (files.rowCount! > 0) throw new SessionFsProviderError("UNKNOWN", `${operation}: ${files.rows[0]!.path} is a file, not a directory (ENOTDIR)`);
    await db.query(`INSERT INTO ${this.#t.files} (session_id, path, kind) SELECT $1, unnest($2::text[]), 'd' ON CONFLICT DO NOTHING`, [sessionId, dirs]);
  }

  /** Folds a file's appended chunks into its row (keeps reads of long event logs cheap). */
  async #fold(db: Queryable, sessionId: string, key: string): Promise<void> {
    await db.query(
      `WITH gone AS (DELETE FROM ${this.#t.chunks} WHERE session_id = $1 AND path = $2 RETURNING seq, content)
       UPDATE ${this.#t.files} SET content = content || coalesce((SELECT string_agg(content, '' ORDER BY seq) FROM gone), '') WHERE session_id = $1 AND path = $2`,
      [sessionId, key],
    );
  }

  async #read<T>(operation: string, fn: (db: pg.Pool) => Promise<T>): Promise<T> {
    try {
      return await retryTransient(this.#init.retryWindowMs, () => fn(this.#init.pool));
    } catch (error) {
      throw this.#typed(error, operation);
    }
  }

  /** One transaction: the lease fence first (it also keeps a takeover waiting until we commit), then `fn`. */
  async #write(operation: string, sessionId: string, fn: (db: pg.PoolClient) => Promise<void>): Promise<void> {
    const hostId = this.#init.hostId;
    try {
      await retryTransient(this.#init.retryWindowMs, () =>
        inTransaction(this.#init.pool, async (db) => {
          if (hostId !== undefined) {
            const lease = (
              await db.query<{ holder: string; expires_at: Date; live: boolean }>(
                `SELECT holder, expires_at, expires_at > now() AS live FROM ${this.#t.leases} WHERE session_id = $1 FOR SHARE`,
                [sessionId],
              )
            ).rows[0];
            if (lease && lease.holder !== hostId && lease.live) {
              const error = new LeaseLostError(sessionId, hostId, { holder: lease.holder, expiresAt: lease.expires_at });
              this.#init.onLeaseLost?.(error);
              throw error;
            }
          }
          await fn(db);
        }),
      );
    } catch (error) {
      throw this.#typed(error, operation);
    }
  }

  #typed(error: unknown, operation: string): Error {
    if (error instanceof SessionFsProviderError || error instanceof LeaseLostError || error instanceof PostgresStoreError) return error;
    return classify(error, this.#init.connection, `running sessionFs ${operation}`);
  }
}
