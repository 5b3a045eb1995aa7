/**
 * The feature list covers the config: every key of `SessionConfig` and `ResumeSessionConfig` is
 * owned by some feature, and the wire fields are typed from the generated params (a field the
 * schema adds appears in the config with no hand edit).
 */
import { describe, expectTypeOf, it } from "vitest";
import type { SessionCreateParams, SessionResumeParams } from "@flightdeck/copilot-core";
import type { ResumeSessionConfig, SessionConfig } from "@flightdeck/copilot-session";
import { defineFeature } from "../src/feature.js";
import type { FEATURES, OWN_OPTION_FEATURES } from "../src/features.js";
import type { WireConveniences } from "../src/features/wire-options.js";

type OwnedByNamedFeatures = (typeof OWN_OPTION_FEATURES)[number]["keys"][number];
type PassThrough = Exclude<keyof SessionConfig, OwnedByNamedFeatures | keyof WireConveniences>;

describe("features cover the config", () => {
  it("every config key is owned by a named feature, a convenience, or is a generated wire field", () => {
    expectTypeOf<Exclude<PassThrough, keyof SessionCreateParams>>().toEqualTypeOf<never>();
    expectTypeOf<
      Exclude<Exclude<keyof ResumeSessionConfig, OwnedByNamedFeatures | keyof WireConveniences>, keyof SessionResumeParams>
    >().toEqualTypeOf<never>();
  });

  it("pass-through fields have the generated types", () => {
    expectTypeOf<SessionConfig["sessionLimits"]>().toEqualTypeOf<SessionCreateParams["sessionLimits"]>();
    expectTypeOf<SessionConfig["enableFileChangeTracking"]>().toEqualTypeOf<SessionCreateParams["enableFileChangeTracking"]>();
    expectTypeOf<ResumeSessionConfig["continuePendingWork"]>().toEqualTypeOf<SessionResumeParams["continuePendingWork"]>();
    expectTypeOf<SessionConfig>().not.toHaveProperty("continuePendingWork");
    expectTypeOf<ResumeSessionConfig>().not.toHaveProperty("sessionId");
  });

  it("callbacks and SDK-set wire fields are not pass-through", () => {
    expectTypeOf<SessionConfig>().not.toHaveProperty("requestPermission");
    expectTypeOf<SessionConfig>().not.toHaveProperty("configDir");
    expectTypeOf<SessionConfig["hooks"]>().not.toEqualTypeOf<SessionCreateParams["hooks"]>();
  });

  it("defineFeature refuses a feature whose keys miss one of its options", () => {
    interface TwoOptions {
      alpha?: string;
      beta?: number;
    }
    defineFeature<TwoOptions>()({ name: "two", keys: ["alpha", "beta"] });
    // @ts-expect-error `beta` is an option of the feature but not in its keys
    defineFeature<TwoOptions>()({ name: "two", keys: ["alpha"] });
    // @ts-expect-error `gamma` is not an option of the feature
    defineFeature<TwoOptions>()({ name: "two", keys: ["alpha", "beta", "gamma"] });
  });

  it("the feature list is one array of features", () => {
    expectTypeOf<(typeof FEATURES)[number]["name"]>().toEqualTypeOf<string>();
  });
});
