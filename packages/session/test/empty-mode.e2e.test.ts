/**
 * Mode "empty" end to end on both pinned runtimes, offline, with a `SessionHost` on a raw
 * connection (the client does not forward `mode` yet): a working directory full of ambient
 * configuration (instructions, a project skill) that a default-mode session picks up and an
 * empty-mode session does not, and an allowlist that is the only tools the model sees.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { JsonRpcConnection } from "@flightdeck/copilot-core";
import { spawnStdioTransport } from "@flightdeck/copilot-core/node";
import { SessionHost, type SessionHostOptions } from "@flightdeck/copilot-session";
import { createIsolatedEnvironment, runtimeArgs, startScriptedModel, type ScriptedModelServer, type TestRuntime } from "@flightdeck/copilot-testing";
import { ToolSet, defineTool } from "@flightdeck/copilot-tools";
import { RUNTIMES, defer, useE2eTeardown } from "../../../test-support/e2e.js";
import { promptText, toolNames } from "./fixtures/features.js";

useE2eTeardown();

const lookup = defineTool("lookup_order", {
  description: "Looks up an order",
  parameters: { type: "object", properties: { id: { type: "string" } }, required: ["id"] } as const,
  handler: ({ id }) => `order ${id}: shipped`,
});

/** A runtime in an isolated environment whose working directory holds ambient configuration. */
async function start(runtime: TestRuntime, options: SessionHostOptions): Promise<{ host: SessionHost; model: ScriptedModelServer; cwd: string }> {
  const iso = createIsolatedEnvironment();
  defer(() => iso.cleanup());
  const cwd = iso.workingDirectory;
  mkdirSync(join(cwd, ".github", "skills", "house-style"), { recursive: true });
  writeFileSync(join(cwd, ".github", "copilot-instructions.md"), "AMBIENT-INSTRUCTIONS: mention the office cat.\n");
  writeFileSync(join(cwd, ".github", "skills", "house-style", "SKILL.md"), "---\nname: house-style\ndescription: House style\n---\nAMBIENT-SKILL\n");
  const model = await startScriptedModel({ script: [{ text: "ok" }] });
  defer(() => model.close());
  const transport = await spawnStdioTransport({ command: runtime.path, args: [...runtime.args, ...runtimeArgs()], env: { ...iso.env }, cwd });
  const rpc = new JsonRpcConnection(transport);
  defer(async () => {
    await rpc.close().catch(() => {});
    await transport.close();
  });
  await rpc.request("connect", { supportedTaskKinds: ["agent", "client", "shell"] });
  return { host: new SessionHost(rpc, { validation: "off", ...options }), model, cwd };
}

describe.each(RUNTIMES)("$name", (runtime) => {
  it("default mode picks up the working directory's instructions and skills, and offers the built-in tools", async () => {
    const { host, model, cwd } = await start(runtime, {});
    const session = await host.createSession({
      model: "gpt-4.1",
      provider: model.provider(),
      tools: [lookup],
      workingDirectory: cwd,
      enableConfigDiscovery: true,
    });
    await session.sendAndWait("hi", { timeoutMs: 20_000 });

    const prompt = promptText(model.requests[0]);
    expect(prompt).toContain("AMBIENT-INSTRUCTIONS");
    expect(prompt).toContain(cwd);
    expect(toolNames(model.requests[0])).toEqual(expect.arrayContaining(["bash", "lookup_order"]));
    expect((await session.rpc.skills.list()).skills.map((s) => s.name)).toContain("house-style");
  });

  it("empty mode: no ambient instructions, skills or host environment; only the allowlisted tools", async () => {
    const { host, model, cwd } = await start(runtime, { mode: "empty", storage: "baseDirectory" });
    await expect(host.createSession({ model: "gpt-4.1", provider: model.provider(), tools: [lookup] })).rejects.toThrow(
      /`availableTools` is required in mode "empty"/,
    );

    const tools = new ToolSet([lookup]);
    const session = await host.createSession({
      model: "gpt-4.1",
      provider: model.provider(),
      tools,
      availableTools: tools.addCustom("lookup_order"),
      workingDirectory: cwd,
    });
    await session.sendAndWait("hi", { timeoutMs: 20_000 });

    const prompt = promptText(model.requests[0]);
    expect(prompt).not.toContain("AMBIENT-INSTRUCTIONS");
    expect(prompt).not.toContain(cwd);
    expect(toolNames(model.requests[0])).toEqual(["lookup_order"]);
    expect((await session.rpc.skills.list()).skills.map((s) => s.name)).not.toContain("house-style");
    model.assertDone();
  });
});
