/**
 * The smallest Flightdeck program: start the runtime, open a session, ask, print the answer, stop.
 *
 *   pnpm --filter @flightdeck/example-minimal start             # offline: the scripted model
 *   pnpm --filter @flightdeck/example-minimal start -- --online  # your Copilot login and models
 *
 * Offline, the model is the testing kit's scripted server on 127.0.0.1 and the runtime runs in a
 * throw-away home folder, so nothing of yours is read or written (this is how CI runs it).
 */
import { CopilotClient, approveAll, type CopilotClientOptions, type ProviderConfig } from "@flightdeck/copilot-sdk";
import { createIsolatedEnvironment, startScriptedModel } from "@flightdeck/copilot-testing";

const online = process.argv.includes("--online");
const model = online ? undefined : await startScriptedModel({ script: [{ text: "Flightdeck drives Copilot agents from TypeScript." }] });
const iso = online ? undefined : createIsolatedEnvironment();
const options: CopilotClientOptions = iso
  ? { env: { ...iso.env, COPILOT_CLI_PATH: process.env.COPILOT_CLI_PATH }, workingDirectory: iso.workingDirectory, useLoggedInUser: false }
  : {};
const provider: ProviderConfig | undefined = model?.provider();

const client = new CopilotClient(options);
try {
  const session = await client.createSession({ model: online ? "gpt-4.1" : "scripted-model", provider, onPermissionRequest: approveAll });
  const answer = await session.sendAndWait("What is Flightdeck, in one sentence?");
  console.log(answer?.data.content);
  await session.disconnect();
  console.log("[done]");
} finally {
  await client.stop();
  await model?.close();
  iso?.cleanup();
}
