/**
 * `@github/copilot-sdk`'s session-filesystem provider shape (positional arguments, no context) and
 * `createSessionFsAdapter`, which turns such a provider into a Flightdeck {@link SessionFsProvider}:
 * `new CopilotClient({ sessionFs: { provider: createSessionFsAdapter(myProvider) } })`.
 */
import { FlightdeckError, SdkError, type SessionFsSqliteQueryType, type SessionFsSqliteTransactionErrorClass } from "@flightdeck/copilot-core";
import type { SessionFsDirEntry, SessionFsFileInfo, SessionFsProvider, SessionFsSqliteResult, SessionFsSqliteStatement } from "./session-fs.js";

type SqliteParams = Record<string, string | number | null>;

/** The incumbent's optional SQLite capability. */
export interface PositionalSessionFsSqliteProvider {
  query(queryType: SessionFsSqliteQueryType, query: string, params?: SqliteParams): Promise<Partial<SessionFsSqliteResult> | undefined>;
  transaction?(
    statements: Array<{ queryType: SessionFsSqliteQueryType; query: string; params?: SqliteParams }>,
  ): Promise<Array<Partial<SessionFsSqliteResult>>>;
  exists(): Promise<boolean>;
}

/** A provider written for `@github/copilot-sdk` (one object per session, positional arguments). */
export interface PositionalSessionFsProvider {
  readFile(path: string): Promise<string>;
  writeFile(path: string, content: string, mode?: number): Promise<void>;
  appendFile(path: string, content: string, mode?: number): Promise<void>;
  exists(path: string): Promise<boolean>;
  stat(path: string): Promise<SessionFsFileInfo>;
  mkdir(path: string, recursive: boolean, mode?: number): Promise<void>;
  readdir(path: string): Promise<string[]>;
  readdirWithTypes(path: string): Promise<SessionFsDirEntry[]>;
  rm(path: string, recursive: boolean, force: boolean): Promise<void>;
  rename(src: string, dest: string): Promise<void>;
  sqlite?: PositionalSessionFsSqliteProvider;
}

/**
 * A SQLite transaction failure with its class (`@github/copilot-sdk`'s name): throw it from
 * `sqlite.transaction` so the runtime knows whether a retry is safe (`busyOrLocked`).
 */
export class SessionFsSqliteTransactionFailure extends FlightdeckError {
  // The static `errorClass` is the FlightdeckError brand; the instance one is the SQLite error class.
  static override readonly errorClass: string = "SessionFsSqliteTransactionFailure";
  readonly errorClass: SessionFsSqliteTransactionErrorClass;
  constructor(message: string, errorClass: SessionFsSqliteTransactionErrorClass = "fatal") {
    super(message);
    this.errorClass = errorClass;
  }
}

const METHODS = ["readFile", "writeFile", "appendFile", "exists", "stat", "mkdir", "readdir", "readdirWithTypes", "rm", "rename"] as const;

function sqliteResult(value: Partial<SessionFsSqliteResult> | undefined): SessionFsSqliteResult {
  return {
    rows: value?.rows ?? [],
    columns: value?.columns ?? [],
    rowsAffected: value?.rowsAffected ?? 0,
    ...(value?.lastInsertRowid !== undefined && { lastInsertRowid: value.lastInsertRowid }),
  };
}

/** Drops `undefined` params: the incumbent's providers take only string, number or null. */
function sqliteParams(params: Record<string, unknown> | undefined): SqliteParams | undefined {
  if (!params) return undefined;
  const out: SqliteParams = {};
  for (const [key, value] of Object.entries(params)) if (value !== undefined) out[key] = value as string | number | null;
  return out;
}

/**
 * Wraps a provider written for `@github/copilot-sdk` (positional arguments, optional `sqlite`) as
 * a Flightdeck provider. Errors it throws keep their meaning (`code: "ENOENT"` → not found;
 * {@link SessionFsSqliteTransactionFailure} → its `errorClass`).
 * @throws {SdkError} `INVALID_OPTION` naming the methods the provider lacks.
 */
export function createSessionFsAdapter(provider: PositionalSessionFsProvider): SessionFsProvider {
  if (typeof provider !== "object" || provider === null) {
    throw new SdkError(
      "INVALID_OPTION",
      "createSessionFsAdapter(provider): pass an object implementing readFile, writeFile, … (a SessionFsProvider written for @github/copilot-sdk).",
      { details: { option: "provider" } },
    );
  }
  const missing = METHODS.filter((m) => typeof (provider as unknown as Record<string, unknown>)[m] !== "function");
  if (missing.length > 0) {
    throw new SdkError("INVALID_OPTION", `createSessionFsAdapter(provider): the provider is missing ${missing.join(", ")}.`, {
      details: { option: "provider" },
    });
  }
  const sqlite = provider.sqlite;
  const name = provider.constructor?.name && provider.constructor.name !== "Object" ? provider.constructor.name : "sessionFs adapter";
  return {
    name,
    readFile: (path) => provider.readFile(path),
    writeFile: (path, content, { mode }) => provider.writeFile(path, content, mode),
    appendFile: (path, content, { mode }) => provider.appendFile(path, content, mode),
    exists: (path) => provider.exists(path),
    stat: (path) => provider.stat(path),
    mkdir: (path, { recursive, mode }) => provider.mkdir(path, recursive, mode),
    readdir: (path) => provider.readdir(path),
    readdirWithTypes: (path) => provider.readdirWithTypes(path),
    rm: (path, { recursive, force }) => provider.rm(path, recursive, force),
    rename: (src, dest) => provider.rename(src, dest),
    ...(sqlite && {
      sqlite: {
        query: async (queryType, query, params) => sqliteResult(await sqlite.query(queryType, query, sqliteParams(params))),
        ...(typeof sqlite.transaction === "function" && {
          transaction: async (statements: SessionFsSqliteStatement[]) =>
            (
              await sqlite.transaction!(
                statements.map((s) => ({ queryType: s.queryType, query: s.query, ...(s.params && { params: sqliteParams(s.params) }) })),
              )
            ).map(sqliteResult),
        }),
        exists: () => sqlite.exists(),
      },
    }),
  };
}
