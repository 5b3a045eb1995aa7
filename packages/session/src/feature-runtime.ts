/**
 * The features of one session at run time: a context per feature, events dispatched to the
 * features watching them, runtime requests answered by their owner, and the runs of user
 * handlers, each with a signal that fires when its request is cancelled, the turn is aborted or
 * the session closes (a cancelled run's late answer is dropped).
 */
import { RpcError, RpcErrorCode, SdkError, type RequestHandlerContext } from "@flightdeck/copilot-core";
import { LazyAbortController } from "@flightdeck/copilot-core/internal";
import type { SessionEvent, SessionRequestMethod, SessionRpc } from "./bindings.js";
import type { CopilotClientMode, FeatureContext, HandlerRun } from "./feature.js";
import { EVENT_WATCHERS, FEATURES, REQUEST_OWNERS, type AnyFeature } from "./features.js";
import { errorMessage } from "./option-checks.js";
import { featureState, type ResolvedSessionConfig } from "./session-config.js";

/** What the features need from their session. */
export interface FeatureHost {
  readonly sessionId: string;
  /** The current config (a resume on the same client may replace it). */
  readonly resolved: ResolvedSessionConfig;
  readonly rpc: SessionRpc;
  /** Sends a session request as is (`sessionId` added to `params`): for answers on the tool-call path, without the typed stubs' steps. */
  request(method: string, params: Record<string, unknown>): Promise<unknown>;
  readonly closed: boolean;
  report(error: unknown): void;
}

const MAX_REMEMBERED_REQUESTS = 1_000;

const DONE: Promise<void> = Promise.resolve();
const noop = (): void => {};

/** The features with a post-open step, in list order. */
const AFTER_OPEN_FEATURES = FEATURES.filter((feature) => feature.afterOpen !== undefined);

/**
 * Per session, what an idle session holds stays small: the request keys seen and the running
 * handlers get their collections on first use, and a feature's context is a small view made
 * when a handler runs (methods and getters on the prototype, nothing copied from the config).
 */
export class FeatureRuntime {
  readonly host: FeatureHost;
  #seen: Set<string> | undefined;
  /** Lazy controllers: most handlers never read their signal, and a real AbortSignal costs microseconds per run. */
  #runs: Map<string, LazyAbortController> | undefined;

  constructor(host: FeatureHost) {
    this.host = host;
  }

  /**
   * Runs the features watching this event's type. A watcher that throws is reported; the others
   * still run. Returns what the watchers left to run after the session's own handlers got the event.
   */
  dispatch(event: SessionEvent): Array<() => void> | undefined {
    const watchers = EVENT_WATCHERS.get(event.type);
    if (!watchers) return undefined;
    let after: Array<() => void> | undefined;
    for (const { feature, handler } of watchers) {
      try {
        const next = handler(new SessionFeatureContext(this, feature), event as never);
        if (next) (after ??= []).push(next);
      } catch (error) {
        this.host.report(error);
      }
    }
    return after;
  }

  /**
   * Answers a runtime request with its owning feature. A handler that throws a non-RPC error is
   * reported (`HANDLER_FAILED`) and answered with an RPC error, so the runtime never waits.
   */
  async answer(method: SessionRequestMethod, params: Record<string, unknown>, request: RequestHandlerContext): Promise<unknown> {
    const owner = REQUEST_OWNERS.get(method);
    if (!owner) throw new RpcError(RpcErrorCode.MethodNotFound, `No feature of this client answers ${method}.`);
    const { sessionId: _, ...rest } = params;
    try {
      return await owner.handler(new SessionFeatureContext(this, owner.feature), rest as never, request);
    } catch (error) {
      if (error instanceof RpcError) throw error;
      const what = owner.feature.name;
      const sessionId = this.host.sessionId;
      if (!(error instanceof Error && error.name === "AbortError")) {
        this.host.report(
          new SdkError("HANDLER_FAILED", `${what} for session ${sessionId} threw: ${errorMessage(error)}. The runtime got an error reply.`, {
            cause: error,
            details: { sessionId },
          }),
        );
      }
      throw new RpcError(RpcErrorCode.InternalError, `${what} failed on the client: ${errorMessage(error)}`);
    }
  }

  /** Runs every feature's post-open step (after create/resume answered); the features with nothing to do make no promise. */
  afterOpen(): Promise<void> {
    let steps: Promise<void>[] | undefined;
    try {
      for (const feature of AFTER_OPEN_FEATURES) {
        const step = feature.afterOpen!(new SessionFeatureContext(this, feature));
        if (step !== undefined) (steps ??= []).push(step);
      }
    } catch (error) {
      // As when every step was an async function: a step that throws rejects, after the others started.
      return Promise.reject(error);
    }
    if (steps === undefined) return DONE;
    return steps.length === 1 ? steps[0]! : Promise.all(steps).then(noop);
  }

  /** Fires the signal of every running handler of the session at once; their late answers are dropped. */
  cancelAll(reason: unknown): void {
    if (!this.#runs || this.#runs.size === 0) return;
    const runs = [...this.#runs.values()];
    this.#runs.clear();
    for (const controller of runs) controller.abort(reason);
  }

  /** Cancels the run under `key`, if any. */
  cancelRun(key: string, reason: unknown): void {
    const controller = this.#runs?.get(key);
    if (!controller) return;
    this.#runs!.delete(key);
    controller.abort(reason);
  }

  /** True the first time a broadcast request key is seen (a resume may replay events). */
  firstSight(key: string): boolean {
    const seen = (this.#seen ??= new Set());
    if (seen.has(key)) return false;
    seen.add(key);
    if (seen.size > MAX_REMEMBERED_REQUESTS) {
      const oldest = seen.values().next().value;
      if (oldest !== undefined) seen.delete(oldest);
    }
    return true;
  }

  /** Starts a handler run under `key`; see {@link FeatureContext.startRun}. */
  startRun(key: string, linked: AbortSignal | undefined): HandlerRun {
    const controller = new LazyAbortController();
    const runs = (this.#runs ??= new Map());
    runs.get(key)?.abort("a newer request under the same key replaced it");
    runs.set(key, controller);
    let onLinked: (() => void) | undefined;
    if (linked?.aborted) controller.abort(linked.reason);
    else if (linked) {
      onLinked = () => controller.abort(linked.reason);
      linked.addEventListener("abort", onLinked, { once: true });
    }
    if (this.host.closed) controller.abort(new SdkError("CONNECTION_CLOSED", `Session ${this.host.sessionId} is closed.`));
    return new Run(controller, runs, key, linked, onLinked);
  }
}

/** One handler run (a class, not an object literal with getters: one is made per tool call). */
class Run implements HandlerRun {
  readonly cancellation: LazyAbortController;
  readonly #runs: Map<string, LazyAbortController>;
  readonly #key: string;
  readonly #linked: AbortSignal | undefined;
  readonly #onLinked: (() => void) | undefined;

  constructor(
    controller: LazyAbortController,
    runs: Map<string, LazyAbortController>,
    key: string,
    linked: AbortSignal | undefined,
    onLinked: (() => void) | undefined,
  ) {
    this.cancellation = controller;
    this.#runs = runs;
    this.#key = key;
    this.#linked = linked;
    this.#onLinked = onLinked;
  }

  get signal(): AbortSignal {
    return this.cancellation.signal;
  }

  get cancelled(): boolean {
    return this.cancellation.aborted;
  }

  end(): void {
    if (this.#onLinked) this.#linked!.removeEventListener("abort", this.#onLinked);
    if (this.#runs.get(this.#key) === this.cancellation) this.#runs.delete(this.#key);
  }
}

/** One feature's view of its session, made when one of its handlers runs. */
class SessionFeatureContext implements FeatureContext<unknown, unknown> {
  readonly #runtime: FeatureRuntime;
  readonly #feature: AnyFeature;

  constructor(runtime: FeatureRuntime, feature: AnyFeature) {
    this.#runtime = runtime;
    this.#feature = feature;
  }

  get sessionId(): string {
    return this.#runtime.host.sessionId;
  }
  get options(): unknown {
    return this.#runtime.host.resolved.config;
  }
  get state(): unknown {
    return featureState(this.#runtime.host.resolved, this.#feature);
  }
  get mode(): CopilotClientMode {
    return this.#runtime.host.resolved.mode;
  }
  get rpc(): SessionRpc {
    return this.#runtime.host.rpc;
  }
  request(method: string, params: Record<string, unknown>): Promise<unknown> {
    return this.#runtime.host.request(method, params);
  }
  get closed(): boolean {
    return this.#runtime.host.closed;
  }
  report(error: unknown): void {
    this.#runtime.host.report(error);
  }
  firstSight(key: string): boolean {
    return this.#runtime.firstSight(key);
  }
  startRun(key: string, linked?: AbortSignal): HandlerRun {
    return this.#runtime.startRun(key, linked);
  }
  cancelRun(key: string, reason: unknown): void {
    this.#runtime.cancelRun(key, reason);
  }
}
