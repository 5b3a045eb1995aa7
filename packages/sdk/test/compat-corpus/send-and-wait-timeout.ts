// sendAndWait(options, timeoutMs) with a numeric timeout, as in the README's API reference.
import assert from "node:assert/strict";
import { CopilotClient, approveAll } from "@github/copilot-sdk";

const client = new CopilotClient();
const session = await client.createSession({
  model: "gpt-4.1",
  provider: { type: "openai", baseUrl: process.env.OPENAI_BASE_URL!, apiKey: "test-key" },
  onPermissionRequest: approveAll,
});
const reply = await session.sendAndWait({ prompt: "Say hello" }, 60_000);
assert.equal(reply?.data.content, "Hello there!");
await client.stop();
