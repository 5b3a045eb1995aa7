/**
 * `CopilotSession`: one agent session on the runtime. Sends prompts, delivers its events, and
 * answers what the runtime broadcasts for it (tool calls, permission prompts) and the callbacks it
 * sends (user input, hooks, system prompt transforms).
 */
import { OpenCanvasTracker, answerCanvasRequest, type OpenCanvas } from "./canvases.js";
import { SessionWorkflows } from "./workflows.js";
import { RpcError, RpcErrorCode, SdkError, type RequestHandlerContext, type RpcConnectionLike } from "@flightdeck/copilot-core";
import { invokeTool } from "@flightdeck/copilot-tools";
import { AsyncQueue } from "./async-queue.js";
import {
  createInternalSessionRpc,
  createSessionRpc,
  type Attachment,
  type ExternalToolResult,
  type PermissionDecision,
  type SendMode,
  type SessionCreateResult,
  type SessionHostCapabilities,
  type SessionLogLevel,
  type SessionRpc,
} from "./bindings.js";
import { DEFAULT_MAX_BUFFERED, EventHub, type EventStreamOptions } from "./event-hub.js";
import { hookHandlerName, normalizeHookInput, type SessionHooks } from "./hooks.js";
import { describe, type ResolvedSessionConfig, type SessionWireParams } from "./session-config.js";
import { SessionError } from "./session-error.js";
import { answerProviderToken } from "./providers.js";
import { afterSessionOpen, handleSurfaceEvent } from "./surface-config.js";
import type { SurfaceContext } from "./surface-context.js";
import { createSessionUi, type SessionUi } from "./ui-requests.js";
import {
  isKnownEventType,
  toUnknownEvent,
  type AnySessionEvent,
  type AnySessionEventHandler,
  type SessionEvent,
  type SessionEventHandler,
  type SessionEventOf,
  type SessionEventType,
} from "./session-events.js";

/** A prompt with options, for `send` / `sendAndWait`. */
export interface MessageOptions {
  /** The user message. */
  prompt: string;
  /** Files, directories, editor selections or inline blobs to include. */
  attachments?: Attachment[];
  /** `enqueue` (default) queues after the current turn; `immediate` interjects in the running turn. */
  mode?: SendMode;
  /** Shown in the timeline instead of `prompt`. */
  displayPrompt?: string;
}

/** Options of `sendAndWait`. */
export interface SendAndWaitOptions {
  /** Give up after this many ms in total: rejects `SdkError("TIMEOUT")`. Default 60 000; `0` or `Infinity` for none. The turn keeps running: call `abort()` to stop it. */
  timeoutMs?: number;
  /** Give up when no event arrives for this many ms (a stalled turn): rejects `SdkError("TIMEOUT")`. Default: none. */
  idleTimeoutMs?: number;
  /** Aborting rejects with `SdkError("ABORTED")` and aborts the turn on the runtime. */
  signal?: AbortSignal;
}

/** Options of `textStream`. */
export interface TextStreamOptions {
  /** Ends the stream (normally) when aborted. */
  signal?: AbortSignal;
}

/** Options of `log`. */
export interface LogOptions {
  /** `info` (default), `warning` or `error`. */
  level?: SessionLogLevel;
  /** Not persisted in the session's event log. */
  ephemeral?: boolean;
}

/** What the session host needs from a session; not public API. */
export interface SessionController {
  readonly session: CopilotSession;
  readonly wire: SessionWireParams;
  readonly closed: boolean;
  report(error: unknown): void;
  dispatch(raw: Record<string, unknown>): void;
  attach(result: SessionCreateResult): void;
  /** Steps after create/resume answered (e.g. registering interest in `mcp.oauth_required`). */
  afterOpen(): Promise<void>;
  setConnection(connection: RpcConnectionLike): void;
  /** Rejects waiters and cancels running tool calls; the session stays usable. */
  interrupt(reason: unknown): void;
  /** Closes the session for good: later calls fail with `reason`. */
  dispose(reason: unknown): void;
  handleUserInput(params: Record<string, unknown>, context: RequestHandlerContext): Promise<unknown>;
  handleExitPlanMode(params: Record<string, unknown>, context: RequestHandlerContext): Promise<unknown>;
  handleAutoModeSwitch(params: Record<string, unknown>, context: RequestHandlerContext): Promise<unknown>;
  handleHook(params: Record<string, unknown>): Promise<unknown>;
  handleTransform(params: Record<string, unknown>): Promise<unknown>;
  handleProviderToken(params: Record<string, unknown>): Promise<unknown>;
  handleCanvas(method: string, params: Record<string, unknown>): Promise<unknown>;
}

/** @internal How the host constructs a session. */
export interface SessionInit {
  sessionId: string;
  connection: RpcConnectionLike;
  resolved: ResolvedSessionConfig;
  /** The host's error sink, used when the config has no `onError`. */
  hostOnError: (error: unknown) => void;
  /** Called once when the session detaches or is disposed, so the host forgets it. */
  onClosed: (sessionId: string) => void;
  /** Receives the controller; called from the constructor. */
  expose: (controller: SessionController) => void;
}

type Waiter = {
  /** Sees every event first. */
  onEvent(event: AnySessionEvent): void;
  /** The wait must end: the connection went away, the session closed, or the runtime restarted. */
  fail(reason: unknown): void;
};

const DEFAULT_SEND_AND_WAIT_TIMEOUT_MS = 60_000;
const MAX_TIMER_MS = 2_147_483_647;
const MAX_REMEMBERED_REQUESTS = 1_000;

/**
 * One agent session. Get it from `client.createSession(config)` / `client.resumeSession(id, config)`.
 *
 * @example
 * ```ts
 * await using session = await client.createSession({ model: "gpt-5", onPermissionRequest: approveAll });
 * session.on("assistant.message_delta", (e) => process.stdout.write(e.data.deltaContent));
 * const reply = await session.sendAndWait("Summarise README.md", { idleTimeoutMs: 30_000 });
 * console.log(reply?.data.content);
 * ```
 */
export class CopilotSession {
  /** The session id (a UUID made by this client, or the id you resumed). */
  readonly sessionId: string;
  #workspacePath: string | undefined;
  #capabilities: SessionHostCapabilities = {};
  #connection: RpcConnectionLike;
  #workflows: SessionWorkflows | undefined;
  readonly #canvases = new OpenCanvasTracker();
  #rpc: SessionRpc | undefined;
  readonly #resolved: ResolvedSessionConfig;
  readonly #hostOnError: (error: unknown) => void;
  readonly #onClosed: (sessionId: string) => void;
  readonly #hub: EventHub;
  readonly #waiters = new Set<Waiter>();
  readonly #toolCalls = new Set<AbortController>();
  readonly #seenRequests = new Set<string>();
  #closedError: unknown;
  #disconnecting: Promise<void> | undefined;
  #ui: SessionUi | undefined;

  /** @internal Sessions are made by the client (`createSession` / `resumeSession`). */
  constructor(init: SessionInit) {
    this.sessionId = init.sessionId;
    this.#connection = init.connection;
    this.#resolved = init.resolved;
    this.#hostOnError = init.hostOnError;
    this.#onClosed = init.onClosed;
    this.#hub = new EventHub(this.sessionId, (error) => this.#report(error));
    const onEvent = init.resolved.config.onEvent;
    if (onEvent) this.#hub.onAny(onEvent);
    init.expose(this.#controller());
  }

  /** Directory holding the session's persisted state (set once the runtime created or resumed it). */
  get workspacePath(): string | undefined {
    return this.#workspacePath;
  }

  /** Capabilities the runtime enabled for the session. */
  get capabilities(): SessionHostCapabilities {
    return this.#capabilities;
  }

  /**
   * Asks the user through a UI-capable client attached to the session (`confirm`, `select`,
   * `input`, `elicitation`); needs `capabilities.ui.elicitation`, else each call throws
   * `SdkError("INVALID_OPTION")` saying so.
   */
  get ui(): SessionUi {
    this.#ui ??= createSessionUi(this.sessionId, () => this.#capabilities, () => this.rpc);
    return this.#ui;
  }

  /**
   * Every session method of the protocol, typed and bound to this session (`sessionId` is filled
   * in): `session.rpc.model.getCurrent()`, `session.rpc.plan.read()`, …
   */
  get rpc(): SessionRpc {
    this.#rpc ??= createSessionRpc(this.#connection, this.sessionId);
    return this.#rpc;
  }

  /** The canvas instances open in this session (from the runtime's events and the resume answer). */
  get openCanvases(): OpenCanvas[] {
    return this.#canvases.list;
  }

  /**
   * Agent workflows of this session (the incumbent's `session.factory`): run, resume, list runs,
   * progress, pause, cancel, on either spelling of the protocol (`factory.*` / `workflow.*`).
   */
  get workflows(): SessionWorkflows {
    this.#workflows ??= new SessionWorkflows({
      sessionId: this.sessionId,
      caller: () => this.#connection,
      on: (type, handler) => this.on((event) => void (event.type === type && handler(event as unknown as { data: Record<string, unknown> }))),
    });
    return this.#workflows;
  }

  /**
   * Sends a user message and returns its message id at once; the reply arrives as events.
   * @throws {SdkError} `INVALID_OPTION` for a bad prompt or attachment; `CONNECTION_CLOSED` after `disconnect()`.
   */
  async send(input: string | MessageOptions): Promise<string> {
    this.#assertOpen("send");
    const params = messageParams(input);
    const result = await this.rpc.send(params);
    return result.messageId;
  }

  /**
   * Sends a user message and waits until the turn, and any background work it started, is done
   * (`session.idle`). Resolves with the turn's last `assistant.message` of the main agent
   * (`undefined` if it produced none).
   *
   * Rejects with `SessionError` when the runtime reports `session.error`, `SdkError("TIMEOUT")`
   * after `timeoutMs` or `idleTimeoutMs`, `SdkError("ABORTED")` when `signal` aborts or the turn
   * is aborted. Leaves no timer or listener behind.
   */
  async sendAndWait(input: string | MessageOptions, options: SendAndWaitOptions = {}): Promise<SessionEventOf<"assistant.message"> | undefined> {
    this.#assertOpen("sendAndWait");
    const params = messageParams(input);
    const { timeoutMs, idleTimeoutMs, signal } = checkWaitOptions(options);
    if (signal?.aborted) throw abortedError(this.sessionId, signal.reason);

    let settle!: { resolve: (value: SessionEventOf<"assistant.message"> | undefined) => void; reject: (error: unknown) => void };
    const outcome = new Promise<SessionEventOf<"assistant.message"> | undefined>((resolve, reject) => {
      settle = { resolve, reject };
    });
    let last: SessionEventOf<"assistant.message"> | undefined;
    let totalTimer: ReturnType<typeof setTimeout> | undefined;
    let idleTimer: ReturnType<typeof setTimeout> | undefined;
    let done = false;
    const armIdle = () => {
      if (idleTimeoutMs === undefined) return;
      clearTimeout(idleTimer);
      idleTimer = setTimeout(
        () => finish(new SdkError("TIMEOUT", `sendAndWait: session ${this.sessionId} sent no event for ${idleTimeoutMs} ms; the turn looks stalled. It may still be running: call abort() to stop it, or raise idleTimeoutMs.`, { details: { sessionId: this.sessionId, idleTimeoutMs } })),
        idleTimeoutMs,
      );
    };
    const onAbort = () => {
      finish(abortedError(this.sessionId, signal?.reason));
      // The caller gave up on the turn: stop it on the runtime too.
      this.abort().catch((error: unknown) => {
        if (!this.#closedError) this.#report(error);
      });
    };
    const waiter: Waiter = {
      onEvent: (event) => {
        armIdle();
        if (event.agentId !== undefined) return; // sub-agent traffic is part of the turn, not its answer
        if (event.type === "assistant.message") last = event as SessionEventOf<"assistant.message">;
        else if (event.type === "session.error") finish(new SessionError(this.sessionId, event as SessionEventOf<"session.error">));
        else if (event.type === "session.idle") {
          const data = (event as SessionEventOf<"session.idle">).data;
          if (data.mode === "autopilot") return; // an autopilot continuation boundary: the agent keeps working
          if (data.aborted) finish(new SdkError("ABORTED", `sendAndWait: the turn on session ${this.sessionId} was aborted (abort() was called, here or by another client).`, { details: { sessionId: this.sessionId } }));
          else finish(undefined, last);
        }
      },
      fail: (reason) => finish(reason),
    };
    const finish = (error: unknown, value?: SessionEventOf<"assistant.message">) => {
      if (done) return;
      done = true;
      clearTimeout(totalTimer);
      clearTimeout(idleTimer);
      signal?.removeEventListener("abort", onAbort);
      this.#waiters.delete(waiter);
      if (error !== undefined) settle.reject(error);
      else settle.resolve(value);
    };

    // Listen before sending: the runtime may emit the whole turn before `session.send` answers.
    this.#waiters.add(waiter);
    signal?.addEventListener("abort", onAbort, { once: true });
    if (timeoutMs !== undefined) {
      totalTimer = setTimeout(
        () => finish(new SdkError("TIMEOUT", `sendAndWait: session ${this.sessionId} did not finish the turn within ${timeoutMs} ms. The turn may still be running: call abort() to stop it, or raise timeoutMs (0 for no limit).`, { details: { sessionId: this.sessionId, timeoutMs } })),
        timeoutMs,
      );
    }
    armIdle();
    this.rpc.send(params).then(undefined, (error: unknown) => finish(error));
    return outcome;
  }

  /** Aborts the turn in progress; the session stays usable. */
  async abort(): Promise<void> {
    this.#assertOpen("abort");
    await this.rpc.abort({});
  }

  /** The session's persisted events, oldest first (ephemeral ones such as deltas are not kept). */
  async getEvents(): Promise<AnySessionEvent[]> {
    this.#assertOpen("getEvents");
    const result = await createInternalSessionRpc(this.#connection, this.sessionId).getMessages();
    return (result.events as unknown as Record<string, unknown>[]).map((raw) => (typeof raw?.type === "string" && isKnownEventType(raw.type) ? (raw as unknown as SessionEvent) : toUnknownEvent(raw)));
  }

  /** Switches the model for the following turns. Returns the model now active. */
  async setModel(model: string, options: { reasoningEffort?: string } = {}): Promise<string | undefined> {
    this.#assertOpen("setModel");
    if (typeof model !== "string" || model.trim() === "") throw new SdkError("INVALID_OPTION", `setModel: \`model\` must be a non-empty model id, got ${describe(model)}.`, { details: { option: "model" } });
    const result = await this.rpc.model.switchTo(options.reasoningEffort === undefined ? { modelId: model } : { modelId: model, reasoningEffort: options.reasoningEffort });
    return (result as { modelId?: string }).modelId;
  }

  /** Writes a message into the session's timeline. Returns the id of the event it produced. */
  async log(message: string, options: LogOptions = {}): Promise<string> {
    this.#assertOpen("log");
    if (typeof message !== "string") throw new SdkError("INVALID_OPTION", `log: \`message\` must be a string, got ${describe(message)}.`, { details: { option: "message" } });
    if (options.level !== undefined && !["info", "warning", "error"].includes(options.level)) {
      throw new SdkError("INVALID_OPTION", `log: \`level\` must be "info", "warning" or "error", got ${describe(options.level)}.`, { details: { option: "level" } });
    }
    const result = await this.rpc.log({ message, ...(options.level ? { level: options.level } : {}), ...(options.ephemeral !== undefined ? { ephemeral: options.ephemeral } : {}) });
    return result.eventId;
  }

  /**
   * Subscribes to one event type; the handler gets that event's typed payload.
   * @returns a function that unsubscribes.
   * @example `session.on("assistant.message", (e) => console.log(e.data.content))`
   */
  on<T extends SessionEventType>(type: T, handler: SessionEventHandler<T>): () => void;
  /** Subscribes to every event, including types these bindings do not know (`UnknownSessionEvent`). */
  on(handler: AnySessionEventHandler): () => void;
  on(typeOrHandler: string | AnySessionEventHandler, handler?: (event: never) => unknown): () => void {
    if (typeof typeOrHandler === "function") return this.#hub.onAny(typeOrHandler);
    if (typeof typeOrHandler !== "string" || typeof handler !== "function") {
      throw new SdkError("INVALID_OPTION", "on: call on(type, handler) or on(handler) with a function handler.", { details: { option: "handler" } });
    }
    return this.#hub.on(typeOrHandler, handler as (event: AnySessionEvent) => unknown);
  }

  /**
   * Every event from now on as an async iterator, buffered while you are busy. The loop ends when
   * `signal` aborts or the session disconnects, and throws if the connection is lost.
   * @example `for await (const event of session.events({ signal })) console.log(event.type);`
   */
  events(options: EventStreamOptions = {}): AsyncIterableIterator<AnySessionEvent> {
    this.#assertOpen("events");
    return this.#hub.stream(options);
  }

  /**
   * The assistant's text of the next turn as it streams (`assistant.message_delta` chunks; whole
   * messages when the session was created without `streaming: true`). Ends at `session.idle`;
   * throws `SessionError` on `session.error`. Create it before sending so no chunk is missed.
   * @example
   * ```ts
   * const text = session.textStream();
   * await session.send("Write a haiku");
   * for await (const chunk of text) process.stdout.write(chunk);
   * ```
   */
  textStream(options: TextStreamOptions = {}): AsyncIterableIterator<string> {
    this.#assertOpen("textStream");
    const signal = options.signal;
    const streamed = new Set<string>();
    let onAbort: (() => void) | undefined;
    const waiter: Waiter = {
      onEvent: (event) => {
        if (event.agentId !== undefined) return;
        if (event.type === "assistant.message_delta") {
          const data = (event as SessionEventOf<"assistant.message_delta">).data;
          streamed.add(data.messageId);
          if (data.deltaContent) queue.push(data.deltaContent);
        } else if (event.type === "assistant.message") {
          const data = (event as SessionEventOf<"assistant.message">).data;
          if (!streamed.has(data.messageId) && data.content) queue.push(data.content);
        } else if (event.type === "session.error") {
          queue.end(new SessionError(this.sessionId, event as SessionEventOf<"session.error">));
        } else if (event.type === "session.idle" && (event as SessionEventOf<"session.idle">).data.mode !== "autopilot") {
          queue.end();
        }
      },
      fail: (reason) => queue.end(reason),
    };
    const queue = new AsyncQueue<string>({
      maxBuffered: DEFAULT_MAX_BUFFERED,
      label: `session ${this.sessionId} textStream()`,
      onClose: () => {
        this.#waiters.delete(waiter);
        if (signal && onAbort) signal.removeEventListener("abort", onAbort);
      },
    });
    if (signal?.aborted) {
      queue.end();
      return queue;
    }
    this.#waiters.add(waiter);
    if (signal) {
      onAbort = () => queue.end();
      signal.addEventListener("abort", onAbort, { once: true });
    }
    return queue;
  }

  /**
   * Detaches this client from the session: cancels running tool calls (their signals fire), ends
   * waits and streams, and tells the runtime. The session persists on the runtime and can be
   * resumed. Idempotent; later calls on this object fail with a clear error.
   */
  disconnect(): Promise<void> {
    if (this.#disconnecting) return this.#disconnecting;
    const alreadyClosed = this.#closedError !== undefined;
    const reason = new SdkError("CONNECTION_CLOSED", `Session ${this.sessionId} was disconnected by disconnect(); resume it with client.resumeSession("${this.sessionId}") to keep using it.`, { details: { sessionId: this.sessionId, disconnected: true } });
    this.#close(reason, false);
    this.#disconnecting = alreadyClosed
      ? Promise.resolve()
      : createInternalSessionRpc(this.#connection, this.sessionId)
          .detach()
          .then(
            () => undefined,
            // The runtime may be gone already (it then forgot the session anyway): nothing to detach.
            (error: unknown) => {
              if (!(error instanceof SdkError && error.code === "CONNECTION_CLOSED")) this.#report(error);
            },
          );
    return this.#disconnecting;
  }

  /** `await using session = …` disconnects at the end of the block. */
  [Symbol.asyncDispose](): Promise<void> {
    return this.disconnect();
  }

  // ---- internals ----

  #report(error: unknown): void {
    const sink = this.#resolved.config.onError ?? this.#hostOnError;
    try {
      sink(error);
    } catch (thrown) {
      console.warn(`[flightdeck] the onError handler of session ${this.sessionId} threw: ${thrown instanceof Error ? thrown.message : String(thrown)}`);
    }
  }

  #assertOpen(method: string): void {
    const error = this.#closedError;
    if (error === undefined) return;
    const message = error instanceof Error ? error.message : String(error);
    throw new SdkError("CONNECTION_CLOSED", `${method}: ${message}`, { cause: error, details: { sessionId: this.sessionId, method } });
  }

  #interrupt(reason: unknown): void {
    for (const waiter of [...this.#waiters]) waiter.fail(reason);
    for (const controller of [...this.#toolCalls]) controller.abort(reason);
    this.#toolCalls.clear();
  }

  #close(reason: unknown, streamsFail: boolean): void {
    if (this.#closedError !== undefined) return;
    this.#closedError = reason;
    this.#interrupt(reason);
    this.#hub.clear(streamsFail ? reason : undefined);
    this.#onClosed(this.sessionId);
  }

  #dispatch(raw: Record<string, unknown>): void {
    if (this.#closedError !== undefined) return;
    const known = typeof raw.type === "string" && isKnownEventType(raw.type);
    const event: AnySessionEvent = known ? (raw as unknown as SessionEvent) : toUnknownEvent(raw);
    if (this.#waiters.size > 0) {
      for (const waiter of [...this.#waiters]) {
        try {
          waiter.onEvent(event);
        } catch (error) {
          this.#report(error);
        }
      }
    }
    if (event.type === "external_tool.requested") this.#handleToolCall(event as SessionEventOf<"external_tool.requested">);
    else if (event.type === "permission.requested") this.#handlePermission(event as SessionEventOf<"permission.requested">);
    else if (known) handleSurfaceEvent(this.#surfaceContext(), event as SessionEvent);
    this.#canvases.onEvent(event as { type: string; data: unknown });
    this.#hub.emit(event, known);
  }

  // Built once: it is consulted on every event (the hot path).
  #surfaceCtx: SurfaceContext | undefined;

  #surfaceContext(): SurfaceContext {
    if (this.#surfaceCtx) return this.#surfaceCtx;
    const self = this;
    this.#surfaceCtx = {
      sessionId: this.sessionId,
      get config() {
        return self.#resolved.config;
      },
      get mode() {
        return self.#resolved.mode;
      },
      get rpc() {
        return self.rpc;
      },
      get closed() {
        return self.#closedError !== undefined;
      },
      report: (error) => this.#report(error),
      firstSight: (key) => this.#firstSight(key),
    };
    return this.#surfaceCtx;
  }

  /** True the first time a broadcast request id is seen (a resume may replay it). */
  #firstSight(requestId: string): boolean {
    if (this.#seenRequests.has(requestId)) return false;
    this.#seenRequests.add(requestId);
    if (this.#seenRequests.size > MAX_REMEMBERED_REQUESTS) {
      const oldest = this.#seenRequests.values().next().value;
      if (oldest !== undefined) this.#seenRequests.delete(oldest);
    }
    return true;
  }

  #handleToolCall(event: SessionEventOf<"external_tool.requested">): void {
    const data = event.data;
    if (data.sessionId !== undefined && data.sessionId !== this.sessionId) return; // meant for another session (sub-agent)
    const tool = this.#resolved.tools.get(data.toolName);
    if (!tool && this.#resolved.config.unknownToolCalls === "ignore") return;
    if (!this.#firstSight(`tool:${data.requestId}`)) return;
    const controller = new AbortController();
    this.#toolCalls.add(controller);
    const run = async (): Promise<ExternalToolResult> => {
      if (!tool) {
        const known = [...this.#resolved.tools].map((t) => t.name);
        const text = `Tool "${data.toolName}" is not available on this client (it offers: ${known.length > 0 ? known.join(", ") : "no tools"}). Use one of those tools or answer without it.`;
        return { textResultForLlm: text, resultType: "failure", error: text };
      }
      const result = await invokeTool(tool, data.arguments, { sessionId: this.sessionId, toolCallId: data.toolCallId, toolName: data.toolName, signal: controller.signal }, { onError: (error) => this.#report(error) });
      return result as ExternalToolResult;
    };
    run()
      .then((result) => {
        this.#toolCalls.delete(controller);
        if (this.#closedError !== undefined) return undefined;
        return this.rpc.tools.handlePendingToolCall({ requestId: data.requestId, result });
      })
      .then(undefined, (error: unknown) => {
        this.#toolCalls.delete(controller);
        if (this.#closedError === undefined) this.#report(error);
      });
  }

  #handlePermission(event: SessionEventOf<"permission.requested">): void {
    const data = event.data;
    if (data.resolvedByHook) return; // a permissionRequest hook already decided
    if (!this.#firstSight(`permission:${data.requestId}`)) return;
    const handler = this.#resolved.config.onPermissionRequest;
    const decide = async (): Promise<PermissionDecision> => {
      if (!handler) {
        return { kind: "reject", feedback: "No permission handler is configured on this client (onPermissionRequest), so the request was rejected. Continue without this action or ask the user." };
      }
      try {
        const decision = (await handler(data.permissionRequest as never, { sessionId: this.sessionId })) as unknown;
        if (typeof decision === "object" && decision !== null && typeof (decision as { kind?: unknown }).kind === "string") return decision as PermissionDecision;
        this.#report(new SdkError("HANDLER_FAILED", `onPermissionRequest for session ${this.sessionId} returned ${describe(decision)}; return { kind: "approve-once" } or { kind: "reject", feedback }. The request was rejected.`, { details: { sessionId: this.sessionId } }));
      } catch (error) {
        this.#report(new SdkError("HANDLER_FAILED", `onPermissionRequest for session ${this.sessionId} threw: ${errorMessage(error)}. The request was rejected.`, { cause: error, details: { sessionId: this.sessionId } }));
      }
      return { kind: "reject", feedback: "The client's permission handler failed, so the request was rejected." };
    };
    decide()
      .then((result) => (this.#closedError === undefined ? this.rpc.permissions.handlePendingPermissionRequest({ requestId: data.requestId, result }) : undefined))
      .then(undefined, (error: unknown) => {
        if (this.#closedError === undefined) this.#report(error);
      });
  }

  /** Runs a user callback that answers a runtime request; failures are reported here and answered with an RPC error. */
  async #answer<T>(what: string, run: () => T | Promise<T>): Promise<T> {
    try {
      return await run();
    } catch (error) {
      if (error instanceof RpcError) throw error;
      this.#report(new SdkError("HANDLER_FAILED", `${what} for session ${this.sessionId} threw: ${errorMessage(error)}. The runtime got an error reply.`, { cause: error, details: { sessionId: this.sessionId } }));
      throw new RpcError(RpcErrorCode.InternalError, `${what} failed on the client: ${errorMessage(error)}`);
    }
  }

  #noHandler(option: string, method: string): RpcError {
    return new RpcError(RpcErrorCode.MethodNotFound, `Session ${this.sessionId} has no ${option} configured on this client, so it cannot answer ${method}.`);
  }

  #controller(): SessionController {
    const config = this.#resolved.config;
    const invocation = (context: RequestHandlerContext) => ({ sessionId: this.sessionId, signal: context.signal });
    const self = this;
    return {
      session: this,
      wire: this.#resolved.wire,
      get closed() {
        return self.#closedError !== undefined;
      },
      report: (error) => this.#report(error),
      dispatch: (raw) => this.#dispatch(raw),
      attach: (result) => {
        if (typeof result?.workspacePath === "string") this.#workspacePath = result.workspacePath;
        if (result?.capabilities && typeof result.capabilities === "object") this.#capabilities = result.capabilities;
        this.#canvases.seed(result);
      },
      setConnection: (connection) => {
        this.#connection = connection;
        this.#rpc = undefined;
      },
      afterOpen: () => afterSessionOpen(this.#surfaceContext()),
      handleProviderToken: (params) => answerProviderToken(this.sessionId, config, params, (error) => this.#report(error)),
      handleCanvas: (method, params) => answerCanvasRequest(config.canvases, method, params),
      interrupt: (reason) => this.#interrupt(reason),
      dispose: (reason) => this.#close(reason, true),
      handleUserInput: (params, context) => {
        const handler = config.onUserInputRequest;
        if (!handler) return Promise.reject(this.#noHandler("onUserInputRequest", "userInput.request"));
        const { sessionId: _, ...request } = params;
        return this.#answer("onUserInputRequest", async () => {
          const answer = (await handler(request as never, invocation(context))) as unknown;
          // A bare string is the common case: treat it as a free-form answer.
          if (typeof answer === "string") return { answer, wasFreeform: true };
          if (typeof answer !== "object" || answer === null || typeof (answer as { answer?: unknown }).answer !== "string") {
            throw new Error(`it returned ${describe(answer)}; return { answer: string, wasFreeform: boolean }`);
          }
          return { wasFreeform: true, ...(answer as object) };
        });
      },
      handleExitPlanMode: (params, context) => {
        const handler = config.onExitPlanModeRequest;
        if (!handler) return Promise.reject(this.#noHandler("onExitPlanModeRequest", "exitPlanMode.request"));
        const { sessionId: _, ...request } = params;
        return this.#answer("onExitPlanModeRequest", () => handler(request as never, invocation(context)));
      },
      handleAutoModeSwitch: (params, context) => {
        const handler = config.onAutoModeSwitchRequest;
        if (!handler) return Promise.reject(this.#noHandler("onAutoModeSwitchRequest", "autoModeSwitch.request"));
        const { sessionId: _, ...request } = params;
        return this.#answer("onAutoModeSwitchRequest", async () => {
          const response = await handler(request as never, invocation(context));
          if (response !== "yes" && response !== "yes_always" && response !== "no") throw new Error(`it returned ${describe(response)}; return "yes", "yes_always" or "no"`);
          return { response };
        });
      },
      handleHook: (params) => {
        const hooks = config.hooks;
        if (!hooks) return Promise.reject(this.#noHandler("hooks", "hooks.invoke"));
        const hookType = String(params.hookType);
        const name = hookHandlerName(hookType);
        const handler = name ? (hooks[name] as SessionHooks[keyof SessionHooks] | undefined) : undefined;
        // Hook types without a handler here run as if no hook were set.
        if (!handler) return Promise.resolve({});
        return this.#answer(`hooks.${name}`, async () => {
          const output = await (handler as (input: unknown, inv: { sessionId: string }) => unknown)(normalizeHookInput(params.input), { sessionId: this.sessionId });
          return output === undefined || output === null ? {} : { output };
        });
      },
      handleTransform: async (params) => {
        const sections = params.sections;
        if (typeof sections !== "object" || sections === null) throw new RpcError(RpcErrorCode.InvalidParams, "systemMessage.transform: `sections` must be an object keyed by section id.");
        const out: Record<string, { content: string }> = {};
        for (const [sectionId, value] of Object.entries(sections as Record<string, { content?: unknown }>)) {
          const content = typeof value?.content === "string" ? value.content : "";
          out[sectionId] = { content };
          const transform = this.#resolved.transforms.get(sectionId);
          if (!transform) continue;
          try {
            const next = await transform(content, { sessionId: this.sessionId, sectionId });
            if (typeof next === "string") out[sectionId] = { content: next };
            else this.#report(new SdkError("HANDLER_FAILED", `The systemMessage transform for section "${sectionId}" of session ${this.sessionId} returned ${describe(next)} instead of a string; the section was kept unchanged.`, { details: { sessionId: this.sessionId, sectionId } }));
          } catch (error) {
            this.#report(new SdkError("HANDLER_FAILED", `The systemMessage transform for section "${sectionId}" of session ${this.sessionId} threw: ${errorMessage(error)}; the section was kept unchanged.`, { cause: error, details: { sessionId: this.sessionId, sectionId } }));
          }
        }
        return { sections: out };
      },
    };
  }
}

const ATTACHMENT_REQUIRED: Record<string, string[]> = {
  file: ["path"],
  directory: ["path"],
  selection: ["filePath", "displayName", "text"],
  blob: ["data", "mimeType"],
};

function messageParams(input: string | MessageOptions): MessageOptions {
  const fail: (option: string, problem: string) => never = (option, problem) => {
    throw new SdkError("INVALID_OPTION", `send: \`${option}\` ${problem}`, { details: { option } });
  };
  if (typeof input === "string") return { prompt: input };
  if (typeof input !== "object" || input === null) return fail("prompt", `must be a string or { prompt, attachments?, mode? }, got ${describe(input)}.`);
  if (typeof input.prompt !== "string") fail("prompt", `must be a string, got ${describe(input.prompt)}.`);
  if (input.mode !== undefined && input.mode !== "enqueue" && input.mode !== "immediate") fail("mode", `must be "enqueue" or "immediate", got ${describe(input.mode)}.`);
  if (input.attachments !== undefined) {
    if (!Array.isArray(input.attachments)) fail("attachments", `must be an array, got ${describe(input.attachments)}.`);
    input.attachments.forEach((attachment: unknown, i) => {
      if (typeof attachment !== "object" || attachment === null) return fail(`attachments[${i}]`, `must be an object like { type: "file", path }, got ${describe(attachment)}.`);
      const type = (attachment as { type?: unknown }).type;
      if (typeof type !== "string") return fail(`attachments[${i}].type`, `is required ("file", "directory", "selection", "blob", …).`);
      for (const key of ATTACHMENT_REQUIRED[type] ?? []) {
        if (typeof (attachment as Record<string, unknown>)[key] !== "string") fail(`attachments[${i}].${key}`, `is required for a ${type} attachment.`);
      }
    });
  }
  return input;
}

function checkWaitOptions(options: SendAndWaitOptions): { timeoutMs?: number; idleTimeoutMs?: number; signal?: AbortSignal } {
  const ms = (name: string, value: number | undefined, fallback: number | undefined): number | undefined => {
    if (value === undefined) return fallback;
    if (typeof value !== "number" || Number.isNaN(value) || value < 0) {
      throw new SdkError("INVALID_OPTION", `sendAndWait: \`${name}\` must be a non-negative number of milliseconds (0 or Infinity for none), got ${describe(value)}.`, { details: { option: name } });
    }
    return value === 0 || value > MAX_TIMER_MS ? undefined : value;
  };
  if (typeof options !== "object" || options === null) throw new SdkError("INVALID_OPTION", "sendAndWait: options must be an object like { timeoutMs, idleTimeoutMs, signal }.", { details: { option: "options" } });
  return {
    timeoutMs: ms("timeoutMs", options.timeoutMs, DEFAULT_SEND_AND_WAIT_TIMEOUT_MS),
    idleTimeoutMs: ms("idleTimeoutMs", options.idleTimeoutMs, undefined),
    signal: options.signal,
  };
}

function abortedError(sessionId: string, reason: unknown): SdkError {
  return new SdkError("ABORTED", `sendAndWait on session ${sessionId} was aborted by its signal; the turn was aborted too.`, { cause: reason, details: { sessionId } });
}

function errorMessage(error: unknown): string {
  if (error instanceof Error) return error.message;
  return String(error);
}
