/** `flightdeck-codegen`: generate bindings or print the IR. */
import { mkdirSync, writeFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { CodegenError } from "./errors.js";
import { generate } from "./generate.js";
import { buildIr } from "./ir.js";
import { loadSchemas } from "./load.js";
import { diffIr } from "./diff/diff.js";
import { loadIrForDiff } from "./diff/load.js";
import { renderDiffMarkdown } from "./diff/markdown.js";
import { emitLanguageFiles, LANGUAGES, verifiedLanguages, writeLanguageOutput } from "./emit-lang/quicktype.js";
import { bundledSchemasDir } from "./bundled-schemas.js";
import { cpSync } from "node:fs";

const SCHEMAS_NOTE = "the pinned upstream schemas plus Flightdeck's overlay";

const USAGE = `Usage:
  flightdeck-codegen generate --out <dir> [--schemas <dir>] [--runtime <module>]
      Regenerate the TypeScript bindings from <dir>/api.schema.json, session-events.schema.json
      and overlay/*.json into --out (replaced atomically). The output imports its behaviour from
      --runtime (default @flightdeck/copilot-core/runtime; a relative path is taken from --out).
  flightdeck-codegen ir --json [--schemas <dir>] [--out <file>]
      Print the intermediate representation as JSON (to --out, or stdout). Its JSON Schema is
      ir.schema.json in this package.
  flightdeck-codegen schemas --out <dir>
      Copy the bundled schemas (upstream files, lock and overlay) to <dir>, e.g. to edit the overlay.

  --schemas defaults to the schemas bundled with this version of the package (${"${SCHEMAS_NOTE}"}).
  flightdeck-codegen diff <old> <new> [--json] [--out <file>] [--no-overlay]
      What changed between two protocol versions: methods, events and named types added, removed,
      renamed (by name and shape) and changed field by field, with a semver verdict. <old>/<new> are
      schema folders (plain or .json.gz files) or IR files from \`ir --json\`. Markdown by default.
  flightdeck-codegen types --lang <${Object.keys(LANGUAGES).join("|")}> [--out <file|dir|->] [--schemas <dir>]
      Model types for another language from the IR's event data types and method params/results,
      with the same provenance header as the TypeScript output. Verified (compiled and
      round-tripped in CI): ${verifiedLanguages().join(", ")}; the others are emitted only. Without
      --out (or with -) the output goes to stdout; Java writes one file per class into a folder.
  flightdeck-codegen --help

--schemas defaults to the schemas bundled with this version of the package (${SCHEMAS_NOTE}).
`;

class UsageError extends Error {}

function parseFlags(args: string[], allowed: Record<string, "value" | "flag">): Record<string, string | true> {
  const out: Record<string, string | true> = {};
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    const kind = allowed[a];
    if (!kind) throw new UsageError(`unknown argument "${a}"`);
    if (kind === "flag") out[a] = true;
    else {
      const v = args[++i];
      if (v === undefined || v.startsWith("--")) throw new UsageError(`${a} needs a value`);
      out[a] = v;
    }
  }
  return out;
}

async function runGenerate(rest: string[]): Promise<number> {
  const f = parseFlags(rest, { "--schemas": "value", "--out": "value", "--runtime": "value" });
  if (typeof f["--out"] !== "string") throw new UsageError("generate needs --out <dir>");
  const t0 = performance.now();
  const schemasDir = typeof f["--schemas"] === "string" ? f["--schemas"] : bundledSchemasDir();
  const { files, ir } = await generate({ schemasDir, outDir: f["--out"], ...(typeof f["--runtime"] === "string" ? { runtimeModule: f["--runtime"] } : {}) });
  process.stderr.write(
    `flightdeck-codegen: ${ir.methods.length} methods, ${ir.events.length} events, ${ir.types.length} types → ${files.length} files in ${resolve(f["--out"])} (${Math.round(performance.now() - t0)} ms)\n`,
  );
  return 0;
}

async function runIr(rest: string[]): Promise<number> {
  const f = parseFlags(rest, { "--json": "flag", "--schemas": "value", "--out": "value" });
  if (f["--json"] !== true) throw new UsageError("ir needs --json (the only output format)");
  const ir = buildIr(loadSchemas(typeof f["--schemas"] === "string" ? f["--schemas"] : bundledSchemasDir()));
  const text = `${JSON.stringify(ir, null, 2)}\n`;
  if (typeof f["--out"] === "string") {
    mkdirSync(dirname(resolve(f["--out"])), { recursive: true });
    writeFileSync(f["--out"], text);
  } else process.stdout.write(text);
  return 0;
}

async function runDiff(rest: string[]): Promise<number> {
  const positional: string[] = [];
  const flagArgs: string[] = [];
  for (let i = 0; i < rest.length; i++) {
    const a = rest[i]!;
    if (a === "--out") flagArgs.push(a, rest[++i] ?? "");
    else if (a.startsWith("--")) flagArgs.push(a);
    else positional.push(a);
  }
  const f = parseFlags(flagArgs, { "--json": "flag", "--out": "value", "--no-overlay": "flag" });
  if (positional.length !== 2) throw new UsageError(`diff needs exactly two inputs, <old> and <new> (got ${positional.length})`);
  const load = (p: string) => loadIrForDiff(p, { overlay: f["--no-overlay"] !== true });
  const diff = diffIr(load(positional[0]!), load(positional[1]!));
  const text = f["--json"] === true ? `${JSON.stringify(diff, null, 2)}\n` : renderDiffMarkdown(diff);
  if (typeof f["--out"] === "string") {
    mkdirSync(dirname(resolve(f["--out"])), { recursive: true });
    writeFileSync(f["--out"], text);
    process.stderr.write(`flightdeck-codegen: verdict ${diff.verdict.level} → ${resolve(f["--out"])}\n`);
  } else process.stdout.write(text);
  return 0;
}

async function runTypes(rest: string[]): Promise<number> {
  const f = parseFlags(rest, { "--lang": "value", "--out": "value", "--schemas": "value" });
  if (typeof f["--lang"] !== "string") throw new UsageError("types needs --lang <language>");
  if (!(f["--lang"] in LANGUAGES)) throw new UsageError(`unknown --lang "${f["--lang"]}"; pass one of ${Object.keys(LANGUAGES).join(", ")}`);
  const ir = buildIr(loadSchemas(typeof f["--schemas"] === "string" ? f["--schemas"] : bundledSchemasDir()));
  const out = typeof f["--out"] === "string" && f["--out"] !== "-" ? f["--out"] : null;
  const files = await emitLanguageFiles(ir, f["--lang"]);
  if (out === null) {
    for (const [, text] of files) process.stdout.write(text);
    return 0;
  }
  const written = writeLanguageOutput(files, out);
  process.stderr.write(`flightdeck-codegen: ${f["--lang"]} types → ${written}\n`);
  return 0;
}

async function runSchemas(rest: string[]): Promise<number> {
  const f = parseFlags(rest, { "--out": "value" });
  if (typeof f["--out"] !== "string") throw new UsageError("schemas needs --out <dir>");
  const from = bundledSchemasDir();
  mkdirSync(resolve(f["--out"]), { recursive: true });
  for (const name of ["api.schema.json", "session-events.schema.json", "protocol.lock.json", "overlay"])
    cpSync(resolve(from, name), resolve(f["--out"], name), { recursive: true });
  process.stderr.write(`flightdeck-codegen: bundled schemas → ${resolve(f["--out"])}\n`);
  return 0;
}

/** One function per command (each parses its own flags). */
const COMMANDS: Readonly<Record<string, (rest: string[]) => Promise<number>>> = {
  generate: runGenerate,
  ir: runIr,
  diff: runDiff,
  types: runTypes,
  schemas: runSchemas,
};

export async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  try {
    if (command === undefined || command === "--help" || command === "-h" || command === "help") {
      process.stdout.write(USAGE);
      return command === undefined ? 2 : 0;
    }
    const run = Object.hasOwn(COMMANDS, command) ? COMMANDS[command] : undefined;
    if (run === undefined) throw new UsageError(`unknown command "${command}"`);
    return await run(rest);
  } catch (err) {
    if (err instanceof UsageError) {
      process.stderr.write(`flightdeck-codegen: ${err.message}\n\n${USAGE}`);
      return 2;
    }
    if (err instanceof CodegenError) {
      process.stderr.write(`flightdeck-codegen: ${err.message}\n`);
      return 1;
    }
    throw err;
  }
}

const isEntry = (process.argv[1] !== undefined && /cli\.(ts|js|mjs|cjs)$/.test(process.argv[1])) || /flightdeck-codegen(\.js)?$/.test(process.argv[1] ?? "");
if (isEntry) {
  main(process.argv.slice(2)).then(
    (code) => (process.exitCode = code),
    (err: unknown) => {
      process.stderr.write(`flightdeck-codegen: internal error: ${(err as Error)?.stack ?? String(err)}\n`);
      process.exitCode = 1;
    },
  );
}
