/** The public types of `CopilotClient` (state, events, options) and the connection record it keeps. */
import type { GitHubTelemetryNotification, JsonRpcConnection, SdkError, ServerRpc, SessionLifecycleNotification, Unsubscribe } from "@flightdeck/copilot-core";
import type { CopilotClientMode, EventValidationMode } from "@flightdeck/copilot-session";
import type { RuntimeOptions } from "./client-options.js";
import type { CopilotRequestHandler } from "./copilot-request-handler.js";
import type { DebugOption } from "./debug-log.js";
import type { ModelRequestHandler } from "./request-handler.js";
import type { AutoRestartOptions } from "./restart-policy.js";
import type { RuntimeConnection } from "./runtime-connection.js";
import type { RuntimeProcess } from "./runtime-process.js";
import type { SessionFsOptions } from "./session-fs.js";
import type { TelemetryOptions, TraceContextProvider } from "./telemetry.js";

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

export const DEFAULT_START_TIMEOUT_MS = 30_000;
export const DEFAULT_STOP_GRACE_MS = 2_000;
export const DEFAULT_REQUEST_TIMEOUT_MS = 60_000;
export const SHUTDOWN_REQUEST_TIMEOUT_MS = 1_000;
export const SUPPORTED_TASK_KINDS = ["agent", "client", "shell"];

/** A connected runtime: its connection, process (if the client started one) and handshake results. */
export interface Live {
  connection: JsonRpcConnection;
  kind: RuntimeConnection["kind"];
  process: RuntimeProcess | undefined;
  runtimeVersion: string | undefined;
  protocolVersion: number;
  port: number | undefined;
  connectionToken: string | undefined;
  offClose: Unsubscribe;
}
