import { afterEach, describe, expect, it, vi } from "vitest";
import { RpcError, RpcErrorCode, isSdkError } from "@flightdeck/copilot-core";
import { SessionError, SessionHost, type CopilotSession } from "@flightdeck/copilot-session";
import { createFakeRuntime, type FakeRuntime } from "../../../test-support/fake-runtime.js";

let runtime: FakeRuntime;
afterEach(async () => {
  vi.useRealTimers();
  await runtime?.close();
});

async function setup(): Promise<{ host: SessionHost; session: CopilotSession; onError: ReturnType<typeof vi.fn> }> {
  runtime = createFakeRuntime();
  const onError = vi.fn();
  const host = new SessionHost(runtime.client, { onError, validation: "off" });
  const session = await host.createSession();
  return { host, session, onError };
}

function timers(): number {
  return process.getActiveResourcesInfo().filter((r) => r === "Timeout").length;
}

/** Plays a turn once the prompt reaches the runtime. */
function onSend(play: (sessionId: string) => void): void {
  runtime.handle("session.send", (params) => {
    setImmediate(() => play((params as { sessionId: string }).sessionId));
    return { messageId: "u1" };
  });
}

describe("sendAndWait", () => {
  it("resolves with the last main-agent assistant.message, only at session.idle after background work", async () => {
    const { session } = await setup();
    const before = timers();
    let settled = false;
    onSend((id) => {
      runtime.emit(id, "user.message", { content: "hi" });
      runtime.emit(id, "assistant.message", { messageId: "a1", content: "first" });
      runtime.emit(id, "assistant.message", { messageId: "s1", content: "from a sub-agent" }, { agentId: "sub-1" });
      runtime.emit(id, "assistant.message", { messageId: "a2", content: "final" });
      // The main loop is idle but a background agent still runs: session.idle is deferred.
      runtime.emit(id, "assistant.idle", {}, { ephemeral: true });
    });
    const pending = session.sendAndWait("hi", { timeoutMs: 5_000 }).then((r) => {
      settled = true;
      return r;
    });
    await runtime.waitForCall("session.send");
    await runtime.settle();
    expect(settled).toBe(false);
    // Autopilot continuation boundary: the agent keeps working.
    runtime.emit(session.sessionId, "session.idle", { mode: "autopilot" }, { ephemeral: true });
    await runtime.settle();
    expect(settled).toBe(false);
    runtime.emit(session.sessionId, "session.idle", { mode: "interactive" }, { ephemeral: true });
    const reply = await pending;
    expect(reply?.data.content).toBe("final");
    expect(runtime.callsOf("session.send")[0]!.params).toEqual({ sessionId: session.sessionId, prompt: "hi" });
    expect(timers()).toBeLessThanOrEqual(before);
  });

  it("sends prompt options (attachments, mode) as given", async () => {
    const { session } = await setup();
    onSend((id) => runtime.emit(id, "session.idle", {}, { ephemeral: true }));
    const attachments = [
      { type: "file" as const, path: "/projects/app/a.ts", displayName: "a.ts" },
      { type: "blob" as const, data: "aGk=", mimeType: "text/plain" },
    ];
    await expect(session.sendAndWait({ prompt: "look", attachments, mode: "immediate" })).resolves.toBeUndefined();
    expect(runtime.callsOf("session.send")[0]!.params).toEqual({ sessionId: session.sessionId, prompt: "look", attachments, mode: "immediate" });
  });

  it("rejects with SessionError carrying the runtime's message on session.error", async () => {
    const { session } = await setup();
    const before = timers();
    onSend((id) =>
      runtime.emit(id, "session.error", { errorType: "authentication", message: "No GitHub OAuth token or Copilot HMAC key provided", statusCode: 401 }),
    );
    const error = await session.sendAndWait("hi").catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SessionError);
    expect((error as SessionError).message).toContain("No GitHub OAuth token");
    expect((error as SessionError).errorType).toBe("authentication");
    expect((error as SessionError).statusCode).toBe(401);
    expect(timers()).toBeLessThanOrEqual(before);
  });

  it("rejects with TIMEOUT after timeoutMs and leaves no timer (fake timers)", async () => {
    const { session } = await setup();
    vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout"] });
    const result = session.sendAndWait("hi", { timeoutMs: 1_000 }).catch((e: unknown) => e);
    await vi.advanceTimersByTimeAsync(999);
    expect(vi.getTimerCount()).toBe(1);
    await vi.advanceTimersByTimeAsync(1);
    const error = await result;
    expect(isSdkError(error, "TIMEOUT")).toBe(true);
    expect((error as Error).message).toContain("Timeout after 1000ms waiting for session.idle");
    expect(vi.getTimerCount()).toBe(0);
  });

  it("rejects with TIMEOUT when no event arrives for idleTimeoutMs, resetting on every event", async () => {
    const { session } = await setup();
    const before = timers();
    onSend((id) => {
      runtime.emit(id, "assistant.turn_start", { turnId: "t1" });
    });
    const started = Date.now();
    const error = await session.sendAndWait("hi", { idleTimeoutMs: 60, timeoutMs: 0 }).catch((e: unknown) => e);
    expect(isSdkError(error, "TIMEOUT")).toBe(true);
    expect((error as Error).message).toContain("no event for 60 ms");
    expect(Date.now() - started).toBeLessThan(2_000);
    expect(timers()).toBeLessThanOrEqual(before);
  });

  it("rejects with ABORTED when its signal aborts, and aborts the turn on the runtime", async () => {
    const { session } = await setup();
    const before = timers();
    const controller = new AbortController();
    const result = session.sendAndWait("hi", { signal: controller.signal }).catch((e: unknown) => e);
    await runtime.waitForCall("session.send");
    controller.abort(new Error("user pressed stop"));
    const error = await result;
    expect(isSdkError(error, "ABORTED")).toBe(true);
    await runtime.waitForCall("session.abort");
    expect(timers()).toBeLessThanOrEqual(before);
    // An already-aborted signal never sends.
    await expect(session.sendAndWait("again", { signal: AbortSignal.abort() })).rejects.toMatchObject({ code: "ABORTED" });
    expect(runtime.callsOf("session.send")).toHaveLength(1);
  });

  it("rejects with ABORTED when the turn ends aborted", async () => {
    const { session } = await setup();
    onSend((id) => runtime.emit(id, "session.idle", { aborted: true }, { ephemeral: true }));
    await expect(session.sendAndWait("hi")).rejects.toMatchObject({ code: "ABORTED" });
  });

  it("rejects when session.send itself fails", async () => {
    const { session } = await setup();
    const before = timers();
    runtime.handle("session.send", () => {
      throw new RpcError(RpcErrorCode.InternalError, "Session not found");
    });
    await expect(session.sendAndWait("hi")).rejects.toThrow("Session not found");
    expect(timers()).toBeLessThanOrEqual(before);
  });

  it("rejects waiters with the reason when the host is disposed", async () => {
    const { host, session } = await setup();
    const before = timers();
    const result = session.sendAndWait("hi").catch((e: unknown) => e);
    await runtime.waitForCall("session.send");
    const reason = new Error("runtime exited with code 1");
    host.dispose(reason);
    expect(await result).toBe(reason);
    expect(timers()).toBeLessThanOrEqual(before);
    await expect(session.send("later")).rejects.toMatchObject({ code: "CONNECTION_CLOSED", message: expect.stringContaining("runtime exited") });
  });

  it("validates its options", async () => {
    const { session } = await setup();
    await expect(session.sendAndWait("hi", { timeoutMs: -1 })).rejects.toMatchObject({ code: "INVALID_OPTION", message: expect.stringContaining("timeoutMs") });
    await expect(session.sendAndWait({ prompt: 42 as unknown as string })).rejects.toMatchObject({
      code: "INVALID_OPTION",
      message: expect.stringContaining("`prompt`"),
    });
    await expect(session.send({ prompt: "x", attachments: [{ type: "file" } as never] })).rejects.toMatchObject({
      message: expect.stringContaining("attachments[0].path"),
    });
    expect(runtime.callsOf("session.send")).toHaveLength(0);
  });
});

describe("other session methods", () => {
  it("abort, setModel, log, getEvents map to their wire methods", async () => {
    const { session } = await setup();
    runtime.handle("session.getMessages", () => ({
      events: [
        { id: "e1", timestamp: "2025-01-01T00:00:00.000Z", parentId: null, type: "user.message", data: { content: "hi" } },
        { id: "e2", timestamp: "2025-01-01T00:00:01.000Z", parentId: "e1", type: "brand.new", data: {} },
      ],
    }));
    await session.abort();
    expect(await session.setModel("gpt-5", { reasoningEffort: "high" })).toBe("gpt-5");
    expect(typeof (await session.log("hello", { level: "warning" }))).toBe("string");
    const events = await session.getEvents();
    expect(events.map((e) => e.type)).toEqual(["user.message", "brand.new"]);
    expect((events[1] as { unknown?: boolean }).unknown).toBe(true);
    const id = session.sessionId;
    expect(runtime.callsOf("session.abort")[0]!.params).toEqual({ sessionId: id });
    expect(runtime.callsOf("session.model.switchTo")[0]!.params).toEqual({ sessionId: id, modelId: "gpt-5", reasoningEffort: "high" });
    expect(runtime.callsOf("session.log")[0]!.params).toEqual({ sessionId: id, message: "hello", level: "warning" });
    expect(runtime.callsOf("session.getMessages")[0]!.params).toEqual({ sessionId: id });
    await expect(session.log("x", { level: "loud" as never })).rejects.toMatchObject({ code: "INVALID_OPTION" });
  });

  it("disconnect detaches once, rejects waiters, and later calls fail clearly", async () => {
    const { host, session } = await setup();
    const wait = session.sendAndWait("hi").catch((e: unknown) => e);
    await runtime.waitForCall("session.send");
    await Promise.all([session.disconnect(), session.disconnect()]);
    await session[Symbol.asyncDispose]();
    expect(runtime.callsOf("session.detach")).toHaveLength(1);
    expect(isSdkError(await wait, "CONNECTION_CLOSED")).toBe(true);
    // The incumbent's wording (the runtime's) first: programs match on "Session not found".
    await expect(session.send("x")).rejects.toThrow(/^send: Session not found for sessionId: \S+: it was disconnected by disconnect\(\); resume it/);
    expect(() => session.events()).toThrow(/disconnected/);
    expect(host.sessions()).toEqual([]);
  });
});
