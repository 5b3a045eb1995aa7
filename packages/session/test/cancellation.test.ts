/**
 * Cancellation reaches handlers: `session.abort()` fires the signal of every running handler of
 * the session at once (tools, permission, user input, elicitation, hooks) and drops their late
 * answers; a request settled elsewhere (`permission.completed`, `elicitation.completed`,
 * `external_tool.completed`) fires its handler's signal; so does disconnect.
 */
import { afterEach, describe, expect, it, vi } from "vitest";
import { defineTool } from "@flightdeck/copilot-tools";
import { SessionHost, type SessionConfig } from "@flightdeck/copilot-session";
import { createFakeRuntime, type FakeRuntime } from "../../../test-support/fake-runtime.js";

let runtime: FakeRuntime;
afterEach(async () => {
  await runtime?.close();
});

async function setup(config: SessionConfig) {
  runtime = createFakeRuntime();
  runtime.handle("session.ui.handlePendingElicitation", () => ({ success: true }));
  const onError = vi.fn();
  const host = new SessionHost(runtime.client, { validation: "off", onError });
  const session = await host.createSession(config);
  return { session, onError };
}

/** A handler that waits until released, recording its signal. */
function blocker<T>(value: T) {
  const signals: AbortSignal[] = [];
  let release!: () => void;
  const released = new Promise<void>((resolve) => (release = resolve));
  const handler = async (...args: unknown[]): Promise<T> => {
    const found = args.find((a) => typeof a === "object" && a !== null && (a as { signal?: unknown }).signal instanceof AbortSignal) as
      | { signal: AbortSignal }
      | undefined;
    if (found) signals.push(found.signal);
    await released;
    return value;
  };
  return { handler, signals, release };
}

describe("abort() cancels every running handler of the session", () => {
  it("fires all tool signals at once and never sends their late results", async () => {
    const slow = blocker("late result");
    const tool = defineTool("slow", { description: "Waits", handler: (_args, invocation) => slow.handler(invocation) });
    const { session } = await setup({ tools: [tool] });
    for (const id of ["r1", "r2"])
      runtime.emit(session.sessionId, "external_tool.requested", {
        requestId: id,
        sessionId: session.sessionId,
        toolCallId: `c-${id}`,
        toolName: "slow",
        arguments: {},
      });
    await vi.waitFor(() => expect(slow.signals).toHaveLength(2));
    expect(slow.signals.some((s) => s.aborted)).toBe(false);
    await session.abort();
    expect(slow.signals.every((s) => s.aborted)).toBe(true);
    expect(runtime.callsOf("session.abort")).toHaveLength(1);
    slow.release();
    await runtime.settle();
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(runtime.callsOf("session.tools.handlePendingToolCall")).toHaveLength(0);
  });

  it("fires the signals of permission, user-input and hook handlers too", async () => {
    const permission = blocker({ kind: "approve-once" as const });
    const input = blocker({ answer: "late", wasFreeform: true });
    const hook = blocker(undefined);
    const { session } = await setup({ onPermissionRequest: permission.handler, onUserInputRequest: input.handler, hooks: { onPreToolUse: hook.handler } });
    runtime.emit(session.sessionId, "permission.requested", {
      requestId: "p1",
      permissionRequest: {
        kind: "shell",
        fullCommandText: "ls",
        intention: "list",
        commands: [],
        possiblePaths: [],
        possibleUrls: [],
        hasWriteFileRedirection: false,
        canOfferSessionApproval: false,
      },
    });
    const asked = runtime.request("userInput.request", { sessionId: session.sessionId, question: "Which?" }).catch((e: unknown) => e);
    const hooked = runtime
      .request("hooks.invoke", { sessionId: session.sessionId, hookType: "preToolUse", input: { toolName: "bash" } })
      .catch((e: unknown) => e);
    await vi.waitFor(() => expect(permission.signals.length + input.signals.length + hook.signals.length).toBe(3));
    await session.abort();
    expect([...permission.signals, ...input.signals, ...hook.signals].every((s) => s.aborted)).toBe(true);
    permission.release();
    input.release();
    hook.release();
    await Promise.all([asked, hooked]);
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(runtime.callsOf("session.permissions.handlePendingPermissionRequest")).toHaveLength(0);
  });
});

describe("a request settled elsewhere cancels its handler", () => {
  it("permission.completed and elicitation.completed fire the handler's signal; the answer is not sent", async () => {
    const permission = blocker({ kind: "approve-once" as const });
    const elicitation = blocker({ action: "accept" as const, content: {} });
    const { session } = await setup({ onPermissionRequest: permission.handler, onElicitationRequest: elicitation.handler });
    runtime.emit(session.sessionId, "permission.requested", { requestId: "p1", permissionRequest: { kind: "read", path: "/a", intention: "read" } });
    runtime.emit(session.sessionId, "elicitation.requested", { requestId: "e1", message: "Name?", requestedSchema: { type: "object", properties: {} } });
    await vi.waitFor(() => expect(permission.signals.length + elicitation.signals.length).toBe(2));
    runtime.emit(session.sessionId, "permission.completed", { requestId: "p1", result: { kind: "approved" } });
    runtime.emit(session.sessionId, "elicitation.completed", { requestId: "e1" });
    await vi.waitFor(() => expect(permission.signals[0]!.aborted && elicitation.signals[0]!.aborted).toBe(true));
    permission.release();
    elicitation.release();
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(runtime.callsOf("session.permissions.handlePendingPermissionRequest")).toHaveLength(0);
    expect(runtime.callsOf("session.ui.handlePendingElicitation")).toHaveLength(0);
  });

  it("disconnect() fires the signal of a running handler", async () => {
    const permission = blocker({ kind: "approve-once" as const });
    const { session } = await setup({ onPermissionRequest: permission.handler });
    runtime.emit(session.sessionId, "permission.requested", { requestId: "p1", permissionRequest: { kind: "read", path: "/a", intention: "read" } });
    await vi.waitFor(() => expect(permission.signals).toHaveLength(1));
    await session.disconnect();
    expect(permission.signals[0]!.aborted).toBe(true);
    permission.release();
  });
});
