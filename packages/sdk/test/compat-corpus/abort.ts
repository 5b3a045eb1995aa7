// abort() stops a turn in flight; the session stays usable.
import assert from "node:assert/strict";
import { CopilotClient, approveAll } from "@github/copilot-sdk";

const client = new CopilotClient();
const session = await client.createSession({
  model: "gpt-4.1",
  streaming: true,
  provider: { type: "openai", baseUrl: process.env.OPENAI_BASE_URL!, apiKey: "test-key" },
  onPermissionRequest: approveAll,
});
const aborted = new Promise<void>((resolve) => session.on("abort", () => resolve()));
const idle = new Promise<void>((resolve) => session.on("session.idle", () => resolve()));
let deltas = 0;
session.on("assistant.message_delta", () => void deltas++);
await session.send({ prompt: "Write a very long essay" });
while (deltas === 0) await new Promise((r) => setTimeout(r, 20));
await session.abort();
await aborted;
await idle;
const replies: string[] = [];
session.on("assistant.message", (event) => void replies.push(event.data.content));
await session.sendAndWait({ prompt: "Just say ok" });
assert.ok(replies.includes("ok"), `the next turn answered: ${JSON.stringify(replies)}`);
await client.stop();
