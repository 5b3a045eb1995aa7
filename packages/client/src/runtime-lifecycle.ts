/**
 * The runtime's lifecycle behind `CopilotClient`: start (or attach), handshake, stop, forceStop,
 * and autoRestart after a crash, one operation at a time in call order. Guarantees: stopping,
 * crashing and bad frames never leave a hung promise or a stray process.
 */
import {
  SdkError,
  type JsonRpcConnection,
  createServerRpc,
  redactString,
  registerClientNotificationHandlers,
  type FlightdeckError,
  type GitHubTelemetryNotification,
  type RpcConnectionLike,
  type SessionLifecycleNotification,
} from "@flightdeck/copilot-core";
import type { SessionHost } from "@flightdeck/copilot-session";
import {
  DEFAULT_REQUEST_TIMEOUT_MS,
  DEFAULT_START_TIMEOUT_MS,
  DEFAULT_STOP_GRACE_MS,
  SHUTDOWN_REQUEST_TIMEOUT_MS,
  type ClientState,
  type CopilotClientOptions,
  type Live,
  type ModelInfo,
  type RuntimeLifecycleEvent,
  type SessionLifecycleEvent,
} from "./client-types.js";
import type { DebugLog } from "./debug-log.js";
import { lazyLoadError, loadSessionHost } from "./lazy-session.js";
import { backoffDelay, type RestartPolicy } from "./restart-policy.js";
import type { RuntimeConnection } from "./runtime-connection.js";
import type { RuntimeProcess } from "./runtime-process.js";
import { withTraceContext } from "./telemetry.js";
import { sleep, within } from "./timers.js";

/**
 * The connecting steps (runtime process; stdio, TCP and in-process transports; handshake; the serving
 * code of sessionFs and requestHandler; teardown),
 * loaded by the first start() rather than by importing the sdk; kept once loaded, for the
 * synchronous describeLoss() of a connection that only exists after they ran.
 */
let connectSteps: typeof import("./runtime-connect.js") | undefined;
async function loadConnectSteps(): Promise<typeof import("./runtime-connect.js")> {
  if (connectSteps) return connectSteps;
  try {
    connectSteps = await import("./runtime-connect.js");
  } catch (cause) {
    throw lazyLoadError("the runtime connection steps", cause);
  }
  return connectSteps;
}

/** The session host's class, loaded by the first connect (with the connecting steps), so `sessionHost()` stays synchronous. */
let SessionHostClass: typeof SessionHost | undefined;

/** Owns the connection to the runtime and the session host; `CopilotClient` delegates its lifecycle here. */
export class RuntimeLifecycle {
  currentState: ClientState = "idle";
  live: Live | undefined;
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
  readonly stateListeners = new Set<(state: ClientState, previous: ClientState) => void>();
  readonly lifecycleListeners = new Set<{ type: string | undefined; handler: (event: never) => void }>();
  /** `listModels()`'s cache, dropped whenever the connection goes. */
  modelsCache: Promise<ModelInfo[]> | undefined;

  constructor(
    readonly options: CopilotClientOptions,
    readonly connectionConfig: RuntimeConnection,
    private readonly restartPolicy: RestartPolicy | undefined,
    private readonly debugLog: DebugLog | undefined,
  ) {}

  /** See `CopilotClient.start()`. */
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

  async ensureLive(): Promise<Live> {
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
    const started: { process?: RuntimeProcess } = {};
    let connection: JsonRpcConnection | undefined;
    // Cancelling an attempt kills what it started, so whatever it awaits fails at once.
    const onAbort = () => {
      void started.process?.kill();
      void connection?.close().catch(() => {});
    };
    signal.addEventListener("abort", onAbort, { once: true });
    const checkAbort = () => {
      if (signal.aborted) throw signal.reason;
    };
    try {
      const [{ openTransport, handshake, registerProviders, JsonRpcConnection }, hostClass] = await Promise.all([loadConnectSteps(), loadSessionHost()]);
      SessionHostClass = hostClass;
      const { transport, connectionToken, port } = await openTransport(
        this.options,
        config,
        signal,
        startTimeoutMs,
        (line) => this.onStderrLine(line),
        started,
      );
      const process = started.process;
      connection = new JsonRpcConnection(transport, {
        onError: (e) => this.reportError(e),
        onFrame: this.debugLog?.frame,
        requestTimeoutMs: this.options.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS,
      });
      checkAbort();
      const handshakeResult = await handshake(this.options, connection, connectionToken, startTimeoutMs);
      checkAbort();
      const live: Live = { connection, kind: config.kind, process, ...handshakeResult, port, connectionToken, offClose: () => {} };
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
      const offProviders = await registerProviders(this.options, connection, startTimeoutMs, (e) => this.reportError(e)).catch((error: unknown) => {
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
      if (this.host) await this.rebindSessions(this.host, connection);
      return live;
    } catch (error) {
      await Promise.all([started.process?.kill(), connection?.close().catch(() => {})]);
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

  /** Resumes the host's sessions on a new connection, then reports each as resumed or lost. */
  private async rebindSessions(host: SessionHost, connection: JsonRpcConnection): Promise<void> {
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

  /** The connection sessions use: with `onGetTraceContext`, one that adds the trace context to create/resume/send. */
  private sessionConnection(connection: JsonRpcConnection): RpcConnectionLike {
    const provider = this.options.onGetTraceContext;
    return provider ? withTraceContext(connection, provider, (e) => this.reportError(e)) : connection;
  }

  private createHost(connection: JsonRpcConnection): SessionHost {
    const empty = this.options.mode === "empty";
    // Set by the connect that opened `connection`.
    const host = new (SessionHostClass as typeof SessionHost)(this.sessionConnection(connection), {
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
    // A live connection was opened by the connecting steps, so they are loaded.
    const error = (connectSteps as typeof import("./runtime-connect.js")).describeLoss(live, closeError, this.restartPolicy !== undefined);
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

  /** See `CopilotClient.stop()`: never throws, settles within the stopGraceMs deadlines. */
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
        await (await loadConnectSteps()).teardown(live, this.host?.sessions() ?? [], grace, errors);
      } finally {
        this.stoppingLive = undefined;
      }
    }
    this.host?.dispose(new SdkError("CONNECTION_CLOSED", "The client was stopped."));
    this.host = undefined;
    this.setState("stopped");
    return errors;
  }

  /** See `CopilotClient.forceStop()`: wins over a start in flight and a stop in progress. */
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

  sessionHost(live: Live): SessionHost {
    this.host ??= this.createHost(live.connection);
    return this.host;
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

  reportError(error: unknown): void {
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
