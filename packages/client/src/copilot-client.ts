/**
 * `CopilotClient`: starts (or attaches to) the Copilot runtime, performs the handshake, and
 * manages sessions. Guarantees: stopping, crashing and bad frames never leave a hung promise or a
 * stray process; every pending call rejects at once when the runtime dies, with its exit code and
 * the last lines of its stderr. The lifecycle lives in `RuntimeLifecycle` (runtime-lifecycle.ts).
 */
import { SdkError, createServerRpc, registerSecretValues, type RpcCaller, type ServerRpc, type Unsubscribe } from "@flightdeck/copilot-core";
import { createInternalServerRpc } from "@flightdeck/copilot-core/internal";
import type { CopilotSession, ResumeSessionConfig, SessionConfig } from "@flightdeck/copilot-session";
import { checkClientOptions } from "./client-option-checks.js";
import type { ClientState, ControlCallOptions, CopilotClientOptions, ModelInfo, RuntimeLifecycleEvent, SessionLifecycleEvent } from "./client-types.js";
import { checkExtensionsLaunched, extensionLaunchError } from "./extension.js";
import { RuntimeConnection } from "./runtime-connection.js";
import { RuntimeLifecycle } from "./runtime-lifecycle.js";
import { checkRuntimePath } from "./runtime-resolution.js";
import { clientSecrets, configSecrets } from "./secrets.js";
import { toSessionMetadata, toWireFilter, type SessionListFilter, type SessionMetadata } from "./session-metadata.js";

export type {
  ClientState,
  ControlCallOptions,
  CopilotClientOptions,
  ModelInfo,
  RuntimeLifecycleEvent,
  SessionLifecycleEvent,
} from "./client-types.js";

export class CopilotClient {
  /** Every public server-scoped RPC method, typed from the schemas. Starts the runtime on first use when `autoStart` is on. */
  readonly rpc: ServerRpc;
  private readonly lifecycle: RuntimeLifecycle;

  constructor(options: CopilotClientOptions = {}) {
    const { warnings, debugLog, restartPolicy } = checkClientOptions(options);
    const copied = { ...options };
    registerSecretValues(clientSecrets(options));
    this.lifecycle = new RuntimeLifecycle(copied, options.connection ?? RuntimeConnection.forStdio(), restartPolicy, debugLog);
    const lifecycle = this.lifecycle;
    // Harmless combinations the incumbent accepts silently: said once, never thrown.
    for (const warning of warnings) {
      debugLog?.note(`warning: ${warning.message}`);
      lifecycle.reportError(warning);
    }
    const connectionConfig = lifecycle.connectionConfig;
    // A bad explicit runtime path fails here, not at the first call.
    if ((connectionConfig.kind === "stdio" || connectionConfig.kind === "tcp") && connectionConfig.path !== undefined) {
      checkRuntimePath(connectionConfig.path, `RuntimeConnection.for${connectionConfig.kind === "tcp" ? "Tcp" : "Stdio"}({ path })`);
    }
    const caller: RpcCaller = {
      request: async (method, params, requestOptions) => (await lifecycle.ensureLive()).connection.request(method, params, requestOptions),
      notify: async (method, params) => (await lifecycle.ensureLive()).connection.notify(method, params),
    };
    this.rpc = createServerRpc(caller);
  }

  /** The client's state. */
  get state(): ClientState {
    return this.lifecycle.currentState;
  }

  /** Runtime version reported by the handshake, once connected. */
  get runtimeVersion(): string | undefined {
    return this.lifecycle.live?.runtimeVersion;
  }

  /** Protocol version negotiated with the runtime, once connected. */
  get protocolVersion(): number | undefined {
    return this.lifecycle.live?.protocolVersion;
  }

  /** Process id of the runtime the client started (undefined for `forUri` or before start). */
  get runtimePid(): number | undefined {
    return this.lifecycle.live?.process?.pid;
  }

  /** TCP port of the runtime (forTcp / forUri), once connected. */
  get runtimePort(): number | undefined {
    return this.lifecycle.live?.port;
  }

  /**
   * The TCP connection token in use (given or generated), so another client can attach with
   * `RuntimeConnection.forUri(…, { connectionToken })`. A secret: never log it.
   */
  get connectionToken(): string | undefined {
    return this.lifecycle.live?.connectionToken;
  }

  /** Subscribes to state changes. */
  onStateChange(handler: (state: ClientState, previous: ClientState) => void): Unsubscribe {
    this.lifecycle.stateListeners.add(handler);
    return () => void this.lifecycle.stateListeners.delete(handler);
  }

  /**
   * Subscribes to `session.lifecycle` notifications (session created, deleted, foreground changed,
   * …), optionally only those of one type. Also sees the client's own `session.resumed` events after
   * an automatic restart, and, subscribed by type, the `runtime.*` reports of autoRestart
   * (see `RuntimeLifecycleEvent`).
   */
  onLifecycle(handler: (event: SessionLifecycleEvent) => void): Unsubscribe;
  onLifecycle<T extends RuntimeLifecycleEvent["type"]>(type: T, handler: (event: Extract<RuntimeLifecycleEvent, { type: T }>) => void): Unsubscribe;
  onLifecycle(type: string, handler: (event: SessionLifecycleEvent) => void): Unsubscribe;
  onLifecycle(typeOrHandler: string | ((event: never) => void), maybeHandler?: (event: never) => void): Unsubscribe {
    const entry = typeof typeOrHandler === "function" ? { type: undefined, handler: typeOrHandler } : { type: typeOrHandler, handler: maybeHandler! };
    if (typeof entry.handler !== "function") throw new SdkError("INVALID_OPTION", "onLifecycle: the handler must be a function.");
    this.lifecycle.lifecycleListeners.add(entry);
    return () => void this.lifecycle.lifecycleListeners.delete(entry);
  }

  /**
   * Starts the runtime (or attaches to it) and performs the handshake. Safe to call more than
   * once, and after a crash, a failed restart or `stop()`: it then brings up a new runtime
   * (resume earlier sessions with `resumeSession`). Lifecycle calls take effect in call order, so
   * `start(); stop(); start()` ends connected. Rejects with `ABORTED` when `forceStop()` (or a
   * `stop()` that could not wait for it) cancels it.
   */
  async start(): Promise<void> {
    await this.lifecycle.start();
  }

  /**
   * Stops the client: detaches sessions, asks the runtime to shut down, closes its stdin, then
   * SIGTERM and SIGKILL after `stopGraceMs` each, and ends everything the runtime started (the
   * agent's shell commands included). Settles in bounded time whatever the runtime does: every
   * request it makes has a deadline, and a runtime that does not answer is killed. Never throws;
   * returns what it could not do (empty when all went well).
   */
  stop(): Promise<Error[]> {
    return this.lifecycle.stop();
  }

  /**
   * Kills the runtime and everything it started at once; pending calls reject with
   * `CONNECTION_CLOSED`. Wins over a `start()` in flight (which rejects with `ABORTED`) and over a
   * `stop()` in progress; lifecycle calls made after it run normally.
   */
  forceStop(): Promise<void> {
    return this.lifecycle.forceStop();
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.stop();
  }

  /** Round trip to the runtime. Deadline: `options.timeoutMs`, else `requestTimeoutMs` (60 s). */
  async ping(message?: string, options?: ControlCallOptions): Promise<Awaited<ReturnType<ServerRpc["ping"]>>> {
    return this.rpc.ping(message === undefined ? {} : { message }, options);
  }

  /** Runtime version and protocol version. */
  getStatus(options?: ControlCallOptions): ReturnType<ServerRpc["status"]["get"]> {
    return this.rpc.status.get(options);
  }

  /** Whether the runtime is authenticated, and as whom. */
  getAuthStatus(options?: ControlCallOptions): ReturnType<ServerRpc["auth"]["getStatus"]> {
    return this.rpc.auth.getStatus(options);
  }

  /** The models available, cached after the first call (or from `onListModels`). */
  listModels(): Promise<ModelInfo[]> {
    if (!this.lifecycle.modelsCache) {
      const load = this.lifecycle.options.onListModels
        ? Promise.resolve().then(() => this.lifecycle.options.onListModels!())
        : this.rpc.models.list({}).then((r) => (r as { models: ModelInfo[] }).models);
      this.lifecycle.modelsCache = load.catch((error: unknown) => {
        this.lifecycle.modelsCache = undefined;
        throw error;
      });
    }
    return this.lifecycle.modelsCache;
  }

  /** Creates a session. See `SessionConfig`. */
  async createSession(config: SessionConfig): Promise<CopilotSession> {
    registerSecretValues(configSecrets(config));
    const live = await this.lifecycle.ensureLive();
    const requested = (config as { requestExtensions?: unknown } | undefined)?.requestExtensions;
    const session = await this.lifecycle
      .sessionHost(live)
      .createSession(this.withSessionDefaults(config))
      .catch((error: unknown) => Promise.reject(extensionLaunchError(error, requested, live.runtimeVersion)));
    await checkExtensionsLaunched(session, requested, live.runtimeVersion);
    return session;
  }

  /**
   * In process, the runtime shares this process's cwd, so the client's `workingDirectory` is
   * applied as each session's default working directory instead of the runtime's cwd.
   */
  private withSessionDefaults<C extends SessionConfig>(config: C): C {
    const cwd = this.lifecycle.options.workingDirectory;
    if (this.lifecycle.connectionConfig.kind !== "inprocess" || cwd === undefined || typeof config !== "object" || config === null) return config;
    return config.workingDirectory === undefined ? { ...config, workingDirectory: cwd } : config;
  }

  /**
   * Resumes a persisted session by id. On a session already open on this client, it applies the
   * new config to it and returns the same `CopilotSession` (no duplicated events).
   */
  async resumeSession(sessionId: string, config: ResumeSessionConfig = {}): Promise<CopilotSession> {
    registerSecretValues(configSecrets(config));
    if (typeof sessionId !== "string" || sessionId === "") {
      throw new SdkError("INVALID_OPTION", "resumeSession(sessionId): pass the id of an existing session (see listSessions()).");
    }
    const live = await this.lifecycle.ensureLive();
    const requested = (config as { requestExtensions?: unknown } | undefined)?.requestExtensions;
    const session = await this.lifecycle
      .sessionHost(live)
      .resumeSession(sessionId, this.withSessionDefaults(config))
      .catch((error: unknown) => Promise.reject(extensionLaunchError(error, requested, live.runtimeVersion)));
    await checkExtensionsLaunched(session, (config as { requestExtensions?: unknown } | undefined)?.requestExtensions, live.runtimeVersion);
    return session;
  }

  /**
   * Persisted sessions (a session appears once it has received a message), with `Date` times.
   * @example `await client.listSessions({ workingDirectory: process.cwd() })`
   */
  async listSessions(filter?: SessionListFilter, options?: ControlCallOptions): Promise<SessionMetadata[]> {
    const wireFilter = toWireFilter(filter);
    const result = await this.rpc.session.list(wireFilter === undefined ? {} : { filter: wireFilter }, options);
    return result.sessions.map(toSessionMetadata);
  }

  /** Metadata of one persisted session, or undefined. */
  async getSessionMetadata(sessionId: string): Promise<SessionMetadata | undefined> {
    const sessions = await this.listSessions();
    return sessions.find((s) => s.sessionId === sessionId);
  }

  /**
   * Deletes a session and its persisted state. An unknown id fails with `SdkError("VALIDATION")`
   * whose message keeps `@github/copilot-sdk`'s wording: `Failed to delete session <id>: <reason>`.
   */
  async deleteSession(sessionId: string, options?: ControlCallOptions): Promise<void> {
    const live = await this.lifecycle.ensureLive();
    const result = (await createInternalServerRpc(live.connection).session.delete({ sessionId }, options)) as
      | { success?: boolean; error?: string }
      | null
      | undefined;
    if (result && result.success === false) {
      throw new SdkError("VALIDATION", `Failed to delete session ${sessionId}: ${result.error || "Unknown error"}`, { details: { sessionId } });
    }
  }

  /** Id of the most recently used session, if any. */
  async getLastSessionId(options?: ControlCallOptions): Promise<string | undefined> {
    const result = await this.rpc.session.getLastId(options);
    return (result as { sessionId?: string | null }).sessionId ?? undefined;
  }

  /** Id of the foreground session, if any. */
  async getForegroundSessionId(options?: ControlCallOptions): Promise<string | undefined> {
    const result = await this.rpc.session.getForeground(options);
    return (result as { sessionId?: string | null }).sessionId ?? undefined;
  }

  /** Brings a session to the foreground. */
  async setForegroundSessionId(sessionId: string, options?: ControlCallOptions): Promise<void> {
    const result = await this.rpc.session.setForeground({ sessionId }, options);
    checkLifecycleResult(result, `setForegroundSessionId("${sessionId}")`);
  }
}

function checkLifecycleResult(result: unknown, what: string): void {
  const r = result as { success?: boolean; error?: string } | null | undefined;
  if (r && r.success === false) throw new SdkError("VALIDATION", `${what} failed: ${r.error ?? "the runtime gave no reason"}.`);
}
