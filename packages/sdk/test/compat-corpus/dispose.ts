// `await using` disposes the session and the client when leaving scope.
import assert from "node:assert/strict";
import { CopilotClient, approveAll } from "@github/copilot-sdk";

let sessionId: string;
{
  await using client = new CopilotClient();
  await using session = await client.createSession({
    model: "gpt-4.1",
    provider: { type: "openai", baseUrl: process.env.OPENAI_BASE_URL!, apiKey: "test-key" },
    onPermissionRequest: approveAll,
  });
  sessionId = session.sessionId;
  const reply = await session.sendAndWait({ prompt: "Hi" });
  assert.equal(reply?.data.content, "bye");
}
assert.ok(sessionId.length > 0);
