/**
 * `joinSession`: the entry point of an extension written with Flightdeck. The Copilot runtime (the
 * CLI, from a session started with `requestExtensions: true`) launches each extension found in
 * `.github/extensions/<name>/extension.mjs` as a child process whose stdin/stdout is a JSON-RPC
 * connection back to the runtime, with `SESSION_ID` naming the session that launched it.
 * `joinSession(config)` resumes that session over that connection and registers the extension's
 * tools, hooks, commands, event handlers, canvases and workflows there: the same typed
 * `SessionConfig` and `CopilotSession` as a normal client.
 *
 * An app ships such an extension by starting its sessions with `requestExtensions: true` and
 * `extensionSdkPath` set to the folder of Flightdeck's extension bundle (so the runtime's resolver
 * maps the extension's `@github/copilot-sdk/extension` import to Flightdeck), or by letting the
 * extension import `@flightdeck/copilot-sdk/extension` from its own `node_modules`.
 */
import { RpcError, SdkError } from "@flightdeck/copilot-core";
import type { CopilotSession, SessionConfig, Workflow } from "@flightdeck/copilot-session";
import { ExtensionError } from "./extension-error.js";
import { lazyLoadError, loadSessionHost } from "./lazy-session.js";

export { ExtensionError, type ExtensionErrorCode } from "./extension-error.js";

/** What `joinSession` takes: a session config plus what only an extension registers. */
export interface JoinSessionConfig extends SessionConfig {
  /**
   * Sensitive variables the runtime strips from extensions (e.g. `GITHUB_TOKEN`) that this
   * extension needs. The user is asked; granted values are in `process.env` when `joinSession`
   * resolves. A denial rejects with `ExtensionError("ENVIRONMENT_DENIED")`.
   */
  requestedEnvironmentVariables?: readonly string[];
  /** Workflows this extension provides (made by `defineWorkflow`). */
  workflows?: readonly Workflow[];
  /** Do not emit a `session.resume` event for the join. Default true (the join is not a user's resume). */
  suppressResumeEvent?: boolean;
}

const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/**
 * Joins the session that launched this extension process, registering `config` there.
 *
 * @example
 * ```ts
 * // .github/extensions/weather/extension.mjs — joinSession and defineTool come from the
 * // extension entry point of @flightdeck/copilot-sdk (the "/extension" subpath).
 *
 * const session = await joinSession({
 *   tools: [defineTool("get_weather", { description: "Weather for a city", parameters: { type: "object", properties: { city: { type: "string" } }, required: ["city"] }, handler: ({ city }) => `Sunny in ${city}` })],
 *   requestedEnvironmentVariables: ["WEATHER_API_KEY"],
 * });
 * session.on("assistant.message", (e) => session.log(`the agent said ${e.data.content.length} characters`));
 * ```
 * @throws {ExtensionError} `NOT_IN_RUNTIME` outside a runtime-launched extension process,
 *   `ENVIRONMENT_DENIED` when the user refused `requestedEnvironmentVariables`, `JOIN_FAILED` otherwise.
 */
export async function joinSession(config: JoinSessionConfig = {}): Promise<CopilotSession> {
  const sessionId = process.env.SESSION_ID;
  if (sessionId === undefined || sessionId === "") {
    throw new ExtensionError(
      "NOT_IN_RUNTIME",
      "joinSession() runs only inside an extension process launched by the Copilot runtime (SESSION_ID is not set, and stdin/stdout are not a runtime connection). Put the file at .github/extensions/<name>/extension.mjs and start a session with `requestExtensions: true` on a runtime that launches extensions (the Copilot CLI); to drive a session from an ordinary program, use `new CopilotClient().createSession()` instead.",
    );
  }
  if (typeof config !== "object" || config === null)
    throw new SdkError("INVALID_OPTION", "joinSession(config): pass an options object (or nothing).", { details: { option: "config" } });
  const { requestedEnvironmentVariables, workflows, suppressResumeEvent, ...sessionConfig } = config;
  if (requestedEnvironmentVariables !== undefined) {
    if (!Array.isArray(requestedEnvironmentVariables) || requestedEnvironmentVariables.some((n) => typeof n !== "string" || !ENV_NAME.test(n))) {
      throw new SdkError(
        "INVALID_OPTION",
        "joinSession: `requestedEnvironmentVariables` must be an array of environment variable names (letters, digits, _).",
        { details: { option: "requestedEnvironmentVariables" } },
      );
    }
  }

  const [{ joinOver }, SessionHost] = await Promise.all([
    import("./extension-join.js").catch((cause: unknown) => Promise.reject(lazyLoadError("joinSession's connection code", cause))),
    loadSessionHost(),
  ]).catch((error: unknown) => Promise.reject(new ExtensionError("JOIN_FAILED", `joinSession: ${(error as Error).message}`, { cause: error })));
  return joinOver(SessionHost, sessionId, { requestedEnvironmentVariables, workflows, suppressResumeEvent, sessionConfig });
}

/**
 * After `createSession` / `resumeSession` with `requestExtensions: true`: the runtime says in the
 * session's capabilities whether it manages extensions. One that does not (runtime 1.0.85, the
 * `copilot-runtime` of @github/copilot-sdk) would silently never launch them, so the session is
 * closed and this throws.
 */
export async function checkExtensionsLaunched(session: CopilotSession, requested: unknown, runtimeVersion: string | undefined): Promise<void> {
  if (requested !== true) return;
  const capabilities = session.capabilities as { extensions?: unknown } | undefined;
  if (capabilities?.extensions === true) return;
  await session.disconnect().catch(() => {});
  throw new ExtensionError(
    "RUNTIME_CANNOT_LAUNCH",
    `requestExtensions: runtime ${runtimeVersion ?? "(unknown version)"} does not launch extensions (the session's capabilities say extensions: false), so no extension would ever join. Use a runtime that launches them — the Copilot CLI, \`npm install @github/copilot\` (1.0.102 is tested) with RuntimeConnection.forStdio({ path }) — or leave requestExtensions out.`,
  );
}

/**
 * A `session.create` / `session.resume` refused because the runtime cannot launch extensions by
 * itself (runtime 1.0.85: "No extension launch provider is registered for standalone extensions")
 * becomes `ExtensionError("RUNTIME_CANNOT_LAUNCH")`; anything else is returned unchanged.
 */
export function extensionLaunchError(error: unknown, requested: unknown, runtimeVersion: string | undefined): unknown {
  if (requested !== true || !(error instanceof RpcError) || !/standalone session extensions|extension launch provider/i.test(error.rpcMessage)) return error;
  return new ExtensionError(
    "RUNTIME_CANNOT_LAUNCH",
    `requestExtensions: runtime ${runtimeVersion ?? "(unknown version)"} does not launch extensions (it answered: ${error.rpcMessage}). Use a runtime that launches them — the Copilot CLI, \`npm install @github/copilot\` (1.0.102 is tested) with RuntimeConnection.forStdio({ path }) — and set extensionSdkPath; or leave requestExtensions out.`,
    { cause: error },
  );
}
