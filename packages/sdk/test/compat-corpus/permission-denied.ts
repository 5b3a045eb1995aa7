// Denying with one of the incumbent's older decision kinds: the tool never runs.
import assert from "node:assert/strict";
import { CopilotClient, defineTool } from "@github/copilot-sdk";

let ran = false;
const wipe = defineTool("wipe_disk", {
  description: "Erase everything",
  parameters: { type: "object", properties: {} },
  handler: () => {
    ran = true;
    return "wiped";
  },
});

const client = new CopilotClient();
const session = await client.createSession({
  model: "gpt-4.1",
  tools: [wipe],
  provider: { type: "openai", baseUrl: process.env.OPENAI_BASE_URL!, apiKey: "test-key" },
  onPermissionRequest: () => ({ kind: "denied-interactively-by-user" }),
});
const reply = await session.sendAndWait({ prompt: "Wipe the disk" });
assert.equal(ran, false);
assert.equal(reply?.data.content, "I was not allowed to do that.");
await client.stop();
