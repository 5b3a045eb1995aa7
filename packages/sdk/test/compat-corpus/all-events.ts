// on(handler) for every event, and the unsubscribe function it returns.
import assert from "node:assert/strict";
import { CopilotClient, approveAll, type SessionEvent } from "@github/copilot-sdk";

const client = new CopilotClient();
const session = await client.createSession({
  model: "gpt-4.1",
  provider: { type: "openai", baseUrl: process.env.OPENAI_BASE_URL!, apiKey: "test-key" },
  onPermissionRequest: approveAll,
});
const types: string[] = [];
const unsubscribe = session.on((event: SessionEvent) => {
  types.push(event.type);
});
await session.sendAndWait({ prompt: "First" });
unsubscribe();
const seen = types.length;
await session.sendAndWait({ prompt: "Second" });
assert.equal(types.length, seen, "no events after unsubscribe");
for (const type of ["user.message", "assistant.turn_start", "assistant.message", "session.idle"]) {
  assert.ok(types.includes(type), `saw ${type}`);
}
await client.stop();
