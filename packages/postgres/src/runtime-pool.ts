/**
 * `RuntimePool`: one client-like object spreading sessions over N runtimes (spawned here, or
 * reached over TCP with `RuntimeConnection.forUri`), all writing session state to one
 * {@link PostgresSessionStore}. Health checks ping each runtime with a deadline; a runtime that dies
 * or stops answering is replaced, and its sessions are resumed elsewhere from the store.
 */
import { CopilotClient, type CopilotClientOptions, type CopilotSession, SdkError, type SessionConfig } from "@flightdeck/copilot-sdk";
import { PoolExhaustedError, PostgresStoreError } from "./errors.js";
import { PooledSession, type PoolInternals, type PoolMember } from "./pooled-session.js";
import type { PostgresSessionStore } from "./session-store.js";

/** Options of {@link RuntimePool}. */
export interface RuntimePoolOptions {
  /** The shared store: every runtime keeps session state there, under this host's leases. */
  store: PostgresSessionStore;
  /**
   * The runtimes: a count (each spawned with `client`'s options), or one `CopilotClientOptions`
   * per runtime (merged over `client`), e.g. `{ connection: RuntimeConnection.forUri("10.0.0.5:4321", …) }`.
   */
  runtimes: number | CopilotClientOptions[];
  /** Options shared by every runtime's client. `sessionFs` is set by the pool. */
  client?: CopilotClientOptions;
  /** Most sessions on one runtime. Default 64. */
  maxSessionsPerRuntime?: number;
  /** How often each runtime is pinged. Default 5 000 ms. */
  healthCheckIntervalMs?: number;
  /** A ping not answered within this is a dead runtime. Default 2 000 ms. */
  pingTimeoutMs?: number;
  /** Start a replacement when a runtime dies (reconnect, for `forUri`). Default true. */
  replaceDeadRuntimes?: boolean;
  /** Receives problems that belong to no call (failover that failed, a dead runtime). Default: console.warn. */
  onError?: (error: unknown) => void;
}

/** One runtime's state, as {@link RuntimePool.runtimes} reports it. */
export interface PoolRuntimeInfo {
  readonly index: number;
  readonly healthy: boolean;
  readonly sessions: number;
  /** How many times it was lost. */
  readonly failures: number;
  readonly pid: number | undefined;
}

class Member implements PoolMember {
  generation = 0;
  healthy = false;
  failures = 0;
  readonly sessions = new Set<PooledSession>();
  restartTimer: NodeJS.Timeout | undefined;
  constructor(
    readonly index: number,
    /** Replaced by a fresh client when the runtime is replaced. */
    public client: CopilotClient,
  ) {}
  resumeSession(sessionId: string, config: SessionConfig): Promise<CopilotSession> {
    return this.client.resumeSession(sessionId, config);
  }
  createSession(config: SessionConfig): Promise<CopilotSession> {
    return this.client.createSession(config);
  }
}

function checkDuration(name: string, value: unknown, fallback: number, min: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== "number" || !Number.isFinite(value) || value < min)
    throw new PostgresStoreError("INVALID_OPTION", `${name}: ${JSON.stringify(value)} is not a duration in milliseconds ≥ ${min}.`);
  return value;
}

/**
 * Sessions spread over several runtimes, with failover.
 *
 * @example
 * ```ts
 * const store = await PostgresSessionStore.open();            // DATABASE_URL
 * const pool = new RuntimePool({ store, runtimes: 3, maxSessionsPerRuntime: 50 });
 * const session = await pool.createSession({ model: "gpt-4.1", provider });
 * await session.sendAndWait("Hello");                         // RuntimeLostError → retry
 * await pool.stop();
 * ```
 */
export class RuntimePool {
  readonly store: PostgresSessionStore;
  readonly maxSessionsPerRuntime: number;
  readonly #members: Member[];
  readonly #sessions = new Map<string, PooledSession>();
  readonly #pingTimeoutMs: number;
  readonly #replace: boolean;
  readonly #onError: (error: unknown) => void;
  readonly #internals: PoolInternals;
  readonly #makeClient: (index: number) => CopilotClient;
  #healthTimer: NodeJS.Timeout | undefined;
  #starting: Promise<void> | undefined;
  #stopped = false;

  constructor(options: RuntimePoolOptions) {
    if (typeof options !== "object" || options === null) throw new PostgresStoreError("INVALID_OPTION", "RuntimePool: pass { store, runtimes }.");
    if (!options.store || typeof options.store.sessionFsOptions !== "function")
      throw new PostgresStoreError("INVALID_OPTION", "store: required, a PostgresSessionStore (await PostgresSessionStore.open(…)).");
    const list = typeof options.runtimes === "number" ? Array.from({ length: options.runtimes }, () => ({})) : options.runtimes;
    if (!Array.isArray(list) || list.length === 0 || (typeof options.runtimes === "number" && (!Number.isInteger(options.runtimes) || options.runtimes < 1))) {
      throw new PostgresStoreError(
        "INVALID_OPTION",
        `runtimes: ${JSON.stringify(options.runtimes)} is not a whole number ≥ 1 or a non-empty array of client options.`,
      );
    }
    const cap = options.maxSessionsPerRuntime ?? 64;
    if (!Number.isInteger(cap) || cap < 1)
      throw new PostgresStoreError("INVALID_OPTION", `maxSessionsPerRuntime: ${JSON.stringify(cap)} is not a whole number ≥ 1.`);
    this.store = options.store;
    this.maxSessionsPerRuntime = cap;
    this.#pingTimeoutMs = checkDuration("pingTimeoutMs", options.pingTimeoutMs, 2_000, 1);
    const interval = checkDuration("healthCheckIntervalMs", options.healthCheckIntervalMs, 5_000, 10);
    this.#replace = options.replaceDeadRuntimes ?? true;
    this.#onError = options.onError ?? ((e) => console.warn(`[flightdeck-postgres] ${(e as Error)?.message ?? String(e)}`));
    this.#makeClient = (index) => {
      const client = new CopilotClient({
        onError: this.#onError,
        ...options.client,
        ...list[index],
        sessionFs: this.store.sessionFsOptions(),
        autoRestart: false,
        autoStart: false,
      });
      client.onStateChange((state) => {
        const member = this.#members[index];
        if (state === "failed" && member?.client === client && member.healthy) this.#lose(member, "its connection closed");
      });
      return client;
    };
    this.#members = list.map((_, index) => new Member(index, this.#makeClient(index)));
    this.#internals = {
      store: this.store,
      pick: (avoid) => this.#pick(avoid as Member | undefined),
      attach: (session, member) => void (member as Member).sessions.add(session),
      detach: (session, member) => void (member as Member).sessions.delete(session),
      forget: (session) => void this.#sessions.delete(session.sessionId),
      reportError: (error) => this.#onError(error),
    };
    this.#healthTimer = setInterval(() => void this.#checkHealth(), interval);
    this.#healthTimer.unref();
  }

  /** Starts every runtime (also done on first use). Fails only when none starts. */
  start(): Promise<void> {
    this.#starting ??= (async () => {
      const results = await Promise.allSettled(this.#members.map((m) => this.#startMember(m)));
      if (!this.#members.some((m) => m.healthy)) {
        const first = results.find((r) => r.status === "rejected") as PromiseRejectedResult | undefined;
        this.#starting = undefined;
        throw new PoolExhaustedError(
          `RuntimePool: none of the ${this.#members.length} runtimes started: ${(first?.reason as Error)?.message ?? "unknown error"}`,
          { cause: first?.reason },
        );
      }
      for (const [i, r] of results.entries()) if (r.status === "rejected") this.#lose(this.#members[i]!, `it failed to start: ${(r.reason as Error)?.message}`);
    })();
    return this.#starting;
  }

  /** Each runtime's state. */
  runtimes(): PoolRuntimeInfo[] {
    return this.#members.map((m) => ({ index: m.index, healthy: m.healthy, sessions: m.sessions.size, failures: m.failures, pid: m.client.runtimePid }));
  }

  /** The runtime's client (to inspect or kill it in tests). */
  clientOf(index: number): CopilotClient {
    const m = this.#members[index];
    if (!m) throw new PostgresStoreError("INVALID_OPTION", `clientOf: there is no runtime #${index} (the pool has ${this.#members.length}).`);
    return m.client;
  }

  /** Open sessions of this pool. */
  sessions(): PooledSession[] {
    return [...this.#sessions.values()];
  }

  /**
   * Creates a session on the least loaded healthy runtime, under this host's lease (taken first;
   * `config.sessionId` may choose the id, else a UUID is made). Any runtime or host of the store can
   * then resume it (one that never got a message is reopened under its id: it has no history yet).
   * @throws {PoolExhaustedError} every healthy runtime is full (or none is healthy).
   * @throws {SessionLeasedError} another host holds a lease on the chosen `sessionId`.
   */
  async createSession(config: SessionConfig): Promise<PooledSession> {
    await this.#ready();
    const member = this.#pick();
    // The id is chosen here so the lease is taken before the runtime writes anything: every write
    // of the new session is fenced from the start.
    const sessionId = config.sessionId ?? globalThis.crypto.randomUUID();
    if (config.sessionId !== undefined && (await this.store.hasSession(sessionId))) {
      throw new PostgresStoreError(
        "INVALID_OPTION",
        `sessionId: session ${sessionId} already exists in the store; use resumeSession() to continue it, or choose another id.`,
      );
    }
    await this.store.acquireLease(sessionId);
    let session: CopilotSession;
    try {
      session = await member.client.createSession({ ...config, sessionId });
    } catch (error) {
      await this.store.releaseLease(sessionId).catch(() => {});
      throw error;
    }
    const pooled = new PooledSession(this.#internals, sessionId, config);
    pooled.bind(member, session);
    this.#sessions.set(sessionId, pooled);
    return pooled;
  }

  /**
   * Takes the session's lease and resumes it (full history, from the store) on the least loaded
   * healthy runtime. With `waitMs`, waits that long for another host's lease to be released or to expire.
   * @throws {SessionLeasedError} another host drives it (who, until when).
   * @throws {PostgresStoreError} `SESSION_NOT_FOUND` when the store does not know the id; `DATABASE_UNREACHABLE`.
   */
  async resumeSession(sessionId: string, config: SessionConfig = {}, options: { waitMs?: number } = {}): Promise<PooledSession> {
    const open = this.#sessions.get(sessionId);
    if (open) return open;
    await this.#ready();
    const hasLog = await this.store.hasSession(sessionId);
    if (!hasLog && !(await this.store.knowsSession(sessionId))) {
      throw new PostgresStoreError(
        "SESSION_NOT_FOUND",
        `resumeSession: the store at ${this.store.displayUrl} has no session ${sessionId}. Check the id (store.listSessions() lists them).`,
      );
    }
    await this.store.waitForLease(sessionId, checkDuration("waitMs", options.waitMs, 0, 0));
    const member = this.#pick();
    let session: CopilotSession;
    try {
      // A session that never got a message has no event log for a runtime to resume (nor any
      // history): it is opened afresh under its id.
      session = hasLog ? await member.client.resumeSession(sessionId, config) : await member.client.createSession({ ...config, sessionId });
    } catch (error) {
      await this.store.releaseLease(sessionId).catch(() => {});
      throw error;
    }
    const pooled = new PooledSession(this.#internals, sessionId, config);
    pooled.bind(member, session);
    this.#sessions.set(sessionId, pooled);
    return pooled;
  }

  /** Disconnects every session (releasing its lease) and stops every runtime. The store stays open. */
  async stop(): Promise<void> {
    this.#stopped = true;
    clearInterval(this.#healthTimer);
    await Promise.all([...this.#sessions.values()].map((s) => s.disconnect().catch((e: unknown) => this.#onError(e))));
    for (const m of this.#members) {
      clearTimeout(m.restartTimer);
      m.healthy = false;
    }
    await Promise.all(this.#members.map((m) => m.client.stop()));
  }

  // ---- internals ----

  async #ready(): Promise<void> {
    if (this.#stopped) throw new SdkError("CONNECTION_CLOSED", "The pool was stopped; create a new RuntimePool.");
    await this.start();
  }

  async #startMember(member: Member): Promise<void> {
    await member.client.start();
    member.healthy = true;
  }

  #pick(avoid?: Member): Member {
    const candidates = this.#members.filter((m) => m.healthy && m.sessions.size < this.maxSessionsPerRuntime);
    const preferred = candidates.filter((m) => m !== avoid);
    const pool = preferred.length > 0 ? preferred : candidates;
    if (pool.length === 0) {
      const healthy = this.#members.filter((m) => m.healthy).length;
      throw new PoolExhaustedError(
        healthy === 0
          ? `RuntimePool: no runtime is healthy (${this.#members.length} configured); the pool is starting replacements. Retry shortly.`
          : `RuntimePool: all ${healthy} healthy runtimes hold maxSessionsPerRuntime (${this.maxSessionsPerRuntime}) sessions. Disconnect idle sessions, add runtimes, or raise maxSessionsPerRuntime.`,
      );
    }
    return pool.reduce((best, m) => (m.sessions.size < best.sessions.size ? m : best));
  }

  /** A runtime is gone: mark it, move its sessions, start a replacement. */
  #lose(member: Member, reason: string): void {
    if (!member.healthy && member.restartTimer) return;
    member.healthy = false;
    member.generation++;
    member.failures++;
    this.#onError(
      new SdkError(
        "RUNTIME_EXITED",
        `RuntimePool: runtime #${member.index} was lost (${reason}); moving its ${member.sessions.size} session(s) to other runtimes.`,
      ),
    );
    for (const session of [...member.sessions]) session.runtimeLost(member);
    if (this.#replace && !this.#stopped) this.#scheduleRestart(member, 200);
  }

  #scheduleRestart(member: Member, delayMs: number): void {
    clearTimeout(member.restartTimer);
    member.restartTimer = setTimeout(() => {
      member.restartTimer = undefined;
      if (this.#stopped) return;
      // A fresh client: the old one's sessions died with its runtime.
      const old = member.client;
      member.client = this.#makeClient(member.index);
      void old.forceStop().catch(() => {});
      this.#startMember(member).catch((error: unknown) => {
        this.#onError(error);
        this.#scheduleRestart(member, Math.min(delayMs * 2, 10_000));
      });
    }, delayMs);
    member.restartTimer.unref();
  }

  async #checkHealth(): Promise<void> {
    await Promise.all(
      this.#members
        .filter((m) => m.healthy)
        .map(async (m) => {
          const generation = m.generation;
          try {
            await m.client.rpc.ping({}, { timeoutMs: this.#pingTimeoutMs });
          } catch (error) {
            if (!m.healthy || m.generation !== generation || this.#stopped) return;
            this.#lose(m, `no answer to a ping within ${this.#pingTimeoutMs} ms: ${(error as Error)?.message ?? String(error)}`);
            await m.client.forceStop().catch(() => {});
          }
        }),
    );
  }
}
