/**
 * `SessionHost`: the sessions of one client connection. The client owns the process and the
 * connection; the host owns everything per session: it routes `session.event` notifications and
 * the runtime's session-scoped requests to the right `CopilotSession`, creates and resumes
 * sessions, and moves them to a new connection after a runtime restart.
 */
import { RpcError, RpcErrorCode, SdkError, type RequestHandlerContext, type RpcConnectionLike, type Unsubscribe } from "@flightdeck/copilot-core";
import {
  INTERNAL_RPC_METHODS,
  RPC_METHODS,
  createInternalServerRpc,
  loadEventValidators,
  registerClientGlobalHandlers,
  registerClientSessionHandlers,
  registerInternalClientGlobalHandlers,
  registerInternalClientSessionHandlers,
  UNKNOWN_TYPE,
  type EventValidationResult,
  type EventValidators,
  type InternalServerRpc,
  type SessionCreateResult,
  type SessionRequestMethod,
} from "./bindings.js";
import { CopilotSession, type SessionController } from "./copilot-session.js";
import type { CopilotClientMode } from "./feature.js";
import { FeatureRuntime, type FeatureHost } from "./feature-runtime.js";
import { REQUEST_OWNERS } from "./features.js";
import { describe, errorMessage } from "./option-checks.js";
import { resolveSessionConfig, type ResolvedSessionConfig, type ResumeSessionConfig, type SessionConfig, type SessionWireParams } from "./session-config.js";
import { isKnownEventType } from "./session-events.js";

/** How incoming events are checked against the generated validators: not at all, leniently (default) or strictly. */
export type EventValidationMode = "off" | "lenient" | "strict";

export interface SessionHostOptions {
  /** Receives problems no call returns (handler errors, invalid events), unless a session has its own `onError`. Default: `console.warn`. */
  onError?: (error: unknown) => void;
  /**
   * `lenient` (default): check each event with validators that tolerate extra fields (newer
   * runtimes add some); report a failing event through `onError` and still deliver it.
   * `strict`: exact schema; a failing event is reported and not delivered. `off`: no checks, and
   * the validators module is never loaded.
   */
  validation?: EventValidationMode;
  /**
   * `"empty"` for multi-tenant servers: every session must list its `availableTools`, and gets
   * restrictive defaults (no config discovery, skills, memory, file hooks, host git operations,
   * session store or telemetry; no host environment in the prompt). Needs `storage`.
   */
  mode?: CopilotClientMode;
  /**
   * The per-client session storage the client configured (`"baseDirectory"` or `"sessionFs"`);
   * required in mode `"empty"` so tenants never share the runtime's default state directory.
   */
  storage?: "baseDirectory" | "sessionFs";
}

interface PendingEvent {
  controller: SessionController;
  event: Record<string, unknown>;
}

/**
 * Hosts the sessions of one connection. Made by the client; applications use `CopilotSession`.
 *
 * @example
 * ```ts
 * const host = new SessionHost(connection, { onError: console.warn });
 * const session = await host.createSession({ model: "gpt-5", onPermissionRequest: approveAll });
 * ```
 */
/**
 * Wire params beyond the session config (an extension's registration, e.g. the runtime's
 * `workflows` key that the pinned schemas do not name) and a look at the raw answer.
 */
export interface ResumeExtras {
  readonly wire?: Readonly<Record<string, unknown>>;
  readonly onResult?: (result: Record<string, unknown>) => void;
}

export class SessionHost {
  #connection: RpcConnectionLike;
  readonly #onError: (error: unknown) => void;
  readonly #validation: EventValidationMode;
  readonly #mode: CopilotClientMode;
  readonly #sessions = new Map<string, SessionController>();
  #unsubscribe: Unsubscribe[] = [];
  #validators: EventValidators | undefined;
  #validatorsLoading: Promise<void> | undefined;
  /** Events that arrived while the validators were loading, in arrival order. */
  #pending: PendingEvent[] = [];
  #disposed: unknown;
  /** The server stubs of the current connection, built once (not per create/resume). */
  #server: InternalServerRpc | undefined;

  constructor(connection: RpcConnectionLike, options: SessionHostOptions = {}) {
    if (options.onError !== undefined && typeof options.onError !== "function") {
      throw new SdkError("INVALID_OPTION", `SessionHost: \`onError\` must be a function, got ${describe(options.onError)}.`, {
        details: { option: "onError" },
      });
    }
    const validation = options.validation ?? "lenient";
    if (validation !== "off" && validation !== "lenient" && validation !== "strict") {
      throw new SdkError("INVALID_OPTION", `SessionHost: \`validation\` must be "off", "lenient" or "strict", got ${describe(validation)}.`, {
        details: { option: "validation" },
      });
    }
    const mode = options.mode ?? "copilot-cli";
    if (mode !== "copilot-cli" && mode !== "empty") {
      throw new SdkError("INVALID_OPTION", `SessionHost: \`mode\` must be "copilot-cli" or "empty", got ${describe(mode)}.`, { details: { option: "mode" } });
    }
    if (mode === "empty" && options.storage !== "baseDirectory" && options.storage !== "sessionFs") {
      throw new SdkError(
        "INVALID_OPTION",
        'mode "empty" needs per-client session storage: set `baseDirectory` (a state directory only this client uses) or `sessionFs` (your own session filesystem), so tenants never share the runtime\'s default state.',
        { details: { option: "baseDirectory" } },
      );
    }
    this.#mode = mode;
    this.#connection = connection;
    this.#validation = validation;
    this.#onError =
      options.onError ?? ((error: unknown) => console.warn(`[flightdeck] ${error instanceof Error ? `${error.name}: ${error.message}` : String(error)}`));
    this.#register(connection);
  }

  /**
   * Creates a session. The config is checked first (a bad option rejects with
   * `SdkError("INVALID_OPTION")` naming it, before anything is sent); the session is registered
   * before `session.create` goes out, so `config.onEvent` sees the events emitted meanwhile.
   */
  async createSession(config: SessionConfig = {}): Promise<CopilotSession> {
    this.#assertOpen("createSession");
    const resolved = this.#resolve(config, "createSession");
    const sessionId = resolved.config.sessionId ?? globalThis.crypto.randomUUID();
    if (this.#sessions.has(sessionId)) {
      throw new SdkError(
        "INVALID_OPTION",
        `createSession: \`sessionId\` ${sessionId} is already open on this client; choose another id, or resumeSession() it.`,
        { details: { option: "sessionId" } },
      );
    }
    return this.#open(sessionId, resolved, "createSession", () => this.#serverRpc().session.create({ ...resolved.wire, sessionId }));
  }

  /**
   * Attaches to an existing session (persisted, or detached by another client) with this config.
   * If it is already open on this client, resumes it with the new config and returns the same
   * `CopilotSession`: new tools, handlers, agents, MCP servers, provider and system message apply
   * from then on, and its event handlers are not duplicated.
   */
  async resumeSession(sessionId: string, config: ResumeSessionConfig = {}, extra: ResumeExtras = {}): Promise<CopilotSession> {
    this.#assertOpen("resumeSession");
    if (typeof sessionId !== "string" || sessionId.trim() === "") {
      throw new SdkError("INVALID_OPTION", `resumeSession: \`sessionId\` must be a non-empty session id, got ${describe(sessionId)}.`, {
        details: { option: "sessionId" },
      });
    }
    const resolved = this.#resolve(config, "resumeSession");
    const open = this.#sessions.get(sessionId);
    if (open) return this.#reconfigure(open, resolved);
    return this.#open(sessionId, resolved, "resumeSession", async () => {
      const result = await this.#serverRpc().session.resume({ ...resolved.wire, ...extra.wire, sessionId } as never);
      extra.onResult?.(result as unknown as Record<string, unknown>);
      return result;
    });
  }

  /** The sessions open on this client. */
  sessions(): CopilotSession[] {
    return [...this.#sessions.values()].map((c) => c.session);
  }

  /** The open session with this id, if any. */
  get(sessionId: string): CopilotSession | undefined {
    return this.#sessions.get(sessionId)?.session;
  }

  /**
   * Moves every open session to a new connection (after the client restarted the runtime): waits
   * in progress reject with `CONNECTION_CLOSED` (their turn died with the old runtime), running
   * tool calls are cancelled, then each session is resumed with its original config. A session
   * that fails to resume is closed and its error reported; the others carry on.
   */
  async rebind(connection: RpcConnectionLike): Promise<void> {
    this.#assertOpen("rebind");
    for (const off of this.#unsubscribe) off();
    this.#connection = connection;
    this.#server = undefined;
    this.#register(connection);
    this.#pending = [];
    const lost = new SdkError(
      "CONNECTION_CLOSED",
      "The runtime restarted; the turn in progress was lost. The session was resumed on the new runtime: send the prompt again.",
    );
    const controllers = [...this.#sessions.values()];
    for (const controller of controllers) {
      controller.interrupt(lost);
      controller.setConnection(connection);
    }
    await Promise.all(
      controllers.map(async (controller) => {
        const sessionId = controller.session.sessionId;
        try {
          const result = await this.#serverRpc().session.resume({ ...controller.wire, sessionId });
          controller.attach(result);
          await controller.afterOpen();
        } catch (cause) {
          const error = new SdkError("CONNECTION_CLOSED", `Session ${sessionId} could not be resumed after the runtime restarted: ${errorMessage(cause)}`, {
            cause,
            details: { sessionId },
          });
          controller.report(error);
          controller.dispose(error);
        }
      }),
    );
  }

  /**
   * The runtime went away but sessions may come back (a restart follows, then `rebind`): every
   * wait in progress rejects with `reason` and running tool calls are cancelled at once, so
   * nothing hangs until the restart. Sessions stay open.
   */
  interrupt(reason: unknown): void {
    for (const controller of this.#sessions.values()) controller.interrupt(reason);
  }

  /**
   * The connection is gone for good: every wait rejects with `reason`, running tool calls are
   * cancelled (their signals fire), streams end with `reason`, and later calls on any session
   * fail with it. Idempotent.
   */
  dispose(reason?: unknown): void {
    if (this.#disposed !== undefined) return;
    const error = reason ?? new SdkError("CONNECTION_CLOSED", "The client was stopped; create a new client to keep working.");
    this.#disposed = error;
    this.#lastWire = undefined;
    for (const off of this.#unsubscribe) off();
    this.#unsubscribe = [];
    this.#pending = [];
    for (const controller of [...this.#sessions.values()]) controller.dispose(error);
    this.#sessions.clear();
  }

  // ---- internals ----

  /** The wire params of the last config resolved: a session opened with equal options shares them. */
  #lastWire: SessionWireParams | undefined;

  #resolve(config: SessionConfig | ResumeSessionConfig, method: "createSession" | "resumeSession"): ResolvedSessionConfig {
    const resolved = resolveSessionConfig(config, method, this.#mode, this.#lastWire);
    this.#lastWire = resolved.wire;
    return resolved;
  }

  /** A resume of a session open on this client: the runtime gets the new config, the session keeps its identity and handlers. */
  async #reconfigure(controller: SessionController, resolved: ResolvedSessionConfig): Promise<CopilotSession> {
    const sessionId = controller.session.sessionId;
    const result = await this.#serverRpc().session.resume({ ...resolved.wire, sessionId });
    controller.reconfigure(resolved);
    controller.attach(result);
    await controller.afterOpen();
    return controller.session;
  }

  /** Forgets a session that detached or was disposed (one function for all the host's sessions). */
  readonly #forget = (controller: SessionController): void => {
    const id = controller.session.sessionId;
    if (this.#sessions.get(id) === controller) this.#sessions.delete(id);
  };

  async #open(sessionId: string, resolved: ResolvedSessionConfig, method: string, send: () => Promise<SessionCreateResult>): Promise<CopilotSession> {
    let controller!: SessionController;
    new CopilotSession({
      sessionId,
      connection: this.#connection,
      resolved,
      hostOnError: this.#onError,
      onClosed: this.#forget,
      expose: (c) => {
        controller = c;
      },
      features: newFeatureRuntime,
    });
    this.#sessions.set(sessionId, controller);
    let result: SessionCreateResult;
    try {
      result = await send();
    } catch (error) {
      controller.dispose(new SdkError("CONNECTION_CLOSED", `${method} failed, so session ${sessionId} was never opened.`, { cause: error }));
      throw error;
    }
    if (this.#disposed !== undefined) throw this.#disposed;
    if (typeof result?.sessionId === "string" && result.sessionId !== sessionId) {
      const error = new SdkError(
        "VALIDATION",
        `${method}: the runtime answered for session ${result.sessionId}, not ${sessionId}; this runtime does not honour client-chosen ids.`,
        { details: { sessionId, received: result.sessionId } },
      );
      controller.dispose(error);
      throw error;
    }
    controller.attach(result);
    try {
      await controller.afterOpen();
    } catch (error) {
      controller.dispose(new SdkError("CONNECTION_CLOSED", `${method}: setting up session ${sessionId} failed after the runtime opened it.`, { cause: error }));
      throw error;
    }
    return controller.session;
  }

  #serverRpc(): InternalServerRpc {
    this.#server ??= createInternalServerRpc(this.#connection);
    return this.#server;
  }

  #assertOpen(method: string): void {
    if (this.#disposed === undefined) return;
    const message = errorMessage(this.#disposed);
    throw new SdkError("CONNECTION_CLOSED", `${method}: ${message}`, { cause: this.#disposed });
  }

  /**
   * Listens for `session.event` and registers, through the generated `register…Handlers`, every
   * server→client request a feature answers: each goes to the session its `sessionId` names.
   */
  #register(connection: RpcConnectionLike): void {
    const maps = { public: { clientSession: {}, clientGlobal: {} }, internal: { clientSession: {}, clientGlobal: {} } } as Record<
      "public" | "internal",
      Record<string, Record<string, unknown>>
    >;
    for (const method of REQUEST_OWNERS.keys()) {
      const info = (RPC_METHODS as Record<string, { scope: string }>)[method] ?? (INTERNAL_RPC_METHODS as Record<string, { scope: string }>)[method];
      const table = method in RPC_METHODS ? maps.public : maps.internal;
      table[info!.scope]![method] = (params: unknown, context: RequestHandlerContext) => this.#route(method, params, context);
    }
    this.#unsubscribe = [
      connection.onNotification("session.event", (params) => this.#receive(params)),
      registerClientSessionHandlers(connection, maps.public.clientSession!),
      registerClientGlobalHandlers(connection, maps.public.clientGlobal!),
      registerInternalClientSessionHandlers(connection, maps.internal.clientSession!),
      registerInternalClientGlobalHandlers(connection, maps.internal.clientGlobal!),
    ];
  }

  #route(method: SessionRequestMethod, params: unknown, context: RequestHandlerContext): Promise<unknown> {
    const sessionId = (params as { sessionId?: unknown } | null)?.sessionId;
    if (typeof params !== "object" || params === null || typeof sessionId !== "string") {
      throw new RpcError(RpcErrorCode.InvalidParams, `${method}: params must be an object with a string sessionId.`);
    }
    const controller = this.#sessions.get(sessionId);
    if (!controller) throw new RpcError(RpcErrorCode.InvalidParams, `${method}: session ${sessionId} is not open on this client.`);
    return controller.answer(method, params as Record<string, unknown>, context);
  }

  #receive(params: unknown): void {
    const p = params as { sessionId?: unknown; event?: unknown } | null;
    const event = p?.event as Record<string, unknown> | undefined;
    if (typeof p?.sessionId !== "string" || typeof event !== "object" || event === null || Array.isArray(event) || typeof event.type !== "string") {
      this.#onError(
        new SdkError("VALIDATION", "Received a session.event notification without a string sessionId and an event object with a string type; it was dropped.", {
          details: { params: p },
        }),
      );
      return;
    }
    // Events of sessions this client does not host (or no longer hosts) are not ours to handle.
    const controller = this.#sessions.get(p.sessionId);
    if (!controller) return;
    if (this.#validation === "off") {
      controller.dispatch(event);
      return;
    }
    if (this.#validators) {
      this.#deliver(controller, event);
      return;
    }
    // Keep arrival order while the validators load.
    this.#pending.push({ controller, event });
    this.#validatorsLoading ??= loadEventValidators().then(
      (validators) => {
        this.#validators = validators;
        this.#flush();
      },
      (cause: unknown) => {
        this.#onError(new SdkError("VALIDATION", `Event validation is off: the validators could not be loaded (${errorMessage(cause)}).`, { cause }));
        this.#validators = { validate: (event) => (isKnownEventType(event.type) ? { ok: true } : UNKNOWN_TYPE) };
        this.#flush();
      },
    );
  }

  #flush(): void {
    const pending = this.#pending;
    this.#pending = [];
    for (const { controller, event } of pending) this.#deliver(controller, event);
  }

  #deliver(controller: SessionController, event: Record<string, unknown>): void {
    if (controller.closed) return;
    const strict = this.#validation === "strict";
    // The validators look the type up: unknown types (no validator) come back `known: false`,
    // unchecked, and are delivered as UnknownSessionEvent.
    let result: EventValidationResult;
    try {
      result = this.#validators!.validate(event as { type: string }, strict ? "strict" : "lenient");
    } catch (cause) {
      result = isKnownEventType(event.type as string) ? { ok: false, known: true, errors: [`the validator threw: ${errorMessage(cause)}`] } : UNKNOWN_TYPE;
    }
    if (result.ok) {
      controller.dispatch(event, true);
      return;
    }
    if (result.known) {
      controller.report(
        eventReport(
          `Session ${controller.session.sessionId}: a "${String(event.type)}" event does not match the schema (${result.errors.slice(0, 5).join("; ")}). ${strict ? "It was dropped (validation: strict)." : "It was delivered anyway (validation: lenient)."}`,
          { sessionId: controller.session.sessionId, eventType: event.type, eventId: event.id, errors: result.errors },
        ),
      );
      if (strict) return;
    } else if (strict) {
      // Strict reports every drift from the pinned schemas, an unknown event type included; the
      // event is still delivered (as UnknownSessionEvent), as in lenient mode.
      controller.report(
        eventReport(
          `Session ${controller.session.sessionId}: the event type "${String(event.type)}" is not in the pinned schemas (a newer runtime?). It was delivered as UnknownSessionEvent (validation: strict reports it).`,
          { sessionId: controller.session.sessionId, eventType: event.type, eventId: event.id },
        ),
      );
    }
    controller.dispatch(event, result.known);
  }
}

/**
 * The `VALIDATION` error that reports an event off the wire, made without a stack trace: its
 * frames would only be this host's dispatch code (the event came from the runtime, no caller of
 * the SDK is on the stack), and capturing them was most of what a report cost (~20 µs each in
 * `bench/src/events-bench.ts`, where runtime 1.0.85's `session.shutdown` events fail lenient
 * validation). Code, message and details are as before; `stack` is the name and message line.
 */
function eventReport(message: string, details: Record<string, unknown>): SdkError {
  const limit = Error.stackTraceLimit;
  try {
    Error.stackTraceLimit = 0;
  } catch {
    // Not writable here: the report keeps its trace.
  }
  try {
    return new SdkError("VALIDATION", message, { details });
  } finally {
    if (Error.stackTraceLimit !== limit) Error.stackTraceLimit = limit;
  }
}

/** Each session's feature runtime (see `SessionInit.features`). */
const newFeatureRuntime = (host: FeatureHost): FeatureRuntime => new FeatureRuntime(host);
