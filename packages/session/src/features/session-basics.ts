/**
 * The options every session has: its id, model, streaming, working directory, and where its
 * events and problems go (`onEvent`, `onError`).
 */
import type { AnySessionEventHandler } from "../session-events.js";
import { defineFeature } from "../feature.js";
import { checkBoolean, checkFunction, describe } from "../option-checks.js";

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export interface SessionBasicsOptions {
  /**
   * The id of the new session (`createSession` only); the runtime requires a UUID. Default: a
   * random UUID made by this client. To open an existing session, use `resumeSession(id)`.
   */
  sessionId?: string;
  /** Model id (with a BYOK `provider`, any name the provider accepts; required then). */
  model?: string;
  /** Reasoning effort for models that support it (`low`, `medium`, `high`, …). */
  reasoningEffort?: string;
  /**
   * Emit `assistant.message_delta` (and other delta) events while the model answers. Needed for
   * `textStream()`. Sub-agents' deltas come too (`includeSubAgentStreamingEvents` defaults to
   * `true` with streaming on, as in the incumbent SDK; set it to `false` for the main agent's only).
   */
  streaming?: boolean;
  /** Working directory of the session: tools resolve relative paths against it. */
  workingDirectory?: string;
  /** Sees every event, including those emitted before `createSession` returns. */
  onEvent?: AnySessionEventHandler;
  /**
   * Receives problems of this session that no call returns: a handler that threw, an event that
   * failed validation, a tool or hook that failed. Defaults to the client's `onError`.
   */
  onError?: (error: unknown) => void;
}

export const sessionBasicsFeature = defineFeature<SessionBasicsOptions>()({
  name: "session",
  keys: ["sessionId", "model", "reasoningEffort", "streaming", "workingDirectory", "onEvent", "onError"],
  lower(options, wire, { fail, method }) {
    const id = options.sessionId as unknown;
    if (id !== undefined) {
      if (method === "resumeSession")
        fail("sessionId", "is the first argument of resumeSession(sessionId, config), not a config option; remove it from the config.");
      if (typeof id !== "string" || !UUID.test(id)) {
        fail(
          "sessionId",
          `must be a UUID such as "${globalThis.crypto.randomUUID()}" (the runtime accepts no other ids), got ${describe(id)}. Omit it to get a random one.`,
        );
      }
    }
    for (const key of ["model", "reasoningEffort", "workingDirectory"] as const) {
      const value = options[key] as unknown;
      if (value === undefined) continue;
      if (typeof value !== "string" || value.trim() === "") fail(key, `must be a non-empty string, got ${describe(value)}.`);
      wire[key] = value;
    }
    checkBoolean(options.streaming, "streaming", fail);
    if (options.streaming !== undefined) wire.streaming = options.streaming;
    checkFunction(options.onEvent, "onEvent", fail);
    checkFunction(options.onError, "onError", fail);
    return undefined;
  },
});
