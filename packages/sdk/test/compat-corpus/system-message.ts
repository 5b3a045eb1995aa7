// systemMessage in append mode: the text reaches the model's system prompt.
import assert from "node:assert/strict";
import { CopilotClient, approveAll } from "@github/copilot-sdk";

const client = new CopilotClient();
const session = await client.createSession({
  model: "gpt-4.1",
  systemMessage: { content: "Always answer like a pirate. MARKER-7731" },
  provider: { type: "openai", baseUrl: process.env.OPENAI_BASE_URL!, apiKey: "test-key" },
  onPermissionRequest: approveAll,
});
const reply = await session.sendAndWait({ prompt: "Hi" });
assert.equal(reply?.data.content, "system message seen");
await client.stop();
