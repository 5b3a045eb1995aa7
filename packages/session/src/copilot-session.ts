/**
 * `CopilotSession`: one agent session on the runtime. Sends prompts, delivers its events, and
 * owns its lifecycle; what it answers for the runtime (tool calls, permission prompts, hooks, …)
 * is done by its features (`features.ts`, run by `feature-runtime.ts`).
 */
import { SdkError, ServerShuttingDownError, type RequestHandlerContext, type RpcConnectionLike } from "@flightdeck/copilot-core";
import {
  createInternalSessionRpc,
  createSessionRpc,
  type SessionCreateResult,
  type SessionEvent,
  type SessionHostCapabilities,
  type SessionLogLevel,
  type SessionRequestMethod,
  type SessionRpc,
} from "./bindings.js";
import { EventHub, type EventHubOwner, type EventStreamOptions } from "./event-hub.js";
import { OpenCanvasTracker, type OpenCanvas } from "./canvases.js";
import { SessionWorkflows } from "./workflows/session-workflows.js";
import type { FeatureHost, FeatureRuntime } from "./feature-runtime.js";
import { messageParams, waitLimits, type MessageOptions, type SendAndWaitOptions } from "./message-options.js";
import { describe, errorMessage } from "./option-checks.js";
import { sendAndWaitForIdle, type TurnHost, type TurnWaiter } from "./send-and-wait.js";
import type { ResolvedSessionConfig, SessionWireParams } from "./session-config.js";
import {
  isKnownEventType,
  toUnknownEvent,
  type AnySessionEvent,
  type AnySessionEventHandler,
  type SessionEventHandler,
  type SessionEventOf,
  type SessionEventType,
} from "./session-events.js";
import { createSessionUi, type SessionUi } from "./session-ui.js";
import { createTextStream, type TextStreamOptions } from "./text-stream.js";

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
  /** The wire params of the current config (a resume resends them). */
  readonly wire: SessionWireParams;
  readonly closed: boolean;
  report(error: unknown): void;
  /** `known`: whether the bindings know `raw.type`, when the caller already looked it up. */
  dispatch(raw: Record<string, unknown>, known?: boolean): void;
  attach(result: SessionCreateResult): void;
  /** The features' steps after create/resume answered (e.g. registering interest in `mcp.oauth_required`). */
  afterOpen(): Promise<void>;
  /** Answers a runtime request for this session with the feature that owns it. */
  answer(method: SessionRequestMethod, params: Record<string, unknown>, context: RequestHandlerContext): Promise<unknown>;
  /** Replaces the config (a resume of an open session); running handlers finish with the old one. */
  reconfigure(resolved: ResolvedSessionConfig): void;
  setConnection(connection: RpcConnectionLike): void;
  /** Rejects waiters and cancels running handlers; the session stays usable. */
  interrupt(reason: unknown): void;
  /** Closes the session for good: later calls fail with `reason`. */
  dispose(reason: unknown): void;
}

/** @internal How the host constructs a session. */
export interface SessionInit {
  sessionId: string;
  connection: RpcConnectionLike;
  resolved: ResolvedSessionConfig;
  /** The host's error sink, used when the config has no `onError`. */
  hostOnError: (error: unknown) => void;
  /** Called once when the session detaches or is disposed, so the host forgets it (shared by the host's sessions). */
  onClosed: (controller: SessionController) => void;
  /** Receives the controller; called from the constructor. */
  expose: (controller: SessionController) => void;
  /**
   * Makes the session's feature runtime. Given by the host, so that this class (which users import
   * for `instanceof` and types) does not load the features: they load with the host, on first use.
   */
  features: (host: FeatureHost) => FeatureRuntime;
}

/** What the session's host, features and event hub reach it through. */
type SessionLink = SessionController & FeatureHost & EventHubOwner;
/** Set by `CopilotSession`'s static block (before any session exists). */
let newSessionLink: (session: CopilotSession) => SessionLink;

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
  /** The session id (a UUID made by this client or chosen with `sessionId`, or the id you resumed). */
  readonly sessionId: string;
  #workspacePath: string | undefined;
  #capabilities: SessionHostCapabilities = {};
  #connection: RpcConnectionLike;
  #rpc: SessionRpc | undefined;
  #resolved: ResolvedSessionConfig;
  #onEventOff: (() => void) | undefined;
  readonly #hostOnError: (error: unknown) => void;
  #warnedNoStreaming = false;
  readonly #onClosed: (controller: SessionController) => void;
  readonly #link: SessionLink;
  readonly #hub: EventHub;
  readonly #features: FeatureRuntime;
  #waiters: Set<TurnWaiter> | undefined;
  #closedError: unknown;
  #disconnecting: Promise<void> | undefined;
  #ui: SessionUi | undefined;
  #workflows: SessionWorkflows | undefined;
  /** Made when the first canvas opens (most sessions never open one). */
  #canvases: OpenCanvasTracker | undefined;

  /** @internal Sessions are made by the client (`createSession` / `resumeSession`). */
  constructor(init: SessionInit) {
    this.sessionId = init.sessionId;
    this.#connection = init.connection;
    this.#resolved = init.resolved;
    this.#hostOnError = init.hostOnError;
    this.#onClosed = init.onClosed;
    // One object serves the host, the features and the event hub (see `SessionLink`).
    const link = newSessionLink(this);
    this.#link = link;
    this.#hub = new EventHub(link);
    this.#subscribeOnEvent();
    this.#features = init.features(link);
    init.expose(link);
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
    this.#ui ??= createSessionUi(
      this.sessionId,
      () => this.#capabilities,
      () => this.rpc,
    );
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
    return this.#canvases?.list ?? [];
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
   * @throws {SdkError} `INVALID_OPTION` for a bad prompt, option or attachment (an unknown key gets a did-you-mean); `CONNECTION_CLOSED` after `disconnect()`.
   */
  async send(input: string | MessageOptions): Promise<string> {
    this.#assertOpen("send");
    const result = await this.rpc.send(messageParams(input, "send"));
    return result.messageId;
  }

  /**
   * Sends a user message and waits until the turn, and any background work it started, is done
   * (`session.idle`). Resolves with the turn's last `assistant.message` of the main agent
   * (`undefined` if it produced none). The second argument is an options object, or a number of
   * milliseconds meaning `{ timeoutMs }` (as in `@github/copilot-sdk`).
   *
   * Rejects with `SessionError` when the runtime reports `session.error`, `SdkError("TIMEOUT")`
   * ("Timeout after Nms waiting for session.idle") after `timeoutMs` or `idleTimeoutMs`,
   * `SdkError("ABORTED")` when `signal` aborts or the turn is aborted. Leaves no timer or listener behind.
   */
  async sendAndWait(input: string | MessageOptions, options?: SendAndWaitOptions | number): Promise<SessionEventOf<"assistant.message"> | undefined> {
    this.#assertOpen("sendAndWait");
    const params = messageParams(input, "sendAndWait");
    return sendAndWaitForIdle(this.#turnHost(), params, waitLimits(options));
  }

  /**
   * Aborts the turn in progress: every running handler of this session (tools, permission,
   * user input, elicitation, hooks) sees its `signal` fire at once and its late answer is dropped.
   * The session stays usable.
   */
  async abort(): Promise<void> {
    this.#assertOpen("abort");
    this.#features.cancelAll(
      new SdkError("ABORTED", `The turn on session ${this.sessionId} was aborted (abort()).`, { details: { sessionId: this.sessionId } }),
    );
    await this.rpc.abort({});
  }

  /** The session's persisted events, oldest first (ephemeral ones such as deltas are not kept). */
  async getEvents(): Promise<AnySessionEvent[]> {
    this.#assertOpen("getEvents");
    const result = await createInternalSessionRpc(this.#connection, this.sessionId).getMessages();
    return (result.events as unknown as Record<string, unknown>[]).map((raw) =>
      typeof raw?.type === "string" && isKnownEventType(raw.type) ? (raw as unknown as SessionEvent) : toUnknownEvent(raw),
    );
  }

  /** Switches the model for the following turns. Returns the model now active. */
  async setModel(model: string, options: { reasoningEffort?: string } = {}): Promise<string | undefined> {
    this.#assertOpen("setModel");
    if (typeof model !== "string" || model.trim() === "")
      throw new SdkError("INVALID_OPTION", `setModel: \`model\` must be a non-empty model id, got ${describe(model)}.`, { details: { option: "model" } });
    const result = await this.rpc.model.switchTo(
      options.reasoningEffort === undefined ? { modelId: model } : { modelId: model, reasoningEffort: options.reasoningEffort },
    );
    return (result as { modelId?: string }).modelId;
  }

  /** Writes a message into the session's timeline. Returns the id of the event it produced. */
  async log(message: string, options: LogOptions = {}): Promise<string> {
    this.#assertOpen("log");
    if (typeof message !== "string")
      throw new SdkError("INVALID_OPTION", `log: \`message\` must be a string, got ${describe(message)}.`, { details: { option: "message" } });
    if (options.level !== undefined && !["info", "warning", "error"].includes(options.level)) {
      throw new SdkError("INVALID_OPTION", `log: \`level\` must be "info", "warning" or "error", got ${describe(options.level)}.`, {
        details: { option: "level" },
      });
    }
    const result = await this.rpc.log({
      message,
      ...(options.level ? { level: options.level } : {}),
      ...(options.ephemeral !== undefined ? { ephemeral: options.ephemeral } : {}),
    });
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
    // Delta events come only with `streaming: true`: say so once instead of staying silent.
    if (
      (typeOrHandler === "assistant.message_delta" || typeOrHandler === "assistant.reasoning_delta") &&
      this.#resolved.config.streaming !== true &&
      !this.#warnedNoStreaming
    ) {
      this.#warnedNoStreaming = true;
      this.#report(
        new SdkError(
          "INVALID_OPTION",
          `on("${typeOrHandler}"): session ${this.sessionId} was created without \`streaming: true\`, so the runtime sends no delta events (only whole assistant.message events). Pass \`streaming: true\` to createSession/resumeSession to receive them.`,
          { details: { option: "streaming" } },
        ),
      );
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
    return createTextStream(this.#turnHost(), options);
  }

  /**
   * Detaches this client from the session: cancels running handlers (their signals fire), ends
   * waits and streams, and tells the runtime. The session persists on the runtime and can be
   * resumed. Idempotent; later calls on this object fail with a clear error.
   */
  disconnect(): Promise<void> {
    if (this.#disconnecting) return this.#disconnecting;
    const alreadyClosed = this.#closedError !== undefined;
    // "Session not found for sessionId" is what the runtime (and so @github/copilot-sdk) says here; programs match on it.
    const reason = new SdkError(
      "CONNECTION_CLOSED",
      `Session not found for sessionId: ${this.sessionId}: it was disconnected by disconnect(); resume it with client.resumeSession("${this.sessionId}") to keep using it.`,
      { details: { sessionId: this.sessionId, disconnected: true } },
    );
    this.#close(reason, false);
    this.#disconnecting = alreadyClosed
      ? Promise.resolve()
      : createInternalSessionRpc(this.#connection, this.sessionId)
          .detach()
          .then(
            () => undefined,
            // The runtime may be gone already, or on its way out (Ctrl-C in a terminal reaches it
            // too): nothing to detach from.
            (error: unknown) => {
              if (!((error instanceof SdkError && error.code === "CONNECTION_CLOSED") || error instanceof ServerShuttingDownError)) this.#report(error);
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
      console.warn(`[flightdeck] the onError handler of session ${this.sessionId} threw: ${errorMessage(thrown)}`);
    }
  }

  #assertOpen(method: string): void {
    const error = this.#closedError;
    if (error === undefined) return;
    const message = errorMessage(error);
    throw new SdkError("CONNECTION_CLOSED", `${method}: ${message}`, { cause: error, details: { sessionId: this.sessionId, method } });
  }

  #subscribeOnEvent(): void {
    this.#onEventOff?.();
    const onEvent = this.#resolved.config.onEvent;
    this.#onEventOff = onEvent ? this.#hub.onAny(onEvent) : undefined;
  }

  #turnHost(): TurnHost {
    return {
      sessionId: this.sessionId,
      addWaiter: (waiter) => (this.#waiters ??= new Set()).add(waiter),
      removeWaiter: (waiter) => this.#waiters?.delete(waiter),
      send: (params) => this.rpc.send(params),
      abortTurn: () => {
        this.abort().catch((error: unknown) => {
          if (this.#closedError === undefined) this.#report(error);
        });
      },
    };
  }

  #interrupt(reason: unknown): void {
    if (this.#waiters) for (const waiter of [...this.#waiters]) waiter.fail(reason);
    this.#features.cancelAll(reason);
  }

  #close(reason: unknown, streamsFail: boolean): void {
    if (this.#closedError !== undefined) return;
    this.#closedError = reason;
    this.#interrupt(reason);
    this.#hub.clear(streamsFail ? reason : undefined);
    this.#onClosed(this.#link);
  }

  #dispatch(raw: Record<string, unknown>, knownType?: boolean): void {
    if (this.#closedError !== undefined) return;
    const known = knownType ?? (typeof raw.type === "string" && isKnownEventType(raw.type));
    const event: AnySessionEvent = known ? (raw as unknown as SessionEvent) : toUnknownEvent(raw);
    if (event.type.startsWith("session.canvas.")) (this.#canvases ??= new OpenCanvasTracker()).onEvent(event as { type: string; data: unknown });
    if (this.#waiters && this.#waiters.size > 0) {
      for (const waiter of [...this.#waiters]) {
        try {
          waiter.onEvent(event);
        } catch (error) {
          this.#report(error);
        }
      }
    }
    let after: Array<() => void> | undefined;
    if (known) {
      // Another client (or the runtime) aborted the turn: stop this client's handlers too.
      if (event.type === "abort")
        this.#features.cancelAll(new SdkError("ABORTED", `The turn on session ${this.sessionId} was aborted.`, { details: { sessionId: this.sessionId } }));
      after = this.#features.dispatch(event as SessionEvent);
    }
    this.#hub.emit(event, known);
    // The features' follow-ups (a tool call's handler): after the session's handlers saw the event.
    if (after) {
      for (const next of after) {
        try {
          next();
        } catch (error) {
          this.#report(error);
        }
      }
    }
  }

  static {
    /**
     * The session's internal side, for its host (`SessionController`), its features
     * (`FeatureHost`) and its event hub: one small object per session whose methods live on the
     * prototype (declared here, inside the class body, to reach the session's private members).
     */
    class Link implements SessionLink {
      readonly session: CopilotSession;
      constructor(session: CopilotSession) {
        this.session = session;
      }
      get sessionId(): string {
        return this.session.sessionId;
      }
      get resolved(): ResolvedSessionConfig {
        return this.session.#resolved;
      }
      get wire(): SessionWireParams {
        return this.session.#resolved.wire;
      }
      get rpc(): SessionRpc {
        return this.session.rpc;
      }
      request(method: string, params: Record<string, unknown>): Promise<unknown> {
        params.sessionId = this.session.sessionId;
        return this.session.#connection.request(method, params);
      }
      get closed(): boolean {
        return this.session.#closedError !== undefined;
      }
      report(error: unknown): void {
        this.session.#report(error);
      }
      dispatch(raw: Record<string, unknown>, known?: boolean): void {
        this.session.#dispatch(raw, known);
      }
      attach(result: SessionCreateResult): void {
        const session = this.session;
        if (typeof result?.workspacePath === "string") session.#workspacePath = result.workspacePath;
        if (result?.capabilities && typeof result.capabilities === "object") session.#capabilities = result.capabilities;
        if (Array.isArray((result as { openCanvases?: unknown } | undefined)?.openCanvases)) (session.#canvases ??= new OpenCanvasTracker()).seed(result);
      }
      afterOpen(): Promise<void> {
        return this.session.#features.afterOpen();
      }
      answer(method: SessionRequestMethod, params: Record<string, unknown>, context: RequestHandlerContext): Promise<unknown> {
        return this.session.#features.answer(method, params, context);
      }
      reconfigure(resolved: ResolvedSessionConfig): void {
        this.session.#resolved = resolved;
        this.session.#subscribeOnEvent();
      }
      setConnection(connection: RpcConnectionLike): void {
        this.session.#connection = connection;
        this.session.#rpc = undefined;
      }
      interrupt(reason: unknown): void {
        this.session.#interrupt(reason);
      }
      dispose(reason: unknown): void {
        this.session.#close(reason, true);
      }
    }
    newSessionLink = (session) => new Link(session);
  }
}
