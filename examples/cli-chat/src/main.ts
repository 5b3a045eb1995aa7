/**
 * A terminal chat: you type, the answer streams in; when the agent wants to run a tool, you are
 * asked at the terminal. Type an empty line or Ctrl-D to quit.
 *
 *   pnpm --filter @flightdeck/example-cli-chat start              # interactive, scripted model
 *   pnpm --filter @flightdeck/example-cli-chat start -- --online  # your Copilot login and models
 *   CI=true pnpm --filter @flightdeck/example-cli-chat start      # non-interactive: canned prompts, auto-approve
 */
import { readdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { createInterface } from "node:readline/promises";
import { CopilotClient, defineTool, type CopilotClientOptions, type PermissionHandler } from "@flightdeck/copilot-sdk";
import { createIsolatedEnvironment, startScriptedModel, toolResults } from "@flightdeck/copilot-testing";

const online = process.argv.includes("--online");
// CI has no terminal: it plays two canned prompts and approves what is asked, printing both.
const scripted = process.env.CI === "true" || process.argv.includes("--non-interactive");
const cannedPrompts = ["Which files are in the working folder?", "Thanks!"];

const iso = online ? undefined : createIsolatedEnvironment();
const root = iso?.workingDirectory ?? process.cwd();
if (iso) writeFileSync(join(root, "notes.md"), "# Notes\n");

const listFiles = defineTool("list_files", {
  description: "List the files in the working folder.",
  parameters: { type: "object", properties: { folder: { type: "string", description: "Folder, relative to the working folder" } } } as const,
  handler: ({ folder }) => readdirSync(join(root, folder ?? ".")).sort(),
});

const model = online
  ? undefined
  : await startScriptedModel({
      chunkSize: 6,
      chunkDelayMs: 5,
      script: [
        { toolCalls: [{ name: "list_files", arguments: { folder: "." } }] },
        (request) => ({ text: `The working folder holds: ${toolResults(request).at(-1)?.content ?? "nothing I could see"}.` }),
        { text: "You're welcome. Bye!" },
      ],
    });
const options: CopilotClientOptions = iso ? { env: { ...iso.env, COPILOT_CLI_PATH: process.env.COPILOT_CLI_PATH }, workingDirectory: root, useLoggedInUser: false } : {};
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
    if (!prompt) break;
    if (!terminal) console.log(`\nyou> ${prompt}`);
    process.stdout.write("copilot> ");
    await session.sendAndWait(prompt, { timeoutMs: 120_000 });
    process.stdout.write("\n");
  }
  await session.disconnect();
  console.log("[done]");
} finally {
  terminal?.close();
  await client.stop();
  await model?.close();
  iso?.cleanup();
}
