/**
 * Pins the public surface of every published package: the subpaths of its `exports` map and the
 * names each entry exports at run time (types are pinned by the API reports in api/). A change
 * here is an API change: regenerate the fixture on purpose (`pnpm exec tsx tools/packaging/pin-exports.ts`),
 * with a changeset.
 */
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { PUBLISHED_PACKAGES, codeSubpaths, readManifest, specifier } from "../packaging/published-packages.js";

// Written by `pnpm exec tsx tools/packaging/pin-exports.ts`; rerun it after an intended change.
const PINNED = JSON.parse(readFileSync(new URL("./fixtures/package-exports.json", import.meta.url), "utf8")) as Record<string, Record<string, string[]>>;

// Every condition lists `types` first, then `default`, for both module systems.
const CONDITION_KEYS = ["types", "default"];

describe.each(PUBLISHED_PACKAGES.map((pkg) => [pkg.name, pkg] as const))("%s", (name, pkg) => {
  const manifest = readManifest(pkg);

  it("has the pinned export subpaths, plus ./package.json", () => {
    expect(Object.keys(manifest.exports)).toEqual([
      ...Object.keys(PINNED[name] ?? {}),
      ...(name === "@flightdeck/copilot-codegen" ? ["./ir.schema.json"] : []),
      "./package.json",
    ]);
  });

  it("maps each subpath to ESM and CommonJS files with their own types, types first", () => {
    for (const subpath of codeSubpaths(manifest)) {
      const entry = manifest.exports[subpath];
      expect(typeof entry, subpath).toBe("object");
      const { import: esm, require: cjs } = entry as unknown as { import: Record<string, string>; require: Record<string, string> };
      expect(Object.keys(esm), `${subpath} import`).toEqual(CONDITION_KEYS);
      expect(Object.keys(cjs), `${subpath} require`).toEqual(CONDITION_KEYS);
      expect(esm.types).toMatch(/\.d\.ts$/);
      expect(esm.default).toMatch(/\.js$/);
      expect(cjs.types).toMatch(/\.d\.cts$/);
      expect(cjs.default).toMatch(/\.cjs$/);
    }
    expect(manifest.type).toBe("module");
    expect(manifest.engines).toEqual({ node: "^20.19.0 || >=22.12.0" });
  });

  it.each(Object.keys(PINNED[name] ?? {}))("%s exports exactly the pinned names", async (subpath) => {
    // Resolved to the package's source by the vitest aliases.
    const mod = (await import(/* @vite-ignore */ specifier(name, subpath))) as Record<string, unknown>;
    expect(
      Object.keys(mod)
        .filter((key) => key !== "default")
        .sort(),
      `${specifier(name, subpath)}: if this change is intended, run \`pnpm exec tsx tools/packaging/pin-exports.ts\` and commit tools/test/fixtures/package-exports.json`,
    ).toEqual(PINNED[name]?.[subpath]);
  });
});
