/**
 * One owner per name, one error family, checked over every published package's entry points:
 * - every exported class that is an `Error` extends `FlightdeckError` and declares its own
 *   `errorClass` (the brand that keeps `instanceof` working across duplicate bundles);
 * - two packages never export different types under the same name: a name exported by several
 *   entry points is the same declaration re-exported, or at least the same shape both ways.
 * The few known clashes are listed below with their reason; the list may only shrink.
 */
import { fileURLToPath } from "node:url";
import ts from "typescript";
import { describe, expect, it } from "vitest";
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

/**
 * Same name, different shape, on purpose for now. Each entry says why; remove it once resolved.
 * `core` is the wire layer (generated from the schemas); the other package is the user-facing one.
 */
const KNOWN_CLASHES: Record<string, string> = {
  ExternalToolResult: "tools' is what a tool answers (`string | ToolResultObject`); core's generated one is `unknown` (the schema leaves it open)",
  PermissionRequestResult:
    "tools' is what a permission handler returns (a decision or `no-result`, the @github/copilot-sdk name); core's is the generated wire result",
  SessionContext: "client's is the session metadata context (the @github/copilot-sdk name); core's is the generated wire type",
  Tool: "tools' `Tool` is what defineTool returns (the @github/copilot-sdk name); core's is the generated wire declaration of a tool",
  McpServerConfig: "session's is the user-facing union (runtime-owned provenance fields removed); core's is the generated wire one",
  ValidationIssue:
    "core/validators' is an issue found in a wire value (JSON pointer path); tools' is core's JsonSchemaIssue, an issue in a tool's arguments (path as segments) under its @github/copilot-sdk-era name",
  CustomAgentConfig: "session's `mcpServers` takes the user-facing server configs (runtime-owned provenance fields removed) instead of the generated wire ones",
  UnknownSessionEvent:
    "core's is the raw wire event; session's is the delivered one, marked `unknown: true` with `rawData` (its `data: never` keeps narrowing on `event.type` working)",
  AnySessionEvent: "the union with the UnknownSessionEvent above",
  CanvasAction:
    "session's is what `createCanvas` takes (an action with a Standard Schema input and a handler); core's is the generated wire declaration of an action",
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

describe("one owner per name", () => {
  it("a name exported by several packages is one type (re-exported) or the same shape", () => {
    const options: ts.CompilerOptions = {
      target: ts.ScriptTarget.ES2022,
      module: ts.ModuleKind.ESNext,
      moduleResolution: ts.ModuleResolutionKind.Bundler,
      strict: true,
      skipLibCheck: true,
      noEmit: true,
      types: ["node"],
      baseUrl: root,
      paths: Object.fromEntries(Object.entries(ENTRIES).map(([name, file]) => [name, [file]])),
    };
    const program = ts.createProgram(
      Object.values(ENTRIES).map((f) => `${root}/${f}`),
      options,
    );
    const checker = program.getTypeChecker();
    const byName = new Map<string, Array<{ entry: string; symbol: ts.Symbol }>>();
    for (const [entry, file] of Object.entries(ENTRIES)) {
      const source = program.getSourceFile(`${root}/${file}`)!;
      const moduleSymbol = checker.getSymbolAtLocation(source)!;
      for (const exported of checker.getExportsOfModule(moduleSymbol)) {
        const symbol = exported.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(exported) : exported;
        if (!(symbol.flags & (ts.SymbolFlags.Type | ts.SymbolFlags.Class))) continue;
        const list = byName.get(exported.name) ?? [];
        list.push({ entry, symbol });
        byName.set(exported.name, list);
      }
    }
    const clashes: string[] = [];
    for (const [name, owners] of byName) {
      const distinct = [...new Map(owners.map((o) => [o.symbol, o])).values()];
      if (distinct.length < 2) continue;
      const [first, ...rest] = distinct.map((o) => ({ ...o, type: checker.getDeclaredTypeOfSymbol(o.symbol) }));
      for (const other of rest) {
        const same = checker.isTypeAssignableTo(first!.type, other.type) && checker.isTypeAssignableTo(other.type, first!.type);
        if (!same) clashes.push(name);
      }
    }
    const unexpected = [...new Set(clashes)].filter((name) => !(name in KNOWN_CLASHES)).sort();
    expect(unexpected, "exported by several packages with different shapes: give it one owner and re-export it").toEqual([]);
    // The list of known clashes only shrinks: an entry that no longer clashes must go.
    const stale = Object.keys(KNOWN_CLASHES).filter((name) => !clashes.includes(name));
    expect(stale, "no longer clash: remove them from KNOWN_CLASHES").toEqual([]);
  }, 120_000);
});
