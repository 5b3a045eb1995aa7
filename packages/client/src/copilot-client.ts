/**
 * `CopilotClient`: starts (or attaches to) the Copilot runtime, performs the handshake, and
 * manages sessions. Guarantees: stopping, crashing and bad frames never leave a hung promise or a
 * stray process; every pending call rejects at once when the runtime dies, with its exit code and
 * the last lines of its stderr.
 */
import {
  JsonRpcConnection,
  MethodNotFoundError,
  SdkError,
  createServerRpc,
  registerClientNotificationHandlers,
  type FlightdeckError,
  type SessionLifecycleNotification,
  type RpcCaller,
  type RpcConnectionLike,
  type ServerRpc,
  type Transport,
  type Unsubscribe,
} from "@flightdeck/copilot-core";
import { createInternalServerRpc } from "@flightdeck/copilot-core/internal";
import { StdioTransport, connectTcp } from "@flightdeck/copilot-core/node";
import { SessionHost, type CopilotSession, type SessionConfig } from "@flightdeck/copilot-session";
import { buildRuntimeLaunch, checkRuntimeOptions, type RuntimeOptions } from "./client-options.js";
import { checkProtocolVersion } from "./protocol-range.js";
import { RuntimeConnection } from "./runtime-connection.js";
import { RuntimeProcess } from "./runtime-process.js";
import { checkRuntimePath, resolveRuntime } from "./runtime-resolution.js";
import { createDebugLog, type DebugLog, type DebugOption } from "./debug-log.js";
import { checkExtensionsLaunched, extensionLaunchError } from "./extension.js";
import { checkRequestHandlerOption, serveRequestHandler, type ModelRequestHandler } from "./request-handler.js";
import { checkSessionFsOptions, serveSessionFs, sessionFsSetProviderParams, type SessionFsOptions } from "./session-fs.js";
import { checkTelemetryOptions, telemetryEnv, withTraceContext, type TelemetryOptions, type TraceContextProvider } from "./telemetry.js";

/** Where the client is in its life. */
export type ClientState = "idle" | "starting" | "connected" | "restarting" | "stopping" | "stopped" | "failed";

type ListModelsResult = Awaited<ReturnType<ServerRpc["models"]["list"]>>;
/** One model as `listModels()` returns it. */
export type ModelInfo = ListModelsResult extends { models: Array<infer M> } ? M : never;
type ListSessionsParams = Parameters<ServerRpc["session"]["list"]>[0];
type ListSessionsResult = Awaited<ReturnType<ServerRpc["session"]["list"]>>;
/** Metadata of a persisted session, as `listSessions()` returns it. */
export type SessionMetadata = ListSessionsResult extends { sessions: Array<infer S> } ? S : never;
/**
 * A `session.lifecycle` notification from the runtime, or one of the client's own after an
 * automatic restart: `session.resumed` (the session lives on in the new runtime) or
 * `session.lost` (it could not be resumed; `error` says why).
 */
export type SessionLifecycleEvent =
  | SessionLifecycleNotification
  | { type: "session.resumed"; sessionId: string }
  | { type: "session.lost"; sessionId: string; error: Error };

export interface CopilotClientOptions extends RuntimeOptions {
  /**
   * `"copilot-cli"` (default): sessions get the CLI's ambient features (instructions and skills
   * from the working directory, the full built-in toolset). `"empty"`: for multi-tenant servers —
   * nothing ambient, every session must list `availableTools`, and the client must have its own
   * storage (`baseDirectory` or `sessionFs`) so tenants never share the runtime's default state.
   */
  mode?: "copilot-cli" | "empty";
  /** Start the runtime on first use (any call) instead of requiring `start()`. Default true. */
  autoStart?: boolean;
  /**
   * When the runtime dies unexpectedly, start a new one, handshake, and resume the sessions that
   * were live. Default false: the next call then fails with an error saying how the runtime exited.
   */
  autoRestart?: boolean;
  /** Answers `listModels()` instead of the runtime (e.g. with your BYOK provider's models). */
  onListModels?: () => ModelInfo[] | Promise<ModelInfo[]>;
  /** How long `start()` may take before it fails (spawn, TCP port, handshake). Default 30 000 ms. */
  startTimeoutMs?: number;
  /** How long `stop()` waits for the runtime to exit before SIGTERM, and again before SIGKILL. Default 2 000 ms. */
  stopGraceMs?: number;
  /** Receives errors that belong to no call: handler failures, bad frames, invalid events. Default: console.warn. */
  onError?: (error: unknown) => void;
  /** Validation of incoming session events. Default "lenient". */
  validation?: "off" | "lenient" | "strict";
  /** Each line the runtime writes to stderr. */
  onStderr?: (line: string) => void;
  /**
   * Debug log of every JSON-RPC frame in and out and of the runtime's stderr, credentials masked.
   * `true` writes to stderr, a function gets each line, `false` disables it. Default: the
   * `FLIGHTDECK_DEBUG` environment variable (`1` → stderr, a file path → appended to that file).
   */
  debug?: DebugOption;
  /**
   * Keep session state (event log, workspace, checkpoints) in a filesystem you provide instead of
   * the runtime's disk: `{ provider: new MemorySessionFs() }`. Registered on every connect. See `SessionFsOptions`.
   */
  sessionFs?: SessionFsOptions;
  /** The runtime's OpenTelemetry exporter (lowered to its environment). Not with `forUri`. See `TelemetryOptions`. */
  telemetry?: TelemetryOptions;
  /** Your current W3C trace context, sent with `session.create`, `session.resume` and `session.send`. */
  onGetTraceContext?: TraceContextProvider;
  /**
   * Serve the runtime's model HTTP traffic from this process, over the connection (no port):
   * `(request) => Response | { status?, headers?, body? }`. See `ModelRequestHandler`.
   */
  requestHandler?: ModelRequestHandler;
}

const DEFAULT_START_TIMEOUT_MS = 30_000;
const DEFAULT_STOP_GRACE_MS = 2_000;
const SHUTDOWN_REQUEST_TIMEOUT_MS = 1_000;
const SUPPORTED_TASK_KINDS = ["agent", "client", "shell"];

interface Live {
  connection: JsonRpcConnection;
  process: RuntimeProcess | undefined;
  runtimeVersion: string | undefined;
  protocolVersion: number;
  port: number | undefined;
  connectionToken: string | undefined;
  offClose: Unsubscribe;
}

export class CopilotClient {
  /** Every public server-scoped RPC method, typed from the schemas. Starts the runtime on first use when `autoStart` is on. */
  readonly rpc: ServerRpc;
  private readonly options: CopilotClientOptions;
  private readonly connectionConfig: RuntimeConnection;
  private currentState: ClientState = "idle";
  private live: Live | undefined;
  private host: SessionHost | undefined;
  private startPromise: Promise<Live> | undefined;
  private stopPromise: Promise<Error[]> | undefined;
  private failure: SdkError | undefined;
  private readonly stateListeners = new Set<(state: ClientState, previous: ClientState) => void>();
  private readonly lifecycleListeners = new Set<{ type: string | undefined; handler: (event: SessionLifecycleEvent) => void }>();
  private modelsCache: Promise<ModelInfo[]> | undefined;
  private readonly debugLog: DebugLog | undefined;

  constructor(options: CopilotClientOptions = {}) {
    checkRuntimeOptions(options);
    this.debugLog = createDebugLog(options.debug);
    for (const key of ["startTimeoutMs", "stopGraceMs"] as const) {
      const v = options[key];
      if (v !== undefined && (typeof v !== "number" || !Number.isFinite(v) || v < 0)) {
        throw new SdkError("INVALID_OPTION", `${key}: ${JSON.stringify(v)} is not a duration in milliseconds (a finite number ≥ 0).`, { details: { option: key } });
      }
    }
    if (options.mode !== undefined && options.mode !== "copilot-cli" && options.mode !== "empty") {
      throw new SdkError("INVALID_OPTION", `mode: "${String(options.mode)}" is not a mode. Use "copilot-cli" (the default) or "empty" (multi-tenant servers).`, { details: { option: "mode" } });
    }
    if (options.mode === "empty" && options.baseDirectory === undefined && options.sessionFs === undefined) {
      throw new SdkError(
        "INVALID_OPTION",
        'mode: "empty" needs per-client session storage. Set `baseDirectory` (a state directory only this client uses) or `sessionFs` (your own session filesystem), so tenants never share the runtime\'s default state.',
        { details: { option: "mode" } },
      );
    }
    if (options.onListModels !== undefined && typeof options.onListModels !== "function") {
      throw new SdkError("INVALID_OPTION", "onListModels: must be a function returning the models (or a promise of them).", { details: { option: "onListModels" } });
    }
    if (options.validation !== undefined && !["off", "lenient", "strict"].includes(options.validation)) {
      throw new SdkError("INVALID_OPTION", `validation: "${String(options.validation)}" is not one of "off", "lenient", "strict".`, { details: { option: "validation" } });
    }
    if (options.sessionFs !== undefined) checkSessionFsOptions(options.sessionFs);
    if (options.telemetry !== undefined) {
      checkTelemetryOptions(options.telemetry);
      if (options.connection?.kind === "uri") {
        throw new SdkError("INVALID_OPTION", "telemetry: cannot be used with RuntimeConnection.forUri(): the runtime is already running, so its exporter is configured where it was started (COPILOT_OTEL_* variables).", { details: { option: "telemetry" } });
      }
    }
    if (options.onGetTraceContext !== undefined && typeof options.onGetTraceContext !== "function") {
      throw new SdkError("INVALID_OPTION", "onGetTraceContext: must be a function returning { traceparent, tracestate? } (or undefined, or a promise of either).", { details: { option: "onGetTraceContext" } });
    }
    if (options.requestHandler !== undefined) checkRequestHandlerOption(options.requestHandler);
    this.options = { ...options };
    this.connectionConfig = options.connection ?? RuntimeConnection.forStdio();
    // A bad explicit runtime path fails here, not at the first call.
    if ((this.connectionConfig.kind === "stdio" || this.connectionConfig.kind === "tcp") && this.connectionConfig.path !== undefined) {
      checkRuntimePath(this.connectionConfig.path, `RuntimeConnection.for${this.connectionConfig.kind === "tcp" ? "Tcp" : "Stdio"}({ path })`);
    }
    const caller: RpcCaller = {
      request: async (method, params, requestOptions) => (await this.ensureLive()).connection.request(method, params, requestOptions),
      notify: async (method, params) => (await this.ensureLive()).connection.notify(method, params),
    };
    this.rpc = createServerRpc(caller);
  }

  /** The client's state. */
  get state(): ClientState {
    return this.currentState;
  }

  /** Runtime version reported by the handshake, once connected. */
  get runtimeVersion(): string | undefined {
    return this.live?.runtimeVersion;
  }

  /** Protocol version negotiated with the runtime, once connected. */
  get protocolVersion(): number | undefined {
    return this.live?.protocolVersion;
  }

  /** Process id of the runtime the client started (undefined for `forUri` or before start). */
  get runtimePid(): number | undefined {
    return this.live?.process?.pid;
  }

  /** TCP port of the runtime (forTcp / forUri), once connected. */
  get runtimePort(): number | undefined {
    return this.live?.port;
  }

  /**
   * The TCP connection token in use (given or generated), so another client can attach with
   * `RuntimeConnection.forUri(…, { connectionToken })`. A secret: never log it.
   */
  get connectionToken(): string | undefined {
    return this.live?.connectionToken;
  }

  /** Subscribes to state changes. */
  onStateChange(handler: (state: ClientState, previous: ClientState) => void): Unsubscribe {
    this.stateListeners.add(handler);
    return () => void this.stateListeners.delete(handler);
  }

  /**
   * Subscribes to `session.lifecycle` notifications (session created, deleted, foreground changed,
   * …), optionally only those of one type. Also sees the client's own `session.resumed` events after
   * an automatic restart.
   */
  onLifecycle(handler: (event: SessionLifecycleEvent) => void): Unsubscribe;
  onLifecycle(type: string, handler: (event: SessionLifecycleEvent) => void): Unsubscribe;
  onLifecycle(typeOrHandler: string | ((event: SessionLifecycleEvent) => void), maybeHandler?: (event: SessionLifecycleEvent) => void): Unsubscribe {
    const entry =
      typeof typeOrHandler === "function" ? { type: undefined, handler: typeOrHandler } : { type: typeOrHandler, handler: maybeHandler! };
    if (typeof entry.handler !== "function") throw new SdkError("INVALID_OPTION", "onLifecycle: the handler must be a function.");
    this.lifecycleListeners.add(entry);
    return () => void this.lifecycleListeners.delete(entry);
  }

  /** Starts the runtime (or attaches to it) and performs the handshake. Safe to call more than once. */
  async start(): Promise<void> {
    if (this.currentState === "stopping" && this.stopPromise) await this.stopPromise;
    if (this.live && this.currentState === "connected") return;
    this.failure = undefined;
    await this.startOnce("starting");
  }

  private startOnce(state: "starting" | "restarting"): Promise<Live> {
    if (this.startPromise) return this.startPromise;
    this.setState(state);
    const promise = this.connect().then(
      (live) => {
        this.live = live;
        this.startPromise = undefined;
        this.setState("connected");
        return live;
      },
      (error: unknown) => {
        this.startPromise = undefined;
        this.failure = error instanceof SdkError ? error : new SdkError("CONNECT_FAILED", `Could not start the Copilot runtime: ${String(error)}`, { cause: error });
        this.setState("failed");
        throw error;
      },
    );
    this.startPromise = promise;
    return promise;
  }

  private async ensureLive(): Promise<Live> {
    if (this.live && this.currentState === "connected") return this.live;
    if (this.startPromise) return this.startPromise;
    if (this.currentState === "failed" && this.failure) throw this.failure;
    if (this.currentState === "stopping" || this.currentState === "stopped") {
      throw new SdkError("CONNECTION_CLOSED", "The client was stopped. Call start() again, or create a new CopilotClient.");
    }
    if (this.options.autoStart === false) {
      throw new SdkError("CONNECTION_CLOSED", "The client is not started and autoStart is off. Call `await client.start()` first.");
    }
    return this.startOnce("starting");
  }

  private async connect(): Promise<Live> {
    const startTimeoutMs = this.options.startTimeoutMs ?? DEFAULT_START_TIMEOUT_MS;
    const config = this.connectionConfig;
    let process: RuntimeProcess | undefined;
    let transport: Transport;
    let connectionToken: string | undefined;
    let port: number | undefined;
    try {
      if (config.kind === "uri") {
        port = config.port;
        transport = await connectTcp({ host: config.host, port, timeoutMs: startTimeoutMs });
        connectionToken = config.connectionToken;
      } else if (config.kind === "inprocess") {
        // Loaded on first use: koffi and the native library cost nothing to users of the other transports.
        const { InProcessTransport, resolveRuntimeLibrary } = await import("./in-process-runtime.js");
        const libraryPath = resolveRuntimeLibrary({ libraryPath: config.libraryPath, env: this.options.env ?? globalThis.process.env });
        const launch = buildRuntimeLaunch(this.options, config);
        transport = await InProcessTransport.start({
          libraryPath,
          args: launch.args,
          env: this.options.telemetry ? { ...launch.env, ...telemetryEnv(this.options.telemetry) } : launch.env,
        });
      } else {
        const runtime = resolveRuntime({ path: config.path, env: this.options.env ?? globalThis.process.env });
        const launch = buildRuntimeLaunch(this.options, config);
        connectionToken = launch.connectionToken;
        process = await RuntimeProcess.spawn({
          command: runtime.command,
          args: [...runtime.prefixArgs, ...launch.args],
          env: this.options.telemetry ? { ...launch.env, ...telemetryEnv(this.options.telemetry) } : launch.env,
          cwd: this.options.workingDirectory,
          onStderrLine: this.debugLog ? (line) => (this.debugLog?.stderr(line), this.options.onStderr?.(line)) : this.options.onStderr,
        });
        if (config.kind === "stdio") {
          transport = new StdioTransport(process.child, { killGraceMs: this.options.stopGraceMs ?? DEFAULT_STOP_GRACE_MS });
        } else {
          port = await process.waitForListeningPort(startTimeoutMs);
          transport = await connectTcp({ host: config.host, port, timeoutMs: startTimeoutMs });
        }
      }
      const connection = new JsonRpcConnection(transport, { onError: (e) => this.reportError(e), onFrame: this.debugLog?.frame });
      const handshake = await this.handshake(connection, connectionToken, startTimeoutMs).catch(async (error: unknown) => {
        await connection.close().catch(() => {});
        throw error;
      });
      const live: Live = { connection, process, ...handshake, port, connectionToken, offClose: () => {} };
      const offClose = connection.onClose((_info, error) => this.onConnectionClosed(live, error));
      const offLifecycle = registerClientNotificationHandlers(connection, {
        "session.lifecycle": (event: SessionLifecycleNotification) => this.emitLifecycle(event),
      });
      const offProviders = await this.registerProviders(connection, startTimeoutMs).catch(async (error: unknown) => {
        await connection.close().catch(() => {});
        throw error;
      });
      live.offClose = () => {
        offClose();
        offLifecycle();
        offProviders();
      };
      // Sessions live on across an automatic restart: resume them on the new connection.
      if (this.host) {
        const before = this.host.sessions().map((s) => s.sessionId);
        await this.host.rebind(this.sessionConnection(connection));
        const after = new Set(this.host.sessions().map((s) => s.sessionId));
        queueMicrotask(() => {
          for (const sessionId of before) {
            this.emitLifecycle(
              after.has(sessionId)
                ? { type: "session.resumed", sessionId }
                : { type: "session.lost", sessionId, error: new SdkError("CONNECTION_CLOSED", `Session ${sessionId} could not be resumed after the runtime restarted.`) },
            );
          }
        });
      }
      return live;
    } catch (error) {
      if (process) await process.kill();
      throw error;
    }
  }

  private async handshake(connection: JsonRpcConnection, token: string | undefined, timeoutMs: number): Promise<{ runtimeVersion: string | undefined; protocolVersion: number }> {
    const internal = createInternalServerRpc(connection);
    try {
      const result = await internal.connect(
        { supportedTaskKinds: SUPPORTED_TASK_KINDS, ...(token !== undefined && { token }), ...(this.options.clientInfo && { clientInfo: this.options.clientInfo }) } as Parameters<typeof internal.connect>[0],
        { timeoutMs },
      );
      const version = (result as { version?: string }).version;
      return { runtimeVersion: version, protocolVersion: checkProtocolVersion((result as { protocolVersion?: number }).protocolVersion, version) };
    } catch (error) {
      // Older runtimes have no `connect`: fall back to `ping`, which reports the protocol version.
      if (!(error instanceof MethodNotFoundError)) throw error;
      const pong = await createServerRpc(connection).ping({}, { timeoutMs });
      return { runtimeVersion: undefined, protocolVersion: checkProtocolVersion((pong as { protocolVersion?: number }).protocolVersion, undefined) };
    }
  }

  /**
   * Serves `sessionFs.*` / `llmInference.*` on a new connection and registers this client as the
   * runtime's provider of each, before any session is created or resumed on it.
   */
  private async registerProviders(connection: JsonRpcConnection, timeoutMs: number): Promise<Unsubscribe> {
    const offs: Unsubscribe[] = [];
    const onError = (e: unknown) => this.reportError(e);
    const rpc = createServerRpc(connection);
    try {
      if (this.options.sessionFs) {
        offs.push(serveSessionFs(connection, this.options.sessionFs, onError));
        const params = sessionFsSetProviderParams(this.options.sessionFs, this.options.workingDirectory ?? globalThis.process.cwd());
        const result = await rpc.sessionFs.setProvider(params, { timeoutMs });
        if (!result?.success) throw new SdkError("CONNECT_FAILED", "sessionFs: the runtime refused to use this client as the session filesystem provider (sessionFs.setProvider answered success: false); another client may hold it.");
      }
      if (this.options.requestHandler) {
        offs.push(serveRequestHandler(connection, this.options.requestHandler, onError));
        const result = await rpc.llmInference.setProvider({ timeoutMs });
        if (!result?.success) throw new SdkError("CONNECT_FAILED", "requestHandler: the runtime refused to route model requests to this client (llmInference.setProvider answered success: false); another client may hold it.");
      }
    } catch (error) {
      for (const off of offs) off();
      throw error;
    }
    return () => {
      for (const off of offs) off();
    };
  }

  /** The connection sessions use: with `onGetTraceContext`, one that adds the trace context to create/resume/send. */
  private sessionConnection(connection: JsonRpcConnection): RpcConnectionLike {
    const provider = this.options.onGetTraceContext;
    return provider ? withTraceContext(connection, provider, (e) => this.reportError(e)) : connection;
  }

  private createHost(connection: JsonRpcConnection): SessionHost {
    const empty = this.options.mode === "empty";
    const host = new SessionHost(this.sessionConnection(connection), {
      onError: (e: unknown) => this.reportError(e),
      validation: this.options.validation ?? "lenient",
      mode: empty ? "empty" : "default",
      ...(empty && { storage: this.options.sessionFs !== undefined ? ("sessionFs" as const) : ("baseDirectory" as const) }),
    });
    return host;
  }

  private emitLifecycle(event: SessionLifecycleEvent): void {
    for (const { type, handler } of this.lifecycleListeners) {
      if (type !== undefined && (event as { type?: string }).type !== type) continue;
      try {
        handler(event);
      } catch (error) {
        this.reportError(new SdkError("HANDLER_FAILED", `An onLifecycle handler threw: ${error instanceof Error ? error.message : String(error)}`, { cause: error }));
      }
    }
  }

  private onConnectionClosed(live: Live, closeError: SdkError): void {
    if (this.live !== live) return;
    if (this.currentState === "stopping" || this.currentState === "stopped") return;
    this.live = undefined;
    live.offClose();
    const exit = live.process?.exitState;
    const error = new SdkError(
      "RUNTIME_EXITED",
      `The Copilot runtime connection closed unexpectedly: ${closeError.message}${this.options.autoRestart ? "" : " Call start() to start a new runtime, or set autoRestart: true."}`,
      { cause: closeError, details: { exitCode: exit?.code, signal: exit?.signal, stderrTail: live.process?.stderrTail() } },
    );
    // Reap whatever the dead runtime left in its process group.
    void live.process?.kill();
    this.modelsCache = undefined;
    if (this.options.autoRestart) {
      // Waiters (sendAndWait, tool calls) fail now rather than hang until the new runtime is up.
      this.host?.interrupt(error);
      this.startOnce("restarting").catch((restartError: unknown) => {
        this.host?.dispose(restartError);
        this.reportError(restartError);
      });
      return;
    }
    this.failure = error;
    this.host?.dispose(error);
    this.setState("failed");
  }

  /**
   * Stops the client: detaches sessions, asks the runtime to shut down, closes its stdin, then
   * SIGTERM and SIGKILL after `stopGraceMs` each, and reaps its process group. Never throws;
   * returns the errors met on the way (empty when all went well).
   */
  stop(): Promise<Error[]> {
    if (this.stopPromise) return this.stopPromise;
    const promise = this.doStop().finally(() => {
      this.stopPromise = undefined;
    });
    this.stopPromise = promise;
    return promise;
  }

  private async doStop(): Promise<Error[]> {
    const errors: Error[] = [];
    if (this.startPromise) await this.startPromise.catch(() => {});
    const live = this.live;
    this.setState("stopping");
    this.live = undefined;
    this.modelsCache = undefined;
    if (live) {
      live.offClose();
      const grace = this.options.stopGraceMs ?? DEFAULT_STOP_GRACE_MS;
      if (this.host) {
        try {
          await Promise.all(this.host.sessions().map((s) => s.disconnect()));
        } catch (error) {
          errors.push(error as Error);
        }
      }
      if ((live.process || this.connectionConfig.kind === "inprocess") && !live.connection.isClosed) {
        try {
          await createServerRpc(live.connection).runtime.shutdown({ timeoutMs: SHUTDOWN_REQUEST_TIMEOUT_MS });
        } catch (error) {
          errors.push(error as Error);
        }
      }
      const closing = live.connection.close().catch((error: unknown) => void errors.push(error as Error));
      if (live.process) await live.process.terminate(grace, grace);
      await closing;
    }
    this.host?.dispose(new SdkError("CONNECTION_CLOSED", "The client was stopped."));
    this.host = undefined;
    this.setState("stopped");
    return errors;
  }

  /** Kills the runtime and its process group at once; pending calls reject with CONNECTION_CLOSED. */
  async forceStop(): Promise<void> {
    const live = this.live;
    this.setState("stopping");
    this.live = undefined;
    this.modelsCache = undefined;
    if (live) {
      live.offClose();
      // In process there is nothing to kill: the runtime's threads finish their writes only when
      // asked to shut down, so ask (bounded) before the host is torn down.
      if (this.connectionConfig.kind === "inprocess" && !live.connection.isClosed) {
        await createServerRpc(live.connection).runtime.shutdown({ timeoutMs: SHUTDOWN_REQUEST_TIMEOUT_MS }).catch(() => {});
      }
      const killing = live.process?.kill();
      await Promise.all([killing, live.connection.close().catch(() => {})]);
    }
    this.host?.dispose(new SdkError("CONNECTION_CLOSED", "The client was force-stopped."));
    this.host = undefined;
    this.setState("stopped");
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.stop();
  }

  /** Round trip to the runtime. */
  async ping(message?: string): Promise<Awaited<ReturnType<ServerRpc["ping"]>>> {
    return this.rpc.ping(message === undefined ? {} : { message });
  }

  /** Runtime version and protocol version. */
  getStatus(): ReturnType<ServerRpc["status"]["get"]> {
    return this.rpc.status.get();
  }

  /** Whether the runtime is authenticated, and as whom. */
  getAuthStatus(): ReturnType<ServerRpc["auth"]["getStatus"]> {
    return this.rpc.auth.getStatus();
  }

  /** The models available, cached after the first call (or from `onListModels`). */
  listModels(): Promise<ModelInfo[]> {
    if (!this.modelsCache) {
      const load = this.options.onListModels
        ? Promise.resolve().then(() => this.options.onListModels!())
        : this.rpc.models.list({}).then((r) => (r as { models: ModelInfo[] }).models);
      this.modelsCache = load.catch((error: unknown) => {
        this.modelsCache = undefined;
        throw error;
      });
    }
    return this.modelsCache;
  }

  /** Creates a session. See `SessionConfig`. */
  async createSession(config: SessionConfig): Promise<CopilotSession> {
    const live = await this.ensureLive();
    const requested = (config as { requestExtensions?: unknown } | undefined)?.requestExtensions;
    const session = await this.sessionHost(live)
      .createSession(this.withSessionDefaults(config))
      .catch((error: unknown) => Promise.reject(extensionLaunchError(error, requested, live.runtimeVersion)));
    await checkExtensionsLaunched(session, (config as { requestExtensions?: unknown } | undefined)?.requestExtensions, live.runtimeVersion);
    return session;
  }

  /**
   * In process, the runtime shares this process's cwd, so the client's `workingDirectory` is
   * applied as each session's default working directory instead of the runtime's cwd.
   */
  private withSessionDefaults(config: SessionConfig): SessionConfig {
    const cwd = this.options.workingDirectory;
    if (this.connectionConfig.kind !== "inprocess" || cwd === undefined || typeof config !== "object" || config === null) return config;
    return config.workingDirectory === undefined ? { ...config, workingDirectory: cwd } : config;
  }

  private sessionHost(live: Live): SessionHost {
    this.host ??= this.createHost(live.connection);
    return this.host;
  }

  /** Resumes a persisted session by id. */
  async resumeSession(sessionId: string, config: SessionConfig = {}): Promise<CopilotSession> {
    if (typeof sessionId !== "string" || sessionId === "") {
      throw new SdkError("INVALID_OPTION", "resumeSession(sessionId): pass the id of an existing session (see listSessions()).");
    }
    const live = await this.ensureLive();
    const requested = (config as { requestExtensions?: unknown } | undefined)?.requestExtensions;
    const session = await this.sessionHost(live)
      .resumeSession(sessionId, this.withSessionDefaults(config))
      .catch((error: unknown) => Promise.reject(extensionLaunchError(error, requested, live.runtimeVersion)));
    await checkExtensionsLaunched(session, (config as { requestExtensions?: unknown } | undefined)?.requestExtensions, live.runtimeVersion);
    return session;
  }

  /** Persisted sessions (a session appears once it has received a message). */
  async listSessions(filter?: ListSessionsParams): Promise<SessionMetadata[]> {
    const result = await this.rpc.session.list((filter ?? {}) as NonNullable<ListSessionsParams>);
    return (result as { sessions: SessionMetadata[] }).sessions;
  }

  /** Metadata of one persisted session, or undefined. */
  async getSessionMetadata(sessionId: string): Promise<SessionMetadata | undefined> {
    const sessions = await this.listSessions();
    return sessions.find((s) => (s as { sessionId?: string }).sessionId === sessionId);
  }

  /** Deletes a session and its persisted state. */
  async deleteSession(sessionId: string): Promise<void> {
    const live = await this.ensureLive();
    const result = await createInternalServerRpc(live.connection).session.delete({ sessionId });
    checkLifecycleResult(result, `deleteSession("${sessionId}")`);
  }

  /** Id of the most recently used session, if any. */
  async getLastSessionId(): Promise<string | undefined> {
    const result = await this.rpc.session.getLastId({});
    return (result as { sessionId?: string | null }).sessionId ?? undefined;
  }

  /** Id of the foreground session, if any. */
  async getForegroundSessionId(): Promise<string | undefined> {
    const result = await this.rpc.session.getForeground({});
    return (result as { sessionId?: string | null }).sessionId ?? undefined;
  }

  /** Brings a session to the foreground. */
  async setForegroundSessionId(sessionId: string): Promise<void> {
    const result = await this.rpc.session.setForeground({ sessionId });
    checkLifecycleResult(result, `setForegroundSessionId("${sessionId}")`);
  }

  private setState(state: ClientState): void {
    const previous = this.currentState;
    if (previous === state) return;
    this.currentState = state;
    for (const listener of this.stateListeners) {
      try {
        listener(state, previous);
      } catch (error) {
        this.reportError(new SdkError("HANDLER_FAILED", `An onStateChange handler threw: ${error instanceof Error ? error.message : String(error)}`, { cause: error }));
      }
    }
  }

  private reportError(error: unknown): void {
    if (this.options.onError) {
      try {
        this.options.onError(error);
        return;
      } catch {
        // fall through to the console: never swallow
      }
    }
    console.warn(`[flightdeck] ${(error as FlightdeckError)?.message ?? String(error)}`);
  }
}

function checkLifecycleResult(result: unknown, what: string): void {
  const r = result as { success?: boolean; error?: string } | null | undefined;
  if (r && r.success === false) throw new SdkError("VALIDATION", `${what} failed: ${r.error ?? "the runtime gave no reason"}.`);
}
