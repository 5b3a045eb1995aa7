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
import { BaseTransport, FlightdeckError, JsonRpcConnection, RpcError, SdkError, createServerRpc } from "@flightdeck/copilot-core";
import {
  SessionHost,
  WORKFLOW_PROTOCOLS,
  serveWorkflows,
  workflowNamespaceFor,
  type CopilotSession,
  type SessionConfig,
  type Workflow,
} from "@flightdeck/copilot-session";

/** Why `joinSession` could not join. */
export type ExtensionErrorCode = "NOT_IN_RUNTIME" | "ENVIRONMENT_DENIED" | "JOIN_FAILED" | "RUNTIME_CANNOT_LAUNCH";

/** `joinSession` failed; `code` says why and the message what to do. */
export class ExtensionError extends FlightdeckError {
  static override readonly errorClass: string = "ExtensionError";
  readonly code: ExtensionErrorCode;
  constructor(code: ExtensionErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
  }
}

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

/** A transport over this process's own stdin/stdout: the extension side of the runtime's pipes. */
class ParentProcessTransport extends BaseTransport {
  readonly #onData = (chunk: Buffer) => this.emitData(chunk);
  readonly #onEnd = () => this.emitClose({ reason: "the runtime closed the extension's stdin", initiatedLocally: false });

  constructor() {
    super();
    process.stdin.on("data", this.#onData);
    process.stdin.on("end", this.#onEnd);
    process.stdin.on("close", this.#onEnd);
  }

  write(bytes: Uint8Array): void {
    if (this.isClosed) throw this.closedWriteError();
    process.stdout.write(bytes);
  }

  close(): Promise<void> {
    process.stdin.off("data", this.#onData);
    process.stdin.off("end", this.#onEnd);
    process.stdin.off("close", this.#onEnd);
    process.stdin.pause();
    this.emitClose({ reason: "the extension left the session", initiatedLocally: true });
    return Promise.resolve();
  }
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

  const connection = new JsonRpcConnection(new ParentProcessTransport(), {
    onError: (e) => sessionConfig.onError?.(e) ?? console.error(`[flightdeck extension] ${(e as Error)?.message ?? String(e)}`),
  });
  // The runtime's version picks the workflow spelling (factory.* before 1.0.89, workflow.* after).
  let runtimeVersion: string | undefined;
  try {
    const status = (await createServerRpc(connection).status.get()) as { version?: string };
    runtimeVersion = status.version;
  } catch {
    // an older runtime without status.get over this pipe: fall back to the newer spelling
  }
  const protocol = WORKFLOW_PROTOCOLS[workflowNamespaceFor(runtimeVersion) ?? "workflow"];
  const wire: Record<string, unknown> = { disableResume: suppressResumeEvent ?? true };
  if (requestedEnvironmentVariables?.length) wire.requestedEnvironmentVariables = [...requestedEnvironmentVariables];
  if (workflows?.length) wire[protocol.registrationKey] = workflows.map((w) => ({ ...w.meta }));

  const host = new SessionHost(connection, {
    onError: (e) => (sessionConfig.onError ?? ((err: unknown) => console.error(`[flightdeck extension] ${(err as Error)?.message ?? String(err)}`)))(e),
  });
  const offWorkflows = workflows?.length
    ? serveWorkflows({ sessionId, registry: connection, caller: connection, protocol, onError: (e) => host && sessionConfig.onError?.(e) }, workflows)
    : undefined;
  let granted: Record<string, string> = {};
  let session: CopilotSession;
  try {
    session = await host.resumeSession(sessionId, sessionConfig, {
      wire,
      onResult: (result) => {
        const g = result.grantedEnvironmentVariables;
        if (g && typeof g === "object") granted = g as Record<string, string>;
      },
    });
  } catch (cause) {
    offWorkflows?.();
    await connection.close().catch(() => {});
    const message = cause instanceof Error ? cause.message : String(cause);
    if (requestedEnvironmentVariables?.length && /environment|denied|declined/i.test(message)) {
      throw new ExtensionError(
        "ENVIRONMENT_DENIED",
        `joinSession: the user did not grant ${requestedEnvironmentVariables.join(", ")} (${message}). The extension cannot load without them; ask for fewer variables or explain why they are needed.`,
        { cause },
      );
    }
    throw new ExtensionError("JOIN_FAILED", `joinSession: could not join session ${sessionId}: ${message}`, { cause });
  }
  const requested = new Set(requestedEnvironmentVariables ?? []);
  for (const [name, value] of Object.entries(granted)) if (requested.has(name) && typeof value === "string") process.env[name] = value;
  // When the runtime goes away, so does this extension: nothing is left running.
  connection.onClose(() => {
    offWorkflows?.();
    host.dispose();
  });
  return session;
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
