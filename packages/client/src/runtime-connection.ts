/**
 * How a `CopilotClient` reaches the runtime: spawn it and talk over stdio (the default), spawn it
 * listening on TCP, or attach to one already running. Every factory checks its options at once
 * and throws `SdkError("INVALID_OPTION")` naming the bad one.
 */
import { SdkError } from "@flightdeck/copilot-core";
import { parseRuntimeUri } from "@flightdeck/copilot-core/node";
import { checkKnownKeys } from "./option-keys.js";

export interface StdioRuntimeConnection {
  readonly kind: "stdio";
  /** Runtime executable; see `resolveRuntime` for the search order when omitted. */
  readonly path?: string;
  /** Extra arguments placed before the ones the client adds. */
  readonly args?: readonly string[];
  /** Environment variables for the runtime process, merged over the client's `env`. */
  readonly env?: Readonly<Record<string, string | undefined>>;
  /**
   * Start the runtime in a process group (and session) of its own, so that Ctrl-C in a terminal,
   * which signals the app's whole foreground group, does not reach it: for an app that handles
   * Ctrl-C without quitting (a REPL that cancels the turn). Default: its own group only where
   * there is no `/proc` (macOS, the BSDs); on Linux it shares the app's group, as a plain child
   * process does (a session of its own is also a scheduling autogroup of its own, which slows the
   * app's process on a busy machine). `stop()` ends the runtime's whole tree either way.
   */
  readonly ownProcessGroup?: boolean;
}

export interface TcpRuntimeConnection {
  readonly kind: "tcp";
  /** Port the runtime listens on; 0 (default) lets the runtime pick a free one. */
  readonly port: number;
  /** Host to connect to; the spawned runtime listens on loopback. Default `127.0.0.1`. */
  readonly host: string;
  /** Shared secret for the TCP connection. Generated (a random UUID) when not given. */
  readonly connectionToken?: string;
  readonly path?: string;
  readonly args?: readonly string[];
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** As `StdioRuntimeConnection.ownProcessGroup`. */
  readonly ownProcessGroup?: boolean;
}

export interface UriRuntimeConnection {
  readonly kind: "uri";
  /** `"port"`, `"host:port"`, `"tcp://host:port"` or `"http://host:port"`. */
  readonly url: string;
  readonly host: string;
  readonly port: number;
  /** The runtime's connection token (its `COPILOT_CONNECTION_TOKEN`), if it has one. */
  readonly connectionToken?: string;
}

/**
 * The runtime hosted in this process (its native library loaded through koffi) instead of a child
 * process. See `RuntimeConnection.forInProcess()`.
 */
export interface InProcessRuntimeConnection {
  readonly kind: "inprocess";
  /** The runtime library (`runtime.node`). Default: the installed `@github/copilot-sdk-<platform>` package's. */
  readonly libraryPath?: string;
}

export type RuntimeConnection = StdioRuntimeConnection | TcpRuntimeConnection | UriRuntimeConnection | InProcessRuntimeConnection;

function invalid(option: string, message: string): SdkError {
  return new SdkError("INVALID_OPTION", `${option}: ${message}`, { details: { option } });
}

function checkFlag(option: string, value: unknown): boolean | undefined {
  if (value !== undefined && typeof value !== "boolean") throw invalid(option, `must be true or false, got ${JSON.stringify(value)}.`);
  return value;
}

function checkOptionsObject(where: string, options: unknown, known: readonly string[]): void {
  if (typeof options !== "object" || options === null || Array.isArray(options))
    throw invalid(where, `takes an options object, got ${JSON.stringify(options)}.`);
  checkKnownKeys(where, options, known);
}

function checkPort(option: string, port: unknown, allowZero: boolean): number {
  if (typeof port !== "number" || !Number.isInteger(port) || port < (allowZero ? 0 : 1) || port > 65535) {
    throw invalid(
      option,
      `${JSON.stringify(port)} is not a TCP port. Use an integer from ${allowZero ? 0 : 1} to 65535${allowZero ? " (0 lets the runtime pick one)" : ""}.`,
    );
  }
  return port;
}

function checkToken(option: string, token: unknown): string | undefined {
  if (token === undefined) return undefined;
  if (typeof token !== "string" || token.trim() === "") {
    throw invalid(option, "the connection token is empty. Pass the runtime's token, or leave the option out.");
  }
  return token;
}

function checkArgs(option: string, args: unknown): readonly string[] | undefined {
  if (args === undefined) return undefined;
  if (!Array.isArray(args) || args.some((a) => typeof a !== "string")) throw invalid(option, "must be an array of strings.");
  return [...(args as string[])];
}

function checkEnv(option: string, env: unknown): Readonly<Record<string, string | undefined>> | undefined {
  if (env === undefined) return undefined;
  if (typeof env !== "object" || env === null || Array.isArray(env)) throw invalid(option, "must be an object of environment variables.");
  for (const [k, v] of Object.entries(env)) {
    if (v !== undefined && typeof v !== "string") throw invalid(`${option}.${k}`, "environment values must be strings.");
  }
  return { ...(env as Record<string, string | undefined>) };
}

function checkPath(option: string, path: unknown): string | undefined {
  if (path === undefined) return undefined;
  if (typeof path !== "string" || path === "") throw invalid(option, "must be a non-empty path to the runtime executable.");
  return path;
}

/**
 * Parses `"port"`, `"host:port"`, `"tcp://host:port"`, `"http://host:port"` with core's one parser
 * of runtime addresses (`parseRuntimeUri`), naming this option in the error.
 */
export function parseRuntimeUrl(url: string): { host: string; port: number } {
  try {
    return parseRuntimeUri(url);
  } catch (error) {
    if (error instanceof SdkError)
      throw new SdkError("INVALID_OPTION", `RuntimeConnection.forUri(url): ${error.message}`, {
        cause: error,
        details: { option: "RuntimeConnection.forUri(url)" },
      });
    throw error;
  }
}

/** Factories for the ways to reach the runtime. */
export const RuntimeConnection = {
  /** Spawn the runtime and talk over its stdin/stdout. The default. */
  forStdio(
    options: { path?: string; args?: readonly string[]; env?: Record<string, string | undefined>; ownProcessGroup?: boolean } = {},
  ): StdioRuntimeConnection {
    checkOptionsObject("RuntimeConnection.forStdio()", options, ["path", "args", "env", "ownProcessGroup"]);
    const path = checkPath("RuntimeConnection.forStdio({ path })", options.path);
    const args = checkArgs("RuntimeConnection.forStdio({ args })", options.args);
    const env = checkEnv("RuntimeConnection.forStdio({ env })", options.env);
    const ownProcessGroup = checkFlag("RuntimeConnection.forStdio({ ownProcessGroup })", options.ownProcessGroup);
    return { kind: "stdio", ...(path && { path }), ...(args && { args }), ...(env && { env }), ...(ownProcessGroup !== undefined && { ownProcessGroup }) };
  },
  /** Spawn the runtime listening on TCP (loopback) and connect to it with a connection token. */
  forTcp(
    options: {
      port?: number;
      host?: string;
      connectionToken?: string;
      path?: string;
      args?: readonly string[];
      env?: Record<string, string | undefined>;
      ownProcessGroup?: boolean;
    } = {},
  ): TcpRuntimeConnection {
    checkOptionsObject("RuntimeConnection.forTcp()", options, ["port", "host", "connectionToken", "path", "args", "env", "ownProcessGroup"]);
    const ownProcessGroup = checkFlag("RuntimeConnection.forTcp({ ownProcessGroup })", options.ownProcessGroup);
    const port = checkPort("RuntimeConnection.forTcp({ port })", options.port ?? 0, true);
    const connectionToken = checkToken("RuntimeConnection.forTcp({ connectionToken })", options.connectionToken);
    const path = checkPath("RuntimeConnection.forTcp({ path })", options.path);
    const args = checkArgs("RuntimeConnection.forTcp({ args })", options.args);
    const env = checkEnv("RuntimeConnection.forTcp({ env })", options.env);
    const host = options.host ?? "127.0.0.1";
    if (typeof host !== "string" || host === "") throw invalid("RuntimeConnection.forTcp({ host })", "must be a non-empty host name.");
    return {
      kind: "tcp",
      port,
      host,
      ...(connectionToken && { connectionToken }),
      ...(path && { path }),
      ...(args && { args }),
      ...(env && { env }),
      ...(ownProcessGroup !== undefined && { ownProcessGroup }),
    };
  },
  /** Attach to a runtime that is already running (started elsewhere with `--port`). No process is spawned. */
  forUri(url: string, options: { connectionToken?: string } = {}): UriRuntimeConnection {
    checkOptionsObject("RuntimeConnection.forUri(url, options)", options, ["connectionToken"]);
    const { host, port } = parseRuntimeUrl(url);
    const connectionToken = checkToken("RuntimeConnection.forUri({ connectionToken })", options.connectionToken);
    return { kind: "uri", url, host, port, ...(connectionToken && { connectionToken }) };
  },
  /**
   * Host the runtime in this process: its native library (from `@github/copilot-sdk-<platform>`) is
   * loaded through koffi (an optional peer dependency: `npm install koffi`) when the client starts,
   * never at import. No child process, no pipes: frames go through a function call each way.
   * Every client option applies as with a spawned runtime (`env`, `gitHubToken`, `baseDirectory`,
   * `telemetry`, `logLevel`, …); `workingDirectory` becomes each session's default working
   * directory, since this process's own cwd is shared. One library per process.
   *
   * @example
   * ```ts
   * const client = new CopilotClient({ connection: RuntimeConnection.forInProcess() });
   * ```
   */
  forInProcess(options: { libraryPath?: string } = {}): InProcessRuntimeConnection {
    if (typeof options !== "object" || options === null) throw invalid("RuntimeConnection.forInProcess(options)", "pass an options object (or nothing).");
    const libraryPath = options.libraryPath;
    if (libraryPath !== undefined && (typeof libraryPath !== "string" || libraryPath === "")) {
      throw invalid("RuntimeConnection.forInProcess({ libraryPath })", "must be a non-empty path to the runtime library (runtime.node).");
    }
    return { kind: "inprocess", ...(libraryPath && { libraryPath }) };
  },
} as const;
