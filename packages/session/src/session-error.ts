/**
 * The session's errors: `SessionError` (a `session.error` event turned into an error, so
 * `sendAndWait` can reject with the runtime's own message) and `SessionSetupError` (a part of the
 * configuration failed on the runtime side).
 */
import { FlightdeckError } from "@flightdeck/copilot-core";
import type { SessionEventOf } from "./bindings.js";

/** The runtime reported a `session.error` during a turn (auth, quota, rate limit, provider failure…). */
export class SessionError extends FlightdeckError {
  static override readonly errorClass: string = "SessionError";
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

/**
 * A part of the session's configuration failed on the runtime side: an MCP server that did not
 * start, a skill directory that could not be read, … `source` names the option and `entry` the
 * failing entry (server name, directory), so a user can find what to fix.
 */
export class SessionSetupError extends FlightdeckError {
  static override readonly errorClass: string = "SessionSetupError";
  /** The session reporting it. */
  readonly sessionId: string;
  /** The option the failing entry came from (`mcpServers`, `skillDirectories`, …). */
  readonly source: string;
  /** The failing entry: an MCP server name, a directory, … */
  readonly entry: string;

  constructor(sessionId: string, source: string, entry: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.sessionId = sessionId;
    this.source = source;
    this.entry = entry;
  }
}
