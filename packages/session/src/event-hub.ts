/**
 * Fan-out of one session's events to its handlers and streams. A handler that throws or rejects
 * is reported (never swallowed) and never stops the others.
 */
import { SdkError } from "@flightdeck/copilot-core";
import { AsyncQueue } from "./async-queue.js";
import { errorMessage } from "./option-checks.js";
import type { AnySessionEvent, AnySessionEventHandler } from "./session-events.js";

type Handler = (event: AnySessionEvent) => unknown;

/** Options of `session.events()`. */
export interface EventStreamOptions {
  /** Ends the iteration (normally, without an error) when aborted. */
  signal?: AbortSignal;
  /** Events held for a slow consumer (default 10 000); past it the loop throws. */
  maxBuffered?: number;
}

export const DEFAULT_MAX_BUFFERED = 10_000;

export class EventHub {
  private readonly typed = new Map<string, Set<Handler>>();
  private readonly all = new Set<Handler>();
  private readonly queues = new Set<AsyncQueue<AnySessionEvent>>();

  constructor(
    private readonly sessionId: string,
    private readonly report: (error: unknown) => void,
  ) {}

  on(type: string, handler: Handler): () => void {
    let set = this.typed.get(type);
    if (!set) {
      set = new Set();
      this.typed.set(type, set);
    }
    // Wrap so the same function can be subscribed twice and each unsubscribe removes one.
    const entry: Handler = (event) => handler(event);
    set.add(entry);
    return () => {
      set.delete(entry);
      if (set.size === 0 && this.typed.get(type) === set) this.typed.delete(type);
    };
  }

  onAny(handler: AnySessionEventHandler): () => void {
    const entry: Handler = (event) => handler(event);
    this.all.add(entry);
    return () => {
      this.all.delete(entry);
    };
  }

  /** Delivers to type handlers (known events only), then catch-all handlers, then streams. */
  emit(event: AnySessionEvent, known: boolean): void {
    if (known) {
      const set = this.typed.get(event.type);
      if (set) for (const handler of [...set]) this.call(handler, event, `"${event.type}" handler`);
    }
    for (const handler of [...this.all]) this.call(handler, event, "catch-all handler");
    for (const queue of this.queues) queue.push(event);
  }

  /** Runs one user callback; a throw or rejection goes to `report` as `HANDLER_FAILED`. */
  call(handler: Handler, event: AnySessionEvent, what: string): void {
    try {
      const result = handler(event);
      if (isThenable(result)) {
        result.then(undefined, (cause: unknown) => this.report(this.handlerFailed(what, event.type, cause)));
      }
    } catch (cause) {
      this.report(this.handlerFailed(what, event.type, cause));
    }
  }

  stream(options: EventStreamOptions = {}): AsyncIterableIterator<AnySessionEvent> {
    const signal = options.signal;
    let onAbort: (() => void) | undefined;
    const queue = new AsyncQueue<AnySessionEvent>({
      maxBuffered: options.maxBuffered ?? DEFAULT_MAX_BUFFERED,
      label: `session ${this.sessionId} events()`,
      onClose: () => {
        this.queues.delete(queue);
        if (signal && onAbort) signal.removeEventListener("abort", onAbort);
      },
    });
    if (signal?.aborted) {
      queue.end();
      return queue;
    }
    this.queues.add(queue);
    if (signal) {
      onAbort = () => queue.end();
      signal.addEventListener("abort", onAbort, { once: true });
    }
    return queue;
  }

  /** Ends every stream (with `error`, if given, after their buffered events). Handlers stay. */
  endStreams(error?: unknown): void {
    for (const queue of [...this.queues]) queue.end(error);
  }

  /** Drops every handler and ends every stream. */
  clear(error?: unknown): void {
    this.typed.clear();
    this.all.clear();
    this.endStreams(error);
  }

  private handlerFailed(what: string, type: string, cause: unknown): SdkError {
    const message = errorMessage(cause);
    return new SdkError(
      "HANDLER_FAILED",
      `A ${what} for "${type}" events on session ${this.sessionId} threw: ${message}. Other handlers still ran; fix the handler.`,
      { cause, details: { sessionId: this.sessionId, eventType: type } },
    );
  }
}

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return typeof value === "object" && value !== null && typeof (value as { then?: unknown }).then === "function";
}
