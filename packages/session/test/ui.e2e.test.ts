/**
 * UI requests end to end on both pinned runtimes, offline: elicitations (form and URL mode) that
 * an MCP server sends during a tool call, answered by onElicitationRequest; a failing handler;
 * `session.ui` gated on capabilities.ui; and exit-plan-mode answered by onExitPlanModeRequest.
 */
import { describe, expect, it } from "vitest";
import { isSdkError } from "@flightdeck/copilot-core";
import type { ElicitationRequest } from "@flightdeck/copilot-session";
import { toolResults } from "@flightdeck/copilot-testing";
import { approveAll } from "@flightdeck/copilot-tools";
import { RUNTIMES, setup, useE2eTeardown } from "../../../test-support/e2e.js";
import { writeStdioMcpServer, type FixtureTool } from "./fixtures/mcp-servers.js";

useE2eTeardown();

const COLOR_FORM: FixtureTool = {
  name: "pick_color",
  description: "Asks the user for a colour",
  prefix: "USER SAID:",
  elicit: {
    message: "Pick a colour",
    requestedSchema: { type: "object", properties: { color: { type: "string", enum: ["red", "blue"] } }, required: ["color"] },
  },
};
const SIGN_IN: FixtureTool = {
  name: "sign_in",
  description: "Asks the user to sign in in a browser",
  prefix: "SIGN-IN:",
  elicit: { mode: "url", message: "Sign in to continue", url: "https://example.com/sign-in", elicitationId: "sign-in-1" },
};
const lastResult = (req: Parameters<typeof toolResults>[0]) => toolResults(req).at(-1)?.content ?? "(no tool result)";

describe.each(RUNTIMES)("$name", (runtime) => {
  it("form and URL elicitations from an MCP server reach onElicitationRequest; the answers reach the server and the model", async () => {
    const t = await setup(runtime);
    const { script } = writeStdioMcpServer(t.iso.dir, "forms", [COLOR_FORM, SIGN_IN]);
    t.model.push(
      { toolCalls: [{ name: "forms-pick_color", arguments: { query: "colour" } }] },
      { toolCalls: [{ name: "forms-sign_in", arguments: { query: "sign in" } }] },
      (req) => ({
        text: toolResults(req)
          .map((r) => r.content)
          .join(" | "),
      }),
    );
    const seen: ElicitationRequest[] = [];
    const session = await t.client.createSession({
      model: "gpt-4.1",
      provider: t.model.provider(),
      mcpServers: { forms: { command: process.execPath, args: [script] } },
      onPermissionRequest: approveAll,
      onElicitationRequest: (request) => {
        seen.push(request);
        return request.mode === "url" ? { action: "accept" } : { action: "accept", content: { color: "blue" } };
      },
    });
    expect(session.capabilities.ui?.elicitation).toBe(true);
    const reply = await session.sendAndWait("Ask me", { timeoutMs: 20_000 });

    expect(reply?.data.content).toBe('USER SAID:{"action":"accept","content":{"color":"blue"}} | SIGN-IN:{"action":"accept"}');
    expect(seen).toEqual([
      expect.objectContaining({ elicitationSource: "forms", message: "Pick a colour", requestedSchema: COLOR_FORM.elicit!.requestedSchema }),
      expect.objectContaining({ elicitationSource: "forms", mode: "url", url: "https://example.com/sign-in" }),
    ]);
    expect(t.problems()).toEqual([]);
    t.model.assertDone();
  });

  it("a failing elicitation handler is reported and the elicitation is cancelled, so nothing hangs", async () => {
    const t = await setup(runtime);
    const { script } = writeStdioMcpServer(t.iso.dir, "forms", [COLOR_FORM]);
    t.model.push({ toolCalls: [{ name: "forms-pick_color", arguments: { query: "colour" } }] }, (req) => ({ text: lastResult(req) }));
    const session = await t.client.createSession({
      model: "gpt-4.1",
      provider: t.model.provider(),
      mcpServers: { forms: { command: process.execPath, args: [script] } },
      onPermissionRequest: approveAll,
      onElicitationRequest: () => {
        throw new Error("the form UI is closed");
      },
    });
    const reply = await session.sendAndWait("Ask me", { timeoutMs: 20_000 });

    expect(reply?.data.content).toBe('USER SAID:{"action":"cancel"}');
    const failures = t.errors.filter((e) => isSdkError(e, "HANDLER_FAILED"));
    expect(failures).toHaveLength(1);
    expect((failures[0] as Error).message).toMatch(/onElicitationRequest from "forms" .* the form UI is closed\. The elicitation was cancelled/);
    t.model.assertDone();
  });

  it("session.ui needs capabilities.ui.elicitation: refused without it, routed to the UI client with it", async () => {
    const t = await setup(runtime);
    const plain = await t.client.createSession({ model: "gpt-4.1", provider: t.model.provider() });
    expect(plain.ui.available).toBe(false);
    await expect(plain.ui.confirm("Deploy?")).rejects.toSatisfy(
      (e) =>
        isSdkError(e, "INVALID_OPTION") &&
        /capabilities\.ui\.elicitation/.test((e as Error).message) &&
        (e as Error).message.startsWith("Elicitation is not supported by the host."),
    );

    // This client is the session's UI: its own onElicitationRequest answers what session.ui asks.
    const asked: ElicitationRequest[] = [];
    const withUi = await t.client.createSession({
      model: "gpt-4.1",
      provider: t.model.provider(),
      onElicitationRequest: (request) => {
        asked.push(request);
        const field = Object.keys(request.requestedSchema?.properties ?? {})[0]!;
        return { action: "accept", content: { [field]: field === "confirmed" ? true : field === "selection" ? "staging" : "v1.2.3" } };
      },
    });
    expect(withUi.ui.available).toBe(true);
    expect(await withUi.ui.confirm("Deploy?")).toBe(true);
    expect(await withUi.ui.select("Where to?", ["staging", "production"])).toBe("staging");
    expect(await withUi.ui.input("Version?")).toBe("v1.2.3");
    expect(asked.map((r) => r.message)).toEqual(["Deploy?", "Where to?", "Version?"]);
  });

  it("onExitPlanModeRequest decides the model's exit_plan_mode call in plan mode", async () => {
    const t = await setup(runtime);
    t.model.push({ toolCalls: [{ name: "exit_plan_mode", arguments: { summary: "Add a greeting.", recommendedAction: "interactive" } }] }, (req) => ({
      text: lastResult(req),
    }));
    const requests: unknown[] = [];
    const session = await t.client.createSession({
      model: "gpt-4.1",
      provider: t.model.provider(),
      onPermissionRequest: approveAll,
      onExitPlanModeRequest: (request) => {
        requests.push(request);
        return { approved: true, selectedAction: "interactive" };
      },
    });
    await session.rpc.mode.set({ mode: "plan" });
    await session.sendAndWait("Plan a greeting", { timeoutMs: 20_000 });

    expect(requests).toEqual([expect.objectContaining({ summary: "Add a greeting." })]);
    expect(await session.rpc.mode.get()).toBe("interactive");
    t.model.assertDone();
  });
});
