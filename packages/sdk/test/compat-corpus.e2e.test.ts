/**
 * The runtime compatibility corpus (compat-corpus/): programs written for `@github/copilot-sdk`
 * 1.0.14, run end to end with the scripted model as their BYOK provider: as written, against the
 * incumbent on the runtime it bundles (so the corpus itself is right), and with only the import
 * swapped to `@flightdeck/copilot-sdk` on both pinned runtimes. A program listed as `corpus:<file>` in
 * compat/exclusions.ts must still fail (else delete the entry); every other one must pass.
 */
import { spawn } from "node:child_process";
import { mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it } from "vitest";
import {
  createIsolatedEnvironment,
  lastUserText,
  resolveTestRuntimes,
  startScriptedModel,
  systemPrompt,
  toolResults,
  type ModelRequest,
  type ScriptedTurn,
} from "@flightdeck/copilot-testing";
import { COMPAT_EXCLUSIONS } from "./compat/exclusions.js";

const CORPUS = fileURLToPath(new URL("./compat-corpus/", import.meta.url));
const ROOT_TSCONFIG = fileURLToPath(new URL("../../../tsconfig.json", import.meta.url));
const TSX_CLI = join(createRequire(import.meta.url).resolve("tsx/package.json"), "..", "dist", "cli.mjs");
// Swapped copies live next to the originals so `zod` and the workspace paths resolve the same way.
const SWAPPED = join(CORPUS, `.swapped-${process.pid}`);
afterAll(() => rmSync(SWAPPED, { recursive: true, force: true }));

const PROGRAMS = readdirSync(CORPUS)
  .filter((f) => f.endsWith(".ts"))
  .sort();
const RUNTIMES = resolveTestRuntimes();

const lastTool = (req: ModelRequest) => toolResults(req).at(-1)?.content ?? "";

/** The model's side of each program's conversation. */
const SCRIPTS: Record<string, ScriptedTurn[]> = {
  "abort.ts": [{ text: "An essay that never ends. ".repeat(40), chunkSize: 8, chunkDelayMs: 50 }, { text: "ok" }],
  "all-events.ts": [{ text: "one" }, { text: "two" }],
  "event-callback-and-history.ts": [{ text: "Hi!" }],
  "lifecycle-events.ts": [{ text: "hello" }],
  "ping-and-status.ts": [],
  "user-input.ts": [
    { toolCalls: [{ name: "ask_user", arguments: { question: "Which colour?", choices: ["red", "blue"] } }] },
    (req) => ({ text: `User said: ${lastTool(req)}` }),
  ],
  "basic-send-and-idle.ts": [{ text: "2 + 2 = 4" }],
  "define-tool-zod.ts": [{ toolCalls: [{ name: "get_weather", arguments: { city: "Lisbon" } }] }, (req) => ({ text: `Lisbon: ${lastTool(req)}` })],
  "dispose.ts": [{ text: "bye" }],
  "hooks.ts": [{ toolCalls: [{ name: "echo", arguments: { text: "ping" } }] }, (req) => ({ text: `It said: ${lastTool(req)}` })],
  "list-and-delete-sessions.ts": [{ text: "Noted." }],
  "mcp-result-and-attribution.ts": [{ toolCalls: [{ name: "search_docs", arguments: { q: "hooks" } }] }, (req) => ({ text: `Found: ${lastTool(req)}` })],
  "permission-denied.ts": [{ toolCalls: [{ name: "wipe_disk", arguments: {} }] }, { text: "I was not allowed to do that." }],
  "permission-handler.ts": [{ toolCalls: [{ name: "deploy", arguments: { env: "staging" } }] }, (req) => ({ text: `Done: ${lastTool(req)}` })],
  "request-handler.ts": [{ text: "observed" }],
  // The resumed turn must carry the first turn's history to the model.
  "resume-session.ts": [
    { text: "Noted." },
    (req) => ({
      text: (lastUserText(req) ?? "").includes("What is my name?") && JSON.stringify(req.body).includes("My name is Ada") ? "Your name is Ada." : "?",
    }),
  ],
  "send-and-wait-timeout.ts": [{ text: "Hello there!" }],
  "streaming-deltas.ts": [{ text: "Once upon a time, a test passed.", chunkSize: 5 }],
  "system-message.ts": [(req) => ({ text: (systemPrompt(req) ?? "").includes("MARKER-7731") ? "system message seen" : "system message missing" })],
  "tool-literal.ts": [{ toolCalls: [{ name: "add", arguments: { a: 2, b: 3 } }] }, (req) => ({ text: `2 + 3 = ${lastTool(req)}` })],
  "tool-json-schema.ts": [{ toolCalls: [{ name: "lookup_order", arguments: { id: 42 } }] }, { text: "Order 42 has shipped." }],
};

interface Outcome {
  code: number | null;
  output: string;
}

/** Runs one program as a child process, isolated, against `runtimePath` and a fresh scripted model. */
async function run(file: string, runtimePath: string): Promise<Outcome> {
  const script = SCRIPTS[file.split("/").at(-1)!];
  if (!script) throw new Error(`compat-corpus.e2e.test.ts has no model script for ${file}`);
  const model = await startScriptedModel({ script });
  const iso = createIsolatedEnvironment();
  try {
    const child = spawn(process.execPath, [TSX_CLI, file], {
      cwd: iso.workingDirectory,
      env: { ...iso.env, COPILOT_CLI_PATH: runtimePath, OPENAI_BASE_URL: model.baseUrl, TSX_TSCONFIG_PATH: ROOT_TSCONFIG },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let output = "";
    child.stdout.on("data", (d: Buffer) => (output += d.toString()));
    child.stderr.on("data", (d: Buffer) => (output += d.toString()));
    const timer = setTimeout(() => child.kill("SIGKILL"), 60_000);
    const code = await new Promise<number | null>((resolve) => child.on("close", (c) => resolve(c)));
    clearTimeout(timer);
    return { code, output: output.slice(-3000) };
  } finally {
    await model.close();
    iso.cleanup();
  }
}

/** The program with only its import swapped; fails if anything else would change. */
function swapped(file: string): string {
  const source = readFileSync(join(CORPUS, file), "utf8");
  const result = source.replaceAll('from "@github/copilot-sdk"', 'from "@flightdeck/copilot-sdk"');
  expect(result, `${file} imports @github/copilot-sdk`).not.toBe(source);
  expect(result.includes("@github/copilot-sdk"), `${file} mentions the incumbent only in its import`).toBe(false);
  mkdirSync(SWAPPED, { recursive: true });
  const path = join(SWAPPED, file);
  writeFileSync(path, result);
  return path;
}

const results: Record<string, boolean[]> = {};

describe.each(RUNTIMES)("$name", { timeout: 150_000 }, (runtime) => {
  // The corpus is checked against the incumbent on the runtime it bundles (1.0.85); once is enough.
  if (runtime === RUNTIMES[0]) {
    it.each(PROGRAMS)("%s runs as written on @github/copilot-sdk", async (file) => {
      const outcome = await run(join(CORPUS, file), runtime.path);
      expect(outcome.code, outcome.output).toBe(0);
    });
  }

  it.each(PROGRAMS)("%s runs unchanged on @flightdeck/copilot-sdk (import swapped)", async (file) => {
    const outcome = await run(swapped(file), runtime.path);
    (results[file] ??= []).push(outcome.code === 0);
    const excluded = `corpus:${file}` in COMPAT_EXCLUSIONS;
    if (excluded) expect(outcome.code, `${file} now runs unchanged: delete its corpus entry from compat/exclusions.ts`).not.toBe(0);
    else expect(outcome.code, outcome.output).toBe(0);
  });
});

afterAll(() => {
  const both = Object.values(results).filter((r) => r.length === RUNTIMES.length && r.every(Boolean)).length;
  console.log(`compat corpus: ${both}/${PROGRAMS.length} programs run unchanged on both pinned runtimes`);
});
