// A tool defined with zod (the docs' way): typed arguments, result back to the model.
import assert from "node:assert/strict";
import { z } from "zod";
import { CopilotClient, approveAll, defineTool } from "@github/copilot-sdk";

const calls: Array<{ city: string }> = [];
const getWeather = defineTool("get_weather", {
  description: "Get the current weather for a city",
  parameters: z.object({ city: z.string().describe("The city name") }),
  handler: async ({ city }) => {
    calls.push({ city });
    return { city, temperature: "21°C", condition: "sunny" };
  },
});

const client = new CopilotClient();
const session = await client.createSession({
  model: "gpt-4.1",
  tools: [getWeather],
  provider: { type: "openai", baseUrl: process.env.OPENAI_BASE_URL!, apiKey: "test-key" },
  onPermissionRequest: approveAll,
});
const reply = await session.sendAndWait({ prompt: "What's the weather in Lisbon?" });
assert.deepEqual(calls, [{ city: "Lisbon" }]);
assert.match(reply?.data.content ?? "", /21°C/);
await client.stop();
