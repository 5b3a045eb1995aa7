/**
 * `session.textStream()`: the assistant's text of the next turn as an async iterator, from
 * `assistant.message_delta` chunks (or whole messages without streaming), ending at `session.idle`.
 */
import type { SessionEventOf } from "./bindings.js";
import { AsyncQueue } from "./async-queue.js";
import { DEFAULT_MAX_BUFFERED } from "./event-hub.js";
import type { TurnHost, TurnWaiter } from "./send-and-wait.js";
import { SessionError } from "./session-error.js";

/** Options of `textStream`. */
export interface TextStreamOptions {
  /** Ends the stream (normally) when aborted. */
  signal?: AbortSignal;
}

export function createTextStream(host: Pick<TurnHost, "sessionId" | "addWaiter" | "removeWaiter">, options: TextStreamOptions): AsyncIterableIterator<string> {
  const signal = options.signal;
  const streamed = new Set<string>();
  let onAbort: (() => void) | undefined;
  const waiter: TurnWaiter = {
    onEvent: (event) => {
      if (event.agentId !== undefined) return;
      if (event.type === "assistant.message_delta") {
        const data = (event as SessionEventOf<"assistant.message_delta">).data;
        streamed.add(data.messageId);
        if (data.deltaContent) queue.push(data.deltaContent);
      } else if (event.type === "assistant.message") {
        const data = (event as SessionEventOf<"assistant.message">).data;
        if (!streamed.has(data.messageId) && data.content) queue.push(data.content);
      } else if (event.type === "session.error") {
        queue.end(new SessionError(host.sessionId, event as SessionEventOf<"session.error">));
      } else if (event.type === "session.idle" && (event as SessionEventOf<"session.idle">).data.mode !== "autopilot") {
        queue.end();
      }
    },
    fail: (reason) => queue.end(reason),
  };
  const queue = new AsyncQueue<string>({
    maxBuffered: DEFAULT_MAX_BUFFERED,
    label: `session ${host.sessionId} textStream()`,
    onClose: () => {
      host.removeWaiter(waiter);
      if (signal && onAbort) signal.removeEventListener("abort", onAbort);
    },
  });
  if (signal?.aborted) {
    queue.end();
    return queue;
  }
  host.addWaiter(waiter);
  if (signal) {
    onAbort = () => queue.end();
    signal.addEventListener("abort", onAbort, { once: true });
  }
  return queue;
}
