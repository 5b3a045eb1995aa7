/**
 * A push-based async iterable with a bounded buffer: the producer pushes, one consumer pulls with
 * `for await`. Backs `session.events()` and `session.textStream()`.
 */
import { SdkError } from "@flightdeck/copilot-core";

export interface AsyncQueueOptions {
  /** Items held for a slow consumer; one more fails the stream (the consumer gets the error). */
  maxBuffered: number;
  /** Called once when the consumer stops (break, return, abort, end): unsubscribe here. */
  onClose: () => void;
  /** Name used in the overflow error. */
  label: string;
}

type Waiter<T> = { resolve: (r: IteratorResult<T>) => void; reject: (e: unknown) => void };

export class AsyncQueue<T> implements AsyncIterableIterator<T> {
  private readonly buffer: T[] = [];
  private waiter: Waiter<T> | undefined;
  private ended = false;
  private failure: unknown;
  private closed = false;

  constructor(private readonly options: AsyncQueueOptions) {}

  /** Adds an item; ignored once ended. Fails the stream if the consumer fell too far behind. */
  push(item: T): void {
    if (this.ended) return;
    if (this.waiter) {
      const w = this.waiter;
      this.waiter = undefined;
      w.resolve({ value: item, done: false });
      return;
    }
    if (this.buffer.length >= this.options.maxBuffered) {
      this.end(
        new SdkError(
          "HANDLER_FAILED",
          `${this.options.label}: the consumer fell ${this.options.maxBuffered} items behind, so the stream was stopped. Consume faster or raise maxBuffered.`,
          { details: { maxBuffered: this.options.maxBuffered } },
        ),
      );
      return;
    }
    this.buffer.push(item);
  }

  /** Ends the stream after the buffered items; with `error`, the consumer gets it after them. */
  end(error?: unknown): void {
    if (this.ended) return;
    this.ended = true;
    this.failure = error;
    if (this.waiter && this.buffer.length === 0) {
      const w = this.waiter;
      this.waiter = undefined;
      this.settleEnd(w);
    }
  }

  next(): Promise<IteratorResult<T>> {
    if (this.buffer.length > 0) return Promise.resolve({ value: this.buffer.shift() as T, done: false });
    if (this.ended) {
      return new Promise((resolve, reject) => this.settleEnd({ resolve, reject }));
    }
    if (this.waiter)
      return Promise.reject(
        new SdkError(
          "INVALID_OPTION",
          `${this.options.label}: next() called again before the previous call settled; consume the stream with one for-await loop.`,
        ),
      );
    return new Promise((resolve, reject) => {
      this.waiter = { resolve, reject };
    });
  }

  return(): Promise<IteratorResult<T>> {
    this.buffer.length = 0;
    this.failure = undefined;
    this.end();
    this.close();
    return Promise.resolve({ value: undefined, done: true });
  }

  [Symbol.asyncIterator](): AsyncIterableIterator<T> {
    return this;
  }

  private settleEnd(w: Waiter<T>): void {
    this.close();
    const failure = this.failure;
    if (failure !== undefined) {
      this.failure = undefined;
      w.reject(failure);
    } else {
      w.resolve({ value: undefined, done: true });
    }
  }

  private close(): void {
    if (this.closed) return;
    this.closed = true;
    this.options.onClose();
  }
}
