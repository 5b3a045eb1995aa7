// A custom permission handler: sees the request kind, approves custom tools only.
import assert from "node:assert/strict";
import { CopilotClient, defineTool, type PermissionRequest, type PermissionRequestResult } from "@github/copilot-sdk";

const requests: PermissionRequest[] = [];
const deploy = defineTool("deploy", {
  description: "Deploy the app",
  parameters: { type: "object", properties: { env: { type: "string" } }, required: ["env"] },
  handler: (args: { env: string }) => `deployed to ${args.env}`,
});

const client = new CopilotClient();
const session = await client.createSession({
  model: "gpt-4.1",
  tools: [deploy],
  provider: { type: "openai", baseUrl: process.env.OPENAI_BASE_URL!, apiKey: "test-key" },
  onPermissionRequest: async (request): Promise<PermissionRequestResult> => {
    requests.push(request);
    return request.kind === "custom-tool" ? { kind: "approve-once" } : { kind: "reject", feedback: "only custom tools" };
  },
});
const reply = await session.sendAndWait({ prompt: "Deploy to staging" });
assert.deepEqual(
  requests.map((r) => r.kind),
  ["custom-tool"],
);
assert.equal(reply?.data.content, "Done: deployed to staging");
await client.stop();
