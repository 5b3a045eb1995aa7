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
  isSdkError,
  redactString,
  registerClientNotificationHandlers,
  registerSecretValues,
  type FlightdeckError,
  type GitHubTelemetryNotification,
  type SessionLifecycleNotification,
  type RpcCaller,
  type RpcConnectionLike,
  type ServerRpc,
  type Transport,
  type Unsubscribe,
} from "@flightdeck/copilot-core";
import { createInternalServerRpc } from "@flightdeck/copilot-core/internal";
import { StdioTransport, connectTcp } from "@flightdeck/copilot-core/node";
import {
  SessionHost,
  type CopilotClientMode,
  type CopilotSession,
  type EventValidationMode,
  type ResumeSessionConfig,
  type SessionConfig,
} from "@flightdeck/copilot-session";
import { buildRuntimeLaunch, checkRuntimeOptions, type RuntimeOptions } from "./client-options.js";
import { checkKnownKeys } from "./option-keys.js";
import { checkProtocolVersion } from "./protocol-range.js";
import { backoffDelay, restartPolicyOf, type AutoRestartOptions, type RestartPolicy } from "./restart-policy.js";
import { clientSecrets, configSecrets } from "./secrets.js";
import { RuntimeConnection } from "./runtime-connection.js";
import { RuntimeProcess } from "./runtime-process.js";
import { checkRuntimePath, resolveRuntime } from "./runtime-resolution.js";
import { createDebugLog, type DebugLog, type DebugOption } from "./debug-log.js";
import { isCopilotRequestHandler, serveCopilotRequestHandler, type CopilotRequestHandler } from "./copilot-request-handler.js";
import { checkExtensionsLaunched, extensionLaunchError } from "./extension.js";
import { checkRequestHandlerOption, serveRequestHandler, type ModelRequestHandler } from "./request-handler.js";
import { toSessionMetadata, toWireFilter, type SessionListFilter, type SessionMetadata } from "./session-metadata.js";
import { checkSessionFsOptions, serveSessionFs, sessionFsSetProviderParams, type SessionFsOptions } from "./session-fs.js";
import { checkTelemetryOptions, telemetryEnv, withTraceContext, type TelemetryOptions, type TraceContextProvider } from "./telemetry.js";

/** Where the client is in its life. */
export type ClientState = "idle" | "starting" | "connected" | "restarting" | "stopping" | "stopped" | "failed";

type ListModelsResult = Awaited<ReturnType<ServerRpc["models"]["list"]>>;
/** One model as `listModels()` returns it. */
export type ModelInfo = ListModelsResult extends { models: Array<infer M> } ? M : never;
/**
 * A `session.lifecycle` notification from the runtime, or one of the client's own after an
 * automatic restart: `session.resumed` (the session lives on in the new runtime) or
 * `session.lost` (it could not be resumed; `error` says why).
 */
export type SessionLifecycleEvent =
  | SessionLifecycleNotification
  | { type: "session.resumed"; sessionId: string }
  | { type: "session.lost"; sessionId: string; error: Error };

/**
 * The client's own reports about the runtime under `autoRestart`: an attempt is scheduled
 * (`runtime.restarting`, with why and after what delay), it succeeded (`runtime.restarted`), or the
 * client gave up (`runtime.restartFailed`, state `"failed"`, also sent to `onError`). Subscribe by
 * type: `client.onLifecycle("runtime.restarting", (e) => …)` (handlers without a type see only
 * session events).
 */
export type RuntimeLifecycleEvent =
  | { type: "runtime.restarting"; attempt: number; maxAttempts: number; delayMs: number; error: Error }
  | { type: "runtime.restarted"; attempt: number }
  | { type: "runtime.restartFailed"; attempts: number; error: SdkError };

/** Per-call options of the client's control calls (`ping`, `getStatus`, `listSessions`, …). */
export interface ControlCallOptions {
  /** Deadline of this call in ms (`0` = none). Default: the client's `requestTimeoutMs` (60 000). */
  timeoutMs?: number;
  /** Cancels the call. */
  signal?: AbortSignal;
}

export interface CopilotClientOptions extends RuntimeOptions {
  /**
   * `"copilot-cli"` (default): sessions get the CLI's ambient features (instructions and skills
   * from the working directory, the full built-in toolset). `"empty"`: for multi-tenant servers —
   * nothing ambient, every session must list `availableTools`, and the client must have its own
   * storage (`baseDirectory` or `sessionFs`) so tenants never share the runtime's default state.
   */
  mode?: CopilotClientMode;
  /** Start the runtime on first use (any call) instead of requiring `start()`. Default true. */
  autoStart?: boolean;
  /**
   * When the runtime dies unexpectedly, start a new one, handshake, and resume the sessions that
   * were live. Default false: the next call then fails with an error saying how the runtime exited.
   * Attempts back off exponentially with jitter (250 ms, doubling, capped at 10 s); after
   * 5 attempts within 60 s the client gives up (state `"failed"`, `runtime.restartFailed`).
   * Pass `{ maxAttempts, windowMs, initialDelayMs, maxDelayMs }` to tune it.
   */
  autoRestart?: boolean | AutoRestartOptions;
  /**
   * Deadline of every request to the runtime that has no `timeoutMs` of its own, in ms. Default
   * 60 000; `0` disables it. Control calls take a per-call `{ timeoutMs }` too.
   */
  requestTimeoutMs?: number;
  /**
   * Receives the GitHub telemetry events the runtime forwards (experimental; the connection opts
   * in to forwarding when this is set). Each carries its originating `sessionId`.
   */
  onGitHubTelemetry?: (notification: GitHubTelemetryNotification) => void | Promise<void>;
  /** Answers `listModels()` instead of the runtime (e.g. with your BYOK provider's models). */
  onListModels?: () => ModelInfo[] | Promise<ModelInfo[]>;
  /** How long `start()` may take before it fails (spawn, TCP port, handshake). Default 30 000 ms. */
  startTimeoutMs?: number;
  /**
   * `stop()`'s deadlines: how long it waits for sessions to detach and for the runtime to exit
   * before SIGTERM, and again before SIGKILL. A runtime that does not answer at all (frozen) is
   * killed after the first deadline. Default 2 000 ms.
   */
  stopGraceMs?: number;
  /** Receives errors that belong to no call: handler failures, bad frames, invalid events. Default: console.warn. */
  onError?: (error: unknown) => void;
  /**
   * Validation of incoming session events against the pinned schemas. Default "lenient": events
   * that break their schema are reported to `onError` and delivered; fields a newer runtime adds
   * are accepted. "strict" reports every difference (unknown fields and unknown event types too)
   * and drops events of known types that do not match; "off" checks nothing. Table in
   * docs/protocol-bumps.md.
   */
  validation?: EventValidationMode;
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
   * `(request) => Response | { status?, headers?, body? }` (see `ModelRequestHandler`), or an
   * instance of a `CopilotRequestHandler` subclass (`@github/copilot-sdk`'s form).
   */
  requestHandler?: ModelRequestHandler | CopilotRequestHandler;
}

const DEFAULT_START_TIMEOUT_MS = 30_000;
const DEFAULT_STOP_GRACE_MS = 2_000;
const DEFAULT_REQUEST_TIMEOUT_MS = 60_000;
const SHUTDOWN_REQUEST_TIMEOUT_MS = 1_000;
const SUPPORTED_TASK_KINDS = ["agent", "client", "shell"];

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

interface Live {
  connection: JsonRpcConnection;
  kind: RuntimeConnection["kind"];
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
  private failure: SdkError | undefined;
  /** Lifecycle operations (start, stop, restart) run one at a time, in call order. */
  private queue: Promise<unknown> = Promise.resolve();
  /** Bumped by forceStop(): operations queued before it are cancelled. */
  private generation = 0;
  /** The start or restart attempt in progress, which stop()/forceStop() can cancel. */
  private inFlight: { abort: AbortController; promise: Promise<Live> } | undefined;
  /** The connection stop() is tearing down, which forceStop() can cut short. */
  private stoppingLive: Live | undefined;
  private restartAbort: AbortController | undefined;
  /** When restart attempts began, within the policy's window. */
  private restartHistory: number[] = [];
  private readonly restartPolicy: RestartPolicy | undefined;
  private readonly stateListeners = new Set<(state: ClientState, previous: ClientState) => void>();
  private readonly lifecycleListeners = new Set<{ type: string | undefined; handler: (event: never) => void }>();
  private modelsCache: Promise<ModelInfo[]> | undefined;
  private readonly debugLog: DebugLog | undefined;

  constructor(options: CopilotClientOptions = {}) {
    if (typeof options !== "object" || options === null || Array.isArray(options)) {
      throw new SdkError("INVALID_OPTION", "options: CopilotClient takes an options object (or nothing).", { details: { option: "options" } });
    }
    checkKnownKeys("CopilotClient options", options, CLIENT_OPTION_KEYS, CLIENT_OPTION_HINTS);
    const warnings = checkRuntimeOptions(options);
    this.debugLog = createDebugLog(options.debug);
    this.restartPolicy = restartPolicyOf(options.autoRestart);
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
      throw new SdkError(
        "INVALID_OPTION",
        `mode: "${String(options.mode)}" is not a mode. Use "copilot-cli" (the default) or "empty" (multi-tenant servers).`,
        { details: { option: "mode" } },
      );
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
    this.options = { ...options };
    registerSecretValues(clientSecrets(options));
    // Harmless combinations the incumbent accepts silently: said once, never thrown.
    for (const warning of warnings) {
      this.debugLog?.note(`warning: ${warning.message}`);
      this.reportError(warning);
    }
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
   * an automatic restart, and, subscribed by type, the `runtime.*` reports of autoRestart
   * (see `RuntimeLifecycleEvent`).
   */
  onLifecycle(handler: (event: SessionLifecycleEvent) => void): Unsubscribe;
  onLifecycle<T extends RuntimeLifecycleEvent["type"]>(type: T, handler: (event: Extract<RuntimeLifecycleEvent, { type: T }>) => void): Unsubscribe;
  onLifecycle(type: string, handler: (event: SessionLifecycleEvent) => void): Unsubscribe;
  onLifecycle(typeOrHandler: string | ((event: never) => void), maybeHandler?: (event: never) => void): Unsubscribe {
    const entry = typeof typeOrHandler === "function" ? { type: undefined, handler: typeOrHandler } : { type: typeOrHandler, handler: maybeHandler! };
    if (typeof entry.handler !== "function") throw new SdkError("INVALID_OPTION", "onLifecycle: the handler must be a function.");
    this.lifecycleListeners.add(entry);
    return () => void this.lifecycleListeners.delete(entry);
  }

  /**
   * Starts the runtime (or attaches to it) and performs the handshake. Safe to call more than
   * once, and after a crash, a failed restart or `stop()`: it then brings up a new runtime
   * (resume earlier sessions with `resumeSession`). Lifecycle calls take effect in call order, so
   * `start(); stop(); start()` ends connected. Rejects with `ABORTED` when `forceStop()` (or a
   * `stop()` that could not wait for it) cancels it.
   */
  async start(): Promise<void> {
    await this.enqueue(async () => {
      const live = this.live;
      if (live && this.currentState === "connected") {
        if (!live.process || live.process.isRunning()) return;
        // It just died and the close is not processed yet: let that happen, then start anew.
        await within(new Promise<void>((resolve) => live.connection.onClose(() => resolve())), 2_000);
        if (this.live === live) await this.killNow(false);
      }
      this.restartHistory = [];
      await this.bringUp("starting");
    });
  }

  /** Runs `task` after every lifecycle operation called before it; skipped when forceStop() came in between. */
  private enqueue<T>(task: () => Promise<T>): Promise<T> {
    const generation = this.generation;
    const run = this.queue.then(() => {
      if (generation !== this.generation) throw new SdkError("ABORTED", "start() was cancelled: forceStop() was called before the runtime was up.");
      return task();
    });
    this.queue = run.catch(() => {});
    return run;
  }

  /** One connect attempt; on success the client is connected. Never leaves a process behind on failure. */
  private async bringUp(state: "starting" | "restarting", abort = new AbortController()): Promise<Live> {
    this.failure = undefined;
    this.setState(state);
    const promise = this.connect(abort.signal);
    const attempt = { abort, promise };
    this.inFlight = attempt;
    try {
      const live = await promise;
      if (abort.signal.aborted) {
        live.offClose();
        await Promise.all([live.process?.kill(), live.connection.close().catch(() => {})]);
        throw abort.signal.reason;
      }
      this.live = live;
      this.setState("connected");
      return live;
    } catch (error) {
      if (abort.signal.aborted) throw abort.signal.reason;
      if (state === "starting") {
        this.failure =
          error instanceof SdkError ? error : new SdkError("CONNECT_FAILED", `Could not start the Copilot runtime: ${String(error)}`, { cause: error });
        this.setState("failed");
      }
      throw error;
    } finally {
      if (this.inFlight === attempt) this.inFlight = undefined;
    }
  }

  private async ensureLive(): Promise<Live> {
    if (this.live && this.currentState === "connected") return this.live;
    if (this.inFlight || this.currentState === "restarting") {
      // A start or restart is under way: wait for its outcome.
      await (this.inFlight?.promise ?? this.queue).catch(() => {});
      await this.queue;
      if (this.live && this.currentState === "connected") return this.live;
    }
    if (this.currentState === "failed" && this.failure) throw this.failure;
    if (this.currentState === "stopping" || this.currentState === "stopped") {
      throw new SdkError("CONNECTION_CLOSED", "The client was stopped. Call start() again, or create a new CopilotClient.");
    }
    if (this.options.autoStart === false) {
      throw new SdkError("CONNECTION_CLOSED", "The client is not started and autoStart is off. Call `await client.start()` first.");
    }
    await this.start();
    if (this.live) return this.live;
    throw this.failure ?? new SdkError("CONNECTION_CLOSED", "The client was stopped while it was starting. Call start() again.");
  }

  private async connect(signal: AbortSignal): Promise<Live> {
    const startTimeoutMs = this.options.startTimeoutMs ?? DEFAULT_START_TIMEOUT_MS;
    const config = this.connectionConfig;
    let process: RuntimeProcess | undefined;
    let connection: JsonRpcConnection | undefined;
    let transport: Transport;
    let connectionToken: string | undefined;
    let port: number | undefined;
    // Cancelling an attempt kills what it started, so whatever it awaits fails at once.
    const onAbort = () => {
      void process?.kill();
      void connection?.close().catch(() => {});
    };
    signal.addEventListener("abort", onAbort, { once: true });
    const checkAbort = () => {
      if (signal.aborted) throw signal.reason;
    };
    try {
      if (config.kind === "uri") {
        port = config.port;
        transport = await connectTcp({ host: config.host, port, timeoutMs: startTimeoutMs, signal });
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
          onStderrLine: (line) => this.onStderrLine(line),
        });
        checkAbort();
        if (config.kind === "stdio") {
          transport = new StdioTransport(process.child, { killGraceMs: this.options.stopGraceMs ?? DEFAULT_STOP_GRACE_MS });
        } else {
          port = await process.waitForListeningPort(startTimeoutMs);
          checkAbort();
          transport = await connectTcp({ host: config.host, port, timeoutMs: startTimeoutMs, signal });
        }
      }
      connection = new JsonRpcConnection(transport, {
        onError: (e) => this.reportError(e),
        onFrame: this.debugLog?.frame,
        requestTimeoutMs: this.options.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS,
      });
      checkAbort();
      const handshake = await this.handshake(connection, connectionToken, startTimeoutMs);
      checkAbort();
      const live: Live = { connection, kind: config.kind, process, ...handshake, port, connectionToken, offClose: () => {} };
      const offClose = connection.onClose((_info, error) => this.onConnectionClosed(live, error));
      const offLifecycle = registerClientNotificationHandlers(connection, {
        "session.lifecycle": (event: SessionLifecycleNotification) => this.emitLifecycle(event),
        ...(this.options.onGitHubTelemetry && {
          "gitHubTelemetry.event": (notification: GitHubTelemetryNotification) => this.options.onGitHubTelemetry!(notification),
        }),
      });
      live.offClose = () => {
        offClose();
        offLifecycle();
      };
      const offProviders = await this.registerProviders(connection, startTimeoutMs).catch((error: unknown) => {
        live.offClose();
        throw error;
      });
      live.offClose = () => {
        offClose();
        offLifecycle();
        offProviders();
      };
      checkAbort();
      // Sessions live on across an automatic restart: resume them on the new connection.
      if (this.host) {
        const host = this.host;
        const before = host.sessions().map((s) => s.sessionId);
        await host.rebind(this.sessionConnection(connection));
        const after = new Set(host.sessions().map((s) => s.sessionId));
        queueMicrotask(() => {
          for (const sessionId of before) {
            this.emitLifecycle(
              after.has(sessionId)
                ? { type: "session.resumed", sessionId }
                : {
                    type: "session.lost",
                    sessionId,
                    error: new SdkError("CONNECTION_CLOSED", `Session ${sessionId} could not be resumed after the runtime restarted.`),
                  },
            );
          }
        });
      }
      return live;
    } catch (error) {
      await Promise.all([process?.kill(), connection?.close().catch(() => {})]);
      throw signal.aborted ? signal.reason : error;
    } finally {
      signal.removeEventListener("abort", onAbort);
    }
  }

  private onStderrLine(line: string): void {
    // The runtime may print credentials (a provider's key, a header, a URL with a password).
    const safe = redactString(line);
    this.debugLog?.stderr(safe);
    if (this.options.onStderr) {
      try {
        this.options.onStderr(safe);
      } catch (error) {
        this.reportError(
          new SdkError("HANDLER_FAILED", `The onStderr handler threw: ${error instanceof Error ? error.message : String(error)}`, { cause: error }),
        );
      }
    }
  }

  private async handshake(
    connection: JsonRpcConnection,
    token: string | undefined,
    timeoutMs: number,
  ): Promise<{ runtimeVersion: string | undefined; protocolVersion: number }> {
    const internal = createInternalServerRpc(connection);
    try {
      const result = await internal.connect(
        {
          supportedTaskKinds: SUPPORTED_TASK_KINDS,
          ...(token !== undefined && { token }),
          ...(this.options.clientInfo && { clientInfo: this.options.clientInfo }),
          ...(this.options.onGitHubTelemetry && { enableGitHubTelemetryForwarding: true }),
        } as Parameters<typeof internal.connect>[0],
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
      const plugins = this.options.builtinPluginDirectories;
      if (plugins && plugins.length > 0) await rpc.plugins.builtin.set({ paths: [...plugins] }, { timeoutMs });
      if (this.options.sessionFs) {
        offs.push(serveSessionFs(connection, this.options.sessionFs, onError));
        const params = sessionFsSetProviderParams(this.options.sessionFs, this.options.workingDirectory ?? globalThis.process.cwd());
        const result = await rpc.sessionFs.setProvider(params, { timeoutMs });
        if (!result?.success)
          throw new SdkError(
            "CONNECT_FAILED",
            "sessionFs: the runtime refused to use this client as the session filesystem provider (sessionFs.setProvider answered success: false); another client may hold it.",
          );
      }
      if (this.options.requestHandler) {
        const handler = this.options.requestHandler;
        offs.push(
          isCopilotRequestHandler(handler) ? serveCopilotRequestHandler(connection, handler, onError) : serveRequestHandler(connection, handler, onError),
        );
        const result = await rpc.llmInference.setProvider({ timeoutMs });
        if (!result?.success)
          throw new SdkError(
            "CONNECT_FAILED",
            "requestHandler: the runtime refused to route model requests to this client (llmInference.setProvider answered success: false); another client may hold it.",
          );
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
      mode: this.options.mode ?? "copilot-cli",
      ...(empty && { storage: this.options.sessionFs !== undefined ? ("sessionFs" as const) : ("baseDirectory" as const) }),
    });
    return host;
  }

  private emitLifecycle(event: SessionLifecycleEvent | RuntimeLifecycleEvent): void {
    const runtimeEvent = typeof event.type === "string" && event.type.startsWith("runtime.");
    for (const { type, handler } of this.lifecycleListeners) {
      // Catch-all handlers keep seeing session events only (their type promises a sessionId).
      if (type === undefined ? runtimeEvent : event.type !== type) continue;
      try {
        (handler as (e: typeof event) => void)(event);
      } catch (error) {
        this.reportError(
          new SdkError("HANDLER_FAILED", `An onLifecycle handler threw: ${error instanceof Error ? error.message : String(error)}`, { cause: error }),
        );
      }
    }
  }

  private onConnectionClosed(live: Live, closeError: SdkError): void {
    if (this.live !== live) return;
    if (this.currentState === "stopping" || this.currentState === "stopped") return;
    this.live = undefined;
    live.offClose();
    this.modelsCache = undefined;
    const error = this.describeLoss(live, closeError);
    // Reap whatever the runtime left: its group and every descendant (the agent's shell commands too).
    void live.process?.kill();
    if (this.restartPolicy) {
      // Waiters (sendAndWait, tool calls) fail now rather than hang until the new runtime is up.
      this.host?.interrupt(error);
      this.setState("restarting");
      this.reportError(error);
      void this.enqueue(() => this.restartLoop(error)).catch(() => {});
      return;
    }
    this.failure = error;
    this.host?.dispose(error);
    this.host = undefined;
    this.setState("failed");
    this.reportError(error);
  }

  /** The error a lost connection is reported with: the runtime exited, or (TCP) the connection alone was lost. */
  private describeLoss(live: Live, closeError: SdkError): SdkError {
    const exit = live.process?.exitState;
    const processDied = live.process !== undefined && (exit !== null || !live.process.treePids().includes(live.process.pid));
    const next = this.restartPolicy ? " autoRestart will try to bring it back." : " Call start() to start a new runtime, or set autoRestart: true.";
    if (live.kind !== "stdio" && !processDied) {
      const where = live.process
        ? `the runtime it started (pid ${live.process.pid}) was still running and has been stopped`
        : "the runtime may still be running";
      return new SdkError(
        "CONNECTION_LOST",
        `The TCP connection to the Copilot runtime on port ${live.port ?? "?"} was lost (${closeError.message}); ${where}.${this.restartPolicy ? " autoRestart will reconnect." : " Call start() to connect again."}`,
        {
          cause: closeError,
          details: { port: live.port, pid: live.process?.pid },
        },
      );
    }
    return new SdkError("RUNTIME_EXITED", `The Copilot runtime connection closed unexpectedly: ${closeError.message}${next}`, {
      cause: closeError,
      details: { exitCode: exit?.code, signal: exit?.signal, stderrTail: live.process?.stderrTail() },
    });
  }

  /** autoRestart: attempts with exponential backoff and jitter until one succeeds or the window's budget is spent. */
  private async restartLoop(cause: SdkError): Promise<void> {
    const policy = this.restartPolicy!;
    if (this.currentState !== "restarting") return; // stopped or restarted in the meantime
    const abort = new AbortController();
    this.restartAbort = abort;
    let lastError: Error = cause;
    try {
      for (;;) {
        const now = Date.now();
        this.restartHistory = this.restartHistory.filter((t) => now - t < policy.windowMs);
        if (this.restartHistory.length >= policy.maxAttempts) {
          this.giveUp(lastError, policy);
          return;
        }
        const attempt = this.restartHistory.length + 1;
        const delayMs = backoffDelay(attempt, policy);
        this.emitLifecycle({ type: "runtime.restarting", attempt, maxAttempts: policy.maxAttempts, delayMs, error: lastError });
        if (!(await sleep(delayMs, abort.signal))) return;
        this.restartHistory.push(Date.now());
        try {
          await this.bringUp("restarting", abort);
          this.emitLifecycle({ type: "runtime.restarted", attempt });
          return;
        } catch (error) {
          if (abort.signal.aborted) return;
          lastError = error instanceof Error ? error : new Error(String(error));
          this.reportError(
            new SdkError("RUNTIME_EXITED", `autoRestart attempt ${attempt} of ${policy.maxAttempts} failed: ${lastError.message}`, {
              cause: error,
              details: { attempt },
            }),
          );
        }
      }
    } finally {
      if (this.restartAbort === abort) this.restartAbort = undefined;
    }
  }

  private giveUp(lastError: Error, policy: RestartPolicy): void {
    const attempts = this.restartHistory.length;
    const error = new SdkError(
      "RESTART_FAILED",
      `The Copilot runtime failed again after ${attempts} restart attempt(s) within ${policy.windowMs} ms, so autoRestart gave up. Last error: ${lastError.message} Fix the cause (see the runtime's stderr with onStderr or debug), then call start().`,
      { cause: lastError, details: { attempts, windowMs: policy.windowMs } },
    );
    this.failure = error;
    this.host?.dispose(error);
    this.host = undefined;
    this.setState("failed");
    this.reportError(error);
    this.emitLifecycle({ type: "runtime.restartFailed", attempts, error });
  }

  /**
   * Stops the client: detaches sessions, asks the runtime to shut down, closes its stdin, then
   * SIGTERM and SIGKILL after `stopGraceMs` each, and ends everything the runtime started (the
   * agent's shell commands included). Settles in bounded time whatever the runtime does: every
   * request it makes has a deadline, and a runtime that does not answer is killed. Never throws;
   * returns what it could not do (empty when all went well).
   */
  stop(): Promise<Error[]> {
    const grace = this.options.stopGraceMs ?? DEFAULT_STOP_GRACE_MS;
    // A restart loop is ours alone: cancel it now. A start the caller asked for gets `grace` to finish.
    this.restartAbort?.abort(new SdkError("ABORTED", "autoRestart was cancelled by stop()."));
    const inFlight = this.inFlight;
    const timer = inFlight
      ? setTimeout(
          () => inFlight.abort.abort(new SdkError("ABORTED", `start() was cancelled by stop(): the runtime was not up within stopGraceMs (${grace} ms).`)),
          grace,
        )
      : undefined;
    const run = this.queue.then(() => {
      clearTimeout(timer);
      return this.doStop(grace);
    });
    this.queue = run.catch(() => {});
    return run;
  }

  private async doStop(grace: number): Promise<Error[]> {
    const errors: Error[] = [];
    const live = this.live;
    this.setState("stopping");
    this.live = undefined;
    this.modelsCache = undefined;
    this.restartHistory = [];
    if (live) {
      live.offClose();
      this.stoppingLive = live;
      try {
        await this.teardown(live, grace, errors);
      } finally {
        this.stoppingLive = undefined;
      }
    }
    this.host?.dispose(new SdkError("CONNECTION_CLOSED", "The client was stopped."));
    this.host = undefined;
    this.setState("stopped");
    return errors;
  }

  private async teardown(live: Live, grace: number, errors: Error[]): Promise<void> {
    let responsive = true;
    const sessions = this.host?.sessions() ?? [];
    if (sessions.length > 0 && !live.connection.isClosed) {
      const detached = await within(Promise.allSettled(sessions.map((s) => s.disconnect())), grace);
      if (detached === undefined) {
        responsive = false;
        errors.push(
          new SdkError(
            "TIMEOUT",
            `stop(): the runtime did not confirm session.detach for ${sessions.length} session(s) within stopGraceMs (${grace} ms); it is not answering, so it was killed without detaching them.`,
            { details: { sessions: sessions.map((s) => s.sessionId) } },
          ),
        );
      } else {
        for (const result of detached) if (result.status === "rejected") errors.push(result.reason as Error);
      }
    }
    if (responsive && (live.process || this.connectionConfig.kind === "inprocess") && !live.connection.isClosed) {
      try {
        await createServerRpc(live.connection).runtime.shutdown({ timeoutMs: Math.min(grace, SHUTDOWN_REQUEST_TIMEOUT_MS) || SHUTDOWN_REQUEST_TIMEOUT_MS });
      } catch (error) {
        errors.push(error as Error);
        if (isSdkError(error, "TIMEOUT")) responsive = false;
      }
    }
    const closing = live.connection.close().catch((error: unknown) => void errors.push(error as Error));
    if (live.process) {
      if (!responsive) {
        await live.process.kill();
      } else {
        const { signalled } = await live.process.terminate(grace, grace);
        if (signalled === "SIGKILL") {
          errors.push(
            new SdkError(
              "TIMEOUT",
              `stop(): the runtime (or a process it started) did not exit within stopGraceMs (${grace} ms) after shutdown and SIGTERM; it was killed with SIGKILL.`,
              { details: { pid: live.process.pid } },
            ),
          );
        }
      }
    }
    // A TCP close waits for the peer at most 1 s; stdio's ends with the process.
    await within(closing, grace);
  }

  /**
   * Kills the runtime and everything it started at once; pending calls reject with
   * `CONNECTION_CLOSED`. Wins over a `start()` in flight (which rejects with `ABORTED`) and over a
   * `stop()` in progress; lifecycle calls made after it run normally.
   */
  forceStop(): Promise<void> {
    this.generation++;
    const reason = new SdkError("ABORTED", "start() was cancelled by forceStop().");
    this.inFlight?.abort.abort(reason);
    this.restartAbort?.abort(reason);
    const now = this.killNow();
    // Queued at once (before any later start()), so whatever was still unwinding (an aborted
    // start, a stop in progress) has ended before forceStop() resolves.
    const run = Promise.all([now, this.queue]).then(() => this.killNow());
    this.queue = run.catch(() => {});
    return run;
  }

  private async killNow(disposeHost = true): Promise<void> {
    const targets = [this.live, this.stoppingLive].filter((l): l is Live => l !== undefined);
    this.setState("stopping");
    this.live = undefined;
    this.modelsCache = undefined;
    this.restartHistory = [];
    await Promise.all(
      targets.map(async (live) => {
        live.offClose();
        // In process there is nothing to kill: the runtime's threads finish their writes only when
        // asked to shut down, so ask (bounded) before the host is torn down.
        if (this.connectionConfig.kind === "inprocess" && !live.connection.isClosed) {
          await createServerRpc(live.connection)
            .runtime.shutdown({ timeoutMs: SHUTDOWN_REQUEST_TIMEOUT_MS })
            .catch(() => {});
        }
        await Promise.all([
          live.process?.kill(),
          within(
            live.connection.close().catch(() => {}),
            1_000,
          ),
        ]);
      }),
    );
    if (disposeHost) {
      this.host?.dispose(new SdkError("CONNECTION_CLOSED", "The client was force-stopped."));
      this.host = undefined;
    }
    this.setState("stopped");
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
    registerSecretValues(configSecrets(config));
    const live = await this.ensureLive();
    const requested = (config as { requestExtensions?: unknown } | undefined)?.requestExtensions;
    const session = await this.sessionHost(live)
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
    const cwd = this.options.workingDirectory;
    if (this.connectionConfig.kind !== "inprocess" || cwd === undefined || typeof config !== "object" || config === null) return config;
    return config.workingDirectory === undefined ? { ...config, workingDirectory: cwd } : config;
  }

  private sessionHost(live: Live): SessionHost {
    this.host ??= this.createHost(live.connection);
    return this.host;
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
    const live = await this.ensureLive();
    const requested = (config as { requestExtensions?: unknown } | undefined)?.requestExtensions;
    const session = await this.sessionHost(live)
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
    const live = await this.ensureLive();
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

  private setState(state: ClientState): void {
    const previous = this.currentState;
    if (previous === state) return;
    this.currentState = state;
    for (const listener of this.stateListeners) {
      try {
        listener(state, previous);
      } catch (error) {
        this.reportError(
          new SdkError("HANDLER_FAILED", `An onStateChange handler threw: ${error instanceof Error ? error.message : String(error)}`, { cause: error }),
        );
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

/** Resolves with the value, or undefined when `ms` passes first. */
async function within<T>(promise: Promise<T>, ms: number): Promise<T | undefined> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  try {
    return await Promise.race([promise, new Promise<undefined>((resolve) => (timer = setTimeout(() => resolve(undefined), ms)))]);
  } finally {
    clearTimeout(timer);
  }
}

/** Waits `ms`; false when `signal` fired first. */
function sleep(ms: number, signal: AbortSignal): Promise<boolean> {
  if (signal.aborted) return Promise.resolve(false);
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      signal.removeEventListener("abort", onAbort);
      resolve(true);
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      resolve(false);
    };
    signal.addEventListener("abort", onAbort, { once: true });
  });
}
