/**
 * Writes tools/test/fixtures/package-exports.json: for each published package, its `exports`
 * subpaths and the names each entry exports at run time, read from the sources (tsx resolves the
 * workspace packages through tsconfig paths). `tools/test/package-exports.test.ts` compares
 * against it; rerun this after an intended API change and commit the file with the change:
 *
 *   pnpm exec tsx tools/packaging/pin-exports.ts
 */
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { byCodeUnit } from "./api-report.js";
import { PUBLISHED_PACKAGES, codeSubpaths, readManifest, repoRoot, specifier } from "./published-packages.js";

export const PINS_FILE = join(repoRoot, "tools/test/fixtures/package-exports.json");

const pins: Record<string, Record<string, string[]>> = {};
for (const pkg of PUBLISHED_PACKAGES) {
  const entries: Record<string, string[]> = {};
  for (const subpath of codeSubpaths(readManifest(pkg))) {
    const mod = (await import(specifier(pkg.name, subpath))) as Record<string, unknown>;
    entries[subpath] = Object.keys(mod)
      .filter((name) => name !== "default" && name !== "module.exports")
      .sort(byCodeUnit);
  }
  pins[pkg.name] = entries;
}
writeFileSync(PINS_FILE, `${JSON.stringify(pins, null, 2)}\n`);
console.log(`wrote ${PINS_FILE}`);
