/**
 * `pnpm demo`: a whole agent turn on the real Copilot runtime, offline.
 *
 * The model is the testing kit's scripted OpenAI-compatible server on 127.0.0.1, given to the
 * session as a BYOK provider. It asks for a custom tool (`get_forecast`); the runtime asks us for
 * permission (answered at the terminal prompt, or approved automatically when there is no TTY);
 * our handler runs with validated arguments; the model's answer streams to the terminal.
 */
import { createInterface } from "node:readline/promises";
import { z } from "zod";
import { CopilotClient, defineTool, type PermissionHandler } from "@flightdeck/copilot-sdk";
import { createIsolatedEnvironment, startScriptedModel, toolResults } from "@flightdeck/copilot-testing";

const getForecast = defineTool("get_forecast", {
  description: "Get tomorrow's weather forecast for a city.",
  parameters: z.object({ city: z.string().min(1), unit: z.enum(["celsius", "fahrenheit"]).default("celsius") }),
  handler: ({ city, unit }) => {
    const temp = unit === "celsius" ? 21 : 70;
    return { city, forecast: "sunny spells, light breeze", high: `${temp}°${unit === "celsius" ? "C" : "F"}` };
  },
});

// The scripted model: first a tool call, then an answer built from the tool's result.
const model = await startScriptedModel({
  script: [
    { toolCalls: [{ name: "get_forecast", arguments: { city: "Lisbon" } }] },
    (request) => {
      const result = toolResults(request).at(-1)?.content ?? "(no result)";
      return { text: `Here is tomorrow in Lisbon, straight from the get_forecast tool: ${result}. Pack sunglasses!`, chunkSize: 12, chunkDelayMs: 15 };
    },
  ],
});

const askAtTerminal: PermissionHandler = async (request) => {
  const what = request.kind === "custom-tool" ? `run the tool "${(request as { toolName?: string }).toolName}"` : `a ${request.kind} action`;
  if (!process.stdin.isTTY) {
    console.log(`\n[permission] the agent wants to ${what}: approved (no terminal attached)`);
    return { kind: "approve-once" };
  }
  const rl = createInterface({ input: process.stdin, output: process.stdout });
  const answer = (await rl.question(`\n[permission] the agent wants to ${what}. Allow? [Y/n] `)).trim().toLowerCase();
  rl.close();
  return answer === "" || answer.startsWith("y") ? { kind: "approve-once" } : { kind: "reject", feedback: "The user said no at the terminal." };
};

// An isolated home for the runtime, so the demo touches nothing of yours.
const iso = createIsolatedEnvironment();
// The runtime is found like in any app: COPILOT_CLI_PATH, else an installed @github/copilot-sdk-<platform>.
const client = new CopilotClient({ env: iso.env, workingDirectory: iso.workingDirectory, useLoggedInUser: false });

try {
  const session = await client.createSession({
    model: "scripted-model",
    provider: model.provider(),
    streaming: true,
    tools: [getForecast],
    onPermissionRequest: askAtTerminal,
  });
  session.on("tool.execution_start", (event) => console.log(`[tool] ${event.data.toolName} ${JSON.stringify(event.data.arguments ?? {})}`));
  session.on("assistant.message_delta", (event) => process.stdout.write(event.data.deltaContent));

  console.log(`Flightdeck demo — runtime ${client.runtimeVersion ?? ""} (protocol ${client.protocolVersion}), session ${session.sessionId}`);
  console.log("> What's the weather in Lisbon tomorrow?");
  const answer = await session.sendAndWait("What's the weather in Lisbon tomorrow?", { timeoutMs: 60_000 });
  process.stdout.write("\n");
  console.log(`\n[done] final message: ${answer?.data.content.length ?? 0} characters; the model was called ${model.requests.length} times.`);
  await session.disconnect();
} finally {
  await client.stop();
  await model.close();
  iso.cleanup();
}
