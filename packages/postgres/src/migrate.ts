/**
 * The tables, and `migrate()` which creates them. Versioned by one row in `<schema>.schema_version`;
 * a database made by another version of this package is refused with a typed error, never altered
 * behind the user's back.
 */
import type pg from "pg";
import { classify, createPool, inTransaction, resolveConnection, type PostgresConnectionOptions, type ResolvedConnection } from "./connection.js";
import { PostgresStoreError } from "./errors.js";

/** The schema version this package reads and writes. */
export const SCHEMA_VERSION = 1;

/** The statements creating version 1 in `schema` (also printed by `flightdeck-postgres migrate --print`). */
export function schemaStatements(schema: string): string[] {
  const s = `"${schema}"`;
  return [
    `CREATE SCHEMA IF NOT EXISTS ${s}`,
    `CREATE TABLE IF NOT EXISTS ${s}.schema_version (
      singleton boolean PRIMARY KEY DEFAULT true CHECK (singleton),
      version integer NOT NULL,
      migrated_at timestamptz NOT NULL DEFAULT now()
    )`,
    // One row per known session (the runtime's own list does not see sessions kept in a session filesystem).
    `CREATE TABLE IF NOT EXISTS ${s}.sessions (
      session_id text PRIMARY KEY,
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now(),
      created_by text NOT NULL,
      last_host text NOT NULL
    )`,
    // Files and folders of each session's filesystem. Appends go to file_chunks, so writing an
    // event costs one small row instead of rewriting the whole event log.
    `CREATE TABLE IF NOT EXISTS ${s}.files (
      session_id text NOT NULL,
      path text NOT NULL,
      kind char(1) NOT NULL CHECK (kind IN ('f', 'd')),
      content text NOT NULL DEFAULT '',
      mode integer,
      birthtime timestamptz NOT NULL DEFAULT now(),
      mtime timestamptz NOT NULL DEFAULT now(),
      PRIMARY KEY (session_id, path)
    )`,
    `CREATE TABLE IF NOT EXISTS ${s}.file_chunks (
      session_id text NOT NULL,
      path text NOT NULL,
      seq bigserial NOT NULL,
      content text NOT NULL,
      PRIMARY KEY (session_id, path, seq),
      FOREIGN KEY (session_id, path) REFERENCES ${s}.files (session_id, path) ON DELETE CASCADE ON UPDATE CASCADE
    )`,
    // Who drives a session, until when (server clock).
    `CREATE TABLE IF NOT EXISTS ${s}.leases (
      session_id text PRIMARY KEY,
      holder text NOT NULL,
      acquired_at timestamptz NOT NULL DEFAULT now(),
      expires_at timestamptz NOT NULL
    )`,
    `CREATE INDEX IF NOT EXISTS leases_holder ON ${s}.leases (holder)`,
  ];
}

/** What `migrate()` did. */
export interface MigrateResult {
  /** The schema version before (0: there were no tables). */
  readonly from: number;
  readonly to: number;
  readonly schema: string;
}

async function readVersion(client: pg.ClientBase, schema: string): Promise<number> {
  const exists = await client.query<{ found: boolean }>(`SELECT to_regclass($1) IS NOT NULL AS found`, [`"${schema}".schema_version`]);
  if (!exists.rows[0]?.found) return 0;
  const row = await client.query<{ version: number }>(`SELECT version FROM "${schema}".schema_version`);
  return row.rows[0]?.version ?? 0;
}

function newerSchema(found: number, resolved: ResolvedConnection): PostgresStoreError {
  return new PostgresStoreError(
    "SCHEMA_MISMATCH",
    `The tables in schema "${resolved.schema}" of ${resolved.display} are at version ${found}, made by a newer @flightdeck/copilot-postgres; this one knows version ${SCHEMA_VERSION}. Upgrade @flightdeck/copilot-postgres on this host (or point it at another schema).`,
  );
}

/**
 * Creates (or upgrades) the tables. Idempotent and safe to run from several hosts at once (an
 * advisory lock serializes them). Same as `flightdeck-postgres migrate`.
 *
 * @example
 * ```ts
 * await migrate({ connectionString: process.env.DATABASE_URL });
 * ```
 * @throws {PostgresStoreError} `DATABASE_UNREACHABLE`, `AUTHENTICATION_FAILED`, or `SCHEMA_MISMATCH` when the tables are newer than this package.
 */
export async function migrate(options: PostgresConnectionOptions = {}): Promise<MigrateResult> {
  const resolved = resolveConnection(options);
  const pool = createPool(resolved, () => {});
  try {
    return await inTransaction(pool, async (client) => {
      await client.query("SELECT pg_advisory_xact_lock(hashtext($1))", [`flightdeck-migrate:${resolved.schema}`]);
      const from = await readVersion(client, resolved.schema);
      if (from > SCHEMA_VERSION) throw newerSchema(from, resolved);
      if (from < SCHEMA_VERSION) {
        for (const statement of schemaStatements(resolved.schema)) await client.query(statement);
        await client.query(
          `INSERT INTO "${resolved.schema}".schema_version (singleton, version) VALUES (true, $1) ON CONFLICT (singleton) DO UPDATE SET version = excluded.version, migrated_at = now()`,
          [SCHEMA_VERSION],
        );
      }
      return { from, to: SCHEMA_VERSION, schema: resolved.schema };
    });
  } catch (error) {
    throw classify(error, resolved, "migrating the schema");
  } finally {
    await pool.end().catch(() => {});
  }
}

/** Checks that the tables exist at this package's version; throws the typed error saying what to run otherwise. */
export async function checkSchema(pool: pg.Pool, resolved: ResolvedConnection): Promise<void> {
  let found: number;
  try {
    const client = await pool.connect();
    try {
      found = await readVersion(client, resolved.schema);
    } finally {
      client.release();
    }
  } catch (error) {
    throw classify(error, resolved, "checking the schema");
  }
  if (found === 0) {
    throw new PostgresStoreError(
      "SCHEMA_MISSING",
      `PostgreSQL at ${resolved.display} has no Flightdeck tables in schema "${resolved.schema}". Run \`flightdeck-postgres migrate\` (with DATABASE_URL set) or \`await migrate()\` once before starting the hosts.`,
    );
  }
  if (found > SCHEMA_VERSION) throw newerSchema(found, resolved);
  if (found < SCHEMA_VERSION) {
    throw new PostgresStoreError(
      "SCHEMA_MISMATCH",
      `The tables in schema "${resolved.schema}" of ${resolved.display} are at version ${found}; this package needs version ${SCHEMA_VERSION}. Run \`flightdeck-postgres migrate\` to upgrade them.`,
    );
  }
}
