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

/** Whose events these are: the session id for messages, and where handler failures go. */
export interface EventHubOwner {
  readonly sessionId: string;
  report(error: unknown): void;
}

/**
 * One subscription. The same function may be subscribed twice; each subscription is its own
 * entry, so each unsubscribe removes one.
 */
interface Entry {
  readonly handler: Handler;
}

export class EventHub {
  // Made on first use: an idle session with one catch-all handler holds one small Set.
  private typed: Map<string, Set<Entry>> | undefined;
  private all: Set<Entry> | undefined;
  private queues: Set<AsyncQueue<AnySessionEvent>> | undefined;

  constructor(private readonly owner: EventHubOwner) {}

  on(type: string, handler: Handler): () => void {
    const typed = (this.typed ??= new Map());
    let set = typed.get(type);
    if (!set) {
      set = new Set();
      typed.set(type, set);
    }
    const entry: Entry = { handler };
    set.add(entry);
    return () => {
      set.delete(entry);
      if (set.size === 0 && typed.get(type) === set) typed.delete(type);
    };
  }

  onAny(handler: AnySessionEventHandler): () => void {
    const all = (this.all ??= new Set());
    const entry: Entry = { handler: handler as Handler };
    all.add(entry);
    return () => {
      all.delete(entry);
    };
  }

  /** Delivers to type handlers (known events only), then catch-all handlers, then streams. */
  emit(event: AnySessionEvent, known: boolean): void {
    if (known && this.typed) {
      const set = this.typed.get(event.type);
      if (set) for (const entry of [...set]) this.call(entry.handler, event, `"${event.type}" handler`);
    }
    if (this.all && this.all.size > 0) for (const entry of [...this.all]) this.call(entry.handler, event, "catch-all handler");
    if (this.queues) for (const queue of this.queues) queue.push(event);
  }

  /** Runs one user callback; a throw or rejection goes to `report` as `HANDLER_FAILED`. */
  call(handler: Handler, event: AnySessionEvent, what: string): void {
    try {
      const result = handler(event);
      if (isThenable(result)) {
        result.then(undefined, (cause: unknown) => this.owner.report(this.handlerFailed(what, event.type, cause)));
      }
    } catch (cause) {
      this.owner.report(this.handlerFailed(what, event.type, cause));
    }
  }

  stream(options: EventStreamOptions = {}): AsyncIterableIterator<AnySessionEvent> {
    const signal = options.signal;
    let onAbort: (() => void) | undefined;
    const queue = new AsyncQueue<AnySessionEvent>({
      maxBuffered: options.maxBuffered ?? DEFAULT_MAX_BUFFERED,
      label: `session ${this.owner.sessionId} events()`,
      onClose: () => {
        this.queues?.delete(queue);
        if (signal && onAbort) signal.removeEventListener("abort", onAbort);
      },
    });
    if (signal?.aborted) {
      queue.end();
      return queue;
    }
    (this.queues ??= new Set()).add(queue);
    if (signal) {
      onAbort = () => queue.end();
      signal.addEventListener("abort", onAbort, { once: true });
    }
    return queue;
  }

  /** Ends every stream (with `error`, if given, after their buffered events). Handlers stay. */
  endStreams(error?: unknown): void {
    if (this.queues) for (const queue of [...this.queues]) queue.end(error);
  }

  /** Drops every handler and ends every stream. */
  clear(error?: unknown): void {
    this.typed?.clear();
    this.all?.clear();
    this.endStreams(error);
  }

  private handlerFailed(what: string, type: string, cause: unknown): SdkError {
    const message = errorMessage(cause);
    const sessionId = this.owner.sessionId;
    return new SdkError(
      "HANDLER_FAILED",
      `A ${what} for "${type}" events on session ${sessionId} threw: ${message}. Other handlers still ran; fix the handler.`,
      { cause, details: { sessionId, eventType: type } },
    );
  }
}

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return typeof value === "object" && value !== null && typeof (value as { then?: unknown }).then === "function";
}
