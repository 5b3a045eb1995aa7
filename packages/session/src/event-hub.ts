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

/** The subscription lists are never changed in place (a change makes a new list), so emit needs no copy. */
const NONE: readonly Entry[] = [];

export class EventHub {
  // An idle session with one catch-all handler holds a one-element array here and nothing else.
  private typed: Map<string, readonly Entry[]> | undefined;
  private all: readonly Entry[] = NONE;
  private queues: Set<AsyncQueue<AnySessionEvent>> | undefined;

  constructor(private readonly owner: EventHubOwner) {}

  on(type: string, handler: Handler): () => void {
    const typed = (this.typed ??= new Map());
    const entry: Entry = { handler };
    typed.set(type, append(typed.get(type) ?? NONE, entry));
    return () => {
      // After clear() the map no longer holds the entry: nothing to do.
      const list = this.typed?.get(type);
      if (!list?.includes(entry)) return;
      const rest = list.filter((e) => e !== entry);
      if (rest.length === 0) this.typed!.delete(type);
      else this.typed!.set(type, rest);
    };
  }

  onAny(handler: AnySessionEventHandler): () => void {
    const entry: Entry = { handler: handler as Handler };
    this.all = append(this.all, entry);
    return () => {
      if (this.all.includes(entry)) this.all = this.all.filter((e) => e !== entry);
    };
  }

  /** Delivers to type handlers (known events only), then catch-all handlers, then streams. */
  emit(event: AnySessionEvent, known: boolean): void {
    if (known && this.typed) {
      const list = this.typed.get(event.type);
      if (list) for (const entry of list) this.call(entry.handler, event, `"${event.type}" handler`);
    }
    for (const entry of this.all) this.call(entry.handler, event, "catch-all handler");
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
    this.typed = undefined;
    this.all = NONE;
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

/** A new list with `entry` last (a one-element list is allocated at its exact size). */
function append(list: readonly Entry[], entry: Entry): readonly Entry[] {
  return list.length === 0 ? [entry] : [...list, entry];
}

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return typeof value === "object" && value !== null && typeof (value as { then?: unknown }).then === "function";
}
