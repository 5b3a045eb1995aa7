/**
 * End to end on both pinned runtimes with the scripted model (offline): a replaced system
 * message, resuming a session, aborting a turn, `sendAndWait` timeout and signal, many sessions
 * on one client, the responses wire API, and `client.stop()` with sessions open.
 */
import { existsSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { SdkError, isSdkError } from "@flightdeck/copilot-core";
import { CopilotClient, RuntimeConnection } from "@flightdeck/copilot-client";
import type { AnySessionEvent, CopilotSession } from "@flightdeck/copilot-session";
import { createTestClient, lastUserText, systemPrompt, toolResults, type StaticTurn } from "@flightdeck/copilot-testing";
import { defineTool } from "@flightdeck/copilot-tools";
import { IN_PROCESS, RUNTIMES, activeTimers, defer, gate, runtimeTree, settledTimers, setup, useE2eTeardown } from "../../../test-support/e2e.js";

useE2eTeardown();

/** Contents of the events of one type, main agent only. */
function contents(events: AnySessionEvent[], type: "user.message" | "assistant.message"): string[] {
  return events.filter((e) => e.type === type && e.agentId === undefined).map((e) => (e.data as { content: string }).content);
}

describe.each(RUNTIMES)("$name", (runtime) => {
  it("systemMessage replace: the model receives exactly that system prompt", async () => {
    const t = await setup(runtime);
    const content = "You are the Flightdeck e2e bot. Answer in one word.";
    t.model.push({ text: "Ready." });
    const session = await t.client.createSession({ model: "gpt-4.1", provider: t.model.provider(), systemMessage: { mode: "replace", content } });
    await session.sendAndWait("Are you ready?", { timeoutMs: 20_000 });

    expect(systemPrompt(t.model.requests[0]!)).toBe(content);
    expect(t.problems()).toEqual([]);
    t.model.assertDone();
  });

  it("resumes a session on a new client: history is there and a new turn works", async () => {
    const t = await setup(runtime);
    const config = () => ({ model: "gpt-4.1", provider: t.model.provider() });
    t.model.push({ text: "The capital of France is Paris." });
    const first = await t.client.createSession(config());
    await first.sendAndWait("What is the capital of France?", { timeoutMs: 20_000 });
    const sessionId = first.sessionId;
    expect(await t.client.stop()).toEqual([]);

    // A second client on the same state folder: the session comes back from disk.
    const client = new CopilotClient({
      connection: RuntimeConnection.forStdio({ path: runtime.path, args: runtime.args }),
      env: { ...t.iso.env },
      workingDirectory: t.iso.workingDirectory,
      useLoggedInUser: false,
      onError: (error) => t.errors.push(error),
    });
    defer(() => client.forceStop());
    const resumed = await client.resumeSession(sessionId, config());
    expect(resumed.sessionId).toBe(sessionId);
    const before = await resumed.getEvents();
    expect(contents(before, "user.message")).toEqual(["What is the capital of France?"]);
    expect(contents(before, "assistant.message")).toEqual(["The capital of France is Paris."]);

    let history: string[] = [];
    t.model.push((req) => {
      history = ((req.body as { messages: Array<{ role: string; content: unknown }> }).messages ?? [])
        .filter((m) => m.role !== "system")
        .map((m) => `${m.role}: ${JSON.stringify(m.content)}`);
      return { text: "About 2.1 million people." };
    });
    const reply = await resumed.sendAndWait("And its population?", { timeoutMs: 20_000 });
    expect(reply?.data.content).toBe("About 2.1 million people.");
    // The model saw the earlier turn.
    expect(history.join("\n")).toContain("What is the capital of France?");
    expect(history.join("\n")).toContain("The capital of France is Paris.");
    const after = await resumed.getEvents();
    expect(contents(after, "user.message")).toEqual(["What is the capital of France?", "And its population?"]);
    expect(t.problems()).toEqual([]);
    t.model.assertDone();
  });

  it("abort() mid-turn ends the turn; the session stays usable", async () => {
    const t = await setup(runtime);
    // ~8 s of streaming if nothing stops it.
    t.model.push({ text: "word ".repeat(400), chunkSize: 5, chunkDelayMs: 20 });
    const session = await t.client.createSession({ model: "gpt-4.1", provider: t.model.provider(), streaming: true });
    const types: string[] = [];
    session.on((e) => void types.push(e.type));
    const firstDelta = new Promise<void>((resolve) => session.on("assistant.message_delta", () => resolve()));
    const started = Date.now();
    const turn = session.sendAndWait("Talk for a long time", { timeoutMs: 20_000 }).catch((e: unknown) => e);
    await firstDelta;
    await session.abort();
    const error = await turn;
    expect(Date.now() - started).toBeLessThan(6_000);
    expect(error).toBeInstanceOf(SdkError);
    expect((error as SdkError).code).toBe("ABORTED");
    expect(types).toContain("abort");

    t.model.push({ text: "Back again." });
    const reply = await session.sendAndWait("Still there?", { timeoutMs: 20_000 });
    expect(reply?.data.content).toBe("Back again.");
    expect(t.problems()).toEqual([]);
    t.model.assertDone();
  });

  it("sendAndWait: timeoutMs and an AbortSignal reject with typed errors and leave no timer", async () => {
    const t = await setup(runtime);
    // Turns that answer only when the test opens the gate: no timer of the test is involved.
    const held = gate<StaticTurn>();
    defer(() => held.open({ text: "late" }));
    const firstArrived = gate();
    const controller = new AbortController();
    t.model.push(
      () => {
        firstArrived.open();
        return held.promise;
      },
      () => {
        controller.abort(new Error("user pressed stop"));
        return held.promise;
      },
    );
    const session = await t.client.createSession({ model: "gpt-4.1", provider: t.model.provider() });
    const idle = () =>
      new Promise<void>((resolve) => {
        const off: () => void = session.on("session.idle", () => {
          off();
          resolve();
        });
      });

    let baseline = await settledTimers();
    const first = session.sendAndWait("first", { timeoutMs: 300, idleTimeoutMs: 10_000 }).catch((e: unknown) => e);
    // The measure is sensitive: the wait's own timers show up while it runs.
    expect(activeTimers()).toBeGreaterThan(baseline);
    const timeout = await first;
    expect(timeout).toBeInstanceOf(SdkError);
    expect((timeout as SdkError).code).toBe("TIMEOUT");
    expect((timeout as SdkError).message).toContain("Timeout after 300ms waiting for session.idle");
    expect(activeTimers()).toBe(baseline);
    await firstArrived.promise;
    const ended = idle();
    await session.abort();
    await ended;

    baseline = await settledTimers();
    const second = session.sendAndWait("second", { signal: controller.signal, timeoutMs: 20_000, idleTimeoutMs: 10_000 }).catch((e: unknown) => e);
    expect(activeTimers()).toBeGreaterThan(baseline);
    const aborted = await second;
    expect(aborted).toBeInstanceOf(SdkError);
    expect((aborted as SdkError).code).toBe("ABORTED");
    expect(((aborted as SdkError).cause as Error).message).toBe("user pressed stop");
    expect(activeTimers()).toBe(baseline);
    expect(t.problems()).toEqual([]);
  });

  it("20 concurrent sessions on one client: every event stays in its own session", async () => {
    const t = await setup(runtime);
    const count = 20;
    const key = (i: number) => `<k${String(i).padStart(2, "0")}>`;
    // The runtime prefixes the prompt with context (the date): answer from the key alone.
    for (let i = 0; i < count; i++) t.model.push((req) => ({ text: `answer ${/<k\d\d>/.exec(lastUserText(req) ?? "")?.[0] ?? "no key"}`, chunkSize: 4 }));
    const events = new Map<string, AnySessionEvent[]>();
    const sessions: CopilotSession[] = await Promise.all(
      Array.from({ length: count }, () =>
        t.client.createSession({ model: "gpt-4.1", provider: t.model.provider(), streaming: true }).then((session) => {
          const list: AnySessionEvent[] = [];
          events.set(session.sessionId, list);
          session.on((e) => void list.push(e));
          return session;
        }),
      ),
    );
    const replies = await Promise.all(sessions.map((s, i) => s.sendAndWait(`question ${key(i)}`, { timeoutMs: 30_000 })));

    const seenIds = new Set<string>();
    sessions.forEach((session, i) => {
      const list = events.get(session.sessionId)!;
      expect(replies[i]?.data.content).toBe(`answer ${key(i)}`);
      expect(contents(list, "user.message")).toEqual([`question ${key(i)}`]);
      const deltas = list.filter((e) => e.type === "assistant.message_delta").map((e) => (e.data as { deltaContent: string }).deltaContent);
      expect(deltas.join("")).toBe(`answer ${key(i)}`);
      // No other session's key appears anywhere in this session's events.
      const text = JSON.stringify(list);
      for (let j = 0; j < count; j++) if (j !== i) expect(text).not.toContain(key(j));
      for (const event of list) {
        expect(seenIds.has(event.id)).toBe(false);
        seenIds.add(event.id);
      }
    });
    expect(t.problems()).toEqual([]);
    t.model.assertDone();
  });

  it("the responses wire API: a tool round trip through POST /v1/responses", async () => {
    const t = await setup(runtime);
    const seen: unknown[] = [];
    const lookup = defineTool("lookup_order", {
      description: "Looks up an order",
      parameters: { type: "object", properties: { orderId: { type: "string" } }, required: ["orderId"] } as const,
      skipPermission: true,
      handler: (args) => {
        seen.push(args);
        return `order ${args.orderId}: shipped`;
      },
    });
    t.model.push({ toolCalls: [{ name: "lookup_order", arguments: { orderId: "A-17" } }] }, (req) => ({
      text: `Status: ${toolResults(req).at(-1)?.content}`,
      chunkSize: 6,
    }));
    const session = await t.client.createSession({ model: "gpt-4.1", provider: t.model.provider({ wireApi: "responses" }), tools: [lookup], streaming: true });
    const deltas: string[] = [];
    session.on("assistant.message_delta", (e) => void deltas.push(e.data.deltaContent));
    const reply = await session.sendAndWait("Where is order A-17?", { timeoutMs: 20_000 });

    expect(reply?.data.content).toBe("Status: order A-17: shipped");
    expect(deltas.join("")).toContain("Status: order A-17: shipped");
    expect(seen).toEqual([{ orderId: "A-17" }]);
    const calls = t.model.requests.filter((r) => r.call !== undefined);
    expect(calls.map((r) => [r.path, r.wireApi])).toEqual([
      ["/v1/responses", "responses"],
      ["/v1/responses", "responses"],
    ]);
    expect(typeof (calls[0]!.body as { instructions?: unknown }).instructions).toBe("string");
    expect(t.problems()).toEqual([]);
    t.model.assertDone();
  });

  it("client.stop() with sessions open: no hang, no process left, a pending sendAndWait rejects", async () => {
    const t = await setup(runtime);
    const held = gate<StaticTurn>();
    defer(() => held.open({ text: "late" }));
    const arrived = gate();
    t.model.push(() => {
      arrived.open();
      return held.promise;
    });
    const busy = await t.client.createSession({ model: "gpt-4.1", provider: t.model.provider() });
    const idle = await t.client.createSession({ model: "gpt-4.1", provider: t.model.provider() });
    const pid = t.client.runtimePid!;
    // In process (FLIGHTDECK_TEST_CONNECTION=inprocess) there is no runtime process to count (docs/in-process.md).
    const tree = IN_PROCESS ? undefined : runtimeTree(pid);
    if (tree) expect(tree()).toContain(pid);
    const pending = busy.sendAndWait("never answered", { timeoutMs: 20_000 }).catch((e: unknown) => e);
    await arrived.promise;

    const started = Date.now();
    const stopErrors = await t.client.stop();
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(stopErrors).toEqual([]);
    expect(t.client.state).toBe("stopped");
    expect(isSdkError(await pending, "CONNECTION_CLOSED")).toBe(true);
    if (tree) expect(tree()).toEqual([]);
    await expect(idle.send("hello?")).rejects.toMatchObject({ code: "CONNECTION_CLOSED" });
    expect(t.problems()).toEqual([]);
  });

  it("createTestClient: a test in a few lines, and cleanup() leaves no process or folder", async () => {
    const t = await createTestClient({ runtime, client: { onError: () => {} }, model: { script: [{ text: "Hello!" }] } });
    let tree: (() => number[]) | undefined;
    try {
      const session = await t.client.createSession({ model: "gpt-4.1", provider: t.model.provider() });
      expect((await session.sendAndWait("Hi", { timeoutMs: 20_000 }))?.data.content).toBe("Hello!");
      t.model.assertDone();
      if (!IN_PROCESS) tree = runtimeTree(t.client.runtimePid!);
      expect(t.runtime).toBe(runtime);
      expect(t.iso.env.HOME?.startsWith(t.iso.dir)).toBe(true);
    } finally {
      await t.cleanup();
    }
    if (!IN_PROCESS) expect(tree!()).toEqual([]);
    expect(existsSync(t.iso.dir)).toBe(false);
    await expect(t.model.waitForRequests(2, { timeoutMs: 1_000 })).rejects.toMatchObject({ code: "SERVER_CLOSED" });
    await t.cleanup(); // idempotent
  });
});
