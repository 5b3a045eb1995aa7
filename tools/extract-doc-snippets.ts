/**
 * `pnpm docs:check`: every TypeScript code block (```ts / ```typescript) of README.md, docs/*.md,
 * packages/*\/README.md and codegen/README.md is extracted to its own module and type-checked
 * against the packages' sources, so no document shows an API that does not exist. Errors point at
 * the Markdown file and line. A block tagged ```ts no-check is skipped (say why next to it).
 * Blocks are modules (top-level await works). A fragment may use `client` (a `CopilotClient`)
 * and `session` (a `CopilotSession`) without declaring them: they are declared for it, typed, so
 * calls on them are still checked. Anything else a fragment assumes it declares itself, e.g.
 * `declare const weather: Tool;`.
 *
 * Type-checking is half of it: tools/test/doc-snippets-run.test.ts runs every block too (see
 * tools/doc-snippets/run-snippets.ts); a block that cannot run says so in a visible note above
 * its fence, `> Not run by the docs test: <reason>`, and is still type-checked here.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join, relative } from "node:path";
import ts from "typescript";
import { repoRoot } from "./packaging/published-packages.js";

export interface Snippet {
  /** The Markdown file, relative to the repo root. */
  readonly file: string;
  /** 1-based line of the first code line in the Markdown file. */
  readonly line: number;
  readonly code: string;
  /**
   * Why the block is not run by the docs test (tools/test/doc-snippets-run.test.ts), from a
   * visible note on the line above the fence: `> Not run by the docs test: <reason>`.
   */
  readonly notRun?: string;
}

/** The note that marks a block the docs test does not run (it is still type-checked). */
export const NOT_RUN_NOTE = /^>\s*Not run by the docs test:\s*(.+?)\s*$/;

// Names a fragment may use undeclared, and their types (appended, so line numbers stay put).
const AMBIENT: ReadonlyArray<[name: string, declaration: string]> = [
  ["client", 'declare const client: import("@flightdeck/copilot-sdk").CopilotClient;'],
  ["session", 'declare const session: import("@flightdeck/copilot-sdk").CopilotSession;'],
];

/** The ambient declarations a snippet needs: those of `AMBIENT` it uses but does not declare itself. */
export function ambientFor(code: string): string[] {
  return AMBIENT.filter(([name]) => {
    const uses = new RegExp(`\\b${name}\\b`).test(code);
    const declares = new RegExp(
      `\\b(?:const|let|var|using|function|class)\\s+(?:${name}\\b|[{[][^}\\]]*\\b${name}\\b)|\\bimport\\b[^;]*\\b${name}\\b[^;]*\\bfrom\\b`,
    ).test(code);
    return uses && !declares;
  }).map(([, declaration]) => declaration);
}

/** The TypeScript blocks of one Markdown text. */
export function extractSnippets(markdown: string, file: string): Snippet[] {
  const snippets: Snippet[] = [];
  const lines = markdown.split("\n");
  for (let i = 0; i < lines.length; i++) {
    const open = /^(\s*)(`{3,}|~{3,})\s*(ts|typescript|tsx|mts|cts)\b(.*)$/.exec(lines[i] as string);
    if (!open) continue;
    const [, indent, fence, , info] = open as unknown as [string, string, string, string, string];
    const body: string[] = [];
    let j = i + 1;
    for (; j < lines.length; j++) {
      const line = lines[j] as string;
      if (line.trimStart().startsWith(fence) && line.trim() === line.trim().replace(/[^`~]/g, "")) break;
      body.push(line.startsWith(indent) ? line.slice(indent.length) : line);
    }
    let above = i - 1;
    while (above >= 0 && (lines[above] as string).trim() === "") above--;
    const notRun = above >= 0 ? NOT_RUN_NOTE.exec((lines[above] as string).trim())?.[1] : undefined;
    if (!/\bno-check\b/.test(info)) snippets.push({ file, line: i + 2, code: body.join("\n"), ...(notRun !== undefined ? { notRun } : {}) });
    i = j;
  }
  return snippets;
}

/** README.md, docs/*.md (recursively, not docs/site), packages/*\/README.md, codegen/README.md. */
export function documentationFiles(root: string = repoRoot): string[] {
  const files: string[] = [];
  const add = (path: string) => existsSync(join(root, path)) && files.push(path);
  add("README.md");
  const walk = (dir: string) => {
    if (!existsSync(join(root, dir))) return;
    for (const entry of readdirSync(join(root, dir), { withFileTypes: true })) {
      const path = `${dir}/${entry.name}`;
      if (entry.isDirectory() && path !== "docs/site") walk(path);
      else if (entry.isFile() && entry.name.endsWith(".md")) files.push(path);
    }
  };
  walk("docs");
  for (const pkg of readdirSync(join(root, "packages")).sort()) add(`packages/${pkg}/README.md`);
  add("codegen/README.md");
  return files;
}

export interface SnippetProblem {
  readonly file: string;
  readonly line: number;
  readonly message: string;
}

/** Type-checks the snippets against the workspace sources; returns every problem with its Markdown line. */
export function checkSnippets(snippets: readonly Snippet[], workDir: string): SnippetProblem[] {
  rmSync(workDir, { recursive: true, force: true });
  mkdirSync(workDir, { recursive: true });
  const byPath = new Map<string, Snippet>();
  snippets.forEach((snippet, index) => {
    const name = `${snippet.file.replace(/[^A-Za-z0-9]+/g, "-")}-${index}.ts`;
    const path = join(workDir, name);
    // `export {}` makes each block a module: top-level await works and names do not collide.
    writeFileSync(path, `${snippet.code}\nexport {};\n${ambientFor(snippet.code).join("\n")}\n`);
    byPath.set(path, snippet);
  });
  const base = ts.readConfigFile(join(repoRoot, "tsconfig.base.json"), ts.sys.readFile);
  const parsed = ts.parseJsonConfigFileContent(base.config, ts.sys, repoRoot);
  const options: ts.CompilerOptions = {
    ...parsed.options,
    noEmit: true,
    // Blocks may declare names they do not use (a fragment showing one call).
    noUnusedLocals: false,
    paths: {
      ...parsed.options.paths,
      // Libraries the guides use, installed in the workspace packages that depend on them.
      zod: ["packages/tools/node_modules/zod"],
      valibot: ["packages/tools/node_modules/valibot"],
    },
  };
  const program = ts.createProgram([...byPath.keys()], options);
  const problems: SnippetProblem[] = [];
  for (const diagnostic of ts.getPreEmitDiagnostics(program)) {
    const message = ts.flattenDiagnosticMessageText(diagnostic.messageText, "\n");
    const snippet = diagnostic.file && byPath.get(diagnostic.file.fileName);
    if (!snippet || !diagnostic.file || diagnostic.start === undefined) {
      problems.push({ file: diagnostic.file ? relative(repoRoot, diagnostic.file.fileName) : "(config)", line: 0, message });
      continue;
    }
    const { line } = diagnostic.file.getLineAndCharacterOfPosition(diagnostic.start);
    problems.push({ file: snippet.file, line: snippet.line + line, message });
  }
  return problems.sort((a, b) => (a.file === b.file ? a.line - b.line : a.file < b.file ? -1 : 1));
}

async function main(): Promise<void> {
  const files = documentationFiles();
  const snippets = files.flatMap((file) => extractSnippets(readFileSync(join(repoRoot, file), "utf8"), file));
  // Inside the repo, so imports of third-party packages (vitest, zod) resolve from its node_modules.
  const workDir = join(repoRoot, ".tmp/doc-snippets");
  const problems = checkSnippets(snippets, workDir);
  rmSync(workDir, { recursive: true, force: true });
  for (const p of problems) console.error(`${p.file}:${p.line}: ${p.message}`);
  console.log(`docs:check: ${snippets.length} TypeScript blocks in ${files.length} files, ${problems.length} problem(s).`);
  if (problems.length > 0) process.exitCode = 1;
}

if (import.meta.url === `file://${process.argv[1]}`) await main();
