/** Checks `CopilotClient`'s options up front, so a bad option fails in the constructor with its name and the fix. */
import { SdkError } from "@flightdeck/copilot-core";
import { checkRuntimeOptions } from "./client-options.js";
import type { CopilotClientOptions } from "./client-types.js";
import { isCopilotRequestHandler } from "./copilot-request-handler.js";
import { createDebugLog, type DebugLog } from "./debug-log.js";
import { checkKnownKeys } from "./option-keys.js";
import type { ModelRequestHandler } from "./request-handler.js";
import { restartPolicyOf, type RestartPolicy } from "./restart-policy.js";
import { checkSessionFsOptions } from "./session-fs.js";
import { checkTelemetryOptions } from "./telemetry.js";

/** Every key `CopilotClientOptions` has (ours and `@github/copilot-sdk`'s): anything else is refused. */
const CLIENT_OPTION_KEYS = [
  "connection",
  "mode",
  "workingDirectory",
  "baseDirectory",
  "builtinPluginDirectories",
  "logLevel",
  "env",
  "gitHubToken",
  "useLoggedInUser",
  "onListModels",
  "telemetry",
  "onGetTraceContext",
  "sessionFs",
  "requestHandler",
  "onGitHubTelemetry",
  "sessionIdleTimeoutSeconds",
  "enableRemoteSessions",
  "clientInfo",
  "autoStart",
  "autoRestart",
  "startTimeoutMs",
  "stopGraceMs",
  "requestTimeoutMs",
  "onError",
  "validation",
  "onStderr",
  "debug",
] as const satisfies ReadonlyArray<keyof CopilotClientOptions>;

/** Options of older SDKs, with what replaces them. */
const CLIENT_OPTION_HINTS: Record<string, string> = {
  cliPath: "Use `connection: RuntimeConnection.forStdio({ path })` (or `COPILOT_CLI_PATH`).",
  cliArgs: "Use `connection: RuntimeConnection.forStdio({ args })`.",
  cliUrl: "Use `connection: RuntimeConnection.forUri(url)`.",
  port: "Use `connection: RuntimeConnection.forTcp({ port })`.",
  useStdio: "Use `connection: RuntimeConnection.forStdio()` (the default) or `RuntimeConnection.forTcp()`.",
  githubToken: 'Did you mean "gitHubToken"?',
  cwd: 'Did you mean "workingDirectory"?',
};

/**
 * Validates every option in the order the constructor always has (so the same error wins), and
 * returns the harmless-combination warnings, the debug log and the restart policy.
 */
// Long by design: one flat list of independent option checks, each with its own message.
export function checkClientOptions(options: CopilotClientOptions): {
  warnings: ReturnType<typeof checkRuntimeOptions>;
  debugLog: DebugLog | undefined;
  restartPolicy: RestartPolicy | undefined;
} {
  if (typeof options !== "object" || options === null || Array.isArray(options)) {
    throw new SdkError("INVALID_OPTION", "options: CopilotClient takes an options object (or nothing).", { details: { option: "options" } });
  }
  checkKnownKeys("CopilotClient options", options, CLIENT_OPTION_KEYS, CLIENT_OPTION_HINTS);
  const warnings = checkRuntimeOptions(options);
  const debugLog = createDebugLog(options.debug);
  const restartPolicy = restartPolicyOf(options.autoRestart);
  if (options.autoStart !== undefined && typeof options.autoStart !== "boolean") {
    throw new SdkError("INVALID_OPTION", `autoStart: must be true or false, got ${JSON.stringify(options.autoStart)}.`, { details: { option: "autoStart" } });
  }
  for (const key of ["onError", "onStderr", "onGitHubTelemetry"] as const) {
    if (options[key] !== undefined && typeof options[key] !== "function") {
      throw new SdkError("INVALID_OPTION", `${key}: must be a function, got ${typeof options[key]}.`, { details: { option: key } });
    }
  }
  for (const key of ["startTimeoutMs", "stopGraceMs", "requestTimeoutMs"] as const) {
    const v = options[key];
    if (v !== undefined && (typeof v !== "number" || !Number.isFinite(v) || v < 0)) {
      throw new SdkError("INVALID_OPTION", `${key}: ${JSON.stringify(v)} is not a duration in milliseconds (a finite number ≥ 0).`, {
        details: { option: key },
      });
    }
  }
  if (options.mode !== undefined && options.mode !== "copilot-cli" && options.mode !== "empty") {
    throw new SdkError("INVALID_OPTION", `mode: "${String(options.mode)}" is not a mode. Use "copilot-cli" (the default) or "empty" (multi-tenant servers).`, {
      details: { option: "mode" },
    });
  }
  if (options.mode === "empty" && options.baseDirectory === undefined && options.sessionFs === undefined) {
    throw new SdkError(
      "INVALID_OPTION",
      'mode: "empty" needs per-client session storage. Set `baseDirectory` (a state directory only this client uses) or `sessionFs` (your own session filesystem), so tenants never share the runtime\'s default state.',
      { details: { option: "mode" } },
    );
  }
  if (options.onListModels !== undefined && typeof options.onListModels !== "function") {
    throw new SdkError("INVALID_OPTION", "onListModels: must be a function returning the models (or a promise of them).", {
      details: { option: "onListModels" },
    });
  }
  if (options.validation !== undefined && !["off", "lenient", "strict"].includes(options.validation)) {
    throw new SdkError("INVALID_OPTION", `validation: "${String(options.validation)}" is not one of "off", "lenient", "strict".`, {
      details: { option: "validation" },
    });
  }
  if (options.sessionFs !== undefined) checkSessionFsOptions(options.sessionFs);
  if (options.telemetry !== undefined) {
    checkTelemetryOptions(options.telemetry);
    if (options.connection?.kind === "uri") {
      throw new SdkError(
        "INVALID_OPTION",
        "telemetry: cannot be used with RuntimeConnection.forUri(): the runtime is already running, so its exporter is configured where it was started (COPILOT_OTEL_* variables).",
        { details: { option: "telemetry" } },
      );
    }
  }
  if (options.onGetTraceContext !== undefined && typeof options.onGetTraceContext !== "function") {
    throw new SdkError(
      "INVALID_OPTION",
      "onGetTraceContext: must be a function returning { traceparent, tracestate? } (or undefined, or a promise of either).",
      { details: { option: "onGetTraceContext" } },
    );
  }
  if (options.requestHandler !== undefined && !isCopilotRequestHandler(options.requestHandler)) checkRequestHandlerOption(options.requestHandler);
  return { warnings, debugLog, restartPolicy };
}

/** Checks the `requestHandler` option. */
function checkRequestHandlerOption(value: unknown): asserts value is ModelRequestHandler {
  if (typeof value !== "function") {
    throw new SdkError(
      "INVALID_OPTION",
      "requestHandler: must be a function (request) => Response | { status?, headers?, body? } (or a promise of one), or an instance of a CopilotRequestHandler subclass.",
      { details: { option: "requestHandler" } },
    );
  }
}
