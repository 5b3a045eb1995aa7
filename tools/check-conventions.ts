/**
 * `pnpm check`: conventions that live in code, not only in prose (STYLE.md).
 * - dependencies point one way: core ← tools ← session ← client ← sdk ← testing
 * - every @flightdeck import in a package's src is a declared dependency (for the sdk, which bundles
 *   the packages below it into its own dist, a devDependency)
 * - no `export *` in package code, but for core's one re-export of `./generated/index.js`, which
 *   is itself an explicit, sorted list of named exports written by the generator
 * - source file names are kebab-case
 * - end-to-end tests are named `<topic>.e2e.test.ts` (one scheme; the shared harness is test-support/)
 * - no import cycle between the files of a package (relative imports, type-only ones included;
 *   `src/generated/` is the generator's output and is gated by `pnpm codegen:check` instead)
 * - no absolute path of one machine (checkout, temp or home folder) in a tracked source, test,
 *   config or script file (tools/machine-paths.ts)
 * - no hand-written function over 80 lines without a `// long: <reason>` comment above it
 *   (tools/function-length.ts)
 */
import { execFileSync } from "node:child_process";
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { basename, join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { handWrittenDirs, handWrittenSources, longFunctions, MAX_FUNCTION_LINES } from "./function-length.js";
import { findCycles, importGraph } from "./import-cycles.js";
import { findMachinePaths, isCheckedFile, machinePathPatterns } from "./machine-paths.js";

const root = fileURLToPath(new URL("..", import.meta.url));
const order = ["core", "tools", "session", "client", "sdk"];
const problems: string[] = [];

function walk(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir)) {
    if (name === "node_modules" || name === "dist") continue;
    const full = join(dir, name);
    if (statSync(full).isDirectory()) out.push(...walk(full));
    else if (/\.(ts|mts|cts|js|mjs)$/.test(name)) out.push(full);
  }
  return out;
}

function rank(pkg: string): number {
  const i = order.indexOf(pkg);
  // testing builds on the sdk: the sdk bundles the layers below it, and testing must hand users the
  // very CopilotClient class (and error classes) they import from the sdk. postgres builds on the
  // sdk for the same reason: installed next to it, it adds no second copy of the client classes.
  if (pkg === "testing") return order.length;
  return i === -1 ? (pkg === "postgres" ? order.length : -1) : i;
}

for (const pkg of readdirSync(join(root, "packages"))) {
  const dir = join(root, "packages", pkg);
  const manifest = JSON.parse(readFileSync(join(dir, "package.json"), "utf8")) as {
    dependencies?: Record<string, string>;
    peerDependencies?: Record<string, string>;
    devDependencies?: Record<string, string>;
  };
  const declared = new Set([...Object.keys(manifest.dependencies ?? {}), ...Object.keys(manifest.peerDependencies ?? {})]);
  // The sdk bundles core, tools, session and client (tsup noExternal): build-time dependencies.
  const bundled = pkg === "sdk" ? Object.keys(manifest.devDependencies ?? {}).filter((d) => d.startsWith("@flightdeck/")) : [];
  for (const dep of declared) {
    const m = /^@flightdeck\/copilot-(.+)$/.exec(dep);
    if (m?.[1] && rank(m[1]) >= rank(pkg)) {
      problems.push(`packages/${pkg}/package.json: depends on ${dep}, an upward edge (order: ${order.join(" ← ")})`);
    }
  }
  for (const file of walk(join(dir, "src"))) {
    const rel = relative(root, file);
    const text = readFileSync(file, "utf8");
    for (const m of text.matchAll(/^\s*export\s+(?:type\s+)?\*\s+from\s+["']([^"']+)["']/gm)) {
      const allowed = rel === "packages/core/src/index.ts" && m[1] === "./generated/index.js";
      if (!allowed) problems.push(`${rel}: uses \`export * from "${m[1]}"\`; export names explicitly`);
    }
    for (const m of text.matchAll(/from\s+["'](@flightdeck\/copilot-[a-z]+)(?:\/[a-z-]+)?["']/g)) {
      const dep = m[1]!;
      if (dep !== `@flightdeck/copilot-${pkg}` && !declared.has(dep) && !bundled.includes(dep))
        problems.push(`${rel}: imports ${dep}, which packages/${pkg}/package.json does not declare`);
    }
    const name = basename(file).replace(/\.(d\.)?(ts|mts|cts|js|mjs)$/, "");
    if (!/^[a-z0-9]+(-[a-z0-9]+)*(\.[a-z0-9-]+)*$/.test(name)) problems.push(`${rel}: file names are kebab-case`);
  }
  problems.push(...cycleProblems(join(dir, "src")));
}

for (const dir of ["codegen/src", "tools"]) problems.push(...cycleProblems(join(root, dir)));

for (const dir of [...readdirSync(join(root, "packages")).map((p) => join("packages", p, "test")), "codegen/test", "tools/test"]) {
  let files: string[] = [];
  try {
    files = walk(join(root, dir));
  } catch {
    continue;
  }
  for (const file of files) {
    const name = basename(file);
    if (/(^e2e[-.]|[-_]e2e\.test\.)/.test(name)) problems.push(`${relative(root, file)}: name end-to-end tests <topic>.e2e.test.ts`);
  }
}

function cycleProblems(dir: string): string[] {
  const graph = importGraph(dir);
  for (const file of [...graph.keys()]) if (file.includes("/src/generated/") || file.includes("/test/fixtures/")) graph.delete(file);
  return findCycles(graph).map(
    (cycle) => `import cycle between ${cycle.map((f) => relative(root, f)).join(", ")}: move what they share into a module that imports none of them`,
  );
}

for (const long of longFunctions(handWrittenDirs(root).flatMap(handWrittenSources), root)) {
  if (long.reason !== undefined) continue;
  problems.push(
    `${long.where}: ${long.lines} lines, over ${MAX_FUNCTION_LINES}; split it into named pieces, or say why it reads best as one in a \`// long: <reason>\` comment right above it`,
  );
}

// The pattern definitions themselves name the paths they look for.
const MACHINE_PATH_CHECK_FILES = new Set(["tools/machine-paths.ts", "tools/test/machine-paths.test.ts"]);
const tracked = execFileSync("git", ["ls-files", "-z"], { cwd: root, encoding: "utf8", maxBuffer: 64 * 1024 * 1024 })
  .split("\0")
  .filter(Boolean);
const patterns = machinePathPatterns(root);
for (const file of tracked) {
  if (!isCheckedFile(file) || MACHINE_PATH_CHECK_FILES.has(file) || !existsSync(join(root, file))) continue;
  for (const hit of findMachinePaths(file, readFileSync(join(root, file), "utf8"), patterns)) {
    problems.push(
      `${hit.file}:${hit.line}: absolute path of one machine "${hit.path}"; resolve it at run time (os.tmpdir(), a package's location, import.meta.url) or use a made-up path like /projects/app`,
    );
  }
}

if (problems.length > 0) {
  console.error(`pnpm check: ${problems.length} convention problem(s):`);
  for (const p of problems) console.error(`  ${p}`);
  process.exit(1);
}
console.log("pnpm check: conventions ok");
