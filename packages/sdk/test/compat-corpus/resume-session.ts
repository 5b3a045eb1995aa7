// Resume a session by id on a new client: the history is there and the next turn continues it.
import assert from "node:assert/strict";
import { CopilotClient, approveAll } from "@github/copilot-sdk";

const provider = { type: "openai" as const, baseUrl: process.env.OPENAI_BASE_URL!, apiKey: "test-key" };
const first = new CopilotClient();
const session = await first.createSession({ model: "gpt-4.1", provider, onPermissionRequest: approveAll });
await session.sendAndWait({ prompt: "My name is Ada" });
const id = session.sessionId;
await session.disconnect();
await first.stop();

const second = new CopilotClient();
const resumed = await second.resumeSession(id, { model: "gpt-4.1", provider, onPermissionRequest: approveAll });
assert.equal(resumed.sessionId, id);
const history = await resumed.getEvents();
assert.ok(history.some((e) => e.type === "user.message" && e.data.content === "My name is Ada"));
const reply = await resumed.sendAndWait({ prompt: "What is my name?" });
assert.equal(reply?.data.content, "Your name is Ada.");
await second.stop();
