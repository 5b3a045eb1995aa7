// onEvent in the session config sees events from the start; getEvents() returns the history.
import assert from "node:assert/strict";
import { CopilotClient, approveAll, type SessionEvent } from "@github/copilot-sdk";

const early: string[] = [];
const client = new CopilotClient();
const session = await client.createSession({
  model: "gpt-4.1",
  provider: { type: "openai", baseUrl: process.env.OPENAI_BASE_URL!, apiKey: "test-key" },
  onPermissionRequest: approveAll,
  onEvent: (event: SessionEvent) => {
    early.push(event.type);
  },
});
await session.sendAndWait({ prompt: "Hello" });
assert.ok(early.includes("user.message"));
assert.ok(early.includes("assistant.message"));
const history = await session.getEvents();
const user = history.find((e) => e.type === "user.message");
assert.equal(user?.type === "user.message" ? user.data.content : undefined, "Hello");
await client.stop();
