/**
 * `availableTools` and `excludedTools` together on both pinned runtimes, offline: the denylist
 * narrows the allowlist, as with the incumbent SDK (it always sends `toolFilterPrecedence:
 * "excluded"`; the runtime's own default ignores `excludedTools` once `availableTools` is set),
 * and an explicit `toolFilterPrecedence` still wins.
 */
import { describe, expect, it } from "vitest";
import { approveAll } from "@flightdeck/copilot-tools";
import { RUNTIMES, setup, useE2eTeardown } from "../../../test-support/e2e.js";
import { toolNames } from "./fixtures/features.js";

useE2eTeardown();

describe.each(RUNTIMES)("$name", (runtime) => {
  it("excludedTools removes a tool that availableTools allows", async () => {
    const t = await setup(runtime);
    t.model.push({ text: "ok" });
    const session = await t.client.createSession({
      model: "gpt-4.1",
      provider: t.model.provider(),
      onPermissionRequest: approveAll,
      availableTools: ["view", "grep", "glob"],
      excludedTools: ["grep"],
    });
    await session.sendAndWait("hi", { timeoutMs: 20_000 });
    const offered = toolNames(t.model.requests[0]);
    expect(offered).toContain("view");
    expect(offered).toContain("glob");
    expect(offered).not.toContain("grep");
    expect(offered).not.toContain("bash");
    t.model.assertDone();
  });

  it('toolFilterPrecedence: "available" keeps the runtime\'s allowlist-only rule', async () => {
    const t = await setup(runtime);
    t.model.push({ text: "ok" });
    const session = await t.client.createSession({
      model: "gpt-4.1",
      provider: t.model.provider(),
      onPermissionRequest: approveAll,
      availableTools: ["view", "grep"],
      excludedTools: ["grep"],
      toolFilterPrecedence: "available",
    });
    await session.sendAndWait("hi", { timeoutMs: 20_000 });
    expect(toolNames(t.model.requests[0])).toEqual(expect.arrayContaining(["view", "grep"]));
    t.model.assertDone();
  });
});
