/**
 * Starts the browser chat and prints its address; Ctrl-C stops it.
 *
 *   pnpm --filter @flightdeck/example-browser-chat start              # offline: the scripted model
 *   PORT=8080 pnpm --filter @flightdeck/example-browser-chat start    # a fixed port (default: a free one)
 *   pnpm --filter @flightdeck/example-browser-chat start -- --online  # your Copilot login, model $COPILOT_MODEL or gpt-4.1
 *   BROWSER_CHAT_BASE_URL=https://api.openai.com/v1 BROWSER_CHAT_API_KEY=… BROWSER_CHAT_MODEL=gpt-4.1 \
 *     pnpm --filter @flightdeck/example-browser-chat start            # your own OpenAI-compatible provider
 */
import type { RealModel } from "./browser-chat.js";
import { startBrowserChat } from "./browser-chat.js";

const port = process.env.PORT === undefined || process.env.PORT === "" ? 0 : Number(process.env.PORT);
const baseUrl = process.env.BROWSER_CHAT_BASE_URL;

let model: RealModel | undefined;
if (baseUrl) {
  // The key stays in this process's memory and goes to the runtime in the session config, never argv.
  model = { name: process.env.BROWSER_CHAT_MODEL ?? "gpt-4.1", provider: { type: "openai", baseUrl, apiKey: process.env.BROWSER_CHAT_API_KEY } };
} else if (process.argv.includes("--online")) {
  model = { name: process.env.COPILOT_MODEL ?? "gpt-4.1" };
}

const starting = startBrowserChat({ port, model });

// Listening for Ctrl-C before anything is printed: a Ctrl-C at any moment, even during start-up,
// closes the server, the session, the runtime and the temp folder, then exits 0.
let stopping = false;
const stop = () => {
  if (stopping) return;
  stopping = true;
  starting
    .then((chat) => chat.close())
    .then(
      () => process.exit(0),
      (error: unknown) => {
        console.error(error);
        process.exit(1);
      },
    );
};
process.on("SIGINT", stop);
process.on("SIGTERM", stop);

const chat = await starting;
console.log(`Browser chat (${model ? `model ${model.name}` : "offline, scripted model"}): open ${chat.url}`);
console.log(`save_note writes into ${chat.workingDirectory}/notes. Ctrl-C to stop.`);
