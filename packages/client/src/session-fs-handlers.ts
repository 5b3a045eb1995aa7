/**
 * The `sessionFs.*` request handlers over a {@link SessionFsProvider}: each provider call (which
 * throws) becomes the wire's error-in-result reply. One runner checks the params and reports
 * failures; the file handlers and the SQLite handlers are built on it.
 */
import {
  RpcError,
  RpcErrorCode,
  SdkError,
  registerClientSessionHandlers,
  type ClientSessionHandlers,
  type RpcHandlerRegistry,
  type SessionFsError,
  type SessionFsErrorCode,
  type SessionFsSqliteTransactionErrorClass,
  type Unsubscribe,
} from "@flightdeck/copilot-core";
import {
  SessionFsProviderError,
  checkSessionFsOptions,
  type SessionFsContext,
  type SessionFsOptions,
  type SessionFsProvider,
  type SessionFsSqliteResult,
} from "./session-fs.js";

type Awaitable<T> = T | Promise<T>;

type FileMethods =
  | "sessionFs.readFile"
  | "sessionFs.writeFile"
  | "sessionFs.appendFile"
  | "sessionFs.exists"
  | "sessionFs.stat"
  | "sessionFs.mkdir"
  | "sessionFs.readdir"
  | "sessionFs.readdirWithTypes"
  | "sessionFs.rm"
  | "sessionFs.rename";
type SqliteMethods = "sessionFs.sqliteQuery" | "sessionFs.sqliteTransaction" | "sessionFs.sqliteExists";
type SessionFsHandlers = Pick<ClientSessionHandlers, FileMethods | SqliteMethods>;

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

const EPOCH = new Date(0).toISOString();

function iso(value: Date | string, what: string): string {
  if (value instanceof Date && !Number.isNaN(value.getTime())) return value.toISOString();
  if (typeof value === "string" && !Number.isNaN(Date.parse(value))) return value;
  throw new SessionFsProviderError("UNKNOWN", `stat returned an invalid ${what} (${String(value)}); return a Date or an ISO 8601 string.`);
}

type Outcome<T> = { ok: true; value: T } | { ok: false; error: SessionFsError; cause: unknown };

/** Runs one provider call for the session the params name; returns the value, or the wire error describing the failure. */
type ProviderRunner = <T>(
  operation: string,
  params: { sessionId: string },
  target: string,
  call: (provider: SessionFsProvider, context: SessionFsContext) => Awaitable<T>,
  signal: AbortSignal,
) => Promise<Outcome<T>>;

function providerRunner(options: SessionFsOptions, onError: (error: unknown) => void): ProviderRunner {
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
  return async (operation, params, target, call, signal) => {
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
  };
}

function requireString(operation: string, value: unknown, field = "path"): string {
  if (typeof value !== "string") throw new RpcError(RpcErrorCode.InvalidParams, `sessionFs.${operation}: params.${field} must be a string.`);
  return value;
}

function voidResult(r: { ok: true } | { ok: false; error: SessionFsError }): SessionFsError | undefined {
  return r.ok ? undefined : r.error;
}

/** The handlers of the file operations (read, write, stat, list, remove, rename, …). */
function fileHandlers(run: ProviderRunner): Pick<ClientSessionHandlers, FileMethods> {
  return {
    "sessionFs.readFile": async (p, ctx) => {
      const path = requireString("readFile", p?.path);
      const r = await run("readFile", p, path, (fs, c) => fs.readFile(path, c), ctx.signal);
      if (!r.ok) return { content: "", error: r.error };
      if (typeof r.value !== "string")
        return { content: "", error: { code: "UNKNOWN", message: `sessionFs provider readFile(${path}) returned ${typeof r.value}, not a string.` } };
      return { content: r.value };
    },
    "sessionFs.writeFile": async (p, ctx) => {
      const path = requireString("writeFile", p?.path);
      const content = requireString("writeFile", p?.content, "content");
      return voidResult(await run("writeFile", p, path, (fs, c) => fs.writeFile(path, content, p.mode === undefined ? {} : { mode: p.mode }, c), ctx.signal));
    },
    "sessionFs.appendFile": async (p, ctx) => {
      const path = requireString("appendFile", p?.path);
      const content = requireString("appendFile", p?.content, "content");
      return voidResult(await run("appendFile", p, path, (fs, c) => fs.appendFile(path, content, p.mode === undefined ? {} : { mode: p.mode }, c), ctx.signal));
    },
    "sessionFs.exists": async (p, ctx) => {
      const path = requireString("exists", p?.path);
      const r = await run("exists", p, path, (fs, c) => fs.exists(path, c), ctx.signal);
      if (r.ok) return { exists: r.value === true };
      if (r.error.code === "ENOENT") return { exists: false };
      // The result has no error field: a failing provider becomes a JSON-RPC error naming it.
      throw new RpcError(RpcErrorCode.InternalError, r.error.message ?? "sessionFs.exists failed");
    },
    "sessionFs.stat": async (p, ctx) => {
      const path = requireString("stat", p?.path);
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
      const path = requireString("mkdir", p?.path);
      const options = { recursive: p.recursive === true, ...(p.mode !== undefined && { mode: p.mode }) };
      return voidResult(await run("mkdir", p, path, (fs, c) => fs.mkdir(path, options, c), ctx.signal));
    },
    "sessionFs.readdir": async (p, ctx) => {
      const path = requireString("readdir", p?.path);
      const r = await run("readdir", p, path, (fs, c) => fs.readdir(path, c), ctx.signal);
      return r.ok ? { entries: [...r.value] } : { entries: [], error: r.error };
    },
    "sessionFs.readdirWithTypes": async (p, ctx) => {
      const path = requireString("readdirWithTypes", p?.path);
      const r = await run("readdirWithTypes", p, path, (fs, c) => fs.readdirWithTypes(path, c), ctx.signal);
      return r.ok ? { entries: r.value.map((e) => ({ name: e.name, type: e.type === "directory" ? "directory" : "file" })) } : { entries: [], error: r.error };
    },
    "sessionFs.rm": async (p, ctx) => {
      const path = requireString("rm", p?.path);
      return voidResult(await run("rm", p, path, (fs, c) => fs.rm(path, { recursive: p.recursive === true, force: p.force === true }, c), ctx.signal));
    },
    "sessionFs.rename": async (p, ctx) => {
      const src = requireString("rename", p?.src, "src");
      const dest = requireString("rename", p?.dest, "dest");
      return voidResult(await run("rename", p, `${src} → ${dest}`, (fs, c) => fs.rename(src, dest, c), ctx.signal));
    },
  };
}

function sqliteResult(v: SessionFsSqliteResult) {
  return {
    rows: v.rows ?? [],
    columns: v.columns ?? [],
    rowsAffected: v.rowsAffected ?? 0,
    ...(v.lastInsertRowid !== undefined && { lastInsertRowid: v.lastInsertRowid }),
  };
}

/** The class of a failed transaction: SessionFsProviderError's sqliteErrorClass, or the errorClass of @github/copilot-sdk's SessionFsSqliteTransactionFailure. */
function transactionErrorClass(failure: unknown): SessionFsSqliteTransactionErrorClass {
  const cause = failure as { sqliteErrorClass?: unknown; errorClass?: unknown } | null;
  const classified = failure instanceof SessionFsProviderError ? cause?.sqliteErrorClass : cause instanceof Error ? cause.errorClass : undefined;
  return typeof classified === "string" ? (classified as SessionFsSqliteTransactionErrorClass) : "fatal";
}

/** The handlers of the provider's SQLite database (`sqlite` member). */
function sqliteHandlers(run: ProviderRunner): Pick<ClientSessionHandlers, SqliteMethods> {
  return {
    "sessionFs.sqliteQuery": async (p, ctx) => {
      const query = requireString("sqliteQuery", p?.query, "query");
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
      return r.ok ? sqliteResult(r.value) : { rows: [], columns: [], rowsAffected: 0, error: r.error };
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
      if (r.ok) return { results: r.value.map(sqliteResult) };
      return { results: [], error: { errorClass: transactionErrorClass(r.cause), message: r.error.message ?? "transaction failed" } };
    },
    "sessionFs.sqliteExists": async (p, ctx) => {
      const r = await run("sqliteExists", p, "", (fs, c) => (fs.sqlite ? fs.sqlite.exists(c) : false), ctx.signal);
      if (r.ok) return { exists: r.value === true };
      throw new RpcError(RpcErrorCode.InternalError, r.error.message ?? "sessionFs.sqliteExists failed");
    },
  };
}

/**
 * Builds the `sessionFs.*` request handlers for a provider (or a per-session factory). Failures
 * become the error-in-result replies the runtime expects; those other than ENOENT also go to
 * `onError`. Exported for tests and custom hosts; `CopilotClient` wires it for you.
 */
export function createSessionFsHandlers(options: SessionFsOptions, onError: (error: unknown) => void = () => {}): SessionFsHandlers {
  const run = providerRunner(options, onError);
  return { ...fileHandlers(run), ...sqliteHandlers(run) };
}

/** Registers the `sessionFs.*` handlers on a connection. */
export function serveSessionFs(registry: RpcHandlerRegistry, options: SessionFsOptions, onError: (error: unknown) => void): Unsubscribe {
  return registerClientSessionHandlers(registry, createSessionFsHandlers(options, onError));
}
