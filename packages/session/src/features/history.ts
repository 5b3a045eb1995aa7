/**
 * Context management: the `infiniteSessions` option (background compaction thresholds) and its
 * checks. Compaction, truncation and rewind themselves are `session.rpc.history.*`.
 */
import type { InfiniteSessionsConfig } from "../bindings.js";
import { defineFeature } from "../feature.js";
import { describe, type Fail } from "../option-checks.js";

export interface HistoryOptions {
  /** Background context compaction for long sessions: `true`/`false` or detailed settings. */
  infiniteSessions?: boolean | InfiniteSessionsConfig;
}

export const historyFeature = defineFeature<HistoryOptions>()({
  name: "infiniteSessions",
  keys: ["infiniteSessions"],
  lower(options, wire, { fail }) {
    if (options.infiniteSessions !== undefined) wire.infiniteSessions = infiniteSessionsToWire(options.infiniteSessions, fail);
    return undefined;
  },
});

/**
 * Checks `infiniteSessions`: `true`/`false`, or `{ enabled?, backgroundCompactionThreshold?,
 * bufferExhaustionThreshold? }` with thresholds in 0..1 and background below buffer exhaustion.
 */
function infiniteSessionsToWire(value: unknown, fail: Fail): boolean | InfiniteSessionsConfig {
  if (typeof value === "boolean") return value;
  if (typeof value !== "object" || value === null || Array.isArray(value))
    return fail("infiniteSessions", `must be true, false or a settings object, got ${describe(value)}.`);
  const v = value as Record<string, unknown>;
  const out: InfiniteSessionsConfig = {};
  for (const key of Object.keys(v)) {
    if (!["enabled", "backgroundCompactionThreshold", "bufferExhaustionThreshold"].includes(key)) {
      fail(`infiniteSessions.${key}`, "is not an infiniteSessions setting (settings: enabled, backgroundCompactionThreshold, bufferExhaustionThreshold).");
    }
  }
  if (v.enabled !== undefined) {
    if (typeof v.enabled !== "boolean") fail("infiniteSessions.enabled", `must be true or false, got ${describe(v.enabled)}.`);
    out.enabled = v.enabled as boolean;
  }
  for (const key of ["backgroundCompactionThreshold", "bufferExhaustionThreshold"] as const) {
    const t = v[key];
    if (t === undefined) continue;
    if (typeof t !== "number" || !(t > 0 && t <= 1))
      fail(`infiniteSessions.${key}`, `must be a fraction of the context window above 0 and at most 1 (e.g. 0.8), got ${describe(t)}.`);
    out[key] = t as number;
  }
  const background = out.backgroundCompactionThreshold ?? 0.8;
  const buffer = out.bufferExhaustionThreshold ?? 0.95;
  if (background >= buffer) {
    fail(
      "infiniteSessions.backgroundCompactionThreshold",
      `(${background}) must be below bufferExhaustionThreshold (${buffer}): background compaction has to start before the session blocks on a full context.`,
    );
  }
  return out;
}
