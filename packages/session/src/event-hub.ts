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
 * One subscription: the handler itself, or, when the same function is already in the list, a
 * wrapper around it, so each subscription is its own entry and each unsubscribe removes one.
 * The usual case (each handler once) keeps no object per subscription.
 */
type Entry = Handler | { readonly handler: Handler };

const handlerOf = (entry: Entry): Handler => (typeof entry === "function" ? entry : entry.handler);

/** The subscription lists are never changed in place (a change makes a new list), so emit needs no copy. */
const NONE: readonly Entry[] = [];

export class EventHub {
  // An idle session with one catch-all handler holds a one-element array here and nothing else.
  private typed: Map<string, readonly Entry[]> | undefined;
  private all: readonly Entry[] = NONE;
  private queues: Set<AsyncQueue<AnySessionEvent>> | undefined;
  /** Bumped by clear(): an unsubscribe from before it has nothing left to remove. */
  private generation = 0;

  constructor(private readonly owner: EventHubOwner) {}

  on(type: string, handler: Handler): () => void {
    const typed = (this.typed ??= new Map());
    const list = typed.get(type) ?? NONE;
    const entry = entryFor(list, handler);
    typed.set(type, append(list, entry));
    const generation = this.generation;
    let subscribed = true;
    return () => {
      // Once only, and not after clear(): the same function may be in the list again by then.
      if (!subscribed || generation !== this.generation) return;
      subscribed = false;
      const list = this.typed?.get(type);
      if (!list?.includes(entry)) return;
      const rest = without(list, entry);
      if (rest.length === 0) this.typed!.delete(type);
      else this.typed!.set(type, rest);
    };
  }

  onAny(handler: AnySessionEventHandler): () => void {
    const entry = entryFor(this.all, handler as Handler);
    this.all = append(this.all, entry);
    const generation = this.generation;
    let subscribed = true;
    return () => {
      if (!subscribed || generation !== this.generation) return;
      subscribed = false;
      if (this.all.includes(entry)) this.all = without(this.all, entry);
    };
  }

  /** Delivers to type handlers (known events only), then catch-all handlers, then streams. */
  emit(event: AnySessionEvent, known: boolean): void {
    if (known && this.typed) {
      const list = this.typed.get(event.type);
      if (list) for (const entry of list) this.call(handlerOf(entry), event, `"${event.type}" handler`);
    }
    for (const entry of this.all) this.call(handlerOf(entry), event, "catch-all handler");
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
    this.generation++;
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

/** The handler itself, or a wrapper when the function is already in `list` (so the two subscriptions stay apart). */
function entryFor(list: readonly Entry[], handler: Handler): Entry {
  return list.includes(handler) ? { handler } : handler;
}

/** A new list without `entry` (its one occurrence: entries in a list are distinct). */
function without(list: readonly Entry[], entry: Entry): readonly Entry[] {
  return list.filter((e) => e !== entry);
}

/** A new list with `entry` last (a one-element list is allocated at its exact size). */
function append(list: readonly Entry[], entry: Entry): readonly Entry[] {
  return list.length === 0 ? [entry] : [...list, entry];
}

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return typeof value === "object" && value !== null && typeof (value as { then?: unknown }).then === "function";
}
