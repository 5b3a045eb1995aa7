/**
 * Several BYOK providers in one session on both pinned runtimes, offline: two scripted model
 * servers as named `providers` with their `models`, and a `bearerTokenProvider` called before
 * every model request (its token checked by the server, never seen in any error). A failing
 * token provider is tested at the wire level (feature-requests.test.ts): the runtime retries it
 * for ~5 s (and a rejected token for ~2-6 s), a slow path these suites do not wait on.
 */
import { describe, expect, it } from "vitest";
import { startScriptedModel } from "@flightdeck/copilot-testing";
import { RUNTIMES, defer, setup, useE2eTeardown } from "../../../test-support/e2e.js";
import { messages } from "./fixtures/features.js";

useE2eTeardown();

describe.each(RUNTIMES)("$name", (runtime) => {
  it("two named providers: models are selected as provider/id and each request goes to its provider", async () => {
    const t = await setup(runtime);
    const token = "alpha-bearer-7d2e91";
    // Provider "alpha" accepts only the bearer token; "beta" only its static key.
    const alpha = await startScriptedModel({ apiKey: token, script: [{ text: "from alpha" }, { text: "alpha again" }] });
    const beta = await startScriptedModel({ apiKey: "beta-static-key", script: [{ text: "from beta" }] });
    defer(() => alpha.close());
    defer(() => beta.close());
    const calls: Array<{ providerName: string }> = [];
    const session = await t.client.createSession({
      model: "alpha/fast",
      providers: [
        {
          name: "alpha",
          type: "openai",
          baseUrl: alpha.provider().baseUrl,
          bearerTokenProvider: ({ providerName }) => {
            calls.push({ providerName });
            return token;
          },
        },
        { name: "beta", type: "openai", baseUrl: beta.provider().baseUrl, apiKey: "beta-static-key" },
      ],
      models: [
        { id: "fast", provider: "alpha", wireModel: "alpha-fast-1" },
        { id: "smart", provider: "beta" },
      ],
    });

    expect((await session.sendAndWait("one", { timeoutMs: 20_000 }))?.data.content).toBe("from alpha");
    expect((await session.sendAndWait("two", { timeoutMs: 20_000 }))?.data.content).toBe("alpha again");
    await session.setModel("beta/smart");
    expect((await session.sendAndWait("three", { timeoutMs: 20_000 }))?.data.content).toBe("from beta");

    // Once per model request to alpha, none for beta (static key).
    expect(calls).toEqual([{ providerName: "alpha" }, { providerName: "alpha" }]);
    expect(alpha.requests.map((r) => (r.body as { model: string }).model)).toEqual(["alpha-fast-1", "alpha-fast-1"]);
    expect(beta.requests.map((r) => (r.body as { model: string }).model)).toEqual(["smart"]);
    alpha.assertDone();
    beta.assertDone();
    expect(messages(t.errors).join("\n")).not.toContain(token);
    expect(t.problems()).toEqual([]);
  });
});
