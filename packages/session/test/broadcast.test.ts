import { afterEach, describe, expect, it, vi } from "vitest";
import { RpcError, isSdkError } from "@flightdeck/copilot-core";
import { approveAll, createAttributedPermissionResult, defineTool } from "@flightdeck/copilot-tools";
import { SessionHost, type SessionConfig } from "@flightdeck/copilot-session";
import { createFakeRuntime, type FakeRuntime } from "../../../test-support/fake-runtime.js";

let runtime: FakeRuntime;
afterEach(async () => {
  await runtime?.close();
});

async function setup(config: SessionConfig = {}) {
  runtime = createFakeRuntime();
  const onError = vi.fn();
  const host = new SessionHost(runtime.client, { onError, validation: "off" });
  const session = await host.createSession(config);
  return { host, session, onError };
}

const add = defineTool("add", {
  description: "Adds two numbers",
  parameters: { type: "object", properties: { a: { type: "number" }, b: { type: "number" } }, required: ["a", "b"], additionalProperties: false } as const,
  handler: ({ a, b }) => String(a + b),
});

function requestTool(sessionId: string, requestId: string, toolName: string, args: unknown) {
  return runtime.emit(sessionId, "external_tool.requested", { requestId, sessionId, toolCallId: `call-${requestId}`, toolName, arguments: args });
}

async function toolAnswer(requestId: string) {
  const call = await runtime.waitForCall("session.tools.handlePendingToolCall", (p) => p.requestId === requestId);
  return call.params as { sessionId: string; requestId: string; result: { textResultForLlm: string; resultType?: string } };
}

describe("external_tool.requested", () => {
  it("runs the tool and answers with its result", async () => {
    const { session, onError } = await setup({ tools: [add] });
    requestTool(session.sessionId, "r1", "add", { a: 2, b: 3 });
    const answer = await toolAnswer("r1");
    expect(answer.sessionId).toBe(session.sessionId);
    expect(answer.result.textResultForLlm).toBe("5");
    expect(answer.result.resultType ?? "success").toBe("success");
    // Arguments as a JSON text work too.
    requestTool(session.sessionId, "r2", "add", '{"a":1,"b":1}');
    expect((await toolAnswer("r2")).result.textResultForLlm).toBe("2");
    expect(onError).not.toHaveBeenCalled();
  });

  it("answers invalid arguments with a failure the model can read", async () => {
    const { session } = await setup({ tools: [add] });
    requestTool(session.sessionId, "r1", "add", { a: "two" });
    const answer = await toolAnswer("r1");
    expect(answer.result.resultType).toBe("failure");
    expect(answer.result.textResultForLlm).toMatch(/Invalid arguments for tool "add"/);
  });

  it("turns a throwing handler into a failure result and reports it", async () => {
    const boom = defineTool("boom", {
      description: "Fails",
      handler: () => {
        throw new Error("disk on fire");
      },
    });
    const { session, onError } = await setup({ tools: [boom] });
    requestTool(session.sessionId, "r1", "boom", {});
    const answer = await toolAnswer("r1");
    expect(answer.result.resultType).toBe("failure");
    expect(answer.result.textResultForLlm).toContain("disk on fire");
    expect(onError).toHaveBeenCalledTimes(1);
    expect((onError.mock.calls[0]![0] as { code: string }).code).toBe("HANDLER_FAILED");
    // The session goes on.
    requestTool(session.sessionId, "r2", "boom", {});
    await toolAnswer("r2");
  });

  it("with unknownToolCalls: fail, answers a call to an unknown tool with a failure naming the available tools", async () => {
    const { session } = await setup({ tools: [add], unknownToolCalls: "fail" });
    requestTool(session.sessionId, "r1", "multiply", { a: 1 });
    const answer = await toolAnswer("r1");
    expect(answer.result.resultType).toBe("failure");
    expect(answer.result.textResultForLlm).toContain('"multiply" is not available');
    expect(answer.result.textResultForLlm).toContain("add");
  });

  it("by default leaves unknown tools to the client that owns them, and answers each request once", async () => {
    const { session } = await setup({ tools: [add] });
    requestTool(session.sessionId, "r1", "multiply", {});
    requestTool(session.sessionId, "r2", "add", { a: 1, b: 2 });
    requestTool(session.sessionId, "r2", "add", { a: 1, b: 2 }); // replayed broadcast
    await toolAnswer("r2");
    await runtime.settle();
    expect(runtime.callsOf("session.tools.handlePendingToolCall").map((c) => c.params.requestId)).toEqual(["r2"]);
  });

  it("fires the tool's AbortSignal on disconnect and does not answer afterwards", async () => {
    let seenSignal: AbortSignal | undefined;
    const slow = defineTool("slow", {
      description: "Waits for its signal",
      handler: (_args, { signal }) =>
        new Promise<string>((resolve) => {
          seenSignal = signal;
          signal.addEventListener("abort", () => resolve("stopped"));
        }),
    });
    const { session } = await setup({ tools: [slow] });
    requestTool(session.sessionId, "r1", "slow", {});
    await runtime.settle();
    expect(seenSignal?.aborted).toBe(false);
    await session.disconnect();
    expect(seenSignal?.aborted).toBe(true);
    await runtime.settle();
    expect(runtime.callsOf("session.tools.handlePendingToolCall")).toHaveLength(0);
  });
});

describe("permission.requested", () => {
  const shell = {
    kind: "shell",
    fullCommandText: "ls",
    intention: "list",
    commands: [],
    possiblePaths: [],
    possibleUrls: [],
    hasWriteFileRedirection: false,
    canOfferSessionApproval: false,
  };

  async function permissionAnswer(requestId: string) {
    const call = await runtime.waitForCall("session.permissions.handlePendingPermissionRequest", (p) => p.requestId === requestId);
    return call.params as { requestId: string; result: { kind: string; feedback?: string } };
  }

  it("asks onPermissionRequest and sends its decision", async () => {
    const handler = vi.fn(approveAll);
    const { session } = await setup({ onPermissionRequest: handler });
    runtime.emit(session.sessionId, "permission.requested", { requestId: "p1", permissionRequest: shell });
    expect((await permissionAnswer("p1")).result).toEqual({ kind: "approve-once" });
    expect(handler).toHaveBeenCalledWith(shell, { sessionId: session.sessionId, signal: expect.any(AbortSignal) });
  });

  it("rejects with feedback when no handler is configured", async () => {
    const { session } = await setup();
    runtime.emit(session.sessionId, "permission.requested", { requestId: "p1", permissionRequest: shell });
    const answer = await permissionAnswer("p1");
    expect(answer.result.kind).toBe("reject");
    expect(answer.result.feedback).toContain("No permission handler is configured");
  });

  it("rejects and reports when the handler throws", async () => {
    const { session, onError } = await setup({
      onPermissionRequest: () => {
        throw new Error("policy service down");
      },
    });
    runtime.emit(session.sessionId, "permission.requested", { requestId: "p1", permissionRequest: shell });
    const answer = await permissionAnswer("p1");
    expect(answer.result.kind).toBe("reject");
    expect(answer.result.feedback).toContain("failed");
    expect(onError).toHaveBeenCalledTimes(1);
    expect((onError.mock.calls[0]![0] as Error).message).toContain("policy service down");
  });

  it("sends nothing for a no-result (another client answers), and answers the next request", async () => {
    const { session, onError } = await setup({
      onPermissionRequest: (request) => (request.kind === "shell" ? { kind: "no-result" } : { kind: "approve-once" }),
    });
    runtime.emit(session.sessionId, "permission.requested", { requestId: "p1", permissionRequest: shell });
    runtime.emit(session.sessionId, "permission.requested", { requestId: "p2", permissionRequest: { kind: "read", path: "/x", intention: "read" } });
    await permissionAnswer("p2");
    await runtime.settle();
    expect(runtime.callsOf("session.permissions.handlePendingPermissionRequest").map((c) => c.params.requestId)).toEqual(["p2"]);
    expect(onError).not.toHaveBeenCalled();
  });

  it("unwraps an attributed result and sends its decision context", async () => {
    const decisionContext = { outcome: "auto_approved", source: "host_policy", surface: "sdk" } as const;
    const { session } = await setup({
      onPermissionRequest: () => createAttributedPermissionResult({ kind: "approve-for-session", approval: { kind: "read" } } as never, decisionContext),
    });
    runtime.emit(session.sessionId, "permission.requested", { requestId: "p1", permissionRequest: shell });
    const call = await runtime.waitForCall("session.permissions.handlePendingPermissionRequest", (p) => p.requestId === "p1");
    expect(call.params).toEqual({
      sessionId: session.sessionId,
      requestId: "p1",
      result: { kind: "approve-for-session", approval: { kind: "read" } },
      decisionContext,
    });
  });

  it("does not answer requests a permissionRequest hook already resolved", async () => {
    const { session } = await setup({ onPermissionRequest: approveAll });
    runtime.emit(session.sessionId, "permission.requested", { requestId: "p1", permissionRequest: shell, resolvedByHook: true });
    await runtime.settle();
    expect(runtime.callsOf("session.permissions.handlePendingPermissionRequest")).toHaveLength(0);
  });
});

describe("server→client requests", () => {
  it("answers userInput.request from onUserInputRequest, and errors clearly without one", async () => {
    const { host, session } = await setup({ onUserInputRequest: (req) => ({ answer: `you asked: ${req.question}`, wasFreeform: true }) });
    await expect(runtime.request("userInput.request", { sessionId: session.sessionId, question: "Which file?" })).resolves.toEqual({
      answer: "you asked: Which file?",
      wasFreeform: true,
    });
    const plain = await host.createSession();
    const error = await runtime.request("userInput.request", { sessionId: plain.sessionId, question: "?" }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RpcError);
    expect((error as Error).message).toContain("no onUserInputRequest configured");
    const unknown = await runtime.request("userInput.request", { sessionId: "nope", question: "?" }).catch((e: unknown) => e);
    expect((unknown as Error).message).toContain("not open on this client");
  });

  it("routes hooks.invoke to the matching hook with a normalized input", async () => {
    const onPreToolUse = vi.fn(() => ({ permissionDecision: "deny" as const, permissionDecisionReason: "no" }));
    const { session } = await setup({ hooks: { onPreToolUse } });
    const input = { sessionId: session.sessionId, timestamp: 1_700_000_000_000, cwd: "/work", toolName: "bash", toolArgs: { command: "rm -rf /" } };
    await expect(runtime.request("hooks.invoke", { sessionId: session.sessionId, hookType: "preToolUse", input })).resolves.toEqual({
      output: { permissionDecision: "deny", permissionDecisionReason: "no" },
    });
    expect(onPreToolUse).toHaveBeenCalledWith(
      { sessionId: session.sessionId, timestamp: new Date(1_700_000_000_000), workingDirectory: "/work", toolName: "bash", toolArgs: { command: "rm -rf /" } },
      { sessionId: session.sessionId, signal: expect.any(AbortSignal) },
    );
    // A hook type without a handler runs as if unset.
    await expect(runtime.request("hooks.invoke", { sessionId: session.sessionId, hookType: "sessionEnd", input: {} })).resolves.toEqual({});
  });

  it("answers a throwing hook with an error reply and reports it", async () => {
    const { session, onError } = await setup({
      hooks: {
        onUserPromptSubmitted: () => {
          throw new Error("hook broke");
        },
      },
    });
    await expect(runtime.request("hooks.invoke", { sessionId: session.sessionId, hookType: "userPromptSubmitted", input: { prompt: "hi" } })).rejects.toThrow(
      "hook broke",
    );
    expect(isSdkError(onError.mock.calls[0]![0], "HANDLER_FAILED")).toBe(true);
  });

  it("answers systemMessage.transform with the section callbacks, keeping the others", async () => {
    const { session, onError } = await setup({
      systemMessage: {
        mode: "customize",
        sections: {
          tone: { action: (content) => content.toUpperCase() },
          identity: {
            action: async () => {
              throw new Error("nope");
            },
          },
          safety: { action: "append", content: " Be careful." },
        },
      },
    });
    const wire = runtime.callsOf("session.create")[0]!.params.systemMessage;
    expect(wire).toEqual({
      mode: "customize",
      sections: { tone: { action: "transform" }, identity: { action: "transform" }, safety: { action: "append", content: " Be careful." } },
    });
    const result = await runtime.request("systemMessage.transform", {
      sessionId: session.sessionId,
      sections: { tone: { content: "be nice" }, identity: { content: "You are Copilot" }, other: { content: "same" } },
    });
    expect(result).toEqual({ sections: { tone: { content: "BE NICE" }, identity: { content: "You are Copilot" }, other: { content: "same" } } });
    expect(onError).toHaveBeenCalledTimes(1);
    expect((onError.mock.calls[0]![0] as Error).message).toContain('section "identity"');
  });

  it("answers exitPlanMode.request and autoModeSwitch.request from their handlers", async () => {
    const { session } = await setup({ onExitPlanModeRequest: () => ({ approved: true, selectedAction: "interactive" }), onAutoModeSwitchRequest: () => "no" });
    const wire = runtime.callsOf("session.create")[0]!.params;
    expect(wire).toMatchObject({ requestExitPlanMode: true, requestAutoModeSwitch: true });
    await expect(
      runtime.request("exitPlanMode.request", { sessionId: session.sessionId, summary: "plan", actions: ["interactive"], recommendedAction: "interactive" }),
    ).resolves.toEqual({ approved: true, selectedAction: "interactive" });
    await expect(runtime.request("autoModeSwitch.request", { sessionId: session.sessionId, errorCode: "rate_limited" })).resolves.toEqual({ response: "no" });
  });
});
