/**
 * What the handlers of the wider runtime surface (MCP OAuth, elicitations, slash commands,
 * provider tokens) need from their session. Kept apart so each of those files stays independent
 * of `CopilotSession`'s internals.
 */
import { FlightdeckError } from "@flightdeck/copilot-core";
import type { SessionRpc } from "./bindings.js";
import type { SessionMode } from "./empty-mode.js";
import type { SessionConfig } from "./session-config.js";

/** @internal */
export interface SurfaceContext {
  readonly sessionId: string;
  readonly config: SessionConfig;
  /** The host's mode ("empty" adds post-create option updates). */
  readonly mode: SessionMode;
  /** The session's typed RPC (sessionId filled in). */
  readonly rpc: SessionRpc;
  /** True once the session is closed: answers are no longer sent. */
  readonly closed: boolean;
  /** Sends a problem to the session's `onError`. */
  report(error: unknown): void;
  /** True the first time a broadcast request key is seen (a resume may replay events). */
  firstSight(key: string): boolean;
}

/** Message of any thrown value. */
export function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
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
