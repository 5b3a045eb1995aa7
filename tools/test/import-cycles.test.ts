/**
 * The cycle detector behind `pnpm check`: it must find a cycle through type-only, dynamic and
 * nested-folder imports, a file importing itself, and nothing in an acyclic graph.
 */
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { findCycles, importCycles, relativeImports } from "../import-cycles.js";

const fixture = fileURLToPath(new URL("./fixtures/import-cycle", import.meta.url));

describe("import cycles", () => {
  it("finds the cycle a → b → nested/c → a (type-only and dynamic edges count) and a self-import", () => {
    expect(importCycles(fixture)).toEqual([["a.ts", "b.ts", "nested/c.ts"], ["self.ts"]]);
  });

  it("reads static, type-only, re-export, side-effect and dynamic relative imports, not packages", () => {
    const text = [
      'import { x } from "./x.js";',
      'import type { Y } from "../y.js";',
      'export { z } from "./z.js";',
      'import "./side.js";',
      'const w = await import("./w.js");',
      'import { p } from "node:path";',
      'import { q } from "@flightdeck/copilot-core";',
    ].join("\n");
    expect(relativeImports(text)).toEqual(["./x.js", "../y.js", "./z.js", "./w.js", "./side.js"].sort((a, b) => text.indexOf(a) - text.indexOf(b)));
  });

  it("reports nothing for an acyclic graph, and each strongly connected component once", () => {
    expect(
      findCycles(
        new Map([
          ["a", ["b"]],
          ["b", ["c"]],
          ["c", []],
        ]),
      ),
    ).toEqual([]);
    expect(
      findCycles(
        new Map([
          ["a", ["b"]],
          ["b", ["a", "c"]],
          ["c", ["d"]],
          ["d", ["c"]],
        ]),
      ),
    ).toEqual([
      ["a", "b"],
      ["c", "d"],
    ]);
  });

  it("passes on every package of this repository (pnpm check's rule)", async () => {
    const root = fileURLToPath(new URL("../..", import.meta.url));
    const { readdirSync } = await import("node:fs");
    for (const pkg of readdirSync(`${root}/packages`)) {
      const cycles = importCycles(`${root}/packages/${pkg}/src`).filter((c) => !c.some((f) => f.startsWith("generated/")));
      expect(cycles, pkg).toEqual([]);
    }
  });
});
