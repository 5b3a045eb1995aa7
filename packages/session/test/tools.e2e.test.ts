/**
 * End to end on both pinned runtimes with the scripted model (offline): custom tools with zod and
 * JSON Schema parameters, invalid arguments and recovery, permission decisions for a custom tool
 * and the built-in shell tool, ask_user, and pre-tool-use hooks.
 */
import { existsSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import type { PreToolUseHookInput } from "@flightdeck/copilot-session";
import { toolResults, type RecordedRequest } from "@flightdeck/copilot-testing";
import { approveAll, defineTool, type PermissionHandler } from "@flightdeck/copilot-tools";
import { RUNTIMES, setup, useE2eTeardown } from "../../../test-support/e2e.js";
import { z } from "./fixtures/zod.js";

useE2eTeardown();

/** The function definition named `name` in the `tools` list of a chat-completions request. */
function toolDefinition(request: RecordedRequest, name: string): { name: string; description: string; parameters: Record<string, unknown> } | undefined {
  const tools = (request.body as { tools?: Array<{ function?: { name: string; description: string; parameters: Record<string, unknown> } }> }).tools ?? [];
  return tools.map((t) => t.function).find((f) => f?.name === name);
}

const lastResult = (request: Parameters<typeof toolResults>[0]) => toolResults(request).at(-1)?.content ?? "(no tool result)";

describe.each(RUNTIMES)("$name", (runtime) => {
  it("a zod tool: the model gets its JSON Schema and the handler gets parsed, typed args", async () => {
    const t = await setup(runtime);
    const seen: unknown[] = [];
    const convert = defineTool("convert_temperature", {
      description: "Converts a temperature between units",
      parameters: z.object({ value: z.number(), unit: z.enum(["C", "F"]), precision: z.number().int().default(1) }),
      handler: (args) => {
        seen.push(args);
        const out = args.unit === "C" ? (args.value * 9) / 5 + 32 : ((args.value - 32) * 5) / 9;
        return `${out.toFixed(args.precision)} degrees`;
      },
    });
    t.model.push({ toolCalls: [{ name: "convert_temperature", arguments: { value: 100, unit: "C" } }] }, (req) => ({ text: `It is ${lastResult(req)}.` }));
    const session = await t.client.createSession({ model: "gpt-4.1", provider: t.model.provider(), tools: [convert], onPermissionRequest: approveAll });
    const reply = await session.sendAndWait("100 C in F?", { timeoutMs: 20_000 });

    expect(reply?.data.content).toBe("It is 212.0 degrees.");
    // zod's default was applied before the handler ran.
    expect(seen).toEqual([{ value: 100, unit: "C", precision: 1 }]);
    const definition = toolDefinition(t.model.requests[0]!, "convert_temperature");
    expect(definition?.description).toBe("Converts a temperature between units");
    expect(definition?.parameters).toMatchObject({
      type: "object",
      properties: { value: { type: "number" }, unit: { enum: ["C", "F"] }, precision: { type: "integer" } },
      required: expect.arrayContaining(["value", "unit"]),
    });
    expect(t.problems()).toEqual([]);
    t.model.assertDone();
  });

  it("a JSON Schema tool: the model gets the schema as written and the handler gets the args", async () => {
    const t = await setup(runtime);
    const parameters = {
      type: "object",
      properties: { city: { type: "string", description: "City name" }, days: { type: "integer", minimum: 1, maximum: 7 } },
      required: ["city"],
      additionalProperties: false,
    } as const;
    const seen: unknown[] = [];
    const forecast = defineTool("get_forecast", {
      description: "Weather forecast for a city",
      parameters,
      skipPermission: true,
      handler: (args) => {
        seen.push(args);
        return { textResultForLlm: `Sunny in ${args.city} for ${args.days ?? 1} day(s)`, resultType: "success" };
      },
    });
    t.model.push({ toolCalls: [{ name: "get_forecast", arguments: { city: "Lyon", days: 3 } }] }, (req) => ({ text: lastResult(req) }));
    const session = await t.client.createSession({ model: "gpt-4.1", provider: t.model.provider(), tools: [forecast] });
    const reply = await session.sendAndWait("Forecast for Lyon", { timeoutMs: 20_000 });

    expect(reply?.data.content).toBe("Sunny in Lyon for 3 day(s)");
    expect(seen).toEqual([{ city: "Lyon", days: 3 }]);
    const received = toolDefinition(t.model.requests[0]!, "get_forecast")?.parameters as { properties: { days: Record<string, unknown> } };
    expect(received).toMatchObject({
      type: "object",
      properties: { city: parameters.properties.city, days: { type: "integer" } },
      required: ["city"],
      additionalProperties: false,
    });
    // Both runtimes fold numeric bounds into the description before calling the model.
    const days = received.properties.days;
    expect(days.minimum === 1 || String(days.description).includes("minimum: 1")).toBe(true);
    expect(days.maximum === 7 || String(days.description).includes("maximum: 7")).toBe(true);
    expect(t.problems()).toEqual([]);
    t.model.assertDone();
  });

  it("invalid arguments reach the model as a readable failure and it recovers with a valid call", async () => {
    const t = await setup(runtime);
    const calls: unknown[] = [];
    const add = defineTool("add_numbers", {
      description: "Adds two numbers",
      parameters: z.object({ a: z.number(), b: z.number() }),
      skipPermission: true,
      handler: (args) => {
        calls.push(args);
        return String(args.a + args.b);
      },
    });
    const failures: string[] = [];
    t.model.push(
      { toolCalls: [{ name: "add_numbers", arguments: { a: "two", b: 3 } }] },
      (req) => {
        failures.push(lastResult(req));
        return { toolCalls: [{ name: "add_numbers", arguments: { a: 2, b: 3 } }] };
      },
      (req) => ({ text: `Sum: ${lastResult(req)}` }),
    );
    const session = await t.client.createSession({ model: "gpt-4.1", provider: t.model.provider(), tools: [add] });
    const reply = await session.sendAndWait("Add two and three", { timeoutMs: 20_000 });

    // The failure names the tool, the bad argument and what was expected.
    expect(failures).toHaveLength(1);
    expect(failures[0]).toContain("add_numbers");
    expect(failures[0]).toMatch(/\ba\b/);
    expect(failures[0]).toMatch(/number/i);
    expect(calls).toEqual([{ a: 2, b: 3 }]);
    expect(reply?.data.content).toBe("Sum: 5");
    expect(t.problems()).toEqual([]);
    t.model.assertDone();
  });

  it("arguments that are not JSON never reach the handler; the model reads the error and recovers", async () => {
    const t = await setup(runtime);
    const calls: unknown[] = [];
    const echo = defineTool("echo_text", {
      description: "Echoes text",
      parameters: { type: "object", properties: { text: { type: "string" } }, required: ["text"] } as const,
      skipPermission: true,
      handler: (args) => {
        calls.push(args);
        return `echo: ${args.text}`;
      },
    });
    const failures: string[] = [];
    t.model.push(
      { toolCalls: [{ name: "echo_text", arguments: '{"text": "unterminated' }] },
      (req) => {
        failures.push(lastResult(req));
        return { toolCalls: [{ name: "echo_text", arguments: { text: "fixed" } }] };
      },
      (req) => ({ text: lastResult(req) }),
    );
    const session = await t.client.createSession({ model: "gpt-4.1", provider: t.model.provider(), tools: [echo] });
    const reply = await session.sendAndWait("Echo something", { timeoutMs: 20_000 });

    expect(failures).toHaveLength(1);
    expect(failures[0]).toMatch(/json|pars|argument/i);
    expect(calls).toEqual([{ text: "fixed" }]);
    expect(reply?.data.content).toBe("echo: fixed");
    t.model.assertDone();
  });

  describe("permissions", () => {
    it.each([
      ["approved", { kind: "approve-once" } as const],
      ["rejected", { kind: "reject", feedback: "Secrets are off limits in this test." } as const],
    ])("a custom tool call %s by onPermissionRequest", async (outcome, decision) => {
      const t = await setup(runtime);
      const requests: Array<{ kind: string; toolName?: unknown }> = [];
      let ran = 0;
      const tool = defineTool("read_secret", { description: "Reads the secret", handler: () => (ran++, "the secret is 42") });
      t.model.push({ toolCalls: [{ name: "read_secret" }] }, (req) => ({ text: `Tool: ${lastResult(req)}` }));
      const session = await t.client.createSession({
        model: "gpt-4.1",
        provider: t.model.provider(),
        tools: [tool],
        onPermissionRequest: (request) => {
          requests.push({ kind: request.kind, toolName: (request as { toolName?: unknown }).toolName });
          return decision;
        },
      });
      const reply = await session.sendAndWait("Read the secret", { timeoutMs: 20_000 });

      expect(requests).toEqual([{ kind: "custom-tool", toolName: "read_secret" }]);
      if (outcome === "approved") {
        expect(ran).toBe(1);
        expect(reply?.data.content).toBe("Tool: the secret is 42");
      } else {
        expect(ran).toBe(0);
        expect(reply?.data.content).not.toContain("42");
        expect(reply?.data.content).toContain("Secrets are off limits in this test.");
      }
      expect(t.problems()).toEqual([]);
      t.model.assertDone();
    });

    it.each(["approved", "rejected"] as const)("the built-in shell tool %s by onPermissionRequest", async (outcome) => {
      const t = await setup(runtime);
      const marker = join(t.iso.workingDirectory, `marker-${outcome}.txt`);
      const command = `echo shell-ran > ${marker} && cat ${marker}`;
      const requests: Array<Record<string, unknown>> = [];
      const decide: PermissionHandler = (request) => {
        requests.push(request as unknown as Record<string, unknown>);
        return outcome === "approved" ? { kind: "approve-once" } : { kind: "reject", feedback: "No shell commands in this test." };
      };
      let shellTool: string | undefined;
      t.model.push(
        (req) => {
          // The runtime's shell tool: `bash` on Linux (`powershell` on Windows).
          shellTool = ["bash", "powershell", "shell"].find((name) => toolDefinition(req as RecordedRequest, name));
          return { toolCalls: [{ name: shellTool ?? "bash", arguments: { command, description: "Write a marker file" } }] };
        },
        (req) => ({ text: `Shell: ${lastResult(req)}` }),
      );
      const session = await t.client.createSession({ model: "gpt-4.1", provider: t.model.provider(), onPermissionRequest: decide });
      const reply = await session.sendAndWait("Write the marker", { timeoutMs: 20_000 });

      expect(shellTool).toBe("bash");
      expect(requests.map((r) => r.kind)).toEqual(["shell"]);
      expect(requests[0]?.fullCommandText).toBe(command);
      if (outcome === "approved") {
        expect(existsSync(marker)).toBe(true);
        expect(reply?.data.content).toContain("shell-ran");
      } else {
        expect(existsSync(marker)).toBe(false);
        expect(reply?.data.content).not.toContain("shell-ran");
        expect(reply?.data.content).toContain("No shell commands in this test.");
      }
      expect(t.problems()).toEqual([]);
      t.model.assertDone();
    });
  });

  it("ask_user: onUserInputRequest gets the question and its answer reaches the model", async () => {
    const t = await setup(runtime);
    const questions: unknown[] = [];
    t.model.push({ toolCalls: [{ name: "ask_user", arguments: { question: "Which colour?", choices: ["red", "blue"] } }] }, (req) => ({
      text: `User said: ${lastResult(req)}`,
    }));
    const session = await t.client.createSession({
      model: "gpt-4.1",
      provider: t.model.provider(),
      onPermissionRequest: approveAll,
      onUserInputRequest: (request) => {
        questions.push(request);
        return { answer: "blue", wasFreeform: false };
      },
    });
    const reply = await session.sendAndWait("Pick a colour with me", { timeoutMs: 20_000 });

    expect(questions).toEqual([expect.objectContaining({ question: "Which colour?", choices: ["red", "blue"] })]);
    expect(reply?.data.content).toMatch(/^User said: .*blue/);
    expect(t.problems()).toEqual([]);
    t.model.assertDone();
  });

  describe("onPreToolUse hook", () => {
    it("denies a call: the handler never runs and the model reads the reason", async () => {
      const t = await setup(runtime);
      let ran = 0;
      const wipe = defineTool("wipe_disk", { description: "Wipes the disk", skipPermission: true, handler: () => (ran++, "wiped") });
      const inputs: PreToolUseHookInput[] = [];
      t.model.push({ toolCalls: [{ name: "wipe_disk", arguments: {} }] }, (req) => ({ text: `Tool: ${lastResult(req)}` }));
      const session = await t.client.createSession({
        model: "gpt-4.1",
        provider: t.model.provider(),
        tools: [wipe],
        onPermissionRequest: approveAll,
        hooks: {
          onPreToolUse: (input) => {
            inputs.push(input);
            return input.toolName === "wipe_disk" ? { permissionDecision: "deny", permissionDecisionReason: "Policy forbids wiping disks." } : undefined;
          },
        },
      });
      const reply = await session.sendAndWait("Wipe it", { timeoutMs: 20_000 });

      expect(inputs.map((i) => i.toolName)).toEqual(["wipe_disk"]);
      expect(inputs[0]?.sessionId).toBe(session.sessionId);
      expect(inputs[0]?.timestamp).toBeInstanceOf(Date);
      expect(ran).toBe(0);
      expect(reply?.data.content).toContain("Policy forbids wiping disks.");
      expect(t.problems()).toEqual([]);
      t.model.assertDone();
    });

    it("rewrites the arguments: the handler sees the rewritten ones", async () => {
      const t = await setup(runtime);
      const seen: unknown[] = [];
      const greet = defineTool("greet", {
        description: "Greets someone",
        parameters: { type: "object", properties: { name: { type: "string" } }, required: ["name"] } as const,
        skipPermission: true,
        handler: (args) => {
          seen.push(args);
          return `Hello, ${args.name}!`;
        },
      });
      const hookArgs: unknown[] = [];
      t.model.push({ toolCalls: [{ name: "greet", arguments: { name: "Mallory" } }] }, (req) => ({ text: lastResult(req) }));
      const session = await t.client.createSession({
        model: "gpt-4.1",
        provider: t.model.provider(),
        tools: [greet],
        hooks: {
          onPreToolUse: (input) => {
            hookArgs.push(input.toolArgs);
            return { permissionDecision: "allow", modifiedArgs: { name: "Alice" } };
          },
        },
      });
      const reply = await session.sendAndWait("Greet Mallory", { timeoutMs: 20_000 });

      expect(hookArgs).toEqual([{ name: "Mallory" }]);
      expect(seen).toEqual([{ name: "Alice" }]);
      expect(reply?.data.content).toBe("Hello, Alice!");
      expect(t.problems()).toEqual([]);
      t.model.assertDone();
    });
  });
});
