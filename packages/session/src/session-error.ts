/**
 * `SessionError`: a `session.error` event turned into an error, so `sendAndWait` can reject with
 * the runtime's own message and details.
 */
import { FlightdeckError } from "@flightdeck/copilot-core";
import type { SessionEventOf } from "./session-events.js";

/** The runtime reported a `session.error` during a turn (auth, quota, rate limit, provider failure…). */
export class SessionError extends FlightdeckError {
  /** The session the error belongs to. */
  readonly sessionId: string;
  /** Category from the runtime (`authentication`, `quota`, `rate_limit`, `context_limit`, `query`, …). */
  readonly errorType: string;
  /** Fine-grained code from the upstream provider, when known. */
  readonly errorCode: string | undefined;
  /** HTTP status of the upstream request, when there was one. */
  readonly statusCode: number | undefined;
  /** The event itself. */
  readonly event: SessionEventOf<"session.error">;

  constructor(sessionId: string, event: SessionEventOf<"session.error">) {
    const data = event.data;
    const status = data.statusCode === undefined ? "" : ` (HTTP ${data.statusCode})`;
    super(`Session ${sessionId} reported ${data.errorType} error${status}: ${data.message}`);
    this.sessionId = sessionId;
    this.errorType = data.errorType;
    this.errorCode = data.errorCode;
    this.statusCode = data.statusCode;
    this.event = event;
  }
}
