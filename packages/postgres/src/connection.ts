/**
 * The connection to PostgreSQL: where the connection string comes from, how it is shown (password
 * masked), and how `pg` failures become typed errors that name the cause and the fix.
 */
import pg from "pg";
import { redactString } from "@flightdeck/copilot-sdk";
import { PostgresStoreError } from "./errors.js";

/** How to reach the database. */
export interface PostgresConnectionOptions {
  /**
   * `postgres://user:password@host:port/database`. Default: the `DATABASE_URL` environment
   * variable. The password is never logged nor put in an error message.
   */
  connectionString?: string;
  /** PostgreSQL schema (namespace) holding the tables. Default `"flightdeck"`. */
  schema?: string;
  /** Most connections this process opens. Default 10. */
  maxConnections?: number;
  /** How long opening a connection may take. Default 5 000 ms. */
  connectTimeoutMs?: number;
  /** How long one query may take before it fails as unreachable (a frozen server, a cut network). Default 30 000 ms. */
  queryTimeoutMs?: number;
}

const IDENTIFIER = /^[a-z_][a-z0-9_]{0,62}$/;

function invalid(option: string, message: string): PostgresStoreError {
  return new PostgresStoreError("INVALID_OPTION", `${option}: ${message}`);
}

/** The connection string with its password replaced by `[REDACTED]`, for messages (as every Flightdeck message masks credentials). */
export function maskConnectionString(connectionString: string): string {
  // `postgres://user:password@host/db` and `password=…` key-value strings.
  return redactString(connectionString);
}

/** Checked options with the defaults filled in. */
export interface ResolvedConnection {
  readonly connectionString: string;
  /** `connectionString` with the password masked. */
  readonly display: string;
  readonly schema: string;
  readonly maxConnections: number;
  readonly connectTimeoutMs: number;
  readonly queryTimeoutMs: number;
}

export function resolveConnection(options: PostgresConnectionOptions, env: NodeJS.ProcessEnv = process.env): ResolvedConnection {
  if (typeof options !== "object" || options === null) throw invalid("options", "pass an options object (or nothing, to use DATABASE_URL).");
  const given = options.connectionString;
  if (given !== undefined && (typeof given !== "string" || given.trim() === "")) {
    throw invalid("connectionString", "must be a non-empty string like postgres://user:password@host:5432/database (or leave it out and set DATABASE_URL).");
  }
  const connectionString = given ?? env.DATABASE_URL;
  if (connectionString === undefined || connectionString.trim() === "") {
    throw invalid(
      "connectionString",
      "no database given: pass connectionString or set the DATABASE_URL environment variable (postgres://user:password@host:5432/database).",
    );
  }
  if (/^[a-z]+:\/\//i.test(connectionString) && !/^postgres(ql)?:\/\//i.test(connectionString)) {
    throw invalid("connectionString", `${maskConnectionString(connectionString)} is not a postgres:// URL.`);
  }
  const schema = options.schema ?? "flightdeck";
  if (typeof schema !== "string" || !IDENTIFIER.test(schema)) {
    throw invalid("schema", `${JSON.stringify(schema)} is not a plain lower-case identifier (letters, digits, _).`);
  }
  const maxConnections = options.maxConnections ?? 10;
  if (!Number.isInteger(maxConnections) || maxConnections < 1) throw invalid("maxConnections", `${JSON.stringify(maxConnections)} is not a whole number ≥ 1.`);
  const connectTimeoutMs = options.connectTimeoutMs ?? 5_000;
  if (typeof connectTimeoutMs !== "number" || !Number.isFinite(connectTimeoutMs) || connectTimeoutMs <= 0) {
    throw invalid("connectTimeoutMs", `${JSON.stringify(connectTimeoutMs)} is not a duration in milliseconds (> 0).`);
  }
  const queryTimeoutMs = options.queryTimeoutMs ?? 30_000;
  if (typeof queryTimeoutMs !== "number" || !Number.isFinite(queryTimeoutMs) || queryTimeoutMs <= 0) {
    throw invalid("queryTimeoutMs", `${JSON.stringify(queryTimeoutMs)} is not a duration in milliseconds (> 0).`);
  }
  return { connectionString, display: maskConnectionString(connectionString), schema, maxConnections, connectTimeoutMs, queryTimeoutMs };
}

/** A `pg` pool for these options. Idle-connection errors (the server went away) are absorbed: the next query reconnects. */
export function createPool(resolved: ResolvedConnection, onError: (error: unknown) => void): pg.Pool {
  const pool = new pg.Pool({
    connectionString: resolved.connectionString,
    max: resolved.maxConnections,
    connectionTimeoutMillis: resolved.connectTimeoutMs,
    query_timeout: resolved.queryTimeoutMs,
    idleTimeoutMillis: 30_000,
    application_name: "flightdeck",
  });
  pool.on("error", (error) => onError(classify(error, resolved, "an idle connection")));
  return pool;
}

// SQLSTATE classes and codes that mean "the server is not there right now".
const UNREACHABLE_CODES = new Set(["ECONNREFUSED", "ECONNRESET", "ENOTFOUND", "EAI_AGAIN", "ETIMEDOUT", "EHOSTUNREACH", "ENETUNREACH", "EPIPE"]);
const UNREACHABLE_SQLSTATES = new Set(["57P01", "57P02", "57P03", "08000", "08003", "08006", "08001", "08004"]);

/** True when `error` says the server is unreachable or restarting (worth retrying). */
export function isTransient(error: unknown): boolean {
  if (error instanceof PostgresStoreError) return error.code === "DATABASE_UNREACHABLE";
  const e = error as { code?: unknown; message?: unknown } | null;
  const code = typeof e?.code === "string" ? e.code : "";
  if (UNREACHABLE_CODES.has(code) || UNREACHABLE_SQLSTATES.has(code)) return true;
  const message = typeof e?.message === "string" ? e.message : "";
  return /Connection terminated|timeout exceeded when trying to connect|Query read timeout|Client has encountered a connection error|server closed the connection|Connection terminated unexpectedly/i.test(
    message,
  );
}

/** Turns a `pg` failure into a typed error naming the cause and the fix. Already typed errors pass through. */
export function classify(error: unknown, resolved: Pick<ResolvedConnection, "display">, doing: string): Error {
  if (error instanceof PostgresStoreError) return error;
  if (error instanceof Error && "errorClass" in error.constructor) return error;
  const e = error as { code?: unknown; message?: unknown } | null;
  const code = typeof e?.code === "string" ? e.code : "";
  const reason = typeof e?.message === "string" ? scrub(e.message) : String(error);
  if (code === "28P01" || code === "28000") {
    return new PostgresStoreError(
      "AUTHENTICATION_FAILED",
      `PostgreSQL at ${resolved.display} refused the credentials while ${doing} (${reason}). Check the user and password in the connection string (or DATABASE_URL).`,
      { cause: error },
    );
  }
  if (code === "3D000") {
    return new PostgresStoreError(
      "AUTHENTICATION_FAILED",
      `PostgreSQL at ${resolved.display}: ${reason}. Create the database or fix its name in the connection string.`,
      { cause: error },
    );
  }
  if (isTransient(error)) {
    return new PostgresStoreError(
      "DATABASE_UNREACHABLE",
      `PostgreSQL at ${resolved.display} is unreachable while ${doing} (${reason || code}). Check that the server is running and reachable; the call can be retried.`,
      { cause: error },
    );
  }
  if (code === "42P01" || code === "3F000") {
    return new PostgresStoreError(
      "SCHEMA_MISSING",
      `PostgreSQL at ${resolved.display} has no Flightdeck tables (${reason}). Run \`flightdeck-postgres migrate\` (or \`migrate()\`) once before starting the hosts.`,
      { cause: error },
    );
  }
  return new PostgresStoreError("QUERY_FAILED", `PostgreSQL at ${resolved.display} failed while ${doing}: ${reason}${code ? ` (SQLSTATE ${code})` : ""}.`, {
    cause: error,
  });
}

/** Removes anything that looks like a connection string's password from a message. */
function scrub(message: string): string {
  return redactString(message);
}

/** Runs `fn` with one pooled client in a transaction (`BEGIN` … `COMMIT`, `ROLLBACK` on any failure). */
export async function inTransaction<T>(pool: pg.Pool, fn: (client: pg.PoolClient) => Promise<T>): Promise<T> {
  const client = await pool.connect();
  let broken = false;
  try {
    await client.query("BEGIN");
    const result = await fn(client);
    await client.query("COMMIT");
    return result;
  } catch (error) {
    try {
      await client.query("ROLLBACK");
    } catch {
      broken = true; // the connection is gone: do not return it to the pool
    }
    throw error;
  } finally {
    client.release(broken);
  }
}

/**
 * Retries `fn` while the failure is transient (server restarting, connection dropped), with a
 * growing pause, for at most `windowMs`; then throws the last error.
 */
export async function retryTransient<T>(windowMs: number, fn: () => Promise<T>): Promise<T> {
  const deadline = Date.now() + windowMs;
  let pause = 50;
  for (;;) {
    try {
      return await fn();
    } catch (error) {
      if (!isTransient(error) || Date.now() + pause > deadline) throw error;
      await new Promise((r) => setTimeout(r, pause));
      pause = Math.min(pause * 2, 1_000);
    }
  }
}
