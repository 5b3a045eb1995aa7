/**
 * Wire-level unit tests of the feature broadcasts and callbacks over an in-memory fake runtime:
 * `providerToken.getToken` (including the failure paths the real runtime retries for seconds),
 * `mcp.oauth_required`, `elicitation.requested`, `command.execute`, MCP server failure reports,
 * and mode "empty".
 */
import { afterEach, describe, expect, it } from "vitest";
import { isSdkError } from "@flightdeck/copilot-core";
import { SessionHost, SessionSetupError, type SessionConfig, type SessionHostOptions } from "@flightdeck/copilot-session";
import { createFakeRuntime, type FakeRuntime } from "../../../test-support/fake-runtime.js";

let runtime: FakeRuntime;
afterEach(async () => {
  await runtime?.close();
});

function host(options: SessionHostOptions = {}): { host: SessionHost; errors: unknown[] } {
  runtime = createFakeRuntime();
  runtime.handle("session.eventLog.registerInterest", () => ({ handle: "interest-1" }));
  runtime.handle("session.mcp.oauth.handlePendingRequest", () => ({ success: true }));
  runtime.handle("session.ui.handlePendingElicitation", () => ({ success: true }));
  runtime.handle("session.commands.handlePendingCommand", () => ({ success: true }));
  runtime.handle("session.skills.list", () => ({ skills: [] }));
  runtime.handle("session.options.update", () => ({}));
  const errors: unknown[] = [];
  return { host: new SessionHost(runtime.client, { validation: "off", onError: (e) => errors.push(e), ...options }), errors };
}
const provider = { type: "openai" as const, baseUrl: "http://127.0.0.1:1/v1" };
const text = (errors: unknown[]) => errors.map((e) => (e instanceof Error ? e.message : String(e))).join("\n");

describe("providerToken.getToken", () => {
  it("calls the matching bearerTokenProvider on every request and answers { token }", async () => {
    const { host: h } = host();
    let n = 0;
    const session = await h.createSession({
      providers: [{ name: "alpha", baseUrl: "http://127.0.0.1:1/v1", bearerTokenProvider: ({ providerName }) => `${providerName}-token-${++n}` }],
      models: [{ id: "m", provider: "alpha" }],
      model: "alpha/m",
    });
    const create = runtime.callsOf("session.create")[0]!.params;
    expect(create.providers).toEqual([{ name: "alpha", baseUrl: "http://127.0.0.1:1/v1", hasBearerTokenProvider: true }]);
    expect(await runtime.request("providerToken.getToken", { sessionId: session.sessionId, providerName: "alpha" })).toEqual({ token: "alpha-token-1" });
    expect(await runtime.request("providerToken.getToken", { sessionId: session.sessionId, providerName: "alpha" })).toEqual({ token: "alpha-token-2" });
  });

  it("the whole-session provider's bearerTokenProvider answers the runtime's implicit provider name", async () => {
    const { host: h } = host();
    const session = await h.createSession({ model: "m", provider: { ...provider, bearerTokenProvider: () => "session-token" } });
    expect(runtime.callsOf("session.create")[0]!.params.provider).toEqual({ ...provider, hasBearerTokenProvider: true });
    expect(await runtime.request("providerToken.getToken", { sessionId: session.sessionId, providerName: "default" })).toEqual({ token: "session-token" });
  });

  it("a failing or empty token provider answers an error naming the provider, reports it, and never shows a token", async () => {
    const { host: h, errors } = host();
    const secret = "tok-should-never-appear";
    const session = await h.createSession({
      providers: [
        { name: "vault", baseUrl: "http://127.0.0.1:1/v1", apiKey: secret, bearerTokenProvider: () => Promise.reject(new Error("vault unreachable")) },
        { name: "blank", baseUrl: "http://127.0.0.1:2/v1", bearerTokenProvider: () => "" },
      ],
    });
    const failed = await runtime.request("providerToken.getToken", { sessionId: session.sessionId, providerName: "vault" }).catch((e: unknown) => e);
    expect((failed as Error).message).toMatch(/bearerTokenProvider of provider "vault" .* threw: vault unreachable/);
    const blank = await runtime.request("providerToken.getToken", { sessionId: session.sessionId, providerName: "blank" }).catch((e: unknown) => e);
    expect((blank as Error).message).toMatch(/provider "blank" .* returned an empty string/);
    const unknown = await runtime.request("providerToken.getToken", { sessionId: session.sessionId, providerName: "ghost" }).catch((e: unknown) => e);
    expect((unknown as Error).message).toContain('no bearerTokenProvider for provider "ghost"');
    expect(errors.filter((e) => isSdkError(e, "HANDLER_FAILED"))).toHaveLength(2);
    expect([text(errors), String(failed), String(blank)].join("\n")).not.toContain(secret);
  });

  it("config checks name the provider option; `provider` and `providers` cannot be combined", async () => {
    const { host: h } = host();
    const reject = (config: SessionConfig) => h.createSession(config).catch((e: unknown) => (e as { details?: { option?: string } }).details?.option);
    expect(await reject({ provider, providers: [{ name: "a", baseUrl: "http://127.0.0.1:1/v1" }] })).toBe("providers");
    expect(await reject({ providers: [{ name: "a", baseUrl: "not a url" }] })).toBe("providers.a.baseUrl");
    expect(
      await reject({
        providers: [
          { name: "a", baseUrl: "http://x/v1" },
          { name: "a", baseUrl: "http://y/v1" },
        ],
      }),
    ).toBe("providers[1].name");
    expect(await reject({ providers: [{ name: "a", baseUrl: "http://x/v1", bearerTokenProvider: "tok" as never }] })).toBe("providers.a.bearerTokenProvider");
    expect(await reject({ providers: [{ name: "a", baseUrl: "http://x/v1" }], models: [{ id: "m", provider: "b" }] })).toBe("models[0].provider");
    expect(await reject({ provider: { ...provider, hasBearerTokenProvider: true } as never })).toBe("provider.hasBearerTokenProvider");
    // A BYOK provider without a model would fall back to a Copilot model name the provider does not serve.
    expect(await reject({ provider })).toBe("model");
    expect(runtime.callsOf("session.create")).toHaveLength(0);
  });
});

describe("mcp.oauth_required", () => {
  it("registers interest after create, answers with the handler's token, cancels on null and on failure", async () => {
    const { host: h, errors } = host();
    const answers = [{ accessToken: "oauth-secret-1", expiresIn: 60 }, null];
    const session = await h.createSession({
      mcpServers: { remote: { url: "https://example.com/mcp" } },
      onMcpAuthRequest: () => {
        const next = answers.shift();
        if (next === undefined) throw new Error("user closed the login window");
        return next;
      },
    });
    expect(runtime.callsOf("session.eventLog.registerInterest")[0]!.params).toEqual({ sessionId: session.sessionId, eventType: "mcp.oauth_required" });
    const data = { serverName: "remote", serverUrl: "https://example.com/mcp", reason: "initial" };
    for (const requestId of ["r1", "r2", "r3"]) runtime.emit(session.sessionId, "mcp.oauth_required", { ...data, requestId });
    runtime.emit(session.sessionId, "mcp.oauth_required", { ...data, requestId: "r1" }); // a replay is answered once
    await Promise.all(["r1", "r2", "r3"].map((id) => runtime.waitForCall("session.mcp.oauth.handlePendingRequest", (p) => p.requestId === id)));
    await runtime.settle();
    const answered = runtime.callsOf("session.mcp.oauth.handlePendingRequest").map((c) => [c.params.requestId, c.params.result]);
    // Answers are concurrent: compare them by request id.
    expect(answered.sort((a, b) => String(a[0]).localeCompare(String(b[0])))).toEqual([
      ["r1", { kind: "token", accessToken: "oauth-secret-1", expiresIn: 60 }],
      ["r2", { kind: "cancelled" }],
      ["r3", { kind: "cancelled" }],
    ]);
    expect(text(errors)).toMatch(/onMcpAuthRequest for MCP server "remote" .* user closed the login window/);
    expect(text(errors)).not.toContain("oauth-secret-1");
  });

  it("without a handler: no interest registered and no answer (another client may own it)", async () => {
    const { host: h } = host();
    const session = await h.createSession({ mcpServers: { remote: { url: "https://example.com/mcp" } } });
    runtime.emit(session.sessionId, "mcp.oauth_required", { requestId: "r1", serverName: "remote", serverUrl: "https://example.com/mcp", reason: "initial" });
    await runtime.settle();
    expect(runtime.callsOf("session.eventLog.registerInterest")).toHaveLength(0);
    expect(runtime.callsOf("session.mcp.oauth.handlePendingRequest")).toHaveLength(0);
  });
});

describe("MCP server failures", () => {
  it("a failed server is reported once as SessionSetupError naming it", async () => {
    const { host: h, errors } = host();
    const session = await h.createSession({ mcpServers: { broken: { command: "/nope" } } });
    const data = { serverName: "broken", status: "failed", error: "spawn ENOENT" };
    runtime.emit(session.sessionId, "session.mcp_server_status_changed", data);
    runtime.emit(session.sessionId, "session.mcp_server_status_changed", data);
    runtime.emit(session.sessionId, "session.mcp_servers_loaded", { servers: [{ name: "broken", status: "failed", error: "spawn ENOENT" }] });
    await runtime.settle();
    expect(errors).toHaveLength(1);
    expect(errors[0]).toBeInstanceOf(SessionSetupError);
    expect(errors[0]).toMatchObject({ source: "mcpServers", entry: "broken" });
    expect((errors[0] as Error).message).toContain("spawn ENOENT");
  });
});

describe("elicitation.requested and command.execute", () => {
  it("answers an elicitation with the handler's result; a bad result cancels and is reported", async () => {
    const { host: h, errors } = host();
    const results: unknown[] = [{ action: "accept", content: { name: "Ada" } }, { ok: true }];
    const session = await h.createSession({ onElicitationRequest: () => results.shift() as never });
    expect(runtime.callsOf("session.create")[0]!.params.requestElicitation).toBe(true);
    runtime.emit(session.sessionId, "elicitation.requested", {
      requestId: "e1",
      message: "Name?",
      requestedSchema: { type: "object", properties: { name: { type: "string" } } },
    });
    runtime.emit(session.sessionId, "elicitation.requested", { requestId: "e2", message: "Again?" });
    await runtime.waitForCall("session.ui.handlePendingElicitation", (p) => p.requestId === "e2");
    expect(runtime.callsOf("session.ui.handlePendingElicitation").map((c) => c.params.result)).toEqual([
      { action: "accept", content: { name: "Ada" } },
      { action: "cancel" },
    ]);
    expect(text(errors)).toContain("onElicitationRequest");
  });

  it("runs the command's handler and completes it; commands of other clients are left alone", async () => {
    const { host: h } = host();
    const seen: string[] = [];
    const session = await h.createSession({ commands: [{ name: "deploy", handler: ({ args }) => void seen.push(args) }] });
    expect(runtime.callsOf("session.create")[0]!.params.commands).toEqual([{ name: "deploy" }]);
    runtime.emit(session.sessionId, "command.execute", { requestId: "c0", command: "/other", commandName: "other", args: "" });
    runtime.emit(session.sessionId, "command.execute", { requestId: "c1", command: "/deploy prod", commandName: "deploy", args: "prod" });
    await runtime.waitForCall("session.commands.handlePendingCommand");
    await runtime.settle();
    expect(seen).toEqual(["prod"]);
    expect(runtime.callsOf("session.commands.handlePendingCommand").map((c) => c.params)).toEqual([{ sessionId: session.sessionId, requestId: "c1" }]);
  });
});

describe('mode "empty"', () => {
  it("refuses a host without per-client storage, naming the option", () => {
    runtime = createFakeRuntime();
    const error = (() => {
      try {
        new SessionHost(runtime.client, { mode: "empty" });
      } catch (e) {
        return e;
      }
    })();
    expect(isSdkError(error, "INVALID_OPTION")).toBe(true);
    expect((error as Error).message).toMatch(/`baseDirectory`.*`sessionFs`/);
  });

  it("refuses a session without availableTools before anything is sent", async () => {
    const { host: h } = host({ mode: "empty", storage: "baseDirectory" });
    const error = await h.createSession({ model: "m", provider }).catch((e: unknown) => e);
    expect(isSdkError(error, "INVALID_OPTION")).toBe(true);
    expect((error as { details: { option: string } }).details.option).toBe("availableTools");
    expect((error as Error).message).toContain('mode "empty"');
    expect(runtime.callsOf("session.create")).toHaveLength(0);
  });

  it("sends restrictive defaults, removes the environment context, and lets explicit options win", async () => {
    const { host: h } = host({ mode: "empty", storage: "sessionFs" });
    await h.createSession({
      model: "m",
      provider,
      availableTools: ["custom:*"],
      enableConfigDiscovery: true,
      workingDirectory: "/tenants/a",
      systemMessage: { content: "Be brief." },
    });
    const params = runtime.callsOf("session.create")[0]!.params;
    expect(params).toMatchObject({
      availableTools: ["custom:*"],
      enableConfigDiscovery: true,
      enableSkills: false,
      enableFileHooks: false,
      enableHostGitOperations: false,
      enableSessionStore: false,
      enableSessionTelemetry: false,
      mcpOAuthTokenStorage: "in-memory",
      memory: { enabled: false },
      toolFilterPrecedence: "excluded",
      systemMessage: { mode: "customize", content: "Be brief.", sections: { environment_context: { action: "remove" } } },
    });
    // Options session.create does not take are set before createSession returns.
    expect(runtime.callsOf("session.options.update")[0]!.params).toMatchObject({
      skipCustomInstructions: true,
      installedPlugins: [],
      includedBuiltinSkills: [],
      customAgentsLocalOnly: true,
    });
  });
});
