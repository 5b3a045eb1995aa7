/**
 * Runs the docs' code blocks (extracted by tools/extract-doc-snippets.ts) against the real runtime:
 * each program in its own `node --import tsx` process, where `@flightdeck/copilot-sdk` is
 * ./sdk-shim.ts (the real SDK, isolated, with a scripted model as the default provider) and the
 * other packages are the workspace sources. Blocks that import `vitest` are test files: they run
 * under vitest, unchanged. A fragment that uses `client` or `session` without making one gets a
 * real one. A block that declares anything else it needs cannot run: it must carry the note
 * `> Not run by the docs test: <reason>` (it stays type-checked).
 */
import { spawn } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { ambientFor, type Snippet } from "../extract-doc-snippets.js";
import { repoRoot } from "../packaging/published-packages.js";

export type RunPlan =
  | { kind: "program"; source: string }
  | { kind: "vitest"; source: string }
  | { kind: "not-run"; reason: string }
  | { kind: "unrunnable"; reason: string };

const DECLARED_CONTEXT = /^declare const (client|session)\b[^;]*;[ \t]*$/gm;

/** How a block runs, and the source that runs. */
export function planSnippet(snippet: Snippet): RunPlan {
  if (snippet.notRun !== undefined) return { kind: "not-run", reason: snippet.notRun };
  if (/from\s+["']vitest["']/.test(snippet.code)) return { kind: "vitest", source: snippet.code };
  // `client` / `session` the block only declares or uses: the harness makes real ones.
  const declared = [...snippet.code.matchAll(DECLARED_CONTEXT)].map((m) => m[1]!);
  const ambient = ambientFor(snippet.code).map((d) => /declare const (\w+)/.exec(d)![1]!);
  const needs = new Set([...declared, ...ambient]);
  // A block importing the client package gets the harness's client too (the packages themselves
  // keep the real one: the shim builds on it).
  const code = snippet.code
    .replace(DECLARED_CONTEXT, "")
    .replace(/(from\s+)["']@flightdeck\/copilot-client["']/g, `$1${JSON.stringify(join(repoRoot, "tools/doc-snippets/client-shim.ts"))}`);
  const other = /^\s*declare\s+(?:const|let|var|function|class)\s+(\w+)/m.exec(code);
  if (other) {
    return {
      kind: "unrunnable",
      reason: `it declares \`${other[1]}\` without a value. Make it a complete program, or put the note \`> Not run by the docs test: <reason>\` on the line above its fence.`,
    };
  }
  if (!/\bimport\b|\bawait\b|\bconsole\.|\bnew\s|\(/.test(code)) return { kind: "unrunnable", reason: "it has nothing to run" };
  const prelude: string[] = [];
  const epilogue: string[] = [];
  if (needs.size > 0) {
    prelude.push('import { CopilotClient as __DocClient, approveAll as __docApproveAll } from "@flightdeck/copilot-sdk";');
    prelude.push("const client = new __DocClient();");
    epilogue.push("await client.stop();");
  }
  if (needs.has("session")) prelude.push('const session = await client.createSession({ model: "gpt-4.1", onPermissionRequest: __docApproveAll });');
  // Imports must come first in a module: hoist the block's own above the prelude.
  const lines = code.split("\n");
  const imports: string[] = [];
  const body: string[] = [];
  let inImport = false;
  for (const line of lines) {
    if (inImport || /^import\s/.test(line)) {
      imports.push(line);
      inImport = !/;\s*$/.test(line) && !/from\s+["'][^"']+["']\s*$/.test(line);
    } else body.push(line);
  }
  return { kind: "program", source: [...imports, ...prelude, ...body, ...epilogue, "export {};", ""].join("\n") };
}

/** The folder the runnable files go to (inside the repo so third-party imports resolve). */
export const RUN_DIR = join(repoRoot, ".tmp/doc-snippets-run");

/** tsconfig for tsx: the workspace packages from source, the sdk through the shim, zod from the tools package. */
export function writeRunConfig(dir: string = RUN_DIR): string {
  mkdirSync(dir, { recursive: true });
  const rel = (p: string) => relative(dir, join(repoRoot, p));
  const config = {
    compilerOptions: {
      target: "ES2022",
      module: "ESNext",
      moduleResolution: "Bundler",
      baseUrl: ".",
      paths: {
        "@flightdeck/copilot-sdk": [rel("tools/doc-snippets/sdk-shim.ts")],
        "@flightdeck/copilot-core": [rel("packages/core/src/index.ts")],
        "@flightdeck/copilot-core/node": [rel("packages/core/src/node.ts")],
        "@flightdeck/copilot-core/validators": [rel("packages/core/src/validators.ts")],
        "@flightdeck/copilot-core/internal": [rel("packages/core/src/internal.ts")],
        "@flightdeck/copilot-tools": [rel("packages/tools/src/index.ts")],
        "@flightdeck/copilot-session": [rel("packages/session/src/index.ts")],
        "@flightdeck/copilot-client": [rel("packages/client/src/index.ts")],
        "@flightdeck/copilot-testing": [rel("packages/testing/src/index.ts")],
        "@flightdeck/copilot-codegen": [rel("codegen/src/index.ts")],
        zod: [rel("packages/tools/node_modules/zod")],
        valibot: [rel("packages/tools/node_modules/valibot")],
      },
    },
  };
  const path = join(dir, "tsconfig.json");
  writeFileSync(path, `${JSON.stringify(config, null, 2)}\n`);
  return path;
}

/** Runs one file with tsx; resolves with its exit code and output (killed after `timeoutMs`). */
export function runFile(file: string, tsconfig: string, timeoutMs: number): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve) => {
    // Its own temp folder, removed afterwards even when the block had to be killed.
    const tmp = mkdtempSync(join(tmpdir(), "fd-doc-snippet-"));
    const env: NodeJS.ProcessEnv = { ...process.env, TMPDIR: tmp, TSX_TSCONFIG_PATH: tsconfig, FLIGHTDECK_DEBUG: "" };
    delete env.COPILOT_CLI_PATH;
    const child = spawn(process.execPath, ["--import", "tsx", file], { cwd: RUN_DIR, env, stdio: ["ignore", "pipe", "pipe"] });
    let output = "";
    child.stdout.on("data", (c: Buffer) => (output += c.toString("utf8")));
    child.stderr.on("data", (c: Buffer) => (output += c.toString("utf8")));
    const timer = setTimeout(() => {
      output += `\n[doc-snippets] still running after ${timeoutMs} ms (does the block stop its client?): killed`;
      child.kill("SIGKILL");
    }, timeoutMs);
    child.on("close", (code) => {
      clearTimeout(timer);
      rmSync(tmp, { recursive: true, force: true, maxRetries: 5, retryDelay: 100 });
      resolve({ code, output });
    });
  });
}
