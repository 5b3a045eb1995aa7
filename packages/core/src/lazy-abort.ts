/**
 * Cancellation without an `AbortSignal` until someone asks for one. Creating an
 * `AbortController` and reading its `signal` (an `EventTarget`) costs microseconds; the session
 * starts one run per tool call, permission request or hook, and most handlers never look at
 * their signal. A {@link LazyAbortController} behaves like an `AbortController` (same reason,
 * `abort` fires once, a signal read after the abort is already aborted) but builds the real one
 * only on the first read of `signal`.
 */

/** What a callee needs to honour a cancellation: the state, a listener, and the signal on demand. */
export interface Cancellation {
  readonly aborted: boolean;
  /** The abort reason (`undefined` while not aborted). */
  readonly reason: unknown;
  /** The `AbortSignal` for this cancellation; built on first read. */
  readonly signal: AbortSignal;
  /**
   * Calls `listener` once, when aborted. Like `addEventListener("abort", …)`, nothing is called
   * for a cancellation already aborted. Returns the function that removes the listener.
   */
  onAbort(listener: (reason: unknown) => void): () => void;
}

export class LazyAbortController implements Cancellation {
  #controller: AbortController | undefined;
  #aborted = false;
  #reason: unknown;
  #listeners: Array<(reason: unknown) => void> | undefined;

  get aborted(): boolean {
    return this.#aborted;
  }

  get reason(): unknown {
    return this.#reason;
  }

  get signal(): AbortSignal {
    if (this.#controller === undefined) {
      this.#controller = new AbortController();
      if (this.#aborted) this.#controller.abort(this.#reason);
    }
    return this.#controller.signal;
  }

  onAbort(listener: (reason: unknown) => void): () => void {
    if (this.#aborted) return noop;
    this.#listeners ??= [];
    this.#listeners.push(listener);
    return () => {
      const at = this.#listeners?.indexOf(listener) ?? -1;
      if (at >= 0) this.#listeners!.splice(at, 1);
    };
  }

  /** Aborts once; later calls do nothing. Without a reason, the reason is an `AbortError` `DOMException`, as for `AbortController`. */
  abort(reason?: unknown): void {
    if (this.#aborted) return;
    this.#aborted = true;
    this.#reason = reason === undefined ? new DOMException("This operation was aborted", "AbortError") : reason;
    // The signal's own listeners first, then ours, as for a listener added to the signal after the handler's.
    this.#controller?.abort(this.#reason);
    const listeners = this.#listeners;
    this.#listeners = undefined;
    if (listeners) for (const listener of listeners) listener(this.#reason);
  }
}

/** A {@link Cancellation} view of an existing `AbortSignal`. */
export function cancellationOf(signal: AbortSignal): Cancellation {
  return {
    get aborted() {
      return signal.aborted;
    },
    get reason() {
      return signal.reason;
    },
    signal,
    onAbort(listener) {
      const onAbort = () => listener(signal.reason);
      signal.addEventListener("abort", onAbort, { once: true });
      return () => signal.removeEventListener("abort", onAbort);
    },
  };
}

function noop(): void {}
