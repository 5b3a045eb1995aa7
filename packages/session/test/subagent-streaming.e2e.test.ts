/**
 * A streaming session gets its sub-agents' delta events too, as with the incumbent SDK (which
 * always sends `includeSubAgentStreamingEvents: true`; the runtime forwards them only when asked),
 * on both pinned runtimes, offline: the scripted model delegates to a custom agent through the
 * runtime's `task` tool, and the sub-agent's answer streams.
 */
import { describe, expect, it } from "vitest";
import type { CustomAgentConfig } from "@flightdeck/copilot-session";
import { systemPrompt, toolResults } from "@flightdeck/copilot-testing";
import { approveAll } from "@flightdeck/copilot-tools";
import { RUNTIMES, setup, useE2eTeardown } from "../../../test-support/e2e.js";

useE2eTeardown();

const REVIEWER: CustomAgentConfig = {
  name: "reviewer",
  displayName: "Code reviewer",
  description: "Reviews code changes for bugs",
  prompt: "REVIEWER-PROMPT: you review code and answer with findings.",
  tools: ["view"],
};

describe.each(RUNTIMES)("$name", (runtime) => {
  for (const include of [undefined, false] as const) {
    it(`streaming: true${include === undefined ? "" : ", includeSubAgentStreamingEvents: false"}: the sub-agent's message deltas ${include === undefined ? "arrive" : "do not arrive"}`, async () => {
      const t = await setup(runtime);
      t.model.push(
        { toolCalls: [{ name: "task", arguments: { agent_type: "reviewer", name: "review", description: "Review the diff", prompt: "Review src/app.ts" } }] },
        (req) => ({ text: systemPrompt(req)?.includes("REVIEWER-PROMPT") ? "no bugs found" : "wrong agent prompt" }),
        (req) => ({ text: `review says: ${toolResults(req).at(-1)?.content}` }),
      );
      const session = await t.client.createSession({
        model: "gpt-4.1",
        provider: t.model.provider(),
        customAgents: [REVIEWER],
        onPermissionRequest: approveAll,
        streaming: true,
        ...(include === undefined ? {} : { includeSubAgentStreamingEvents: include }),
      });
      const subAgentText: string[] = [];
      let mainDeltas = 0;
      session.on("assistant.message_delta", (e) => {
        if (e.agentId === undefined) mainDeltas++;
        else subAgentText.push(e.data.deltaContent);
      });
      const reply = await session.sendAndWait("Please review my change", { timeoutMs: 20_000 });

      expect(reply?.data.content).toContain("no bugs found");
      expect(mainDeltas).toBeGreaterThan(0);
      if (include === undefined) expect(subAgentText.join("")).toBe("no bugs found");
      else expect(subAgentText).toEqual([]);
      expect(t.problems()).toEqual([]);
      t.model.assertDone();
    });
  }
});
