/**
 * Every other field of the `session.create` / `session.resume` params, passed through as is. The
 * option types derive from the generated wire types and the accepted keys from the generated
 * params table, so a protocol bump that adds a wire option makes it available with no hand edit.
 * Plus the incumbent SDK's spellings of a few wire fields and the options it sets right after
 * the session opens.
 */
import { SdkError } from "@flightdeck/copilot-core";
import { INTERNAL_RPC_PARAM_KEYS } from "../bindings.js";
import type { SessionFeature } from "../feature.js";
import { checkBoolean, checkStringList, describe, errorMessage } from "../option-checks.js";
/** Wire fields this SDK sets itself (from callbacks and the conveniences below); never passed through. */
const SDK_WIRE_KEYS = [
  "sessionId",
  "requestPermission",
  "requestUserInput",
  "requestElicitation",
  "requestExitPlanMode",
  "requestAutoModeSwitch",
  "requestMcpApps",
  "envValueMode",
  "traceparent",
  "tracestate",
  "gitHubTokenProviderRegistrationId",
  "configDir",
  "disableResume",
  "isExperimentalMode",
] as const;
/** A wire field this SDK sets itself. */
export type SdkWireKey = (typeof SDK_WIRE_KEYS)[number];

/** The incumbent SDK's names for some wire fields, and the options it applies right after the session opens. */
export interface WireConveniences {
  /** Configuration directory of the session instead of the default (sent as `configDir`). */
  configDirectory?: string;
  /** Enables experimental runtime features for the session (sent as `isExperimentalMode`). */
  enableExperimentalMode?: boolean;
  /** `resumeSession` only: do not emit the `session.resume` event (sent as `disableResume`). */
  suppressResumeEvent?: boolean;
  /** Skip custom instruction files (set with `session.options.update` right after the session opens). */
  skipCustomInstructions?: boolean;
  /** Add the co-author trailer to commits (set right after the session opens). */
  coauthorEnabled?: boolean;
  /** Offer the schedule tool (set right after the session opens). */
  manageScheduleEnabled?: boolean;
  /** Built-in skills to include (set right after the session opens). */
  includedBuiltinSkills?: string[];
  /** Not supported by Flightdeck yet: refused with `INVALID_OPTION`. Pass `gitHubToken` instead. */
  gitHubTokenProvider?: unknown;
  /** Not supported by Flightdeck yet: refused with `INVALID_OPTION`. Use the client's `sessionFs` option instead. */
  createSessionFsProvider?: unknown;
}

const RENAMED = { configDirectory: "configDir", enableExperimentalMode: "isExperimentalMode", suppressResumeEvent: "disableResume" } as const;
const AFTER_OPEN = ["skipCustomInstructions", "coauthorEnabled", "manageScheduleEnabled", "includedBuiltinSkills"] as const;
const UNSUPPORTED: Record<string, string> = {
  gitHubTokenProvider: "is not supported by Flightdeck yet; pass the token itself as `gitHubToken`.",
  createSessionFsProvider: "is not supported by Flightdeck yet; give the client a session filesystem with `new CopilotClient({ sessionFs: { provider } })`.",
};

const RENAMED_ENTRIES = Object.entries(RENAMED);
const UNSUPPORTED_ENTRIES = Object.entries(UNSUPPORTED);

/** The pass-through fields are typed in `session-config.ts` (from the generated params, minus every feature's keys). */
type WireOptions = Record<string, unknown> & WireConveniences;
type AfterOpen = Partial<Pick<WireConveniences, (typeof AFTER_OPEN)[number]>>;

/**
 * The pass-through feature. `owned` are the keys the other features lower themselves: the rest of
 * the generated params' keys pass through.
 */
export function wireOptionsFeature(owned: ReadonlySet<string>): SessionFeature<WireOptions, AfterOpen | undefined> {
  const create = new Set(INTERNAL_RPC_PARAM_KEYS["session.create"] ?? []);
  const resume = new Set(INTERNAL_RPC_PARAM_KEYS["session.resume"] ?? []);
  const sdk = new Set<string>(SDK_WIRE_KEYS);
  const passThrough = [...new Set([...create, ...resume])].filter((key) => !owned.has(key) && !sdk.has(key)).sort();
  const conveniences = [...Object.keys(RENAMED), ...AFTER_OPEN, ...Object.keys(UNSUPPORTED)];
  // Not through defineFeature: its keys come from the generated table at run time, not from a type.
  const feature: SessionFeature<WireOptions, AfterOpen | undefined> = {
    name: "session options",
    keys: [...passThrough, ...conveniences],
    lower(options, wire, { fail, method }) {
      const own = method === "createSession" ? create : resume;
      const values = options as Record<string, unknown>;
      // Indexed: a for-of over the ~100 keys allocates an iterator result per key in unoptimized code, for every session.
      for (let i = 0; i < passThrough.length; i++) {
        const key = passThrough[i]!;
        if (values[key] === undefined) continue;
        if (!own.has(key)) fail(key, `is an option of ${method === "createSession" ? "resumeSession" : "createSession"} only.`);
        wire[key] = values[key];
      }
      for (const [key, problem] of UNSUPPORTED_ENTRIES) if (values[key] !== undefined) fail(key, problem);
      for (const [key, wireKey] of RENAMED_ENTRIES) {
        const value = values[key];
        if (value === undefined) continue;
        if (!own.has(wireKey)) fail(key, `is an option of ${method === "createSession" ? "resumeSession" : "createSession"} only.`);
        if (key === "configDirectory" && (typeof value !== "string" || value === "")) fail(key, `must be a directory path, got ${describe(value)}.`);
        if (key !== "configDirectory") checkBoolean(value, key, fail);
        wire[wireKey] = value;
      }
      // A streaming session also gets its sub-agents' delta events, as with the incumbent SDK (which
      // always asks for them); the runtime forwards them only when asked. Not asked for without
      // streaming: no deltas then. An explicit `includeSubAgentStreamingEvents` wins.
      if (wire.streaming === true && wire.includeSubAgentStreamingEvents === undefined) wire.includeSubAgentStreamingEvents = true;
      let after: Record<string, unknown> | undefined;
      for (const key of AFTER_OPEN) {
        const value = values[key];
        if (value === undefined) continue;
        after ??= {};
        if (key === "includedBuiltinSkills") checkStringList(value, key, fail);
        else checkBoolean(value, key, fail);
        after[key] = value;
      }
      // Most sessions set none of these: no state to keep.
      return after as AfterOpen | undefined;
    },
    afterOpen(ctx) {
      const state = ctx.state;
      if (state === undefined) return undefined;
      return ctx.rpc.options.update(state).then(
        () => undefined,
        (cause: unknown) => {
          throw new SdkError("INVALID_OPTION", `The runtime refused ${Object.keys(state).join(", ")} (session.options.update failed): ${errorMessage(cause)}`, {
            cause,
            details: { option: Object.keys(state)[0] },
          });
        },
      );
    },
  };
  return feature;
}
