/**
 * Session filesystem: with the `sessionFs` client option the runtime keeps each session's state
 * (events.jsonl, workspace.yaml, checkpoints, plan.md, …) in a filesystem this process provides,
 * over the `sessionFs.*` server→client requests. This module holds the provider contract and the
 * option's checks; session-fs-handlers.ts turns provider calls (which throw) into the wire's
 * error-in-result replies.
 */
import {
  FlightdeckError,
  SdkError,
  type SessionFsErrorCode,
  type SessionFsSetProviderRequest,
  type SessionFsSqliteQueryType,
  type SessionFsSqliteTransactionErrorClass,
} from "@flightdeck/copilot-core";

type Awaitable<T> = T | Promise<T>;

/** What every provider call receives besides its arguments. */
export interface SessionFsContext {
  /** The session whose filesystem this is. One provider object may serve many sessions. */
  readonly sessionId: string;
  /** Aborted when the connection to the runtime closes before the reply was sent. */
  readonly signal: AbortSignal;
}

/** Metadata of a path, as {@link SessionFsProvider.stat} returns it. Dates may be `Date`s or ISO strings. */
export interface SessionFsFileInfo {
  isFile: boolean;
  isDirectory: boolean;
  /** Size in bytes (0 for directories is fine). */
  size: number;
  mtime: Date | string;
  birthtime: Date | string;
}

/** One entry of {@link SessionFsProvider.readdirWithTypes}. */
export interface SessionFsDirEntry {
  name: string;
  type: "file" | "directory";
}

/** Result of one SQLite statement. */
export interface SessionFsSqliteResult {
  /** Rows of a `query` statement; `[]` otherwise. */
  rows: Array<Record<string, unknown>>;
  columns: string[];
  /** Rows changed by a `run` statement; 0 otherwise. */
  rowsAffected: number;
  lastInsertRowid?: number;
}

/** One statement of {@link SessionFsSqliteProvider.transaction}. */
export interface SessionFsSqliteStatement {
  queryType: SessionFsSqliteQueryType;
  query: string;
  params?: Record<string, unknown>;
}

/**
 * The per-session SQLite database (optional): the runtime uses it for SQL tools and todo
 * tracking when the provider declares it (`sessionFs.sqlite`, default: when `sqlite` is present).
 */
export interface SessionFsSqliteProvider {
  query(
    queryType: SessionFsSqliteQueryType,
    query: string,
    params: Record<string, unknown> | undefined,
    context: SessionFsContext,
  ): Awaitable<SessionFsSqliteResult>;
  /** Runs the statements atomically. Throw {@link SessionFsProviderError} with `sqliteErrorClass` to classify a failure (default `"fatal"`). */
  transaction?(statements: SessionFsSqliteStatement[], context: SessionFsContext): Awaitable<SessionFsSqliteResult[]>;
  /** Whether the database already exists (without creating it). */
  exists(context: SessionFsContext): Awaitable<boolean>;
}

/**
 * A filesystem the runtime stores session state in. Paths follow the registered `conventions`
 * (POSIX by default: absolute, `/`-separated, e.g. `/session-state/events.jsonl`).
 *
 * Signal failures by throwing: a {@link SessionFsProviderError}, or any error whose `code` is
 * `"ENOENT"` (Node's `fs` errors qualify), becomes the wire's `ENOENT`; anything else becomes
 * `UNKNOWN` with a message naming the provider and the operation, and is also reported to the
 * client's `onError`. The session keeps working either way.
 *
 * Ready-made: {@link MemorySessionFs} (in memory) and {@link DirectorySessionFs} (a folder).
 */
export interface SessionFsProvider {
  /** Names the provider in error messages. Default: its class name. */
  readonly name?: string;
  /** The file's content (UTF-8). Throw ENOENT when it does not exist. */
  readFile(path: string, context: SessionFsContext): Awaitable<string>;
  /** Creates or replaces a file, creating missing parent folders. */
  writeFile(path: string, content: string, options: { mode?: number }, context: SessionFsContext): Awaitable<void>;
  /** Appends to a file (creating it and missing parent folders). */
  appendFile(path: string, content: string, options: { mode?: number }, context: SessionFsContext): Awaitable<void>;
  exists(path: string, context: SessionFsContext): Awaitable<boolean>;
  /** Throw ENOENT when the path does not exist. */
  stat(path: string, context: SessionFsContext): Awaitable<SessionFsFileInfo>;
  /** Creates a folder; with `recursive`, its missing parents too and no error when it exists. */
  mkdir(path: string, options: { recursive: boolean; mode?: number }, context: SessionFsContext): Awaitable<void>;
  /** Entry names of a folder. Throw ENOENT when it does not exist. */
  readdir(path: string, context: SessionFsContext): Awaitable<string[]>;
  /** Entries of a folder with their type. Throw ENOENT when it does not exist. */
  readdirWithTypes(path: string, context: SessionFsContext): Awaitable<SessionFsDirEntry[]>;
  /** Removes a file or folder (`recursive` for non-empty folders); with `force`, a missing path is not an error. */
  rm(path: string, options: { recursive: boolean; force: boolean }, context: SessionFsContext): Awaitable<void>;
  /** Moves a file or folder, replacing a file at `dest`. */
  rename(src: string, dest: string, context: SessionFsContext): Awaitable<void>;
  /** The per-session SQLite database, if the provider has one. */
  readonly sqlite?: SessionFsSqliteProvider;
}

/**
 * The `sessionFs` client option: where the runtime keeps session state.
 *
 * @example
 * ```ts
 * const fs = new MemorySessionFs();
 * const client = new CopilotClient({ sessionFs: { provider: fs } });
 * // after a turn: fs.snapshot(session.sessionId)["/session-state/events.jsonl"]
 * ```
 */
export interface SessionFsOptions {
  /**
   * A provider serving every session (its calls get `context.sessionId`; the ready-made ones keep
   * each session in its own `/<sessionId>` folder), or a function making one provider per session
   * (called once per session id, on that session's first request).
   */
  provider: SessionFsProvider | ((sessionId: string) => SessionFsProvider);
  /**
   * Folder in each session's filesystem where the runtime keeps that session's files. Default
   * `"/session-state"`.
   */
  sessionStatePath?: string;
  /** The sessions' initial working directory; must exist on the runtime's machine. Default: the client's `workingDirectory`, else this process's cwd. */
  initialCwd?: string;
  /** Path conventions of the provider. Default: `"windows"` on Windows, else `"posix"`. */
  conventions?: "posix" | "windows";
  /** Declare SQLite support. Default: true when `provider` is an object with `sqlite`. */
  sqlite?: boolean;
}

/** A classified provider failure: `ENOENT` (the path does not exist) or `UNKNOWN`. */
export class SessionFsProviderError extends FlightdeckError {
  static override readonly errorClass: string = "SessionFsProviderError";
  readonly code: SessionFsErrorCode;
  /** For SQLite transactions: how the runtime may react (`busyOrLocked` = rolled back, retry is safe). */
  readonly sqliteErrorClass: SessionFsSqliteTransactionErrorClass | undefined;

  constructor(code: SessionFsErrorCode, message: string, options: { cause?: unknown; sqliteErrorClass?: SessionFsSqliteTransactionErrorClass } = {}) {
    super(message, { cause: options.cause });
    this.code = code;
    this.sqliteErrorClass = options.sqliteErrorClass;
  }

  /** `ENOENT` for `path`. */
  static notFound(path: string, operation?: string): SessionFsProviderError {
    return new SessionFsProviderError("ENOENT", `${operation ? `${operation}: ` : ""}no such file or directory: ${path}`);
  }
}

const DEFAULT_SESSION_STATE_PATH = "/session-state";
const PROVIDER_METHODS = ["readFile", "writeFile", "appendFile", "exists", "stat", "mkdir", "readdir", "readdirWithTypes", "rm", "rename"] as const;

function invalid(option: string, message: string): SdkError {
  return new SdkError("INVALID_OPTION", `${option}: ${message}`, { details: { option } });
}

/** Checks the `sessionFs` option; throws `SdkError("INVALID_OPTION")` naming the bad field. */
export function checkSessionFsOptions(options: unknown): asserts options is SessionFsOptions {
  if (typeof options !== "object" || options === null || Array.isArray(options)) {
    throw invalid("sessionFs", "must be an object like { provider: new MemorySessionFs() }.");
  }
  const o = options as Partial<SessionFsOptions>;
  const provider = o.provider as unknown;
  if (typeof provider === "object" && provider !== null) {
    const missing = PROVIDER_METHODS.filter((m) => typeof (provider as Record<string, unknown>)[m] !== "function");
    if (missing.length > 0) {
      throw invalid("sessionFs.provider", `is missing ${missing.join(", ")}. Implement SessionFsProvider, or use MemorySessionFs / DirectorySessionFs.`);
    }
  } else if (typeof provider !== "function") {
    throw invalid("sessionFs.provider", "is required: a SessionFsProvider (e.g. new MemorySessionFs()) or a function (sessionId) => SessionFsProvider.");
  }
  for (const key of ["sessionStatePath", "initialCwd"] as const) {
    const v = o[key];
    if (v !== undefined && (typeof v !== "string" || v === "")) throw invalid(`sessionFs.${key}`, "must be a non-empty path.");
  }
  if (o.conventions !== undefined && o.conventions !== "posix" && o.conventions !== "windows") {
    throw invalid("sessionFs.conventions", `"${String(o.conventions)}" is not "posix" or "windows".`);
  }
  if (o.sqlite !== undefined && typeof o.sqlite !== "boolean") throw invalid("sessionFs.sqlite", "must be a boolean.");
  if (o.sqlite === true && typeof provider === "object" && provider !== null && !(provider as SessionFsProvider).sqlite) {
    throw invalid("sessionFs.sqlite", "is true but the provider has no `sqlite` member. Implement SessionFsSqliteProvider or leave the option out.");
  }
}

/** The `sessionFs.setProvider` params for these options. */
export function sessionFsSetProviderParams(options: SessionFsOptions, defaultCwd: string): SessionFsSetProviderRequest {
  const sqlite = options.sqlite ?? (typeof options.provider === "object" && options.provider.sqlite !== undefined);
  return {
    initialCwd: options.initialCwd ?? defaultCwd,
    sessionStatePath: options.sessionStatePath ?? DEFAULT_SESSION_STATE_PATH,
    conventions: options.conventions ?? (process.platform === "win32" ? "windows" : "posix"),
    ...(sqlite && { capabilities: { sqlite: true } }),
  };
}
