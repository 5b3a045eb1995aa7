/**
 * `CopilotClient` options: their checks (at construction, each error names the option and the
 * fix) and how they lower to the runtime's argv and environment (protocol-notes §3). The GitHub
 * token only ever travels in the environment, named by `--auth-token-env`, never in argv.
 */
import { isAbsolute } from "node:path";
import { SdkError } from "@flightdeck/copilot-core";
import type { RuntimeConnection } from "./runtime-connection.js";
import { nodeFs } from "./node-builtins.js";

export type RuntimeLogLevel = "none" | "error" | "warning" | "info" | "debug" | "all";
const LOG_LEVELS: readonly RuntimeLogLevel[] = ["none", "error", "warning", "info", "debug", "all"];

/** Identity of the application, sent on the `connect` handshake for telemetry attribution. */
export interface CopilotClientInfo {
  applicationName?: string;
  applicationVersion?: string;
  integrationName?: string;
  integrationVersion?: string;
}

/** The environment variable the GitHub token is passed in (named by `--auth-token-env`). */
export const AUTH_TOKEN_ENV = "COPILOT_SDK_AUTH_TOKEN";

export interface RuntimeOptions {
  /** How to reach the runtime. Default: `RuntimeConnection.forStdio()` with an installed runtime. */
  connection?: RuntimeConnection;
  /** Working directory of the runtime process. Default: this process's. */
  workingDirectory?: string;
  /** Folder for Copilot's state (sessions, config): the runtime's `COPILOT_HOME`. Default `~/.copilot`. */
  baseDirectory?: string;
  /** The runtime's log level. Default: the runtime's own (`info`). */
  logLevel?: RuntimeLogLevel;
  /** Environment of the runtime process. Default: this process's environment. */
  env?: Record<string, string | undefined>;
  /** GitHub token for the runtime; passed through the environment only. */
  gitHubToken?: string;
  /** Let the runtime use stored OAuth / `gh` credentials. Default: true, false when `gitHubToken` is set. */
  useLoggedInUser?: boolean;
  /** Sessions idle this long are cleaned up by the runtime. Default: never. */
  sessionIdleTimeoutSeconds?: number;
  /** Identity of your application, for telemetry attribution. */
  clientInfo?: CopilotClientInfo;
  /**
   * Let sessions in a GitHub repository be reached from GitHub web and mobile (the runtime's
   * `--remote`). Default false. Ignored with `RuntimeConnection.forUri()`.
   */
  enableRemoteSessions?: boolean;
  /**
   * Absolute paths of trusted plugin folders your application bundles; registered with the runtime
   * (`plugins.builtin.set`) on every connect, before any session is created.
   */
  builtinPluginDirectories?: readonly string[];
}

function invalid(option: string, message: string): SdkError {
  return new SdkError("INVALID_OPTION", `${option}: ${message}`, { details: { option } });
}

/** Process options a runtime started elsewhere cannot take: ignored with a warning, as `@github/copilot-sdk` ignores them. */
const IGNORED_FOR_URI = ["baseDirectory", "env", "workingDirectory", "sessionIdleTimeoutSeconds", "logLevel"] as const;

/**
 * Checks the runtime options. Throws `SdkError("INVALID_OPTION")` for a bad value, and for
 * `gitHubToken` / `useLoggedInUser` with `forUri` (as `@github/copilot-sdk` does, keeping its
 * wording). Returns warnings for harmless combinations the client ignores (process options with
 * `forUri`): the client reports each once through its debug log and `onError`.
 */
export function checkRuntimeOptions(options: RuntimeOptions): SdkError[] {
  if (typeof options !== "object" || options === null) throw invalid("options", "CopilotClient takes an options object (or nothing).");
  const { connection } = options;
  if (
    connection !== undefined &&
    (typeof connection !== "object" || connection === null || !["stdio", "tcp", "uri", "inprocess"].includes((connection as { kind?: string }).kind ?? ""))
  ) {
    throw invalid("connection", "use RuntimeConnection.forStdio(), .forTcp(), .forUri(url) or .forInProcess().");
  }
  const warnings: SdkError[] = [];
  if (connection?.kind === "uri") {
    for (const key of ["gitHubToken", "useLoggedInUser"] as const) {
      if (options[key] !== undefined) {
        throw invalid(
          key,
          "gitHubToken and useLoggedInUser cannot be used with RuntimeConnection.forUri (external server manages its own auth). Configure authentication where that runtime is started, or leave the option out.",
        );
      }
    }
    for (const key of IGNORED_FOR_URI) {
      if (options[key] !== undefined) {
        warnings.push(
          invalid(
            key,
            `is ignored with RuntimeConnection.forUri(): that runtime is already running, so the client cannot set its process options. Configure the runtime where it is started, or use RuntimeConnection.forStdio()/forTcp() to let the client start it.`,
          ),
        );
      }
    }
  }
  for (const key of ["workingDirectory", "baseDirectory"] as const) {
    const v = options[key];
    if (v !== undefined && (typeof v !== "string" || v === "")) throw invalid(key, "must be a non-empty path.");
  }
  if (options.workingDirectory !== undefined && !isDirectory(options.workingDirectory)) {
    throw invalid(
      "workingDirectory",
      `"${options.workingDirectory}" does not exist or is not a folder. Create it first, or pass an existing folder (the runtime runs there).`,
    );
  }
  for (const key of ["useLoggedInUser", "enableRemoteSessions"] as const) {
    const v = options[key];
    if (v !== undefined && typeof v !== "boolean") throw invalid(key, `must be true or false, got ${JSON.stringify(v)} (${typeof v}).`);
  }
  if (options.builtinPluginDirectories !== undefined) {
    const dirs = options.builtinPluginDirectories;
    if (!Array.isArray(dirs)) throw invalid("builtinPluginDirectories", "must be an array of absolute folder paths.");
    for (const dir of dirs as unknown[]) {
      if (typeof dir !== "string" || !isAbsolute(dir))
        throw invalid("builtinPluginDirectories", `must contain only absolute paths, got ${JSON.stringify(dir)}.`);
    }
  }
  if (options.logLevel !== undefined && !LOG_LEVELS.includes(options.logLevel)) {
    throw invalid("logLevel", `"${String(options.logLevel)}" is not a log level. Use one of: ${LOG_LEVELS.join(", ")}.`);
  }
  if (options.gitHubToken !== undefined && (typeof options.gitHubToken !== "string" || options.gitHubToken.trim() === "")) {
    throw invalid("gitHubToken", "is empty. Pass a GitHub token, or leave the option out to use the logged-in user.");
  }
  const idle = options.sessionIdleTimeoutSeconds;
  if (idle !== undefined && (typeof idle !== "number" || !Number.isInteger(idle) || idle < 0)) {
    throw invalid("sessionIdleTimeoutSeconds", `${JSON.stringify(idle)} is not a whole number of seconds ≥ 0 (0 disables the timeout).`);
  }
  if (options.env !== undefined) {
    if (typeof options.env !== "object" || options.env === null || Array.isArray(options.env))
      throw invalid("env", "must be an object of environment variables.");
    for (const [k, v] of Object.entries(options.env))
      if (v !== undefined && typeof v !== "string") throw invalid(`env.${k}`, "environment values must be strings.");
  }
  if (options.clientInfo !== undefined) {
    if (typeof options.clientInfo !== "object" || options.clientInfo === null) throw invalid("clientInfo", "must be an object.");
    for (const [k, v] of Object.entries(options.clientInfo))
      if (v !== undefined && typeof v !== "string") throw invalid(`clientInfo.${k}`, "must be a string.");
  }
  return warnings;
}

function isDirectory(path: string): boolean {
  try {
    return nodeFs().statSync(path).isDirectory();
  } catch {
    return false;
  }
}

/** What to spawn, derived from the options. The token is in `env`, never in `args`. */
export interface RuntimeLaunch {
  readonly args: string[];
  readonly env: Record<string, string>;
  /** The TCP connection token in effect (given or generated); undefined for stdio. */
  readonly connectionToken: string | undefined;
}

/** Lowers options to the runtime's argv (after the executable) and environment. */
export function buildRuntimeLaunch(options: RuntimeOptions, connection: Exclude<RuntimeConnection, { kind: "uri" }>): RuntimeLaunch {
  const inProcess = connection.kind === "inprocess";
  // In process, the host adds its own mode flags (`--embedded-host`); there is no stdio or port.
  const args: string[] = inProcess ? [] : [...(connection.args ?? []), "--headless", "--no-auto-update"];
  if (options.logLevel !== undefined) args.push("--log-level", options.logLevel);
  if (connection.kind === "stdio") args.push("--stdio");
  else if (connection.kind === "tcp") args.push("--port", String(connection.port));
  if (options.gitHubToken !== undefined) args.push("--auth-token-env", AUTH_TOKEN_ENV);
  const useLoggedInUser = options.useLoggedInUser ?? options.gitHubToken === undefined;
  if (!useLoggedInUser) args.push("--no-auto-login");
  if (options.enableRemoteSessions === true) args.push("--remote");
  if (options.sessionIdleTimeoutSeconds !== undefined && options.sessionIdleTimeoutSeconds > 0) {
    args.push("--session-idle-timeout", String(options.sessionIdleTimeoutSeconds));
  }

  const env: Record<string, string> = {};
  for (const source of [options.env ?? process.env, (!inProcess && connection.env) || {}]) {
    for (const [k, v] of Object.entries(source)) {
      if (v === undefined) delete env[k];
      else env[k] = v;
    }
  }
  // A debugger flag inherited from the parent would make the runtime wait for a debugger.
  delete env.NODE_OPTIONS;
  if (options.baseDirectory !== undefined) env.COPILOT_HOME = options.baseDirectory;
  if (options.gitHubToken !== undefined) env[AUTH_TOKEN_ENV] = options.gitHubToken;
  let connectionToken: string | undefined;
  if (connection.kind === "tcp") {
    connectionToken = connection.connectionToken ?? globalThis.crypto.randomUUID();
    env.COPILOT_CONNECTION_TOKEN = connectionToken;
  } else {
    delete env.COPILOT_CONNECTION_TOKEN;
  }
  return { args, env, connectionToken };
}
