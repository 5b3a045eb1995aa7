/**
 * Custom agents end to end on both pinned runtimes, offline: the scripted model delegates to a
 * custom agent through the runtime's `task` tool, a session that starts on an agent, selection
 * through `session.rpc.agent.*`, and the default agent's and built-in agents' filters.
 */
import { describe, expect, it } from "vitest";
import type { CustomAgentConfig } from "@flightdeck/copilot-session";
import { systemPrompt, toolResults, type RecordedRequest } from "@flightdeck/copilot-testing";
import { approveAll } from "@flightdeck/copilot-tools";
import { RUNTIMES, setup, useE2eTeardown } from "../../../test-support/e2e.js";
import { toolNames } from "./fixtures/features.js";

useE2eTeardown();

const REVIEWER: CustomAgentConfig = {
  name: "reviewer",
  displayName: "Code reviewer",
  description: "Reviews code changes for bugs",
  prompt: "REVIEWER-PROMPT: you review code and answer with findings.",
  tools: ["view", "grep"],
};

/** The `enum` of the task tool's `agent_type` parameter in a request. */
function taskAgentTypes(request: RecordedRequest | undefined): string[] {
  const tools =
    (request?.body as { tools?: Array<{ function?: { name: string; parameters?: { properties?: { agent_type?: { enum?: string[] } } } } }> } | undefined)
      ?.tools ?? [];
  return tools.find((t) => t.function?.name === "task")?.function?.parameters?.properties?.agent_type?.enum ?? [];
}

describe.each(RUNTIMES)("$name", (runtime) => {
  it("the model delegates to a custom agent through the task tool; the agent runs on its own prompt", async () => {
    const t = await setup(runtime);
    t.model.push(
      { toolCalls: [{ name: "task", arguments: { agent_type: "reviewer", name: "review", description: "Review the diff", prompt: "Review src/app.ts" } }] },
      // The sub-agent's own model call: answer only if it runs on the reviewer's prompt.
      (req) => ({ text: systemPrompt(req)?.includes("REVIEWER-PROMPT") ? "no bugs found" : "wrong agent prompt" }),
      (req) => ({ text: `review says: ${toolResults(req).at(-1)?.content}` }),
    );
    const started: unknown[] = [];
    const session = await t.client.createSession({ model: "gpt-4.1", provider: t.model.provider(), customAgents: [REVIEWER], onPermissionRequest: approveAll });
    session.on("subagent.started", (e) => started.push(e.data));
    const reply = await session.sendAndWait("Please review my change", { timeoutMs: 20_000 });

    expect(taskAgentTypes(t.model.requests[0])).toContain("reviewer");
    expect(started).toEqual([expect.objectContaining({ agentName: "reviewer", agentDescription: REVIEWER.description })]);
    expect(reply?.data.content).toContain("no bugs found");
    expect(t.problems()).toEqual([]);
    t.model.assertDone();
  });

  it("agent starts the session on a custom agent: its prompt and its tools only; deselect returns to the default", async () => {
    const t = await setup(runtime);
    t.model.push({ text: "reviewing" }, { text: "default again" });
    const session = await t.client.createSession({
      model: "gpt-4.1",
      provider: t.model.provider(),
      customAgents: [REVIEWER],
      agent: "reviewer",
      onPermissionRequest: approveAll,
    });

    expect((await session.rpc.agent.getCurrent()).agent).toMatchObject({ name: "reviewer" });
    await session.sendAndWait("Review", { timeoutMs: 20_000 });
    expect(systemPrompt(t.model.requests[0]!)).toContain("REVIEWER-PROMPT");
    expect(toolNames(t.model.requests[0])).toContain("view");
    expect(toolNames(t.model.requests[0])).not.toContain("bash");

    await session.rpc.agent.deselect();
    await session.sendAndWait("Now as default", { timeoutMs: 20_000 });
    expect(systemPrompt(t.model.requests[1]!)).not.toContain("REVIEWER-PROMPT");
    expect(toolNames(t.model.requests[1])).toContain("bash");
    t.model.assertDone();
  });

  it("session.rpc.agent.list/select switch agents; an unknown name is rejected naming it", async () => {
    const t = await setup(runtime);
    t.model.push({ text: "as reviewer" });
    const session = await t.client.createSession({ model: "gpt-4.1", provider: t.model.provider(), customAgents: [REVIEWER], onPermissionRequest: approveAll });

    expect((await session.rpc.agent.list({})).agents.map((a) => a.name)).toEqual(["reviewer"]);
    expect((await session.rpc.agent.getCurrent()).agent).toBeNull();
    await expect(session.rpc.agent.select({ name: "ghost" })).rejects.toThrow(/ghost/);
    const selected = new Promise((resolve) => session.on("subagent.selected", (e) => resolve(e.data.agentName)));
    await session.rpc.agent.select({ name: "reviewer" });
    expect(await selected).toBe("reviewer");
    await session.sendAndWait("Review", { timeoutMs: 20_000 });
    expect(systemPrompt(t.model.requests[0]!)).toContain("REVIEWER-PROMPT");
    t.model.assertDone();
  });

  it("defaultAgent.excludedTools and excludedBuiltinAgents narrow what the default agent offers", async () => {
    const t = await setup(runtime);
    t.model.push({ text: "ok" });
    const session = await t.client.createSession({
      model: "gpt-4.1",
      provider: t.model.provider(),
      customAgents: [REVIEWER],
      defaultAgent: { excludedTools: ["bash"] },
      excludedBuiltinAgents: ["explore"],
      onPermissionRequest: approveAll,
    });
    await session.sendAndWait("hi", { timeoutMs: 20_000 });

    const offered = toolNames(t.model.requests[0]);
    expect(offered).not.toContain("bash");
    expect(offered).toContain("view");
    expect(taskAgentTypes(t.model.requests[0])).toContain("reviewer");
    expect(taskAgentTypes(t.model.requests[0])).not.toContain("explore");
    t.model.assertDone();
  });
});
