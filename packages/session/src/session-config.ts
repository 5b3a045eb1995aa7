/**
 * `SessionConfig` / `ResumeSessionConfig`: what a user passes to `createSession` /
 * `resumeSession`, made of each feature's options plus the wire fields passed through (typed
 * from the generated `session.create` / `session.resume` params); and the resolver that checks a
 * config with every feature and builds the wire params.
 */
import type { SessionCreateParams, SessionResumeParams } from "./bindings.js";
import type { CopilotClientMode } from "./feature.js";
import { FEATURES, FEATURE_KEYS, type AnyFeature, type FeatureOptions, type OWN_OPTION_FEATURES } from "./features.js";
import type { SdkWireKey, WireConveniences } from "./features/wire-options.js";
import { describe, isObject, optionFailure, refuseUnknownKeys } from "./option-checks.js";

/** `session.create` fields passed through unchanged (typed from the generated `SessionCreateParams`, minus what features own). */
export type CreateWireOptions = Omit<SessionCreateParams, keyof FeatureOptions | keyof WireConveniences | SdkWireKey>;
/** `session.resume` fields passed through unchanged (typed from the generated `SessionResumeParams`, minus what features own). */
export type ResumeWireOptions = Omit<SessionResumeParams, keyof FeatureOptions | keyof WireConveniences | SdkWireKey>;

/**
 * Options of `createSession`. Every option is checked before anything is sent; a bad one rejects
 * with `SdkError("INVALID_OPTION")` naming it (and the closest option for a misspelled key).
 *
 * @example
 * ```ts
 * const session = await client.createSession({
 *   model: "gpt-5",
 *   tools: [weather],
 *   onPermissionRequest: approveAll,
 *   provider: { type: "openai", baseUrl: "http://127.0.0.1:8080/v1", apiKey: process.env.KEY },
 * });
 * ```
 */
export interface SessionConfig extends FeatureOptions, CreateWireOptions, Omit<WireConveniences, "suppressResumeEvent"> {}

/** Options of `resumeSession`: those of `createSession` (but `sessionId`, the first argument) plus the resume-only wire fields. */
export interface ResumeSessionConfig extends Omit<FeatureOptions, "sessionId">, ResumeWireOptions, WireConveniences {}

// Compile-time check: the features own every key of both configs (a key no feature lowers is a type error here).
type FeatureKey = (typeof OWN_OPTION_FEATURES)[number]["keys"][number] | keyof CreateWireOptions | keyof ResumeWireOptions | keyof WireConveniences;
type Unowned = Exclude<keyof SessionConfig | keyof ResumeSessionConfig, FeatureKey>;
const everyKeyOwned: [Unowned] extends [never] ? true : Unowned = true;
void everyKeyOwned;

/** The wire params built from a config (everything but `sessionId`). */
export type SessionWireParams = Omit<SessionCreateParams, "sessionId">;

/** A checked config plus what its features need at run time. */
export interface ResolvedSessionConfig {
  readonly config: SessionConfig & ResumeSessionConfig;
  readonly wire: SessionWireParams;
  /**
   * What the features' `lower` returned, for the few that returned something, as pairs:
   * `[feature, state, feature, state, …]` (read with {@link featureState}).
   */
  readonly states: readonly unknown[];
  readonly mode: CopilotClientMode;
}

/**
 * Checks a config with every feature and builds its wire params.
 * @throws {SdkError} `INVALID_OPTION` naming the option (`details.option`) and the fix.
 */
export function resolveSessionConfig(
  input: SessionConfig | ResumeSessionConfig | undefined,
  method: "createSession" | "resumeSession",
  mode: CopilotClientMode = "copilot-cli",
  previousWire?: SessionWireParams,
): ResolvedSessionConfig {
  const fail = optionFailure(method);
  const config: unknown = input ?? {};
  if (!isObject(config)) return fail("config", `must be an options object, got ${describe(config)}.`);
  refuseUnknownKeys(config, FEATURE_KEYS, fail, "a session option");
  const wire: Record<string, unknown> = {};
  const states: unknown[] = [];
  const context = { fail, method, mode, config };
  for (const feature of FEATURES) {
    const state = feature.lower?.(config, wire, context);
    if (state !== undefined) states.push(feature, state);
  }
  // Equal to the last session's (an app opening sessions with the same options): share that one.
  // Wire params are never changed once built, so sessions can hold the same object.
  const shared = previousWire !== undefined && equalWire(previousWire, wire) ? previousWire : (wire as SessionWireParams);
  // A copy at its exact size: a session keeps this for its lifetime.
  return { config: config as SessionConfig & ResumeSessionConfig, wire: shared, states: states.slice(), mode };
}

/** Equal wire params: the same keys, each value the same, or a plain object or array whose own values are the same (deeper values by identity). */
function equalWire(a: object, b: object): boolean {
  const x = a as Record<string, unknown>;
  const y = b as Record<string, unknown>;
  let count = 0;
  for (const key in x) {
    if (!Object.hasOwn(x, key)) continue;
    count++;
    if (!Object.hasOwn(y, key) || !equalOneLevel(x[key], y[key])) return false;
  }
  for (const key in y) if (Object.hasOwn(y, key)) count--;
  return count === 0;
}

function equalOneLevel(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== "object" || typeof b !== "object" || a === null || b === null) return false;
  if (Array.isArray(a) || Array.isArray(b)) {
    if (!Array.isArray(a) || !Array.isArray(b) || a.length !== b.length) return false;
    for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
    return true;
  }
  if (Object.getPrototypeOf(a) !== Object.prototype || Object.getPrototypeOf(b) !== Object.prototype) return false;
  const x = a as Record<string, unknown>;
  const y = b as Record<string, unknown>;
  let count = 0;
  for (const key in x) {
    if (!Object.hasOwn(x, key)) continue;
    count++;
    if (!Object.hasOwn(y, key) || x[key] !== y[key]) return false;
  }
  for (const key in y) if (Object.hasOwn(y, key)) count--;
  return count === 0;
}

/** What `feature`'s `lower` returned for this config (`undefined` when it returned nothing). */
export function featureState(resolved: ResolvedSessionConfig, feature: AnyFeature): unknown {
  const states = resolved.states;
  for (let i = 0; i < states.length; i += 2) if (states[i] === feature) return states[i + 1];
  return undefined;
}
