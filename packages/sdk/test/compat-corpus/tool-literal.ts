// A tool written as a plain object (the `Tool` interface), without defineTool.
import assert from "node:assert/strict";
import { CopilotClient, approveAll, type Tool } from "@github/copilot-sdk";

const calls: unknown[] = [];
const add: Tool<{ a: number; b: number }> = {
  name: "add",
  description: "Add two numbers",
  parameters: { type: "object", properties: { a: { type: "number" }, b: { type: "number" } }, required: ["a", "b"] },
  handler: ({ a, b }) => {
    calls.push({ a, b });
    return String(a + b);
  },
};

const client = new CopilotClient();
const session = await client.createSession({
  model: "gpt-4.1",
  tools: [add],
  provider: { type: "openai", baseUrl: process.env.OPENAI_BASE_URL!, apiKey: "test-key" },
  onPermissionRequest: approveAll,
});
const reply = await session.sendAndWait({ prompt: "What is 2 + 3?" });
assert.deepEqual(calls, [{ a: 2, b: 3 }]);
assert.equal(reply?.data.content, "2 + 3 = 5");
await client.stop();
