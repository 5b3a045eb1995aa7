import { afterEach, describe, expect, it, vi } from "vitest";
import { RpcError, RpcErrorCode, isSdkError } from "@flightdeck/copilot-core";
import { defineTool } from "@flightdeck/copilot-tools";
import { SessionHost } from "@flightdeck/copilot-session";
import { createFakeRuntime, type FakeRuntime } from "../../../test-support/fake-runtime.js";

const runtimes: FakeRuntime[] = [];
afterEach(async () => {
  for (const r of runtimes.splice(0)) await r.close();
});
function fake(): FakeRuntime {
  const r = createFakeRuntime();
  runtimes.push(r);
  return r;
}

describe("SessionHost", () => {
  it("resumes a session with its config; resuming it again reconfigures the same session", async () => {
    const runtime = fake();
    const host = new SessionHost(runtime.client, { validation: "off" });
    const session = await host.resumeSession("existing-session", { model: "m" });
    expect(session.sessionId).toBe("existing-session");
    expect(runtime.callsOf("session.resume")[0]!.params).toEqual({ sessionId: "existing-session", model: "m", requestPermission: true });
    const events: string[] = [];
    session.on("assistant.message", (e) => void events.push(e.data.content));
    const again = await host.resumeSession("existing-session", { model: "m2", streaming: true });
    expect(again).toBe(session);
    expect(runtime.callsOf("session.resume")[1]!.params).toEqual({
      sessionId: "existing-session",
      model: "m2",
      streaming: true,
      includeSubAgentStreamingEvents: true,
      requestPermission: true,
    });
    runtime.emit("existing-session", "assistant.message", { messageId: "x", content: "once" });
    await runtime.settle();
    expect(events).toEqual(["once"]);
    await expect(host.resumeSession("")).rejects.toMatchObject({ code: "INVALID_OPTION", message: expect.stringContaining("`sessionId`") });
    expect(host.get("existing-session")).toBe(session);
  });

  it("forgets a session whose create failed, and rethrows the runtime's error", async () => {
    const runtime = fake();
    runtime.handle("session.create", () => {
      throw new RpcError(RpcErrorCode.InvalidParams, "Invalid tool name");
    });
    const host = new SessionHost(runtime.client, { validation: "off" });
    await expect(host.createSession()).rejects.toBeInstanceOf(RpcError);
    expect(host.sessions()).toEqual([]);
  });

  it("answers a tool call that arrives before createSession returns", async () => {
    const runtime = fake();
    const ping = defineTool("ping", { description: "pong", handler: () => "pong" });
    runtime.handle("session.create", async (params) => {
      const { sessionId } = params as { sessionId: string };
      runtime.emit(sessionId, "external_tool.requested", { requestId: "early", sessionId, toolCallId: "c1", toolName: "ping", arguments: {} });
      await runtime.waitForCall("session.tools.handlePendingToolCall");
      return { sessionId };
    });
    const host = new SessionHost(runtime.client, { validation: "off" });
    await host.createSession({ tools: [ping] });
    expect(runtime.callsOf("session.tools.handlePendingToolCall")[0]!.params).toMatchObject({ requestId: "early", result: { textResultForLlm: "pong" } });
  });

  it("rebind: interrupts waits, moves every session to the new connection and resumes it with its config", async () => {
    const first = fake();
    const onError = vi.fn();
    const host = new SessionHost(first.client, { onError, validation: "off" });
    const a = await host.createSession({ model: "gpt-a", streaming: true });
    const b = await host.createSession({ model: "gpt-b" });
    const wait = a.sendAndWait("hi").catch((e: unknown) => e);
    await first.waitForCall("session.send");

    const second = fake();
    second.handle("session.resume", (params) => {
      const { sessionId } = params as { sessionId: string };
      if (sessionId === b.sessionId) throw new RpcError(RpcErrorCode.InternalError, "Session not found");
      return { sessionId, workspacePath: "/new/ws" };
    });
    await host.rebind(second.client);
    expect(isSdkError(await wait, "CONNECTION_CLOSED")).toBe(true);
    expect(((await wait) as Error).message).toContain("runtime restarted");
    expect(second.callsOf("session.resume").map((c) => c.params)).toEqual(
      expect.arrayContaining([
        { sessionId: a.sessionId, model: "gpt-a", streaming: true, includeSubAgentStreamingEvents: true, requestPermission: true },
        { sessionId: b.sessionId, model: "gpt-b", requestPermission: true },
      ]),
    );
    // b could not be resumed: closed and reported; a carries on over the new connection.
    expect(host.sessions()).toEqual([a]);
    expect(onError).toHaveBeenCalledTimes(1);
    expect((onError.mock.calls[0]![0] as Error).message).toContain(`Session ${b.sessionId} could not be resumed`);
    await expect(b.send("x")).rejects.toMatchObject({ code: "CONNECTION_CLOSED" });
    expect(a.workspacePath).toBe("/new/ws");
    const seen: string[] = [];
    a.on("assistant.message", (e) => void seen.push(e.data.content));
    first.emit(a.sessionId, "assistant.message", { messageId: "old", content: "from the dead runtime" });
    second.emit(a.sessionId, "assistant.message", { messageId: "new", content: "from the new runtime" });
    await a.send("again");
    await second.settle();
    expect(seen).toEqual(["from the new runtime"]);
    expect(second.callsOf("session.send")).toHaveLength(1);
    expect(first.callsOf("session.send")).toHaveLength(1);
  });

  it("dispose: rejects later calls on the host and its sessions; idempotent", async () => {
    const runtime = fake();
    const host = new SessionHost(runtime.client, { validation: "off" });
    const session = await host.createSession();
    const reason = new Error("the runtime exited (code 137)");
    host.dispose(reason);
    host.dispose(new Error("second"));
    await expect(host.createSession()).rejects.toMatchObject({ code: "CONNECTION_CLOSED", message: expect.stringContaining("code 137") });
    await expect(session.abort()).rejects.toMatchObject({ code: "CONNECTION_CLOSED", message: expect.stringContaining("code 137") });
    expect(host.sessions()).toEqual([]);
    // Handlers were removed from the connection: the runtime's requests now get method-not-found.
    await expect(runtime.request("userInput.request", { sessionId: session.sessionId, question: "?" })).rejects.toMatchObject({
      code: RpcErrorCode.MethodNotFound,
    });
  });
});
