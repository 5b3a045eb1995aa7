import { afterEach, describe, expect, it, vi } from "vitest";
import { isSdkError } from "@flightdeck/copilot-core";
import { SessionHost, isUnknownSessionEvent, type AnySessionEvent } from "@flightdeck/copilot-session";
import { createFakeRuntime, type FakeRuntime } from "../../../test-support/fake-runtime.js";

let runtime: FakeRuntime;
afterEach(async () => {
  await runtime?.close();
});

function setup(onError = vi.fn()) {
  runtime = createFakeRuntime();
  const host = new SessionHost(runtime.client, { onError, validation: "off" });
  return { host, onError };
}

describe("event routing", () => {
  it("routes events of 20 concurrent sessions by sessionId without crossing", async () => {
    const { host, onError } = setup();
    const sessions = await Promise.all(Array.from({ length: 20 }, () => host.createSession()));
    const seen = new Map<string, string[]>();
    for (const s of sessions) {
      seen.set(s.sessionId, []);
      s.on("assistant.message", (e) => void seen.get(s.sessionId)!.push(e.data.content));
    }
    for (let round = 0; round < 3; round++) {
      for (const s of sessions) runtime.emit(s.sessionId, "assistant.message", { messageId: `m${round}`, content: `${s.sessionId}#${round}` });
    }
    await runtime.settle();
    for (const s of sessions) {
      expect(seen.get(s.sessionId)).toEqual([0, 1, 2].map((r) => `${s.sessionId}#${r}`));
    }
    expect(new Set(sessions.map((s) => s.sessionId)).size).toBe(20);
    expect(onError).not.toHaveBeenCalled();
  });

  it("ignores events for sessions it does not host and reports malformed notifications", async () => {
    const { host, onError } = setup();
    const session = await host.createSession();
    const all = vi.fn();
    session.on(all);
    runtime.emit("someone-elses-session", "assistant.message", { messageId: "x", content: "not yours" });
    runtime.emitRaw({ sessionId: session.sessionId, event: "garbage" });
    await runtime.settle();
    expect(all).not.toHaveBeenCalled();
    expect(onError).toHaveBeenCalledTimes(1);
    expect(isSdkError(onError.mock.calls[0]![0], "VALIDATION")).toBe(true);
  });

  it("onEvent sees the events emitted before createSession returns", async () => {
    const { host } = setup();
    runtime.handle("session.create", async (params) => {
      const { sessionId } = params as { sessionId: string };
      runtime.emit(sessionId, "session.start", { sessionId, version: 1, producer: "test", copilotVersion: "1.0.85", startTime: new Date().toISOString() });
      await runtime.settle();
      return { sessionId, workspacePath: "/projects/ws" };
    });
    const early: string[] = [];
    const session = await host.createSession({ onEvent: (e) => void early.push(e.type) });
    expect(early).toEqual(["session.start"]);
    expect(session.workspacePath).toBe("/projects/ws");
  });

  it("on(type) narrows and unsubscribes; on(handler) gets everything", async () => {
    const { host } = setup();
    const session = await host.createSession();
    const typed: string[] = [];
    const any: string[] = [];
    const off = session.on("assistant.message_delta", (e) => void typed.push(e.data.deltaContent));
    session.on((e) => void any.push(e.type));
    runtime.emit(session.sessionId, "assistant.message_delta", { messageId: "m", deltaContent: "a" });
    await runtime.settle();
    off();
    off(); // harmless twice
    runtime.emit(session.sessionId, "assistant.message_delta", { messageId: "m", deltaContent: "b" });
    runtime.emit(session.sessionId, "session.idle", {}, { ephemeral: true });
    await runtime.settle();
    expect(typed).toEqual(["a"]);
    expect(any).toEqual(["assistant.message_delta", "assistant.message_delta", "session.idle"]);
  });
});

describe("handler errors", () => {
  it("reports a throwing handler and a rejecting async handler through onError; other handlers still run", async () => {
    const { host, onError } = setup();
    const session = await host.createSession();
    const after = vi.fn();
    session.on("assistant.message", () => {
      throw new Error("sync boom");
    });
    session.on("assistant.message", async () => {
      throw new Error("async boom");
    });
    session.on("assistant.message", after);
    session.on(after);
    runtime.emit(session.sessionId, "assistant.message", { messageId: "m", content: "hi" });
    await runtime.settle();
    expect(after).toHaveBeenCalledTimes(2);
    const messages = onError.mock.calls.map((c) => (c[0] as Error).message);
    expect(messages).toHaveLength(2);
    expect(messages[0]).toContain("sync boom");
    expect(messages[1]).toContain("async boom");
    for (const [error] of onError.mock.calls) {
      expect(isSdkError(error, "HANDLER_FAILED")).toBe(true);
      expect((error as Error).cause).toBeInstanceOf(Error);
    }
  });

  it("prefers the session's onError over the host's", async () => {
    const { host, onError } = setup();
    const own = vi.fn();
    const session = await host.createSession({ onError: own });
    session.on(() => {
      throw new Error("mine");
    });
    runtime.emit(session.sessionId, "session.idle", {}, { ephemeral: true });
    await runtime.settle();
    expect(own).toHaveBeenCalledTimes(1);
    expect(onError).not.toHaveBeenCalled();
  });
});

describe("unknown event types", () => {
  it("delivers a type the bindings do not know as UnknownSessionEvent, to catch-all handlers only", async () => {
    const { host, onError } = setup();
    const session = await host.createSession();
    const got: AnySessionEvent[] = [];
    session.on(got.push.bind(got));
    const typed = vi.fn();
    session.on("assistant.message", typed);
    runtime.emit(session.sessionId, "future.thing_happened", { answer: 42 });
    await runtime.settle();
    expect(got).toHaveLength(1);
    const event = got[0]!;
    expect(isUnknownSessionEvent(event)).toBe(true);
    if (!isUnknownSessionEvent(event)) throw new Error("unreachable");
    expect(event.type).toBe("future.thing_happened");
    expect(event.rawData).toEqual({ answer: 42 });
    expect(typed).not.toHaveBeenCalled();
    expect(onError).not.toHaveBeenCalled();
  });

  it.each(["lenient", "strict"] as const)(
    "validation %s: what docs/protocol-bumps.md says it does with unknown types and unknown fields",
    async (validation) => {
      runtime = createFakeRuntime();
      const onError = vi.fn();
      const host = new SessionHost(runtime.client, { onError, validation });
      const session = await host.createSession();
      const got: AnySessionEvent[] = [];
      session.on(got.push.bind(got));
      runtime.emit(session.sessionId, "future.thing_happened", { answer: 42 });
      runtime.emit(session.sessionId, "session.idle", { futureField: true }, { ephemeral: true });
      // The validators load on first use: wait until both events went through them.
      await vi.waitFor(() => expect(got.length + onError.mock.calls.length).toBeGreaterThanOrEqual(validation === "strict" ? 3 : 2), { timeout: 5000 });
      await runtime.settle();
      const reported = onError.mock.calls.map(([e]) => (e as Error).message);
      if (validation === "lenient") {
        // Lenient: both delivered, nothing reported.
        expect(got.map((e) => e.type)).toEqual(["future.thing_happened", "session.idle"]);
        expect(reported).toEqual([]);
      } else {
        // Strict: the unknown type is reported and still delivered; the unknown field is reported and the event dropped.
        expect(got.map((e) => e.type)).toEqual(["future.thing_happened"]);
        expect(reported).toHaveLength(2);
        expect(reported[0]).toContain('the event type "future.thing_happened" is not in the pinned schemas');
        expect(reported[1]).toMatch(/a "session.idle" event does not match the schema \(.*futureField.*\)\. It was dropped \(validation: strict\)/);
        expect(onError.mock.calls.every(([e]) => isSdkError(e, "VALIDATION"))).toBe(true);
      }
    },
  );
});

describe("events() and textStream()", () => {
  it("buffers events for a slow consumer and ends on abort", async () => {
    const { host } = setup();
    const session = await host.createSession();
    const controller = new AbortController();
    const stream = session.events({ signal: controller.signal });
    for (let i = 0; i < 5; i++) runtime.emit(session.sessionId, "assistant.message_delta", { messageId: "m", deltaContent: String(i) });
    await runtime.settle();
    const got: string[] = [];
    for await (const event of stream) {
      if (event.type === "assistant.message_delta") got.push(event.data.deltaContent);
      if (got.length === 5) controller.abort();
    }
    expect(got).toEqual(["0", "1", "2", "3", "4"]);
  });

  it("ends events() normally on disconnect and with the reason on dispose", async () => {
    const { host } = setup();
    const a = await host.createSession();
    const b = await host.createSession();
    const streamA = a.events();
    const streamB = b.events();
    await a.disconnect();
    expect(await streamA.next()).toEqual({ value: undefined, done: true });
    host.dispose(new Error("runtime crashed"));
    await expect(streamB.next()).rejects.toThrow("runtime crashed");
  });

  it("textStream yields deltas of the main agent until session.idle", async () => {
    const { host } = setup();
    const session = await host.createSession({ streaming: true });
    const text = session.textStream();
    const id = session.sessionId;
    runtime.emit(id, "assistant.message_delta", { messageId: "m1", deltaContent: "Hel" });
    runtime.emit(id, "assistant.message_delta", { messageId: "s1", deltaContent: "sub-agent" }, { agentId: "sub" });
    runtime.emit(id, "assistant.message_delta", { messageId: "m1", deltaContent: "lo" });
    runtime.emit(id, "assistant.message", { messageId: "m1", content: "Hello" });
    runtime.emit(id, "assistant.message", { messageId: "m2", content: " world" }); // not streamed: whole text
    runtime.emit(id, "session.idle", {}, { ephemeral: true });
    runtime.emit(id, "assistant.message_delta", { messageId: "m3", deltaContent: "next turn" });
    const chunks: string[] = [];
    for await (const chunk of text) chunks.push(chunk);
    expect(chunks.join("")).toBe("Hello world");
  });

  it("textStream throws SessionError on session.error", async () => {
    const { host } = setup();
    const session = await host.createSession();
    const text = session.textStream();
    runtime.emit(session.sessionId, "session.error", { errorType: "quota", message: "Out of quota" });
    await expect(text.next()).rejects.toMatchObject({ name: "SessionError", errorType: "quota" });
  });
});
