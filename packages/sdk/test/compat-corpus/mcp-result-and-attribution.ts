// Helpers: a tool proxying an MCP result with convertMcpCallToolResult, and an attributed permission result.
import assert from "node:assert/strict";
import { CopilotClient, convertMcpCallToolResult, createAttributedPermissionResult, defineTool } from "@github/copilot-sdk";

const proxy = defineTool("search_docs", {
  description: "Search the docs (proxied from an MCP server)",
  parameters: { type: "object", properties: { q: { type: "string" } }, required: ["q"] },
  handler: (args: { q: string }) => convertMcpCallToolResult({ content: [{ type: "text", text: `3 hits for ${args.q}` }] }),
});

let decisions = 0;
const client = new CopilotClient();
const session = await client.createSession({
  model: "gpt-4.1",
  tools: [proxy],
  provider: { type: "openai", baseUrl: process.env.OPENAI_BASE_URL!, apiKey: "test-key" },
  onPermissionRequest: () => {
    decisions++;
    return createAttributedPermissionResult({ kind: "approve-once" }, { outcome: "auto_approved", source: "host_policy", surface: "sdk" });
  },
});
const reply = await session.sendAndWait({ prompt: "Search for hooks" });
assert.equal(decisions, 1);
assert.equal(reply?.data.content, "Found: 3 hits for hooks");
await client.stop();
