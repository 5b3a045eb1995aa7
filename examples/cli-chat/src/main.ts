/**
 * A terminal chat: you type, the answer streams in; when the agent wants to run a tool, you are
 * asked at the terminal. Type an empty line, `/quit` or Ctrl-D to quit; `/help` shows the commands.
 *
 *   pnpm --filter @flightdeck/example-cli-chat start              # interactive, scripted model
 *   pnpm --filter @flightdeck/example-cli-chat start -- --online  # your Copilot login and models
 *   CI=true pnpm --filter @flightdeck/example-cli-chat start      # non-interactive: canned prompts, auto-approve
 */
import { readdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { createInterface } from "node:readline/promises";
import { CopilotClient, SessionError, defineTool, isSdkError, type CopilotClientOptions, type PermissionHandler } from "@flightdeck/copilot-sdk";
import { createIsolatedEnvironment, startScriptedModel, toolResults } from "@flightdeck/copilot-testing";

const online = process.argv.includes("--online");
// CI has no terminal: it plays two canned prompts and approves what is asked, printing both.
const scripted = process.env.CI === "true" || process.argv.includes("--non-interactive");
const cannedPrompts = ["Which files are in the working folder?", "Thanks!"];

const iso = online ? undefined : createIsolatedEnvironment();
const root = iso?.workingDirectory ?? process.cwd();
if (iso) writeFileSync(join(root, "notes.md"), "# Notes\n");

// What the tool listed in the current turn: the scripted model answers from it, or knows it was denied.
let listed: string[] | undefined;
const listFiles = defineTool("list_files", {
  description: "List the files in the working folder.",
  parameters: { type: "object", properties: { folder: { type: "string", description: "Folder, relative to the working folder" } } } as const,
  handler: ({ folder }) => (listed = readdirSync(join(root, folder ?? ".")).sort()),
});

const model = online
  ? undefined
  : await startScriptedModel({
      chunkSize: 6,
      chunkDelayMs: 5,
      script: [
        { toolCalls: [{ name: "list_files", arguments: { folder: "." } }] },
        (request) =>
          listed !== undefined
            ? { text: `The working folder holds: ${listed.join(", ") || "nothing"}.` }
            : {
                text: `All right, I won't look at your files. (${toolResults(request).at(-1)?.content ? "The tool was not run." : "No answer from the tool."})`,
              },
        { text: "You're welcome. Bye!" },
      ],
    });
const options: CopilotClientOptions = iso
  ? { env: { ...iso.env, COPILOT_CLI_PATH: process.env.COPILOT_CLI_PATH }, workingDirectory: root, useLoggedInUser: false }
  : {};
const terminal = scripted ? undefined : createInterface({ input: process.stdin, output: process.stdout });

const askAtTerminal: PermissionHandler = async (request) => {
  const what = request.kind === "custom-tool" ? `run the tool "${String((request as { toolName?: unknown }).toolName)}"` : `perform a ${request.kind} action`;
  if (!terminal) {
    console.log(`\n[permission] the agent wants to ${what}: approved (non-interactive)`);
    return { kind: "approve-once" };
  }
  const answer = (await terminal.question(`\n[permission] the agent wants to ${what}. Allow? [Y/n] `)).trim().toLowerCase();
  return answer === "" || answer.startsWith("y") ? { kind: "approve-once" } : { kind: "reject", feedback: "The user said no at the terminal." };
};

const HELP = [
  "Type a message and press Enter; the answer streams in.",
  "When the agent wants to run a tool you are asked first: Enter or y allows it, n denies it.",
  "Commands: /help this help, /quit (or an empty line, or Ctrl-D) to leave.",
  ...(online ? [] : ['Offline, the scripted model knows 3 turns: try "Which files are here?", then "Thanks!".']),
].join("\n");
console.log(`Flightdeck cli-chat — ${online ? "online (your Copilot login)" : "offline (a scripted model on 127.0.0.1, nothing leaves this machine)"}`);
if (terminal) console.log(HELP);

const client = new CopilotClient(options);
try {
  const session = await client.createSession({
    model: online ? "gpt-4.1" : "scripted-model",
    provider: model?.provider(),
    streaming: true,
    tools: [listFiles],
    onPermissionRequest: askAtTerminal,
  });
  session.on("assistant.message_delta", (event) => process.stdout.write(event.data.deltaContent));
  session.on("tool.execution_start", (event) => console.log(`[tool] ${event.data.toolName}`));

  for (let turn = 0; ; turn++) {
    const prompt = terminal ? (await terminal.question("\nyou> ").catch(() => "")).trim() : cannedPrompts[turn];
    if (!prompt || prompt === "/quit") break;
    if (prompt === "/help") {
      console.log(HELP);
      continue;
    }
    if (!terminal) console.log(`\nyou> ${prompt}`);
    if (model && model.remainingTurns === 0) {
      console.log("\nThe scripted model has no answers left (this offline demo knows 3 turns). Run with `-- --online` to chat with your Copilot models.");
      break;
    }
    listed = undefined;
    process.stdout.write("copilot> ");
    try {
      await session.sendAndWait(prompt, { timeoutMs: 120_000 });
    } catch (error) {
      // A failed turn is a message, not a stack trace: say what happened and keep the chat going.
      if (!(error instanceof SessionError) && !isSdkError(error)) throw error;
      console.log(`\n[error] ${error.message}`);
    }
    process.stdout.write("\n");
  }
  await session.disconnect();
  console.log("Bye!");
} finally {
  terminal?.close();
  await client.stop();
  await model?.close();
  iso?.cleanup();
}
