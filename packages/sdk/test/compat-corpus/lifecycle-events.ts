// client.onLifecycle(type, handler): session.created fires for a new session.
import assert from "node:assert/strict";
import { CopilotClient, approveAll } from "@github/copilot-sdk";

const client = new CopilotClient();
await client.start();
const created: string[] = [];
const unsubscribe = client.onLifecycle("session.created", (event) => {
  created.push(event.sessionId);
});
const session = await client.createSession({
  model: "gpt-4.1",
  provider: { type: "openai", baseUrl: process.env.OPENAI_BASE_URL!, apiKey: "test-key" },
  onPermissionRequest: approveAll,
});
await session.sendAndWait({ prompt: "Hi" });
for (let i = 0; i < 50 && !created.includes(session.sessionId); i++) await new Promise((r) => setTimeout(r, 100));
assert.ok(created.includes(session.sessionId), `session.created for ${session.sessionId}; got ${JSON.stringify(created)}`);
unsubscribe();
await client.stop();
