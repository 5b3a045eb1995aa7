// A tool with a raw JSON Schema and the invocation details (toolCallId, arguments).
import assert from "node:assert/strict";
import { CopilotClient, approveAll, defineTool, type ToolInvocation } from "@github/copilot-sdk";

const seen: ToolInvocation[] = [];
const lookup = defineTool<{ id: number }>("lookup_order", {
  description: "Look up an order by id",
  parameters: {
    type: "object",
    properties: { id: { type: "number", description: "Order id" } },
    required: ["id"],
  },
  handler: (args, invocation) => {
    seen.push(invocation);
    return `Order ${args.id}: shipped`;
  },
});

const client = new CopilotClient();
const session = await client.createSession({
  model: "gpt-4.1",
  tools: [lookup],
  provider: { type: "openai", baseUrl: process.env.OPENAI_BASE_URL!, apiKey: "test-key" },
  onPermissionRequest: approveAll,
});
const reply = await session.sendAndWait({ prompt: "Where is order 42?" });
assert.equal(seen.length, 1);
assert.equal(seen[0]!.toolName, "lookup_order");
assert.equal(seen[0]!.sessionId, session.sessionId);
assert.deepEqual(seen[0]!.arguments, { id: 42 });
assert.ok(seen[0]!.toolCallId.length > 0);
assert.equal(reply?.data.content, "Order 42 has shipped.");
await client.stop();
