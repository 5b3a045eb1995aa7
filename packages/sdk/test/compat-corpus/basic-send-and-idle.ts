// README quick start: typed event handlers, send(), wait for session.idle.
import assert from "node:assert/strict";
import { CopilotClient, approveAll } from "@github/copilot-sdk";

const client = new CopilotClient();
await client.start();

const session = await client.createSession({
  model: "gpt-4.1",
  provider: { type: "openai", baseUrl: process.env.OPENAI_BASE_URL!, apiKey: "test-key" },
  onPermissionRequest: approveAll,
});

const messages: string[] = [];
const done = new Promise<void>((resolve) => {
  session.on("assistant.message", (event) => {
    messages.push(event.data.content);
  });
  session.on("session.idle", () => {
    resolve();
  });
});

await session.send({ prompt: "What is 2+2?" });
await done;
assert.deepEqual(messages, ["2 + 2 = 4"]);
await session.disconnect();
await client.stop();
