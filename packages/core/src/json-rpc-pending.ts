/**
 * The requests a {@link JsonRpcConnection} sent and awaits: each with its deadline and abort
 * listener, released the moment it settles; and the ids of calls given up on (timeout, abort), so
 * their late answers are dropped without a report.
 */
import { SdkError } from "./errors.js";
import type { JsonRpcId } from "./json-rpc-message.js";
import { abortedError } from "./json-rpc-helpers.js";

export interface PendingRequest {
  readonly method: string;
  readonly resolve: (value: unknown) => void;
  readonly reject: (error: Error) => void;
  timer: ReturnType<typeof setTimeout> | undefined;
  readonly signal: AbortSignal | undefined;
  onAbort: (() => void) | undefined;
}

// setTimeout fires at once for delays above 2^31-1 ms; treat those as "no timeout".
const MAX_TIMER_MS = 2_147_483_647;
// Ids of calls given up on (timeout/abort), so their late responses are dropped silently.
const MAX_ABANDONED_IDS = 10_000;

export class PendingRequests {
  readonly #pending = new Map<JsonRpcId, PendingRequest>();
  readonly #abandoned = new Set<JsonRpcId>();

  get size(): number {
    return this.#pending.size;
  }

  /**
   * Registers a request about to be sent, with its abort listener; its deadline is set by
   * {@link arm} once the request is written.
   */
  add(id: JsonRpcId, entry: PendingRequest): void {
    this.#pending.set(id, entry);
    const signal = entry.signal;
    if (signal) {
      entry.onAbort = () => this.abandon(id, abortedError(entry.method, signal));
      signal.addEventListener("abort", entry.onAbort, { once: true });
    }
  }

  /**
   * Starts a written request's deadline, if it is still pending: `timeoutMs` (when positive and
   * settable) rejects it with `TIMEOUT`; `unrefTimer` keeps that timer from holding the process
   * open (the connection-wide default). Set after the write, so that the timer's cost is not
   * paid before the request leaves.
   */
  arm(id: JsonRpcId, entry: PendingRequest, timeoutMs: number | undefined, unrefTimer: boolean): void {
    if (this.#pending.get(id) !== entry) return;
    const method = entry.method;
    if (timeoutMs !== undefined && timeoutMs > 0 && timeoutMs <= MAX_TIMER_MS) {
      entry.timer = setTimeout(() => {
        this.abandon(
          id,
          new SdkError(
            "TIMEOUT",
            `${method}: no response within ${timeoutMs} ms. The runtime may be busy or stuck; raise timeoutMs, or pass an AbortSignal to cancel on your own terms.`,
            { details: { method, timeoutMs } },
          ),
        );
      }, timeoutMs);
      if (unrefTimer) (entry.timer as { unref?: () => void }).unref?.();
    }
  }

  /** Removes a pending request and releases its timer and abort listener. */
  settle(id: JsonRpcId): PendingRequest | undefined {
    const entry = this.#pending.get(id);
    if (!entry) return undefined;
    this.#pending.delete(id);
    if (entry.timer !== undefined) clearTimeout(entry.timer);
    if (entry.signal && entry.onAbort) entry.signal.removeEventListener("abort", entry.onAbort);
    return entry;
  }

  /** Gives up on a request (timeout/abort); its late response will be dropped silently. */
  abandon(id: JsonRpcId, error: SdkError): void {
    const entry = this.settle(id);
    if (!entry) return;
    this.#abandoned.add(id);
    if (this.#abandoned.size > MAX_ABANDONED_IDS) {
      const oldest = this.#abandoned.values().next().value;
      if (oldest !== undefined) this.#abandoned.delete(oldest);
    }
    entry.reject(error);
  }

  /** True (once) for the id of a call given up on: its late answer is to be dropped. */
  forgetAbandoned(id: JsonRpcId): boolean {
    return this.#abandoned.delete(id);
  }

  /** Settles every pending request with the error `errorFor` gives for its method; forgets abandoned ids. */
  rejectAll(errorFor: (method: string) => Error): void {
    for (const id of [...this.#pending.keys()]) {
      const entry = this.settle(id);
      entry?.reject(errorFor(entry.method));
    }
    this.#abandoned.clear();
  }
}
