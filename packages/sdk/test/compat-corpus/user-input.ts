// onUserInputRequest answers the agent's ask_user questions.
import assert from "node:assert/strict";
import { CopilotClient, approveAll } from "@github/copilot-sdk";

const questions: string[] = [];
const client = new CopilotClient();
const session = await client.createSession({
  model: "gpt-4.1",
  provider: { type: "openai", baseUrl: process.env.OPENAI_BASE_URL!, apiKey: "test-key" },
  onPermissionRequest: approveAll,
  onUserInputRequest: async (request) => {
    questions.push(request.question);
    return { answer: "blue", wasFreeform: false };
  },
});
const reply = await session.sendAndWait({ prompt: "Pick a colour with me" });
assert.deepEqual(questions, ["Which colour?"]);
assert.match(reply?.data.content ?? "", /^User said: .*blue/);
await client.stop();
