/**
 * `mode: "empty"` for multi-tenant servers: nothing ambient. Sessions get restrictive defaults
 * (no config discovery, skills, memory, file hooks, host git, session store or telemetry; OAuth
 * tokens and embeddings kept in memory; no environment context in the prompt), must name the
 * tools they allow, and the host must have per-client storage. Explicit options still win.
 */
import { defineFeature, type WireDraft } from "../feature.js";
import type { Fail } from "../option-checks.js";

/** Defaults of empty mode, applied under the caller's options (theirs win). */
const EMPTY_DEFAULTS: Record<string, unknown> = {
  enableConfigDiscovery: false,
  enableSkills: false,
  enableOnDemandInstructionDiscovery: false,
  enableFileHooks: false,
  enableHostGitOperations: false,
  enableSessionStore: false,
  enableSessionTelemetry: false,
  skipEmbeddingRetrieval: true,
  embeddingCacheStorage: "in-memory",
  mcpOAuthTokenStorage: "in-memory",
  memory: { enabled: false },
  customAgentsLocalOnly: true,
  // Deny wins, so excludedTools can narrow an allowlist.
  toolFilterPrecedence: "excluded",
};

/**
 * Empty mode owns no option of its own: it runs after every other feature lowered its options and
 * fills in restrictive defaults under them. Listed last in `features.ts`.
 */
export const emptyModeFeature = defineFeature<Record<never, never>>()({
  name: "mode",
  keys: [],
  lower(_options, wire, { mode, config, fail }) {
    if (mode === "empty") applyEmptyMode(config, wire, fail);
    return undefined;
  },
  /**
   * Part two: options `session.create` does not take, set right after it (and after a resume)
   * before the session is handed out: no custom instruction files, no installed plugins or
   * bundled skills, custom agents local only, no co-author trailer, no schedule tool.
   */
  afterOpen(ctx) {
    if (ctx.mode !== "empty") return undefined;
    return ctx.rpc.options
      .update({
        skipCustomInstructions: true,
        customAgentsLocalOnly: true,
        coauthorEnabled: false,
        manageScheduleEnabled: false,
        installedPlugins: [],
        includedBuiltinSkills: [],
      })
      .then(ignore);
  },
});

const ignore = (): void => {};

/** Applies empty mode to a checked config's wire params; refuses what empty mode requires and is missing. */
function applyEmptyMode(config: Readonly<Record<string, unknown>>, wire: WireDraft, fail: Fail): void {
  if (config.availableTools === undefined) {
    fail(
      "availableTools",
      'is required in mode "empty": list the tools this session may use, e.g. `new ToolSet(myTools).addBuiltIn(["view", "grep"])` or `[]` for none; nothing is allowed by default.',
    );
  }
  if (config.enableConfigDiscovery === true && config.workingDirectory === undefined) {
    fail("workingDirectory", 'is required in mode "empty" when enableConfigDiscovery is true: discovery must not read the server process\'s own directory.');
  }
  for (const [key, value] of Object.entries(EMPTY_DEFAULTS)) if (wire[key] === undefined) wire[key] = value;
  wire.systemMessage = withoutEnvironmentContext(wire.systemMessage as Record<string, unknown> | undefined);
}

/** The host's paths, OS and cwd are not the tenant's business: remove the environment context section unless the caller decided about it. */
function withoutEnvironmentContext(message: Record<string, unknown> | undefined): Record<string, unknown> {
  if (message === undefined) return { mode: "customize", sections: { environment_context: { action: "remove" } } };
  if (message.mode === "replace") return message;
  const sections = (message.sections ?? {}) as Record<string, unknown>;
  if (message.mode === "customize" && sections.environment_context !== undefined) return message;
  return { ...message, mode: "customize", sections: { ...sections, environment_context: { action: "remove" } } };
}
