/**
 * The waiting of `sendAndWait`: send one prompt, follow the turn's events until `session.idle`,
 * and settle exactly once on the answer, a `session.error`, a timeout, an abort or a lost
 * connection, leaving no timer or listener behind.
 */
import { SdkError } from "@flightdeck/copilot-core";
import type { SessionEventOf } from "./bindings.js";
import { turnTimeout, type MessageOptions, type WaitLimits } from "./message-options.js";
import { SessionError } from "./session-error.js";
import type { AnySessionEvent } from "./session-events.js";

/** Follows a session's events while a call waits on them (`sendAndWait`, `textStream`). */
export interface TurnWaiter {
  /** Sees every event first, before handlers. */
  onEvent(event: AnySessionEvent): void;
  /** The wait must end: the connection went away, the session closed, or the runtime restarted. */
  fail(reason: unknown): void;
}

/** What the waiting needs from its session. */
export interface TurnHost {
  readonly sessionId: string;
  addWaiter(waiter: TurnWaiter): void;
  removeWaiter(waiter: TurnWaiter): void;
  send(params: MessageOptions): Promise<unknown>;
  /** Aborts the turn on the runtime (the caller gave up on it); failures are reported, not thrown. */
  abortTurn(): void;
}

type Reply = SessionEventOf<"assistant.message"> | undefined;

export function abortedError(sessionId: string, reason: unknown): SdkError {
  return new SdkError("ABORTED", `sendAndWait on session ${sessionId} was aborted by its signal; the turn was aborted too.`, {
    cause: reason,
    details: { sessionId },
  });
}

/** Sends `params` and resolves with the turn's last main-agent `assistant.message`. */
export function sendAndWaitForIdle(host: TurnHost, params: MessageOptions, limits: WaitLimits): Promise<Reply> {
  const { timeoutMs, idleTimeoutMs, signal } = limits;
  const sessionId = host.sessionId;
  if (signal?.aborted) return Promise.reject(abortedError(sessionId, signal.reason));
  return new Promise<Reply>((resolve, reject) => {
    let last: Reply;
    let done = false;
    let idleTimer: ReturnType<typeof setTimeout> | undefined;
    const finish = (error: unknown, value?: Reply) => {
      if (done) return;
      done = true;
      clearTimeout(totalTimer);
      clearTimeout(idleTimer);
      signal?.removeEventListener("abort", onAbort);
      host.removeWaiter(waiter);
      if (error !== undefined) reject(error);
      else resolve(value);
    };
    const armIdle = () => {
      if (idleTimeoutMs === undefined) return;
      clearTimeout(idleTimer);
      idleTimer = setTimeout(() => {
        const message = `sendAndWait: session ${sessionId} sent no event for ${idleTimeoutMs} ms; the turn looks stalled. It may still be running: call abort() to stop it, or raise idleTimeoutMs.`;
        finish(new SdkError("TIMEOUT", message, { details: { sessionId, idleTimeoutMs } }));
      }, idleTimeoutMs);
    };
    const onAbort = () => {
      finish(abortedError(sessionId, signal?.reason));
      host.abortTurn();
    };
    const waiter: TurnWaiter = {
      onEvent: (event) => {
        armIdle();
        if (event.agentId !== undefined) return; // sub-agent traffic is part of the turn, not its answer
        if (event.type === "assistant.message") last = event as SessionEventOf<"assistant.message">;
        else if (event.type === "session.error") finish(new SessionError(sessionId, event as SessionEventOf<"session.error">));
        else if (event.type === "session.idle") {
          const data = (event as SessionEventOf<"session.idle">).data;
          if (data.mode === "autopilot") return; // an autopilot continuation boundary: the agent keeps working
          if (data.aborted)
            finish(
              new SdkError("ABORTED", `sendAndWait: the turn on session ${sessionId} was aborted (abort() was called, here or by another client).`, {
                details: { sessionId },
              }),
            );
          else finish(undefined, last);
        }
      },
      fail: (reason) => finish(reason),
    };
    // Listen before sending: the runtime may emit the whole turn before `session.send` answers.
    host.addWaiter(waiter);
    signal?.addEventListener("abort", onAbort, { once: true });
    const totalTimer = timeoutMs === undefined ? undefined : setTimeout(() => finish(turnTimeout(sessionId, timeoutMs)), timeoutMs);
    armIdle();
    host.send(params).then(undefined, (error: unknown) => finish(error));
  });
}
