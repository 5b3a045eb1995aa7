/**
 * Context management end to end on both pinned runtimes, offline: manual compaction with its
 * events and the summary carried into the next turn, rewind and truncate through
 * `session.rpc.history.*`, and background compaction driven by `infiniteSessions` thresholds.
 */
import { describe, expect, it } from "vitest";
import { lastUserText, type ScriptedTurn } from "@flightdeck/copilot-testing";
import { RUNTIMES, setup, useE2eTeardown } from "../../../test-support/e2e.js";
import { promptText, waitForEvent } from "./fixtures/features.js";

useE2eTeardown();

/** Answers the runtime's compaction request with a summary and every other request with an echo. */
const responder: ScriptedTurn = (req) => {
  const text = lastUserText(req) ?? "";
  return { text: /create a detailed summary of the conversation/i.test(text) ? "SUMMARY-OF-CONVERSATION" : `echo ${text.split("\n").at(-1)}` };
};
const turns = (n: number) => Array.from({ length: n }, () => responder);

describe.each(RUNTIMES)("$name", (runtime) => {
  it("history.compact summarises the conversation; the next turn carries the summary, not the old messages", async () => {
    const t = await setup(runtime, { model: { script: turns(4) } });
    const session = await t.client.createSession({ model: "gpt-4.1", provider: t.model.provider() });
    const compaction: string[] = [];
    session.on((e) => {
      if (e.type === "session.compaction_start" || e.type === "session.compaction_complete") compaction.push(e.type);
    });
    await session.sendAndWait("alpha", { timeoutMs: 20_000 });
    await session.sendAndWait("beta", { timeoutMs: 20_000 });
    const result = await session.rpc.history.compact({});
    const reply = await session.sendAndWait("gamma", { timeoutMs: 20_000 });

    expect(result).toMatchObject({ success: true, summaryContent: "SUMMARY-OF-CONVERSATION" });
    expect(result.messagesRemoved).toBeGreaterThan(0);
    expect(compaction).toEqual(["session.compaction_start", "session.compaction_complete"]);
    expect(reply?.data.content).toBe("echo gamma");
    const last = promptText(t.model.requests.at(-1));
    expect(last).toContain("SUMMARY-OF-CONVERSATION");
    expect(last).not.toContain("echo alpha");
    t.model.assertDone();
  });

  it("history.rewind drops the turns from a user message on; history.truncate cuts the event log", async () => {
    const t = await setup(runtime, { model: { script: turns(4) } });
    const session = await t.client.createSession({ model: "gpt-4.1", provider: t.model.provider() });
    await session.sendAndWait("alpha", { timeoutMs: 20_000 });
    await session.sendAndWait("beta", { timeoutMs: 20_000 });
    const { points } = await session.rpc.history.listRewindPoints();
    expect(points.map((p) => p.userMessage)).toEqual(["alpha", "beta"]);

    const rewound = await session.rpc.history.rewind({ eventId: points[1]!.eventId, mode: "conversation" });
    expect(rewound).toMatchObject({ outcome: "success" });
    await session.sendAndWait("gamma", { timeoutMs: 20_000 });
    const afterRewind = promptText(t.model.requests.at(-1));
    expect(afterRewind).toContain("echo alpha");
    expect(afterRewind).not.toContain("echo beta");

    const events = await session.getEvents();
    const gamma = events.filter((e) => e.type === "user.message").at(-1)!;
    const truncated = await session.rpc.history.truncate({ eventId: gamma.id });
    expect(truncated.eventsRemoved).toBeGreaterThan(0);
    const remaining = await session.getEvents();
    expect(remaining.some((e) => e.id === gamma.id)).toBe(false);
    expect(remaining.filter((e) => e.type === "user.message")).toHaveLength(1);
    await session.sendAndWait("delta", { timeoutMs: 20_000 });
    expect(promptText(t.model.requests.at(-1))).not.toContain("echo gamma");
    t.model.assertDone();
  });

  it("infiniteSessions thresholds: past backgroundCompactionThreshold the runtime compacts in the background", async () => {
    const t = await setup(runtime, { model: { script: turns(4) } });
    // A 12k-token window: the ~8k-token system prompt and tools alone fill two thirds of it.
    const provider = { ...t.model.provider(), maxPromptTokens: 12_000, maxContextWindowTokens: 12_000 };
    const session = await t.client.createSession({
      model: "gpt-4.1",
      provider,
      infiniteSessions: { enabled: true, backgroundCompactionThreshold: 0.5, bufferExhaustionThreshold: 0.95 },
    });
    const completed = waitForEvent(session, (e) => e.type === "session.compaction_complete", 20_000, "a background compaction");
    await session.sendAndWait("alpha", { timeoutMs: 20_000 });
    await session.sendAndWait("beta", { timeoutMs: 20_000 });
    const done = await completed;

    expect(done.data).toMatchObject({ success: true, summaryContent: "SUMMARY-OF-CONVERSATION" });
    expect(t.model.requests.some((r) => /create a detailed summary of the conversation/i.test(lastUserText(r) ?? ""))).toBe(true);
  });
});
