// Session management: listSessions, getSessionMetadata (Dates), deleteSession, and its error wording.
import assert from "node:assert/strict";
import { CopilotClient, approveAll } from "@github/copilot-sdk";

const client = new CopilotClient();
const session = await client.createSession({
  model: "gpt-4.1",
  provider: { type: "openai", baseUrl: process.env.OPENAI_BASE_URL!, apiKey: "test-key" },
  onPermissionRequest: approveAll,
});
await session.sendAndWait({ prompt: "Remember this" });
const id = session.sessionId;

const sessions = await client.listSessions();
const mine = sessions.find((s) => s.sessionId === id);
assert.ok(mine, "the session is listed");
assert.ok(mine.startTime instanceof Date && !Number.isNaN(mine.startTime.getTime()));
assert.ok(mine.modifiedTime instanceof Date);

const metadata = await client.getSessionMetadata(id);
assert.equal(metadata?.sessionId, id);
assert.ok(metadata?.startTime instanceof Date);

await session.disconnect();
await client.deleteSession(id);
assert.equal(
  (await client.listSessions()).some((s) => s.sessionId === id),
  false,
);
await assert.rejects(client.deleteSession(id), /Failed to delete session/);
await client.stop();
