/**
 * `pnpm codegen:check`: regenerate the bindings into a scratch folder and compare them, byte for
 * byte, with what is committed under packages/core/src/generated/. Fails on any difference,
 * including files that are missing or left over, and names each one.
 */
import { execFileSync } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("..", import.meta.url));
const committed = join(root, "packages/core/src/generated");
const scratch = mkdtempSync(join(tmpdir(), "flightdeck-codegen-check-"));

function listFiles(dir: string, base = dir): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir)) {
    const full = join(dir, name);
    if (statSync(full).isDirectory()) out.push(...listFiles(full, base));
    else out.push(relative(base, full));
  }
  return out.sort();
}

try {
  execFileSync(
    process.execPath,
    ["--import", "tsx", join(root, "codegen/src/cli.ts"), "generate", "--schemas", join(root, "schemas"), "--out", scratch, "--runtime", "../runtime.js"],
    { stdio: "inherit", cwd: root },
  );
  const want = new Set(listFiles(scratch));
  const have = new Set(listFiles(committed));
  const problems: string[] = [];
  for (const f of want) {
    if (!have.has(f)) problems.push(`missing: ${f}`);
    else if (!readFileSync(join(scratch, f)).equals(readFileSync(join(committed, f)))) problems.push(`differs: ${f}`);
  }
  for (const f of have) if (!want.has(f)) problems.push(`not generated (stale or hand-written): ${f}`);
  if (problems.length > 0) {
    console.error(`codegen:check failed: packages/core/src/generated/ is not what the generator writes.`);
    for (const p of problems) console.error(`  ${p}`);
    console.error(`Run \`pnpm codegen\` and commit the result; never edit generated files by hand.`);
    process.exit(1);
  }
  console.log(`codegen:check ok: ${want.size} generated files match.`);
} finally {
  rmSync(scratch, { recursive: true, force: true });
}
