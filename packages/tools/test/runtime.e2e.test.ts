/**
 * End to end on the real runtime 1.0.85 with a scripted model on 127.0.0.1: the tool definitions
 * this package renders are accepted, `invokeTool` results reach the model as intended, the
 * permission helpers' decisions are accepted, and `BuiltInTools` matches the runtime's own list.
 */
import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { z } from "zod";
import { BuiltInTools, type PermissionRequest, ToolSet, approveKinds, defineTool, invokeTool } from "../src/index.js";
import { startScriptedModel, toolResults } from "@flightdeck/copilot-testing";
import { startRawRuntime, type RawRuntime } from "../../../test-support/raw-runtime.js";

let runtime: RawRuntime;
beforeAll(async () => {
  runtime = await startRawRuntime();
});
afterAll(async () => {
  await runtime?.stop();
});

describe("against runtime 1.0.85", () => {
  it("BuiltInTools.all is the runtime's descriptor list and .defaults its tools.list", async () => {
    const { sessionId } = await runtime.request<{ sessionId: string }>("session.create", { sessionId: randomUUID(), model: "m" });
    const descriptors = await runtime.request<{ tools: Array<{ name: string }> }>("session.tools.getBuiltinDescriptors", { sessionId });
    expect(descriptors.tools.map((t) => t.name).sort()).toEqual([...BuiltInTools.all].sort());
    const listed = await runtime.request<{ tools: Array<{ name: string }> }>("tools.list", {});
    expect(listed.tools.map((t) => t.name).sort()).toEqual([...BuiltInTools.defaults].sort());
  });

  it("accepts the rendered tools array and source-qualified filters", async () => {
    const tools = new ToolSet([
      defineTool("lookup", { description: "Look something up", parameters: z.object({ q: z.string() }), handler: () => "" }),
      defineTool("bash", { description: "My own shell", overridesBuiltInTool: true, handler: () => "" }),
    ]).addBuiltIn(BuiltInTools.readOnly);
    const { sessionId } = await runtime.request<{ sessionId: string }>("session.create", {
      sessionId: randomUUID(),
      model: "m",
      tools: tools.toolDefinitions(),
      availableTools: tools.toArray(),
      toolFilterPrecedence: "excluded",
    });
    await runtime.request("session.tools.initializeAndValidate", { sessionId });
    const current = await runtime.request<{ tools: Array<{ name: string }> }>("session.tools.getCurrentMetadata", { sessionId });
    expect(current.tools.map((t) => t.name).sort()).toEqual(["bash", "glob", "grep", "lookup", "view"]);
  });

  it("runs a turn: validation failure, success, thrown error and binary result and timeout reach the model", async () => {
    const calls: unknown[] = [];
    const order = defineTool("order", {
      description: "Order an item",
      parameters: z.object({ item: z.string(), quantity: z.number().int().min(1) }),
      handler: (args) => {
        calls.push(args);
        return { ordered: args.item, quantity: args.quantity };
      },
    });
    const explode = defineTool("explode", {
      description: "Always fails",
      skipPermission: true,
      handler: () => {
        throw new Error("the warehouse is on fire");
      },
    });
    const picture = defineTool("picture", {
      description: "Returns a picture",
      skipPermission: true,
      handler: () => new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 0]),
    });
    const slow = defineTool("slow", { description: "Never finishes", skipPermission: true, timeoutMs: 20, handler: () => new Promise(() => {}) });
    const tools = new ToolSet([order, explode, picture, slow]);
    const model = await startScriptedModel();
    model.push(
      {
        toolCalls: [
          { name: "order", arguments: '{"item":"tea","quantity":0}' },
          { name: "order", arguments: '{"item":"tea","quantity":2}' },
          { name: "explode", arguments: "{}" },
          { name: "picture", arguments: "" },
          { name: "slow", arguments: "{}" },
        ],
      },
      { text: "All done." },
    );
    const errors: Error[] = [];
    const permissionKinds: string[] = [];
    const policy = approveKinds("custom-tool");
    try {
      const { sessionId } = await runtime.request<{ sessionId: string }>("session.create", {
        sessionId: randomUUID(),
        model: "scripted",
        provider: model.provider(),
        tools: tools.toolDefinitions(),
        availableTools: tools.toArray(),
        toolFilterPrecedence: "excluded",
        requestPermission: true,
      });
      const off = runtime.onEvent(({ sessionId: sid, event }) => {
        if (sid !== sessionId) return;
        if (event.type === "permission.requested") {
          const request = event.data.permissionRequest as PermissionRequest;
          permissionKinds.push(request.kind);
          void Promise.resolve(policy(request, { sessionId })).then((result) =>
            runtime.request("session.permissions.handlePendingPermissionRequest", { sessionId, requestId: event.data.requestId, result }),
          );
        }
        if (event.type === "external_tool.requested") {
          const data = event.data as { requestId: string; toolCallId: string; toolName: string; arguments?: unknown };
          const tool = tools.get(data.toolName)!;
          void invokeTool(tool, data.arguments, { sessionId, toolCallId: data.toolCallId }, { onError: (e) => errors.push(e) }).then((result) =>
            runtime.request("session.tools.handlePendingToolCall", { sessionId, requestId: data.requestId, result }),
          );
        }
      });
      const idle = runtime.waitForEvent("session.idle", sessionId);
      await runtime.request("session.send", { sessionId, prompt: "Order some tea." });
      await idle;
      off();

      expect(calls).toEqual([{ item: "tea", quantity: 2 }]);
      expect(errors.map((e) => e.message).sort()).toEqual([
        'Tool "explode" handler threw: the warehouse is on fire',
        'Tool "slow" did not finish within 20 ms.',
      ]);
      expect(permissionKinds).toEqual(["custom-tool", "custom-tool"]); // the two skipPermission tools asked nothing
      expect(model.requests).toHaveLength(2);
      // What the model read back, by call: exactly the texts invokeTool produced.
      const seen = Object.fromEntries(toolResults(model.requests[1]!).map((r) => [r.callId, r.content]));
      expect(seen).toEqual({
        call_1_0: 'Invalid arguments for tool "order":\n- quantity: Too small: expected number to be >=1\nFix these arguments and call the tool again.',
        call_1_1: '{"ordered":"tea","quantity":2}',
        call_1_2: 'Tool "explode" failed: the warehouse is on fire',
        // A model without vision gets the text only, which is why binary results carry one.
        call_1_3: "The tool returned image/png data (12 bytes).",
        call_1_4: 'Tool "slow" timed out after 20 ms.',
      });
      const completed = runtime.events.filter((e) => e.sessionId === sessionId && e.event.type === "tool.execution_complete").map((e) => e.event.data);
      expect(completed).toHaveLength(5);
      expect(completed.filter((d) => d.success === true)).toHaveLength(2);
    } finally {
      await model.close();
    }
  });
});
