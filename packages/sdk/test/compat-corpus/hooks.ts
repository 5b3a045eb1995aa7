// Session hooks: onPreToolUse allows the call, onPostToolUse sees the result, onUserPromptSubmitted the prompt.
import assert from "node:assert/strict";
import { CopilotClient, approveAll, defineTool } from "@github/copilot-sdk";

const log: string[] = [];
const echo = defineTool("echo", {
  description: "Echo text back",
  parameters: { type: "object", properties: { text: { type: "string" } }, required: ["text"] },
  handler: (args: { text: string }) => args.text,
});

const client = new CopilotClient();
const session = await client.createSession({
  model: "gpt-4.1",
  tools: [echo],
  provider: { type: "openai", baseUrl: process.env.OPENAI_BASE_URL!, apiKey: "test-key" },
  onPermissionRequest: approveAll,
  hooks: {
    onUserPromptSubmitted: async (input) => {
      log.push(`prompt:${input.prompt}`);
    },
    onPreToolUse: async (input) => {
      log.push(`pre:${input.toolName}`);
      return { permissionDecision: "allow" };
    },
    onPostToolUse: async (input) => {
      log.push(`post:${input.toolName}`);
    },
  },
});
const reply = await session.sendAndWait({ prompt: "Echo ping" });
assert.deepEqual(log, ["prompt:Echo ping", "pre:echo", "post:echo"]);
assert.equal(reply?.data.content, "It said: ping");
await client.stop();
