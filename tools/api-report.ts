/**
 * `pnpm api:report` writes api/<package>.api.md for every published package from the built
 * `.d.ts`; `pnpm api:check` regenerates and fails when any report differs from the committed one
 * (an API change must be seen and committed on purpose). Both need `pnpm build` first.
 */
import { existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { buildApiReport } from "./packaging/api-report.js";
import { PUBLISHED_PACKAGES, repoRoot } from "./packaging/published-packages.js";

export async function apiReport(mode: "write" | "check"): Promise<string[]> {
  const dir = join(repoRoot, "api");
  mkdirSync(dir, { recursive: true });
  const problems: string[] = [];
  const wanted = new Set<string>();
  for (const pkg of PUBLISHED_PACKAGES) {
    const file = `${pkg.slug}.api.md`;
    wanted.add(file);
    const text = await buildApiReport(pkg);
    const path = join(dir, file);
    const before = existsSync(path) ? readFileSync(path, "utf8") : undefined;
    if (before !== text) {
      problems.push(before === undefined ? `api/${file} is new` : `api/${file} changed`);
      writeFileSync(path, text);
    }
  }
  for (const file of readdirSync(dir)) if (file.endsWith(".api.md") && !wanted.has(file)) problems.push(`api/${file} belongs to no published package`);
  return mode === "check" ? problems : [];
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const mode = process.argv.includes("--check") ? "check" : "write";
  const problems = await apiReport(mode);
  if (problems.length > 0) {
    console.error(
      `API reports differ (they were rewritten; review with \`git diff api/\` and commit them if the change is intended):\n  ${problems.join("\n  ")}`,
    );
    process.exit(1);
  }
  console.log(mode === "check" ? "API reports match." : "API reports written to api/.");
}
