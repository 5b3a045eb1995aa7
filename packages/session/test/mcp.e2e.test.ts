/**
 * MCP servers end to end on both pinned runtimes, offline: a stdio server the runtime starts, a
 * Streamable HTTP server on 127.0.0.1, ToolSet filters on MCP tools, OAuth answered by
 * onMcpAuthRequest, and a server that fails to start.
 */
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { SessionSetupError } from "@flightdeck/copilot-session";
import { toolResults } from "@flightdeck/copilot-testing";
import { ToolSet, approveAll, type PermissionRequest } from "@flightdeck/copilot-tools";
import { RUNTIMES, defer, setup, useE2eTeardown } from "../../../test-support/e2e.js";
import { startHttpMcpServer, writeStdioMcpServer } from "./fixtures/mcp-servers.js";
import { messages, toolNames, waitForEvent } from "./fixtures/features.js";

useE2eTeardown();

const LOOKUP = { name: "lookup", description: "Looks a term up in the knowledge base", prefix: "FOUND:" };
const lastResult = (req: Parameters<typeof toolResults>[0]) => toolResults(req).at(-1)?.content ?? "(no tool result)";

describe.each(RUNTIMES)("$name", (runtime) => {
  it("a stdio MCP server: the model calls <server>-<tool> and gets the server's answer", async () => {
    const t = await setup(runtime);
    const { script, log } = writeStdioMcpServer(t.iso.dir, "kb", [LOOKUP]);
    t.model.push({ toolCalls: [{ name: "kb-lookup", arguments: { query: "flightdeck" } }] }, (req) => ({ text: `answer: ${lastResult(req)}` }));
    const permissions: PermissionRequest[] = [];
    const session = await t.client.createSession({
      model: "gpt-4.1",
      provider: t.model.provider(),
      mcpServers: { kb: { command: process.execPath, args: [script] } },
      onPermissionRequest: (request) => {
        permissions.push(request);
        return { kind: "approve-once" };
      },
    });
    const reply = await session.sendAndWait("Look up flightdeck", { timeoutMs: 20_000 });

    expect(reply?.data.content).toBe('answer: FOUND:{"query":"flightdeck"}');
    expect(toolNames(t.model.requests[0])).toContain("kb-lookup");
    expect(permissions).toEqual([expect.objectContaining({ kind: "mcp", serverName: "kb", toolName: "kb-lookup" })]);
    expect(readFileSync(log, "utf8").split("\n")).toEqual(expect.arrayContaining(["tools/list", "tools/call"]));
    expect(t.problems()).toEqual([]);
    t.model.assertDone();
  });

  it("an HTTP MCP server: its headers are sent and its tool result reaches the model", async () => {
    const t = await setup(runtime);
    const http = await startHttpMcpServer("remote", [{ ...LOOKUP, prefix: "HTTP:" }]);
    defer(() => http.close());
    t.model.push({ toolCalls: [{ name: "remote-lookup", arguments: { query: "q" } }] }, (req) => ({ text: lastResult(req) }));
    const session = await t.client.createSession({
      model: "gpt-4.1",
      provider: t.model.provider(),
      mcpServers: { remote: { type: "http", url: http.url, headers: { "x-team": "flightdeck" } } },
      onPermissionRequest: approveAll,
    });
    const reply = await session.sendAndWait("Look up q remotely", { timeoutMs: 20_000 });

    expect(reply?.data.content).toBe('HTTP:{"query":"q"}');
    expect(http.methods).toEqual(expect.arrayContaining(["initialize", "tools/list", "tools/call"]));
    expect(http.headers.every((h) => h["x-team"] === "flightdeck")).toBe(true);
    expect(t.problems()).toEqual([]);
    t.model.assertDone();
  });

  it("availableTools from a ToolSet with addMcp offers the model only that MCP tool", async () => {
    const t = await setup(runtime);
    const { script } = writeStdioMcpServer(t.iso.dir, "kb", [LOOKUP, { name: "erase", description: "Erases the knowledge base", prefix: "ERASED:" }]);
    t.model.push({ text: "ok" });
    const session = await t.client.createSession({
      model: "gpt-4.1",
      provider: t.model.provider(),
      mcpServers: { kb: { command: process.execPath, args: [script] } },
      availableTools: new ToolSet().addMcp("kb-lookup"),
      onPermissionRequest: approveAll,
    });
    await session.sendAndWait("hi", { timeoutMs: 20_000 });

    const offered = toolNames(t.model.requests[0]);
    expect(offered).toContain("kb-lookup");
    expect(offered).not.toContain("kb-erase");
    expect(offered).not.toContain("bash");
    t.model.assertDone();
  });

  it("onMcpAuthRequest answers mcp.oauth_required; the server then gets the bearer token", async () => {
    const t = await setup(runtime);
    const token = "mcp-oauth-token-5f1c";
    const http = await startHttpMcpServer("secure", [{ ...LOOKUP, prefix: "SECURE:" }], { requireToken: token });
    defer(() => http.close());
    const requests: unknown[] = [];
    const session = await t.client.createSession({
      model: "gpt-4.1",
      provider: t.model.provider(),
      mcpServers: { secure: { url: http.url } },
      onPermissionRequest: approveAll,
      onMcpAuthRequest: (request) => {
        requests.push(request);
        return { accessToken: token };
      },
    });
    const connected = waitForEvent(
      session,
      (e) => e.type === "session.mcp_server_status_changed" && (e.data as { status: string }).status === "connected",
      10_000,
      "the MCP server to connect",
    );
    // Runtime 1.0.85 connects MCP servers lazily: a reload makes it connect (and ask for OAuth) now.
    await session.rpc.mcp.reload();
    await connected;
    t.model.push({ toolCalls: [{ name: "secure-lookup", arguments: { query: "vault" } }] }, (req) => ({ text: lastResult(req) }));
    const reply = await session.sendAndWait("Look up vault", { timeoutMs: 20_000 });

    expect(reply?.data.content).toBe('SECURE:{"query":"vault"}');
    expect(requests[0]).toMatchObject({ serverName: "secure", serverUrl: http.url, reason: "initial" });
    expect(http.headers.at(-1)?.authorization).toBe(`Bearer ${token}`);
    expect(messages(t.errors).join("\n")).not.toContain(token);
    expect(t.problems()).toEqual([]);
    t.model.assertDone();
  });

  it("a server that fails to start is reported naming it, and the session keeps working", async () => {
    const t = await setup(runtime);
    const { script } = writeStdioMcpServer(t.iso.dir, "kb", [LOOKUP]);
    t.model.push({ toolCalls: [{ name: "kb-lookup", arguments: { query: "still" } }] }, (req) => ({ text: lastResult(req) }));
    const session = await t.client.createSession({
      model: "gpt-4.1",
      provider: t.model.provider(),
      mcpServers: {
        kb: { command: process.execPath, args: [script] },
        broken: { command: `${t.iso.dir}/no-such-mcp-server` },
      },
      onPermissionRequest: approveAll,
    });
    const reply = await session.sendAndWait("Look up still", { timeoutMs: 20_000 });

    expect(reply?.data.content).toBe('FOUND:{"query":"still"}');
    const failures = t.errors.filter((e): e is SessionSetupError => e instanceof SessionSetupError);
    expect(failures).toHaveLength(1);
    expect(failures[0]).toMatchObject({ source: "mcpServers", entry: "broken", sessionId: session.sessionId });
    expect(failures[0]!.message).toMatch(/MCP server "broken" .* failed to start: .*No such file/);
    expect(failures[0]!.message).toContain("mcpServers.broken");
    const { servers } = await session.rpc.mcp.list();
    expect(servers).toEqual(
      expect.arrayContaining([expect.objectContaining({ name: "broken", status: "failed" }), expect.objectContaining({ name: "kb", status: "connected" })]),
    );
    t.model.assertDone();
  });
});
