/**
 * The list of the session's runtime features. Adding one is a new file in `features/` plus one
 * line here; `session-config.ts` checks at compile time that together they own every key of
 * `SessionConfig`, and this module checks at load time that each runtime request has one owner.
 */
import type { SessionEventType, SessionRequestMethod } from "./bindings.js";
import type { FeatureEventHandler, FeatureRequestHandler, SessionFeature } from "./feature.js";
import { agentsFeature } from "./features/agents.js";
import { autoModeSwitchFeature } from "./features/auto-mode-switch.js";
import { canvasesFeature } from "./features/canvases.js";
import { commandsFeature } from "./features/commands.js";
import { elicitationFeature } from "./features/elicitation.js";
import { emptyModeFeature } from "./features/empty-mode.js";
import { exitPlanModeFeature } from "./features/exit-plan-mode.js";
import { historyFeature } from "./features/history.js";
import { hooksFeature } from "./features/hooks.js";
import { mcpFeature } from "./features/mcp.js";
import { permissionsFeature } from "./features/permissions.js";
import { providersFeature } from "./features/providers.js";
import { sessionBasicsFeature } from "./features/session-basics.js";
import { skillsFeature } from "./features/skills.js";
import { systemMessageFeature } from "./features/system-message.js";
import { toolsFeature } from "./features/tools.js";
import { userInputFeature } from "./features/user-input.js";
import { wireOptionsFeature } from "./features/wire-options.js";

// The features' own types vary; the list holds them erased (each was checked by `defineFeature`).
export type AnyFeature = SessionFeature<any, any>;

/** The options type of a feature. */
type OptionsOf<F> = F extends SessionFeature<infer O, infer _S> ? O : never;
type Intersection<U> = (U extends unknown ? (u: U) => void : never) extends (i: infer I) => void ? I : never;

/** The features with options of their own, in lowering order. Adding a feature: one line here. */
export const OWN_OPTION_FEATURES = [
  sessionBasicsFeature,
  toolsFeature,
  permissionsFeature,
  userInputFeature,
  exitPlanModeFeature,
  autoModeSwitchFeature,
  hooksFeature,
  systemMessageFeature,
  providersFeature,
  mcpFeature,
  agentsFeature,
  skillsFeature,
  commandsFeature,
  elicitationFeature,
  historyFeature,
  canvasesFeature,
] as const;

/** The options of every feature with its own file (each lowers these keys itself). */
export type FeatureOptions = Intersection<OptionsOf<(typeof OWN_OPTION_FEATURES)[number]>>;

const owned = new Set<string>(OWN_OPTION_FEATURES.flatMap((f) => f.keys as readonly string[]));

/** Every feature, in lowering order: the wire pass-through after the named ones, empty mode last (it fills defaults under them). */
export const FEATURES: readonly AnyFeature[] = [...OWN_OPTION_FEATURES, wireOptionsFeature(owned), emptyModeFeature];

/** The `SessionConfig` keys some feature owns. */
export const FEATURE_KEYS: ReadonlySet<string> = new Set(FEATURES.flatMap((f) => f.keys as readonly string[]));

/** The feature answering each server→client request (one owner each). */
export const REQUEST_OWNERS: ReadonlyMap<
  SessionRequestMethod,
  { feature: AnyFeature; handler: FeatureRequestHandler<unknown, unknown, SessionRequestMethod> }
> = (() => {
  const owners = new Map<SessionRequestMethod, { feature: AnyFeature; handler: FeatureRequestHandler<unknown, unknown, SessionRequestMethod> }>();
  for (const feature of FEATURES) {
    for (const [method, handler] of Object.entries(feature.requests ?? {})) {
      const previous = owners.get(method as SessionRequestMethod);
      if (previous) throw new Error(`features.ts: both "${previous.feature.name}" and "${feature.name}" answer ${method}; one request has one owner.`);
      owners.set(method as SessionRequestMethod, { feature, handler: handler as FeatureRequestHandler<unknown, unknown, SessionRequestMethod> });
    }
  }
  return owners;
})();

/** The features watching each event type, in list order. */
export const EVENT_WATCHERS: ReadonlyMap<
  string,
  ReadonlyArray<{ feature: AnyFeature; handler: FeatureEventHandler<unknown, unknown, SessionEventType> }>
> = (() => {
  const watchers = new Map<string, Array<{ feature: AnyFeature; handler: FeatureEventHandler<unknown, unknown, SessionEventType> }>>();
  for (const feature of FEATURES) {
    for (const [type, handler] of Object.entries(feature.events ?? {})) {
      const list = watchers.get(type) ?? [];
      list.push({ feature, handler: handler as FeatureEventHandler<unknown, unknown, SessionEventType> });
      watchers.set(type, list);
    }
  }
  return watchers;
})();
