/**
 * Golden tests: the emitted code for the fixture schemas, committed under fixtures/basic/golden/
 * (suffix `.golden` so no tool compiles them). `UPDATE_GOLDENS=1 pnpm vitest run codegen/test/golden.test.ts`
 * rewrites them; review the diff like any code change.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join, relative } from "node:path";
import { describe, expect, it } from "vitest";
import { generateFiles } from "../src/generate.js";
import { buildIr } from "../src/ir.js";
import { loadSchemas } from "../src/load.js";
import { FIXTURE } from "./helpers.js";

const GOLDEN = join(FIXTURE, "golden");
const update = process.env["UPDATE_GOLDENS"] === "1";

function listGoldens(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? listGoldens(join(dir, e.name)) : [relative(GOLDEN, join(dir, e.name))]));
}

describe("golden output for the fixture schemas", async () => {
  const files = await generateFiles(buildIr(loadSchemas(FIXTURE)), { parallel: false });
  if (update) {
    rmSync(GOLDEN, { recursive: true, force: true });
    for (const [name, text] of files) {
      const full = join(GOLDEN, `${name}.golden`);
      mkdirSync(dirname(full), { recursive: true });
      writeFileSync(full, text);
    }
  }
  it("writes exactly the golden file set", () => {
    expect(listGoldens(GOLDEN).sort()).toEqual([...files.keys()].map((f) => `${f}.golden`).sort());
  });
  for (const [name, text] of files) {
    it(`${name} matches its golden file`, () => {
      expect(text).toBe(readFileSync(join(GOLDEN, `${name}.golden`), "utf8"));
    });
  }
});
