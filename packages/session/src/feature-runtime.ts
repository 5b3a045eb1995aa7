/**
 * The features of one session at run time: a context per feature, events dispatched to the
 * features watching them, runtime requests answered by their owner, and the runs of user
 * handlers, each with a signal that fires when its request is cancelled, the turn is aborted or
 * the session closes (a cancelled run's late answer is dropped).
 */
import { RpcError, RpcErrorCode, SdkError, type RequestHandlerContext } from "@flightdeck/copilot-core";
import { LazyAbortController } from "@flightdeck/copilot-core/internal";
import type { SessionEvent, SessionRequestMethod, SessionRpc } from "./bindings.js";
import type { FeatureContext, HandlerRun } from "./feature.js";
import { EVENT_WATCHERS, FEATURES, REQUEST_OWNERS, type AnyFeature } from "./features.js";
import { errorMessage } from "./option-checks.js";
import type { ResolvedSessionConfig } from "./session-config.js";

/** What the features need from their session. */
export interface FeatureHost {
  readonly sessionId: string;
  /** The current config (a resume on the same client may replace it). */
  readonly resolved: ResolvedSessionConfig;
  readonly rpc: SessionRpc;
  readonly closed: boolean;
  report(error: unknown): void;
}

const MAX_REMEMBERED_REQUESTS = 1_000;

export class FeatureRuntime {
  readonly #host: FeatureHost;
  readonly #contexts = new Map<AnyFeature, FeatureContext<unknown, unknown>>();
  readonly #seen = new Set<string>();
  /** Lazy: most handlers never read their signal, and a real AbortSignal costs microseconds per run. */
  readonly #runs = new Map<string, LazyAbortController>();

  constructor(host: FeatureHost) {
    this.#host = host;
  }

  /** Runs the features watching this event's type. A watcher that throws is reported; the others still run. */
  dispatch(event: SessionEvent): void {
    const watchers = EVENT_WATCHERS.get(event.type);
    if (!watchers) return;
    for (const { feature, handler } of watchers) {
      try {
        handler(this.#context(feature), event as never);
      } catch (error) {
        this.#host.report(error);
      }
    }
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
      return await owner.handler(this.#context(owner.feature), rest as never, request);
    } catch (error) {
      if (error instanceof RpcError) throw error;
      const what = owner.feature.name;
      const sessionId = this.#host.sessionId;
      if (!(error instanceof Error && error.name === "AbortError")) {
        this.#host.report(
          new SdkError("HANDLER_FAILED", `${what} for session ${sessionId} threw: ${errorMessage(error)}. The runtime got an error reply.`, {
            cause: error,
            details: { sessionId },
          }),
        );
      }
      throw new RpcError(RpcErrorCode.InternalError, `${what} failed on the client: ${errorMessage(error)}`);
    }
  }

  /** Runs every feature's post-open step (after create/resume answered). */
  async afterOpen(): Promise<void> {
    await Promise.all(FEATURES.map((feature) => feature.afterOpen?.(this.#context(feature))));
  }

  /** Fires the signal of every running handler of the session at once; their late answers are dropped. */
  cancelAll(reason: unknown): void {
    const runs = [...this.#runs.values()];
    this.#runs.clear();
    for (const controller of runs) controller.abort(reason);
  }

  #context(feature: AnyFeature): FeatureContext<unknown, unknown> {
    let context = this.#contexts.get(feature);
    if (context) return context;
    const host = this.#host;
    context = {
      sessionId: host.sessionId,
      get options() {
        return host.resolved.config;
      },
      get state() {
        return host.resolved.states.get(feature);
      },
      get mode() {
        return host.resolved.mode;
      },
      get rpc() {
        return host.rpc;
      },
      get closed() {
        return host.closed;
      },
      report: (error) => host.report(error),
      firstSight: (key) => this.#firstSight(key),
      startRun: (key, linked) => this.#startRun(key, linked),
      cancelRun: (key, reason) => {
        const controller = this.#runs.get(key);
        if (!controller) return;
        this.#runs.delete(key);
        controller.abort(reason);
      },
    };
    this.#contexts.set(feature, context);
    return context;
  }

  /** True the first time a broadcast request key is seen (a resume may replay events). */
  #firstSight(key: string): boolean {
    if (this.#seen.has(key)) return false;
    this.#seen.add(key);
    if (this.#seen.size > MAX_REMEMBERED_REQUESTS) {
      const oldest = this.#seen.values().next().value;
      if (oldest !== undefined) this.#seen.delete(oldest);
    }
    return true;
  }

  #startRun(key: string, linked: AbortSignal | undefined): HandlerRun {
    const controller = new LazyAbortController();
    this.#runs.get(key)?.abort("a newer request under the same key replaced it");
    this.#runs.set(key, controller);
    const onLinked = () => controller.abort(linked?.reason);
    if (linked?.aborted) controller.abort(linked.reason);
    else linked?.addEventListener("abort", onLinked, { once: true });
    if (this.#host.closed) controller.abort(new SdkError("CONNECTION_CLOSED", `Session ${this.#host.sessionId} is closed.`));
    return {
      get signal() {
        return controller.signal;
      },
      cancellation: controller,
      get cancelled() {
        return controller.aborted;
      },
      end: () => {
        linked?.removeEventListener("abort", onLinked);
        if (this.#runs.get(key) === controller) this.#runs.delete(key);
      },
    };
  }
}
