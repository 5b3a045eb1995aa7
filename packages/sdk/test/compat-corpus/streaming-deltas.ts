// Streaming: assistant.message_delta events carry the text as it is generated.
import assert from "node:assert/strict";
import { CopilotClient, approveAll } from "@github/copilot-sdk";

const client = new CopilotClient();
const session = await client.createSession({
  model: "gpt-4.1",
  streaming: true,
  provider: { type: "openai", baseUrl: process.env.OPENAI_BASE_URL!, apiKey: "test-key" },
  onPermissionRequest: approveAll,
});
const deltas: string[] = [];
session.on("assistant.message_delta", (event) => {
  deltas.push(event.data.deltaContent);
});
const final = await session.sendAndWait({ prompt: "Tell me a short story" });
assert.ok(deltas.length > 1, `expected several deltas, got ${deltas.length}`);
assert.equal(deltas.join(""), "Once upon a time, a test passed.");
assert.equal(final?.data.content, "Once upon a time, a test passed.");
await client.stop();
