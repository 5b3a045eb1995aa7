// Observing model traffic by subclassing CopilotRequestHandler, then forwarding it.
import assert from "node:assert/strict";
import { CopilotClient, CopilotRequestHandler, approveAll, type CopilotRequestContext } from "@github/copilot-sdk";

const seen: Array<{ url: string; sessionId?: string }> = [];
class Observer extends CopilotRequestHandler {
  protected override async sendRequest(request: Request, ctx: CopilotRequestContext): Promise<Response> {
    seen.push({ url: request.url, sessionId: ctx.sessionId });
    return super.sendRequest(request, ctx);
  }
}

const client = new CopilotClient({ requestHandler: new Observer() });
const session = await client.createSession({
  model: "gpt-4.1",
  provider: { type: "openai", baseUrl: process.env.OPENAI_BASE_URL!, apiKey: "test-key" },
  onPermissionRequest: approveAll,
});
const reply = await session.sendAndWait({ prompt: "Hi" });
assert.equal(reply?.data.content, "observed");
assert.equal(seen.length, 1);
assert.equal(seen[0]!.sessionId, session.sessionId);
assert.ok(seen[0]!.url.startsWith(process.env.OPENAI_BASE_URL!));
await client.stop();
