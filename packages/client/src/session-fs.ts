/**
 * Session filesystem: with the `sessionFs` client option the runtime keeps each session's state
 * (events.jsonl, workspace.yaml, checkpoints, plan.md, …) in a filesystem this process provides,
 * over the `sessionFs.*` server→client requests. This module holds the provider contract, the
 * option's checks, and the adapter that turns provider calls (which throw) into the wire's
 * error-in-result replies.
 */
import {
  RpcError,
  RpcErrorCode,
  FlightdeckError,
  SdkError,
  registerClientSessionHandlers,
  type ClientSessionHandlers,
  type RpcHandlerRegistry,
  type SessionFsError,
  type SessionFsErrorCode,
  type SessionFsSetProviderRequest,
  type SessionFsSqliteQueryType,
  type SessionFsSqliteTransactionErrorClass,
  type Unsubscribe,
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

function providerName(provider: SessionFsProvider | undefined): string {
  return provider?.name ?? provider?.constructor?.name ?? "sessionFs";
}

function errorCodeOf(error: unknown): SessionFsErrorCode {
  if (error instanceof SessionFsProviderError) return error.code;
  return (error as { code?: unknown } | null)?.code === "ENOENT" ? "ENOENT" : "UNKNOWN";
}

function reasonOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

type SessionFsHandlers = Pick<
  ClientSessionHandlers,
  | "sessionFs.readFile"
  | "sessionFs.writeFile"
  | "sessionFs.appendFile"
  | "sessionFs.exists"
  | "sessionFs.stat"
  | "sessionFs.mkdir"
  | "sessionFs.readdir"
  | "sessionFs.readdirWithTypes"
  | "sessionFs.rm"
  | "sessionFs.rename"
  | "sessionFs.sqliteQuery"
  | "sessionFs.sqliteTransaction"
  | "sessionFs.sqliteExists"
>;

const EPOCH = new Date(0).toISOString();

function iso(value: Date | string, what: string): string {
  if (value instanceof Date && !Number.isNaN(value.getTime())) return value.toISOString();
  if (typeof value === "string" && !Number.isNaN(Date.parse(value))) return value;
  throw new SessionFsProviderError("UNKNOWN", `stat returned an invalid ${what} (${String(value)}); return a Date or an ISO 8601 string.`);
}

/**
 * Builds the `sessionFs.*` request handlers for a provider (or a per-session factory). Failures
 * become the error-in-result replies the runtime expects; those other than ENOENT also go to
 * `onError`. Exported for tests and custom hosts; `CopilotClient` wires it for you.
 */
export function createSessionFsHandlers(options: SessionFsOptions, onError: (error: unknown) => void = () => {}): SessionFsHandlers {
  const perSession = new Map<string, SessionFsProvider>();
  const providerFor = (sessionId: string): SessionFsProvider => {
    if (typeof options.provider !== "function") return options.provider;
    let provider = perSession.get(sessionId);
    if (!provider) {
      provider = options.provider(sessionId);
      checkSessionFsOptions({ ...options, provider });
      perSession.set(sessionId, provider);
    }
    return provider;
  };

  /** Runs one provider call; returns the value, or the wire error describing the failure. */
  async function run<T>(
    operation: string,
    params: { sessionId: string },
    target: string,
    call: (provider: SessionFsProvider, context: SessionFsContext) => Awaitable<T>,
    signal: AbortSignal,
  ): Promise<{ ok: true; value: T } | { ok: false; error: SessionFsError; cause: unknown }> {
    if (typeof params?.sessionId !== "string") {
      throw new RpcError(RpcErrorCode.InvalidParams, `sessionFs.${operation}: params must carry a string sessionId.`);
    }
    let provider: SessionFsProvider | undefined;
    try {
      provider = providerFor(params.sessionId);
      return { ok: true, value: await call(provider, { sessionId: params.sessionId, signal }) };
    } catch (cause) {
      const code = errorCodeOf(cause);
      const message = `sessionFs provider "${providerName(provider)}" failed in ${operation}(${target}) for session ${params.sessionId}: ${reasonOf(cause)}`;
      if (code !== "ENOENT") onError(new SdkError("HANDLER_FAILED", message, { cause, details: { operation, sessionId: params.sessionId } }));
      return { ok: false, error: { code, message }, cause };
    }
  }

  const requirePath = (operation: string, value: unknown, field = "path"): string => {
    if (typeof value !== "string") throw new RpcError(RpcErrorCode.InvalidParams, `sessionFs.${operation}: params.${field} must be a string.`);
    return value;
  };
  const voidResult = (r: { ok: true } | { ok: false; error: SessionFsError }): SessionFsError | undefined => (r.ok ? undefined : r.error);

  return {
    "sessionFs.readFile": async (p, ctx) => {
      const path = requirePath("readFile", p?.path);
      const r = await run("readFile", p, path, (fs, c) => fs.readFile(path, c), ctx.signal);
      if (!r.ok) return { content: "", error: r.error };
      if (typeof r.value !== "string")
        return { content: "", error: { code: "UNKNOWN", message: `sessionFs provider readFile(${path}) returned ${typeof r.value}, not a string.` } };
      return { content: r.value };
    },
    "sessionFs.writeFile": async (p, ctx) => {
      const path = requirePath("writeFile", p?.path);
      const content = requirePath("writeFile", p?.content, "content");
      return voidResult(await run("writeFile", p, path, (fs, c) => fs.writeFile(path, content, p.mode === undefined ? {} : { mode: p.mode }, c), ctx.signal));
    },
    "sessionFs.appendFile": async (p, ctx) => {
      const path = requirePath("appendFile", p?.path);
      const content = requirePath("appendFile", p?.content, "content");
      return voidResult(await run("appendFile", p, path, (fs, c) => fs.appendFile(path, content, p.mode === undefined ? {} : { mode: p.mode }, c), ctx.signal));
    },
    "sessionFs.exists": async (p, ctx) => {
      const path = requirePath("exists", p?.path);
      const r = await run("exists", p, path, (fs, c) => fs.exists(path, c), ctx.signal);
      if (r.ok) return { exists: r.value === true };
      if (r.error.code === "ENOENT") return { exists: false };
      // The result has no error field: a failing provider becomes a JSON-RPC error naming it.
      throw new RpcError(RpcErrorCode.InternalError, r.error.message ?? "sessionFs.exists failed");
    },
    "sessionFs.stat": async (p, ctx) => {
      const path = requirePath("stat", p?.path);
      const r = await run(
        "stat",
        p,
        path,
        async (fs, c) => {
          const info = await fs.stat(path, c);
          return {
            isFile: info.isFile === true,
            isDirectory: info.isDirectory === true,
            size: Math.max(0, Math.trunc(Number(info.size) || 0)),
            mtime: iso(info.mtime, "mtime"),
            birthtime: iso(info.birthtime, "birthtime"),
          };
        },
        ctx.signal,
      );
      return r.ok ? r.value : { isFile: false, isDirectory: false, size: 0, mtime: EPOCH, birthtime: EPOCH, error: r.error };
    },
    "sessionFs.mkdir": async (p, ctx) => {
      const path = requirePath("mkdir", p?.path);
      return voidResult(
        await run(
          "mkdir",
          p,
          path,
          (fs, c) => fs.mkdir(path, { recursive: p.recursive === true, ...(p.mode !== undefined && { mode: p.mode }) }, c),
          ctx.signal,
        ),
      );
    },
    "sessionFs.readdir": async (p, ctx) => {
      const path = requirePath("readdir", p?.path);
      const r = await run("readdir", p, path, (fs, c) => fs.readdir(path, c), ctx.signal);
      return r.ok ? { entries: [...r.value] } : { entries: [], error: r.error };
    },
    "sessionFs.readdirWithTypes": async (p, ctx) => {
      const path = requirePath("readdirWithTypes", p?.path);
      const r = await run("readdirWithTypes", p, path, (fs, c) => fs.readdirWithTypes(path, c), ctx.signal);
      return r.ok ? { entries: r.value.map((e) => ({ name: e.name, type: e.type === "directory" ? "directory" : "file" })) } : { entries: [], error: r.error };
    },
    "sessionFs.rm": async (p, ctx) => {
      const path = requirePath("rm", p?.path);
      return voidResult(await run("rm", p, path, (fs, c) => fs.rm(path, { recursive: p.recursive === true, force: p.force === true }, c), ctx.signal));
    },
    "sessionFs.rename": async (p, ctx) => {
      const src = requirePath("rename", p?.src, "src");
      const dest = requirePath("rename", p?.dest, "dest");
      return voidResult(await run("rename", p, `${src} → ${dest}`, (fs, c) => fs.rename(src, dest, c), ctx.signal));
    },
    "sessionFs.sqliteQuery": async (p, ctx) => {
      const query = requirePath("sqliteQuery", p?.query, "query");
      const r = await run(
        "sqliteQuery",
        p,
        p.queryType,
        (fs, c) => {
          if (!fs.sqlite) throw new SessionFsProviderError("UNKNOWN", "this provider has no SQLite support (no `sqlite` member)");
          return fs.sqlite.query(p.queryType, query, p.params, c);
        },
        ctx.signal,
      );
      return r.ok
        ? {
            rows: r.value.rows ?? [],
            columns: r.value.columns ?? [],
            rowsAffected: r.value.rowsAffected ?? 0,
            ...(r.value.lastInsertRowid !== undefined && { lastInsertRowid: r.value.lastInsertRowid }),
          }
        : { rows: [], columns: [], rowsAffected: 0, error: r.error };
    },
    "sessionFs.sqliteTransaction": async (p, ctx) => {
      if (!Array.isArray(p?.statements)) throw new RpcError(RpcErrorCode.InvalidParams, "sessionFs.sqliteTransaction: params.statements must be an array.");
      const r = await run(
        "sqliteTransaction",
        p,
        `${p.statements.length} statement(s)`,
        (fs, c) => {
          if (!fs.sqlite?.transaction) throw new SessionFsProviderError("UNKNOWN", "this provider has no SQLite transactions (no `sqlite.transaction`)");
          return fs.sqlite.transaction(p.statements, c);
        },
        ctx.signal,
      );
      if (r.ok)
        return {
          results: r.value.map((v) => ({
            rows: v.rows ?? [],
            columns: v.columns ?? [],
            rowsAffected: v.rowsAffected ?? 0,
            ...(v.lastInsertRowid !== undefined && { lastInsertRowid: v.lastInsertRowid }),
          })),
        };
      const cause = r.cause as { sqliteErrorClass?: unknown; errorClass?: unknown } | null;
      // SessionFsProviderError's sqliteErrorClass, or the errorClass of @github/copilot-sdk's SessionFsSqliteTransactionFailure.
      const classified = r.cause instanceof SessionFsProviderError ? cause?.sqliteErrorClass : cause instanceof Error ? cause.errorClass : undefined;
      const errorClass = typeof classified === "string" ? (classified as SessionFsSqliteTransactionErrorClass) : "fatal";
      return { results: [], error: { errorClass, message: r.error.message ?? "transaction failed" } };
    },
    "sessionFs.sqliteExists": async (p, ctx) => {
      const r = await run("sqliteExists", p, "", (fs, c) => (fs.sqlite ? fs.sqlite.exists(c) : false), ctx.signal);
      if (r.ok) return { exists: r.value === true };
      throw new RpcError(RpcErrorCode.InternalError, r.error.message ?? "sessionFs.sqliteExists failed");
    },
  };
}

/** Registers the `sessionFs.*` handlers on a connection. */
export function serveSessionFs(registry: RpcHandlerRegistry, options: SessionFsOptions, onError: (error: unknown) => void): Unsubscribe {
  return registerClientSessionHandlers(registry, createSessionFsHandlers(options, onError));
}
