/**
 * One owner per name, one error family, checked over every published package's entry points:
 * - every exported class that is an `Error` extends `FlightdeckError` and declares its own
 *   `errorClass` (the brand that keeps `instanceof` working across duplicate bundles);
 * - two packages never export different types under the same name: a name exported by several
 *   entry points is one type, the owner's declaration re-exported (or an alias of it). A copy, or a
 *   type that only differs in optional fields (`Omit<Wire, "x"> & { y?: … }`), is a second owner:
 *   each direction assignable is not enough. There is no allowance list: a generated type whose
 *   schema name a hand-written package already uses gets its own name in
 *   schemas/overlay/type-names.json.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import ts from "typescript";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { FlightdeckError } from "@flightdeck/copilot-core";
import * as core from "@flightdeck/copilot-core";
import * as coreInternal from "@flightdeck/copilot-core/internal";
import * as coreNode from "@flightdeck/copilot-core/node";
import * as coreValidators from "@flightdeck/copilot-core/validators";
import * as tools from "@flightdeck/copilot-tools";
import * as session from "@flightdeck/copilot-session";
import * as client from "@flightdeck/copilot-client";
import * as sdk from "@flightdeck/copilot-sdk";
import * as testing from "@flightdeck/copilot-testing";
import * as postgres from "@flightdeck/copilot-postgres";

const root = fileURLToPath(new URL("../..", import.meta.url));

/** Entry point → its source file. */
const ENTRIES: Record<string, string> = {
  "@flightdeck/copilot-core": "packages/core/src/index.ts",
  "@flightdeck/copilot-core/internal": "packages/core/src/internal.ts",
  "@flightdeck/copilot-core/node": "packages/core/src/node.ts",
  "@flightdeck/copilot-core/validators": "packages/core/src/validators.ts",
  "@flightdeck/copilot-tools": "packages/tools/src/index.ts",
  "@flightdeck/copilot-session": "packages/session/src/index.ts",
  "@flightdeck/copilot-client": "packages/client/src/index.ts",
  "@flightdeck/copilot-sdk": "packages/sdk/src/index.ts",
  "@flightdeck/copilot-testing": "packages/testing/src/index.ts",
  "@flightdeck/copilot-postgres": "packages/postgres/src/index.ts",
};

const MODULES: Record<string, Record<string, unknown>> = {
  "@flightdeck/copilot-core": core,
  "@flightdeck/copilot-core/internal": coreInternal,
  "@flightdeck/copilot-core/node": coreNode,
  "@flightdeck/copilot-core/validators": coreValidators,
  "@flightdeck/copilot-tools": tools,
  "@flightdeck/copilot-session": session,
  "@flightdeck/copilot-client": client,
  "@flightdeck/copilot-sdk": sdk,
  "@flightdeck/copilot-testing": testing,
  "@flightdeck/copilot-postgres": postgres,
};

describe("one error family", () => {
  for (const [entry, module] of Object.entries(MODULES)) {
    it(`${entry}: every exported error class extends FlightdeckError with its own errorClass`, () => {
      const errorClasses = Object.entries(module).filter(([, value]) => typeof value === "function" && value.prototype instanceof Error);
      for (const [name, value] of errorClasses) {
        expect(value === FlightdeckError || (value as { prototype: unknown }).prototype instanceof FlightdeckError, `${name} extends FlightdeckError`).toBe(
          true,
        );
        const errorClass = Object.hasOwn(value as object, "errorClass") ? (value as unknown as { errorClass: string }).errorClass : undefined;
        // An export may be a second name of a class (FactoryResumeError = WorkflowResumeError): its brand is the class's own name.
        const ownNames = errorClasses.filter(([, other]) => other === value).map(([n]) => n);
        expect(ownNames, `${name}.errorClass`).toContain(errorClass);
      }
    });
  }
});

/** An exported type or class seen from one entry point, resolved through re-exports to its declaration. */
interface Owner {
  readonly entry: string;
  readonly symbol: ts.Symbol;
}

/** The type-level exports (types, interfaces, classes) of each entry point, by exported name. */
function exportedTypes(program: ts.Program, entries: Record<string, string>): Map<string, Owner[]> {
  const checker = program.getTypeChecker();
  const byName = new Map<string, Owner[]>();
  for (const [entry, file] of Object.entries(entries)) {
    const source = program.getSourceFile(file);
    if (!source) throw new Error(`${entry}: ${file} is not part of the program`);
    for (const exported of checker.getExportsOfModule(checker.getSymbolAtLocation(source)!)) {
      const symbol = exported.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(exported) : exported;
      if (!(symbol.flags & (ts.SymbolFlags.Type | ts.SymbolFlags.Class))) continue;
      const list = byName.get(exported.name) ?? [];
      list.push({ entry, symbol });
      byName.set(exported.name, list);
    }
  }
  return byName;
}

/**
 * Names exported by several entry points as different types, each as `Name: entry, entry`. A
 * re-export of one declaration, or an alias of it (`type X = Owner.X`), is the same type object of
 * the checker: one owner, not a clash.
 */
function nameClashes(program: ts.Program, entries: Record<string, string>): string[] {
  const checker = program.getTypeChecker();
  const clashes: string[] = [];
  for (const [name, owners] of exportedTypes(program, entries)) {
    const distinct = [...new Map(owners.map((o) => [o.symbol, o])).values()].map((o) => ({ ...o, type: checker.getDeclaredTypeOfSymbol(o.symbol) }));
    const [first, ...rest] = distinct;
    const differ = rest.filter((other) => other.type !== first!.type);
    if (differ.length > 0) clashes.push(`${name}: ${[first!, ...differ].map((o) => o.entry).join(", ")}`);
  }
  return clashes.sort();
}

function createProgram(files: readonly string[], paths: Record<string, string[]> = {}): ts.Program {
  return ts.createProgram(files, {
    target: ts.ScriptTarget.ES2022,
    module: ts.ModuleKind.ESNext,
    moduleResolution: ts.ModuleResolutionKind.Bundler,
    strict: true,
    skipLibCheck: true,
    noEmit: true,
    types: ["node"],
    baseUrl: root,
    paths,
  });
}

describe("one owner per name", () => {
  const entries = Object.fromEntries(Object.entries(ENTRIES).map(([name, file]) => [name, `${root}/${file}`]));
  let program: ts.Program | undefined;
  const repoProgram = (): ts.Program =>
    (program ??= createProgram(Object.values(entries), Object.fromEntries(Object.entries(ENTRIES).map(([name, file]) => [name, [file]]))));

  it("a name exported by several packages is one type (the owner's, re-exported)", () => {
    expect(
      nameClashes(repoProgram(), entries),
      "exported by several packages as different types: give the type one owner and re-export it, or, for a generated type, " +
        "give it its own name in schemas/overlay/type-names.json (x-type-names) and run pnpm codegen",
    ).toEqual([]);
  }, 120_000);

  it("walks every generated type, so a protocol bump that adds a clashing name fails the check above", () => {
    // core's root entry re-exports the whole generated surface: a definition a new schema adds is
    // exported by core and compared with every other package's exports.
    const byName = exportedTypes(repoProgram(), { generated: `${root}/packages/core/src/generated/types.ts`, core: entries["@flightdeck/copilot-core"]! });
    const generated = [...byName].filter(([, owners]) => owners.some((o) => o.entry === "generated"));
    expect(generated.length).toBeGreaterThan(1000);
    const missing = generated.filter(([, owners]) => !owners.some((o) => o.entry === "core")).map(([name]) => name);
    expect(missing, "generated types @flightdeck/copilot-core does not export (the check above never sees them)").toEqual([]);
  }, 120_000);

  describe("the check itself", () => {
    let dir: string;
    beforeAll(() => {
      dir = mkdtempSync(join(tmpdir(), "fd-exports-ownership-"));
      const files: Record<string, string> = {
        // The wire layer and a user-facing package both export `Tool`, meaning different things;
        // `Provider` differs only in optional fields (assignable both ways), `Copy` is an equal copy.
        "wire.ts": [
          "export interface Tool { name: string; parameters?: Record<string, unknown> }",
          "export interface Provider { baseUrl: string; hasToken?: boolean }",
          "export interface Copy { a: string }",
          "export type Kind = 'a' | 'b';",
          "export interface Owned { a: string }",
        ].join("\n"),
        "user.ts": [
          'import type * as wire from "./wire.js";',
          "export interface Tool { name: string; handler(args: unknown): unknown }",
          'export type Provider = Omit<wire.Provider, "hasToken"> & { token?: () => string };',
          "export interface Copy { a: string }",
          // Aliases of the owner's type and re-exports are the owner's type.
          "export type Kind = wire.Kind;",
          "export type Owned = wire.Owned;",
          'export type { Tool as WireTool } from "./wire.js";',
        ].join("\n"),
        "facade.ts": 'export type { Owned } from "./wire.js";\nexport type { WireTool, Kind } from "./user.js";\n',
      };
      for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
    });
    afterAll(() => rmSync(dir, { recursive: true, force: true }));

    it("reports a name two entry points give different types, a copy included, and not a re-export or an alias", () => {
      const fixture = Object.fromEntries(["wire", "user", "facade"].map((n) => [n, join(dir, `${n}.ts`)]));
      expect(nameClashes(createProgram(Object.values(fixture)), fixture)).toEqual(["Copy: wire, user", "Provider: wire, user", "Tool: wire, user"]);
    });
  });
});
