/**
 * Errors of `@flightdeck/copilot-postgres`. Each names the cause and what to do; none carries the
 * database password (connection strings are shown with the password masked).
 */
import { FlightdeckError } from "@flightdeck/copilot-sdk";

/** What went wrong with the store, as a stable string a program can branch on. */
export type PostgresStoreErrorCode =
  /** An option is invalid (names the option). */
  | "INVALID_OPTION"
  /** The server could not be reached (refused, DNS, timeout, restarting). Retry later. */
  | "DATABASE_UNREACHABLE"
  /** The server refused the credentials (wrong user or password, or no access to the database). */
  | "AUTHENTICATION_FAILED"
  /** The tables are not there: run `flightdeck-postgres migrate` (or `migrate()`). */
  | "SCHEMA_MISSING"
  /** The tables were made by another version of this package. */
  | "SCHEMA_MISMATCH"
  /** The provider's optional SQLite capability was asked for; it is not mapped to PostgreSQL. */
  | "SQLITE_UNSUPPORTED"
  /** The store does not know this session id. */
  | "SESSION_NOT_FOUND"
  /** A query failed for another reason (the PostgreSQL error is the `cause`). */
  | "QUERY_FAILED";

/** Every store failure but the lease ones. `retryable` is true when trying again later may work. */
export class PostgresStoreError extends FlightdeckError {
  static override readonly errorClass: string = "PostgresStoreError";
  readonly code: PostgresStoreErrorCode;
  readonly retryable: boolean;

  constructor(code: PostgresStoreErrorCode, message: string, options: { cause?: unknown; retryable?: boolean } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.retryable = options.retryable ?? code === "DATABASE_UNREACHABLE";
  }
}

/** Who holds a session's lease, and until when. */
export interface LeaseHolder {
  readonly sessionId: string;
  /** The `hostId` of the host driving the session. */
  readonly holder: string;
  /** When the lease expires unless its holder renews it (server time). */
  readonly expiresAt: Date;
}

/**
 * Another host drives this session right now. Wait until `expiresAt` (or until that host releases
 * it) and try again; the pool's `resumeSession(id, { waitMs })` does that for you.
 */
export class SessionLeasedError extends FlightdeckError implements LeaseHolder {
  static override readonly errorClass: string = "SessionLeasedError";
  readonly code = "SESSION_LEASED" as const;
  readonly retryable = true;
  readonly sessionId: string;
  readonly holder: string;
  readonly expiresAt: Date;

  constructor(lease: LeaseHolder) {
    super(
      `Session ${lease.sessionId} is driven by host "${lease.holder}" until ${lease.expiresAt.toISOString()} (its lease). ` +
        "Only one host drives a session at a time: send this request to that host, or retry after the lease expires or is released.",
    );
    this.sessionId = lease.sessionId;
    this.holder = lease.holder;
    this.expiresAt = lease.expiresAt;
  }
}

/**
 * This host lost a session's lease (it expired, e.g. while the host was stalled or cut off from the
 * database, and another host took the session over). Writes of this host to that session are
 * refused, so nothing is half-written over the new holder's state. Resume the session again
 * (here, once the other host is done with it, or on the host that holds it now).
 */
export class LeaseLostError extends FlightdeckError {
  static override readonly errorClass: string = "LeaseLostError";
  readonly code = "LEASE_LOST" as const;
  readonly retryable = true;
  readonly sessionId: string;
  /** The host that holds the lease now, if any. */
  readonly holder: string | undefined;
  readonly expiresAt: Date | undefined;

  constructor(sessionId: string, hostId: string, current?: { holder: string; expiresAt: Date }) {
    super(
      `Host "${hostId}" lost the lease of session ${sessionId}` +
        (current ? ` to host "${current.holder}" (until ${current.expiresAt.toISOString()})` : "") +
        "; its writes to that session are refused. Resume the session again to drive it from this host (raise leaseTtlMs if this host stalls longer than the lease).",
    );
    this.sessionId = sessionId;
    this.holder = current?.holder;
    this.expiresAt = current?.expiresAt;
  }
}

/**
 * The runtime a pooled session was on died (or stopped answering health checks) while a call was
 * pending. The session itself lives on: the pool resumes it on another runtime from the shared
 * store. Retry the call.
 */
export class RuntimeLostError extends FlightdeckError {
  static override readonly errorClass: string = "RuntimeLostError";
  readonly code = "RUNTIME_LOST" as const;
  readonly retryable = true;
  readonly sessionId: string;
  /** Index of the runtime in the pool. */
  readonly runtime: number;

  constructor(sessionId: string, runtime: number, reason: string, options?: { cause?: unknown }) {
    super(
      `Session ${sessionId}: runtime #${runtime} of the pool was lost (${reason}) while a call was pending. The session is resumed on another runtime from the store; retry the call.`,
      options,
    );
    this.sessionId = sessionId;
    this.runtime = runtime;
  }
}

/** The pool cannot take another session: every healthy runtime is at `maxSessionsPerRuntime`, or none is healthy. */
export class PoolExhaustedError extends FlightdeckError {
  static override readonly errorClass: string = "PoolExhaustedError";
  readonly code = "POOL_EXHAUSTED" as const;
  readonly retryable = true;

  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}
