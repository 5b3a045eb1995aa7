/**
 * `PooledSession`: a session of a {@link RuntimePool}. It outlives the runtime it runs on: when
 * that runtime dies, pending calls fail with `RuntimeLostError` (retryable) and the session is
 * resumed on another runtime from the store; when the runtime dropped it after its idle limit
 * ("Session not found"), the next call resumes it there and retries once.
 */
import {
  type AnySessionEventHandler,
  type CopilotSession,
  type FlightdeckError,
  type MessageOptions,
  SdkError,
  type SendAndWaitOptions,
  type SessionConfig,
  type SessionEventHandler,
  type SessionEventType,
} from "@flightdeck/copilot-sdk";
import { LeaseLostError, RuntimeLostError } from "./errors.js";
import type { PostgresSessionStore } from "./session-store.js";

type AnyHandler = (event: never) => unknown;
type AssistantMessage = Awaited<ReturnType<CopilotSession["sendAndWait"]>>;

/** One runtime of the pool, as a session sees it. @internal */
export interface PoolMember {
  readonly index: number;
  /** Bumped each time the runtime is lost: a call that started on an older generation lost its runtime. */
  readonly generation: number;
  readonly healthy: boolean;
  resumeSession(sessionId: string, config: SessionConfig): Promise<CopilotSession>;
  createSession(config: SessionConfig): Promise<CopilotSession>;
}

/** What a pooled session needs from its pool. @internal */
export interface PoolInternals {
  readonly store: PostgresSessionStore;
  /** A healthy runtime with room (throws `PoolExhaustedError`), preferring `avoid`'s absence. */
  pick(avoid?: PoolMember): PoolMember;
  attach(session: PooledSession, member: PoolMember): void;
  detach(session: PooledSession, member: PoolMember): void;
  forget(session: PooledSession): void;
  reportError(error: unknown): void;
}

interface Binding {
  readonly member: PoolMember;
  readonly generation: number;
  readonly session: CopilotSession;
  readonly offs: Array<() => void>;
}

const SESSION_NOT_FOUND = /session not found|unknown session|no session with id/i;

function isRuntimeGone(error: unknown): boolean {
  const code = (error as FlightdeckError & { code?: unknown })?.code;
  return error instanceof SdkError && (code === "RUNTIME_EXITED" || code === "CONNECTION_CLOSED");
}

/** A session driven through a {@link RuntimePool}. Mirrors the `CopilotSession` calls most apps use. */
export class PooledSession {
  readonly sessionId: string;
  readonly #pool: PoolInternals;
  readonly #config: SessionConfig;
  readonly #handlers: Array<{ type: string | undefined; handler: AnyHandler }> = [];
  #binding: Binding | undefined;
  #binding$: Promise<Binding> | undefined;
  #closed = false;

  /** @internal Made by `RuntimePool.createSession` / `resumeSession`. */
  constructor(pool: PoolInternals, sessionId: string, config: SessionConfig) {
    this.#pool = pool;
    this.sessionId = sessionId;
    // Kept for resuming elsewhere; the id is the session's own.
    const { sessionId: _chosen, ...rest } = config;
    this.#config = rest;
  }

  /** Index of the runtime the session is on now (undefined while it is being moved). */
  get runtime(): number | undefined {
    return this.#binding?.member.index;
  }

  /** The underlying `CopilotSession` on the current runtime (changes after a failover). */
  get session(): CopilotSession | undefined {
    return this.#binding?.session;
  }

  /**
   * Subscribes to one event type (typed as on `CopilotSession`); the subscription follows the
   * session from runtime to runtime.
   * @example `pooled.on("assistant.message", (e) => console.log(e.data.content))`
   */
  on<T extends SessionEventType>(type: T, handler: SessionEventHandler<T>): () => void;
  /** Subscribes to every event. */
  on(handler: AnySessionEventHandler): () => void;
  on(typeOrHandler: string | AnySessionEventHandler, maybeHandler?: AnyHandler): () => void {
    const entry =
      typeof typeOrHandler === "function" ? { type: undefined, handler: typeOrHandler as AnyHandler } : { type: typeOrHandler, handler: maybeHandler! };
    if (typeof entry.handler !== "function") throw new SdkError("INVALID_OPTION", "on: the handler must be a function.");
    this.#handlers.push(entry);
    const b = this.#binding;
    if (b) b.offs.push(this.#subscribe(b.session, entry));
    return () => {
      const i = this.#handlers.indexOf(entry);
      if (i >= 0) this.#handlers.splice(i, 1);
    };
  }

  /**
   * Sends a message and waits for the turn (as `CopilotSession.sendAndWait`).
   * @throws {RuntimeLostError} the runtime died during the call (retry: the session moves to another runtime).
   * @throws {LeaseLostError} another host took the session over.
   * @throws {PostgresStoreError} `DATABASE_UNREACHABLE` when the store cannot be reached (retry later).
   */
  async sendAndWait(input: string | MessageOptions, options: SendAndWaitOptions = {}): Promise<AssistantMessage> {
    return this.#call("sendAndWait", (s) => s.sendAndWait(input, options));
  }

  /** Sends a message; returns its id at once (the reply arrives as events). */
  async send(input: string | MessageOptions): Promise<string> {
    return this.#call("send", (s) => s.send(input));
  }

  /** The session's persisted events, oldest first. */
  async getEvents(): Promise<Awaited<ReturnType<CopilotSession["getEvents"]>>> {
    return this.#call("getEvents", (s) => s.getEvents(), { confirmLease: false });
  }

  /** Aborts the turn in progress. */
  async abort(): Promise<void> {
    await this.#call("abort", (s) => s.abort(), { confirmLease: false });
  }

  /** Detaches from the runtime and releases the lease: any host may drive the session next. */
  async disconnect(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    const b = this.#binding;
    this.#unbind();
    this.#pool.forget(this);
    if (b) await b.session.disconnect().catch((error: unknown) => this.#pool.reportError(error));
    await this.#pool.store.releaseLease(this.sessionId);
  }

  // ---- called by the pool ----

  /** @internal Binds a session the pool just opened on `member`. */
  bind(member: PoolMember, session: CopilotSession): void {
    this.#unbind();
    const binding: Binding = { member, generation: member.generation, session, offs: [] };
    for (const entry of this.#handlers) binding.offs.push(this.#subscribe(session, entry));
    this.#binding = binding;
    this.#pool.attach(this, member);
  }

  /** @internal The runtime this session was on is gone: forget it, and move to another runtime now. */
  runtimeLost(member: PoolMember): void {
    if (this.#binding?.member !== member) return;
    this.#unbind();
    if (this.#closed) return;
    this.#ensureBound().catch((error: unknown) => this.#pool.reportError(error));
  }

  /** @internal Closes without talking to the runtime (pool stopping). */
  close(): void {
    this.#closed = true;
    this.#unbind();
  }

  // ---- internals ----

  #subscribe(session: CopilotSession, entry: { type: string | undefined; handler: AnyHandler }): () => void {
    return entry.type === undefined ? session.on(entry.handler as never) : session.on(entry.type as never, entry.handler as never);
  }

  #unbind(): void {
    const b = this.#binding;
    if (!b) return;
    this.#binding = undefined;
    for (const off of b.offs) off();
    this.#pool.detach(this, b.member);
  }

  /** The binding to a live runtime, resuming the session on one if needed. */
  #ensureBound(): Promise<Binding> {
    const b = this.#binding;
    if (b?.member.healthy && b.member.generation === b.generation) return Promise.resolve(b);
    if (b) this.#unbind();
    this.#binding$ ??= (async () => {
      try {
        const member = this.#pool.pick();
        const session = await this.#reopen(member);
        if (this.#closed) {
          await session.disconnect().catch(() => {});
          throw new SdkError("CONNECTION_CLOSED", `Session ${this.sessionId} was disconnected.`);
        }
        this.bind(member, session);
        return this.#binding!;
      } finally {
        this.#binding$ = undefined;
      }
    })();
    return this.#binding$;
  }

  /**
   * Resumes the session on `member`. A session that never got a message has no event log, so no
   * runtime can resume it: it is opened afresh under the same id (it had no history to lose).
   */
  async #reopen(member: PoolMember): Promise<CopilotSession> {
    try {
      return await member.resumeSession(this.sessionId, this.#config);
    } catch (error) {
      if (!SESSION_NOT_FOUND.test(error instanceof Error ? error.message : String(error))) throw error;
      if (await this.#pool.store.hasSession(this.sessionId)) throw error;
      return member.createSession({ ...this.#config, sessionId: this.sessionId });
    }
  }

  async #call<T>(what: string, fn: (session: CopilotSession) => Promise<T>, options: { confirmLease?: boolean } = {}): Promise<T> {
    if (this.#closed) throw new SdkError("CONNECTION_CLOSED", `${what}: session ${this.sessionId} was disconnected from the pool; resume it again.`);
    // Fails with a typed error when another host took the session, or when the store is down.
    if (options.confirmLease !== false) await this.#pool.store.confirmLease(this.sessionId);
    for (let attempt = 0; ; attempt++) {
      const b = await this.#ensureBound();
      try {
        return await this.#raceLease(fn(b.session));
      } catch (error) {
        if (error instanceof LeaseLostError) {
          // Another host drives the session now: stop this runtime's copy and leave it to them.
          this.#closed = true;
          this.#unbind();
          this.#pool.forget(this);
          void b.session.abort().catch(() => {});
          void b.session.disconnect().catch(() => {});
          throw error;
        }
        const lost = !b.member.healthy || b.member.generation !== b.generation || isRuntimeGone(error);
        if (lost) {
          this.runtimeLost(b.member);
          throw new RuntimeLostError(this.sessionId, b.member.index, error instanceof Error ? error.message : String(error), { cause: error });
        }
        // The runtime dropped the session (its idle limit): resume it there and try once more.
        if (attempt === 0 && SESSION_NOT_FOUND.test(error instanceof Error ? error.message : String(error))) {
          this.#unbind();
          await b.session.disconnect().catch(() => {});
          continue;
        }
        throw error;
      }
    }
  }

  /** Rejects with `LeaseLostError` as soon as the store learns another host took the session. */
  #raceLease<T>(call: Promise<T>): Promise<T> {
    let off: () => void = () => {};
    const lost = new Promise<never>((_, reject) => {
      off = this.#pool.store.onLeaseLost(this.sessionId, reject);
    });
    return Promise.race([call, lost]).finally(off);
  }
}
