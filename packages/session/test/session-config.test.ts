import { afterEach, describe, expect, it } from "vitest";
import { isSdkError, type SdkError } from "@flightdeck/copilot-core";
import { ToolSet, approveAll, defineTool } from "@flightdeck/copilot-tools";
import { SessionHost, type SessionConfig } from "@flightdeck/copilot-session";
import { createFakeRuntime, type FakeRuntime } from "../../../test-support/fake-runtime.js";

let runtime: FakeRuntime;
afterEach(async () => {
  await runtime?.close();
});

function host(): SessionHost {
  runtime = createFakeRuntime();
  return new SessionHost(runtime.client, { validation: "off" });
}

const echo = defineTool("echo", {
  description: "Echoes its text",
  parameters: { type: "object", properties: { text: { type: "string" } }, required: ["text"] } as const,
  handler: ({ text }) => text,
});

describe("config errors fail createSession before anything is sent", () => {
  const cases: Array<[string, unknown, string]> = [
    ["provider without baseUrl", { provider: { type: "openai", apiKey: "sk-secret-value" } }, "provider.baseUrl"],
    ["provider with a relative baseUrl", { provider: { baseUrl: "localhost/v1" } }, "provider.baseUrl"],
    ["unknown provider type", { provider: { type: "gemini", baseUrl: "http://127.0.0.1:1/v1" } }, "provider.type"],
    ["unknown wireApi", { provider: { baseUrl: "http://127.0.0.1:1/v1", wireApi: "grpc" } }, "provider.wireApi"],
    ["unknown systemMessage.mode", { systemMessage: { mode: "prepend", content: "x" } }, "systemMessage.mode"],
    ["replace without content", { systemMessage: { mode: "replace" } }, "systemMessage.content"],
    ["bad section action", { systemMessage: { mode: "customize", sections: { tone: { action: "shout" } } } }, "systemMessage.sections.tone.action"],
    ["empty tool name", { tools: [{ name: "", description: "x", handler: () => "x" }] }, "tools"],
    ["duplicate tool names", { tools: [echo, defineTool("echo", { description: "another", handler: () => "y" })] }, "tools.echo.name"],
    ["parameters not a schema", { tools: [{ name: "t", description: "x", parameters: 42, handler: () => "x" }] }, "tools.t.parameters"],
    ["handler not a function", { tools: [{ name: "t", description: "x", handler: "run" }] }, "tools.t.handler"],
    ["tools not iterable", { tools: 5 }, "tools"],
    ["onPermissionRequest not a function", { onPermissionRequest: "yes" }, "onPermissionRequest"],
    ["unknown hook", { hooks: { onPreToolCall: () => undefined } }, "hooks.onPreToolCall"],
    ["hook not a function", { hooks: { onPreToolUse: true } }, "hooks.onPreToolUse"],
    ["misspelled option", { modle: "gpt-5" }, "modle"],
    ["availableTools with an empty name", { availableTools: ["view", ""] }, "availableTools[1]"],
    ["streaming not boolean", { streaming: "yes" }, "streaming"],
  ];
  it.each(cases)("%s", async (_name, config, option) => {
    const h = host();
    const error = (await h.createSession(config as SessionConfig).catch((e: unknown) => e)) as SdkError;
    expect(isSdkError(error, "INVALID_OPTION")).toBe(true);
    expect(error.message).toContain(`\`${option}\``);
    expect(error.details?.option).toBe(option);
    expect(error.message).not.toContain("sk-secret-value");
    expect(runtime.callsOf("session.create")).toHaveLength(0);
    expect(h.sessions()).toHaveLength(0);
  });
});

describe("config → session.create params", () => {
  it("maps every option to its wire form", async () => {
    const h = host();
    const tools = new ToolSet([echo]).addBuiltIn(["view", "grep"]);
    const session = await h.createSession({
      model: "gpt-5",
      reasoningEffort: "high",
      streaming: true,
      tools,
      availableTools: tools,
      excludedTools: ["bash"],
      systemMessage: { content: "Be brief." },
      provider: { type: "openai", baseUrl: "http://127.0.0.1:9999/v1", wireApi: "responses", apiKey: "k", bearerToken: undefined },
      workingDirectory: "/projects/work",
      infiniteSessions: { enabled: false },
      onPermissionRequest: approveAll,
      onUserInputRequest: () => ({ answer: "a", wasFreeform: true }),
      hooks: { onPreToolUse: () => undefined, onAgentStop: undefined },
      clientName: "test-suite",
    });
    const params = runtime.callsOf("session.create")[0]!.params;
    expect(params).toEqual({
      sessionId: session.sessionId,
      model: "gpt-5",
      reasoningEffort: "high",
      streaming: true,
      includeSubAgentStreamingEvents: true,
      tools: [{ name: "echo", description: "Echoes its text", parameters: { type: "object", properties: { text: { type: "string" } }, required: ["text"] } }],
      availableTools: ["builtin:view", "builtin:grep", "custom:echo"],
      excludedTools: ["bash"],
      toolFilterPrecedence: "excluded",
      systemMessage: { mode: "append", content: "Be brief." },
      provider: { type: "openai", baseUrl: "http://127.0.0.1:9999/v1", wireApi: "responses", apiKey: "k" },
      workingDirectory: "/projects/work",
      infiniteSessions: { enabled: false },
      requestPermission: true,
      requestUserInput: true,
      hooks: true,
      clientName: "test-suite",
    });
    expect(session.sessionId).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(session.workspacePath).toBe(`/projects/ws/${session.sessionId}`);
    expect(session.capabilities).toEqual({ ui: { elicitation: false } });
  });

  it("sends the minimum for an empty config", async () => {
    const h = host();
    const session = await h.createSession();
    expect(runtime.callsOf("session.create")[0]!.params).toEqual({ sessionId: session.sessionId, requestPermission: true });
  });

  it("streaming asks for the sub-agents' deltas too (as the incumbent), unless the config says otherwise; no streaming, no flag", async () => {
    const h = host();
    await h.createSession({ streaming: true });
    await h.createSession({ streaming: true, includeSubAgentStreamingEvents: false });
    await h.createSession({ streaming: false });
    await h.createSession({ includeSubAgentStreamingEvents: true });
    const params = runtime.callsOf("session.create").map((c) => c.params);
    expect(params.map((p) => p.includeSubAgentStreamingEvents)).toEqual([true, false, undefined, true]);
    expect("includeSubAgentStreamingEvents" in params[2]!).toBe(false);
  });

  it("tool filters: excludedTools narrows availableTools (as the incumbent), unless toolFilterPrecedence is given; no filters, no precedence", async () => {
    const h = host();
    await h.createSession({ availableTools: ["view", "grep"], excludedTools: ["grep"] });
    await h.createSession({ excludedTools: ["bash"] });
    await h.createSession({ availableTools: ["view"], excludedTools: ["grep"], toolFilterPrecedence: "available" });
    await h.createSession({ model: "m" });
    const params = runtime.callsOf("session.create").map((c) => c.params);
    expect(params.map((p) => p.toolFilterPrecedence)).toEqual(["excluded", "excluded", "available", undefined]);
    expect("toolFilterPrecedence" in params[3]!).toBe(false);
  });

  it("replace mode sends the whole prompt", async () => {
    const h = host();
    await h.createSession({ systemMessage: { mode: "replace", content: "You are a calculator." } });
    expect(runtime.callsOf("session.create")[0]!.params.systemMessage).toEqual({ mode: "replace", content: "You are a calculator." });
  });
});
