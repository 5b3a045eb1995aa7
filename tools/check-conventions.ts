/**
 * `pnpm check`: conventions that live in code, not only in prose (STYLE.md).
 * - dependencies point one way: core ← tools ← session ← client ← sdk ← testing
 * - every @flightdeck import in a package's src is a declared dependency (for the sdk, which bundles
 *   the packages below it into its own dist, a devDependency)
 * - no `export *` in package code, but for core's one re-export of `./generated/index.js`, which
 *   is itself an explicit, sorted list of named exports written by the generator
 * - source file names are kebab-case
 */
import { readdirSync, readFileSync, statSync } from "node:fs";
import { basename, join, relative } from "node:path";
import { fileURLToPath } from "node:url";

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
  // very CopilotClient class (and error classes) they import from the sdk.
  return i === -1 ? (pkg === "testing" ? order.length : -1) : i;
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
      if (dep !== `@flightdeck/copilot-${pkg}` && !declared.has(dep) && !bundled.includes(dep)) problems.push(`${rel}: imports ${dep}, which packages/${pkg}/package.json does not declare`);
    }
    const name = basename(file).replace(/\.(d\.)?(ts|mts|cts|js|mjs)$/, "");
    if (!/^[a-z0-9]+(-[a-z0-9]+)*(\.[a-z0-9-]+)*$/.test(name)) problems.push(`${rel}: file names are kebab-case`);
  }
}

if (problems.length > 0) {
  console.error(`pnpm check: ${problems.length} convention problem(s):`);
  for (const p of problems) console.error(`  ${p}`);
  process.exit(1);
}
console.log("pnpm check: conventions ok");
