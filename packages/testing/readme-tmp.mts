import { randomUUID } from "node:crypto";
import { JsonRpcConnection } from "@flightdeck/copilot-core";
import { spawnStdioTransport } from "@flightdeck/copilot-core/node";
import {
  createIsolatedEnvironment, resolveTestRuntimes, runtimeArgs, startScriptedModel, toolResults,
} from "@flightdeck/copilot-testing";

const model = await startScriptedModel({
  script: [
    { toolCalls: [{ name: "get_weather", arguments: { city: "Paris" } }] },
    (req) => ({ text: `It is ${toolResults(req).at(-1)?.content} in Paris.` }),
  ],
});
const iso = createIsolatedEnvironment();
const [runtime] = resolveTestRuntimes();
const transport = await spawnStdioTransport({
  command: runtime.path, args: [...runtime.args, ...runtimeArgs()], env: { ...iso.env }, cwd: iso.workingDirectory,
});
const rpc = new JsonRpcConnection(transport);
try {
  await rpc.request("connect", { supportedTaskKinds: ["agent", "client", "shell"] });
  const sessionId = randomUUID();
  await rpc.request("session.create", {
    sessionId, model: "gpt-4.1", provider: model.provider(), requestPermission: true,
    tools: [{ name: "get_weather", description: "Weather for a city", parameters: { type: "object", properties: { city: { type: "string" } } } }],
  });
  const idle = new Promise<void>((resolve) => {
    rpc.onNotification("session.event", (params) => {
      const { event } = params as { event: { type: string; data: { requestId?: string } } };
      if (event.type === "external_tool.requested") {
        void rpc.request("session.tools.handlePendingToolCall", { sessionId, requestId: event.data.requestId, result: "sunny" });
      }
      if (event.type === "session.idle") resolve();
    });
  });
  await rpc.request("session.send", { sessionId, prompt: "Weather in Paris?" });
  await idle;
  model.assertDone(); console.log("README example OK", model.requests.length, "requests");
} finally {
  await rpc.request("runtime.shutdown", {}).catch(() => {});
  await rpc.close();
  await transport.close();   // the process is gone when this resolves
  await model.close();
  iso.cleanup();
}
