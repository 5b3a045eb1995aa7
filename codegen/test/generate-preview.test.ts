/**
 * The full generator on a NEWER upstream: 1.0.15-preview.4's schemas (compressed fixture, real
 * upstream bytes) with our current overlay → a temp folder laid out like packages/core/src, which
 * must type-check with the repo's strict compiler options and whose validators must agree with
 * ajv on that version's raw schema. Preview.4 is the first upstream with `if`/`then`
 * (CatalogAgentPluginCandidate.compatibilityTags) and structured `x-legacy-parameters`.
 */
import { copyFileSync, cpSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { gunzipSync } from "node:zlib";
import ts from "typescript";
import { beforeAll, describe, expect, it } from "vitest";
import { generate } from "../src/generate.js";
import type { CodegenIr } from "../src/ir.js";
import { checkSchema } from "../../packages/core/src/schema-check.js";
import { FORMATS } from "../../packages/core/src/schema-values.js";
import { REPO, tempDir } from "./helpers.js";

const require = createRequire(import.meta.url);
type Json = Record<string, any>;
type Ajv = import("ajv").default;
const UPSTREAM = join(REPO, "codegen/test/fixtures/upstream/1.0.15-preview.4");
const readGz = (name: string): Json => JSON.parse(gunzipSync(readFileSync(join(UPSTREAM, `${name}.gz`))).toString("utf8")) as Json;

let root: string;
let generatedDir: string;
let ir: CodegenIr;
let files: string[];
let validators: {
  validateSessionEvent: (e: unknown, mode?: "lenient" | "strict") => { ok: boolean; known?: boolean; errors?: readonly { path: string; keyword: string }[] };
  VALIDATED_EVENT_TYPES: readonly string[];
};
let definitions: Readonly<Record<string, unknown>>;
let handWritten: string[];

/** ajv over the raw upstream schema (unknown keywords ignored), with the formats the validators use. */
function rawAjv(schema: Json, id: string): Ajv {
  const Ajv2019 = require("ajv/dist/2019").default as new (o: object) => Ajv;
  const ajv = new Ajv2019({ strict: false, allErrors: false, logger: false });
  for (const [name, fn] of Object.entries(FORMATS)) ajv.addFormat(name, fn);
  const { $schema: _draft, ...rest } = schema;
  ajv.addSchema({ ...rest, $id: id });
  return ajv;
}

beforeAll(async () => {
  root = tempDir();
  const schemas = join(root, "schemas");
  mkdirSync(schemas);
  for (const f of ["api.schema.json", "session-events.schema.json"]) writeFileSync(join(schemas, f), gunzipSync(readFileSync(join(UPSTREAM, `${f}.gz`))));
  copyFileSync(join(UPSTREAM, "protocol.lock.json"), join(schemas, "protocol.lock.json"));
  cpSync(join(REPO, "schemas/overlay"), join(schemas, "overlay"), { recursive: true });
  // Laid out like packages/core/src: the generated code imports its behaviour from ../runtime.js.
  const src = join(root, "core/src");
  generatedDir = join(src, "generated");
  mkdirSync(src, { recursive: true });
  handWritten = readdirSync(join(REPO, "packages/core/src")).filter((f) => f.endsWith(".ts"));
  for (const f of handWritten) copyFileSync(join(REPO, "packages/core/src", f), join(src, f));
  ({ ir, files } = await generate({ schemasDir: schemas, outDir: generatedDir, runtimeModule: "../runtime.js" }));
  const tables = (await import(pathToFileURL(join(generatedDir, "validators/index.ts")).href)) as {
    VALIDATION_TABLES: import("../../packages/core/src/validation.js").ValidationTables;
  };
  const runtime = (await import(pathToFileURL(join(src, "runtime.ts")).href)) as typeof import("../../packages/core/src/runtime.js");
  const built = runtime.createValidators(tables.VALIDATION_TABLES);
  validators = { validateSessionEvent: built.validateSessionEvent, VALIDATED_EVENT_TYPES: built.validatedEventTypes };
  definitions = ((await import(pathToFileURL(join(generatedDir, "validators/definitions.ts")).href)) as { DEFINITIONS: Record<string, unknown> }).DEFINITIONS;
}, 120_000);

describe("generate() on 1.0.15-preview.4 with the current overlay", () => {
  it("emits the same files as for the pinned schemas, with preview.4's provenance", () => {
    const pinned = (readdirSync(join(REPO, "packages/core/src/generated"), { recursive: true }) as string[])
      .filter((f) => /\.(ts|js|md)$/.test(f))
      .map((f) => f.split("\\").join("/"));
    expect([...files].sort()).toEqual(pinned.sort());
    expect(ir.source).toMatchObject({ version: "1.0.15-preview.4", runtimeVersion: "1.0.89-7", protocolVersion: 3 });
    expect(readFileSync(join(generatedDir, "types.ts"), "utf8")).toContain("1.0.15-preview.4");
    // The new upstream surface is there (counts from codegen/README.md's diff table).
    expect(ir.methods.filter((m) => m.name.startsWith("session.connectors.")).length).toBe(11);
    expect(ir.events.map((e) => e.type)).toEqual(expect.arrayContaining(["workflow.run_started", "session.indexed_search", "session.permission_recovery"]));
  });

  it("type-checks with the repo's strict compiler options", () => {
    const rootNames = (readdirSync(join(root, "core/src"), { recursive: true }) as string[])
      .filter((f) => f.endsWith(".ts"))
      .map((f) => join(root, "core/src", f));
    const program = ts.createProgram(rootNames, {
      target: ts.ScriptTarget.ES2022,
      lib: ["lib.es2023.d.ts"],
      module: ts.ModuleKind.ESNext,
      moduleResolution: ts.ModuleResolutionKind.Bundler,
      strict: true,
      noUncheckedIndexedAccess: true,
      noImplicitOverride: true,
      verbatimModuleSyntax: true,
      isolatedModules: true,
      allowJs: false,
      skipLibCheck: true,
      noEmit: true,
      types: ["node"],
      typeRoots: [join(REPO, "node_modules/@types")],
    });
    const diagnostics = ts
      .getPreEmitDiagnostics(program)
      .map((d) => ts.formatDiagnostic(d, { getCanonicalFileName: (f) => f, getCurrentDirectory: () => root, getNewLine: () => "\n" }));
    expect(rootNames.length).toBe(files.filter((f) => f.endsWith(".ts")).length + handWritten.length); // + core's hand-written modules copied beside it
    expect(diagnostics).toEqual([]);
  });

  it("types an if/then as its base type and states the rule in JSDoc", () => {
    const types = readFileSync(join(generatedDir, "types.ts"), "utf8");
    const decl = /export interface CatalogAgentPluginCandidate \{[\s\S]*?\n\}/.exec(types)?.[0] ?? "";
    // x-typescript-type "CatalogAgentPluginCompatibilityTag[]" names an array of a definition: kept, not `unknown`.
    expect(decl).toMatch(
      /@remarks Conditional rule \(JSON Schema `if`\/`then`\/`else`\), not expressed in the type but checked by the validators: if the value matches `\{"contains":\{"const":"canvas-only"\}\}`, it must also match `\{"allOf":\[\{"contains":\{"const":"canvas"\}\},\{"contains":\{"const":"github-copilot"\}\}\]\}`\.\n\s+\*\/\n\s+compatibilityTags: CatalogAgentPluginCompatibilityTag\[\];/,
    );
  });

  it("keeps x-legacy-parameters in the IR and out of the types and validator data", () => {
    const start = ir.methods.find((m) => m.name === "session.mcp.startServer")!;
    expect(start.params).toMatchObject({
      tsType: "McpStartServerRequest",
      typeName: "McpStartServerRequest",
      schema: { "x-legacy-parameters": ["serverName", "config"] },
    });
    expect(ir.methods.filter((m) => m.params && "x-legacy-parameters" in m.params.schema).length).toBe(7);
    for (const f of ["types.ts", "validators/definitions.ts", "rpc.ts"]) expect(readFileSync(join(generatedDir, f), "utf8")).not.toContain("legacy-parameters");
  });

  it("the emitted validators check the if/then as ajv does on the raw upstream schema", () => {
    const api = readGz("api.schema.json");
    const candidate = api["definitions"]["CatalogAgentPluginCandidate"] as Json;
    const raw = {
      definitions: {
        CatalogAgentPluginCompatibilityTag: api["definitions"]["CatalogAgentPluginCompatibilityTag"],
        Tags: candidate["properties"]["compatibilityTags"],
      },
    };
    const ajv = rawAjv(raw, "tags");
    const shipped = (definitions["d_CatalogAgentPluginCandidate"] as Json)["properties"]["compatibilityTags"];
    const defs = { ...definitions, tags: shipped };
    const cases: [string[], boolean][] = [
      [[], true],
      [["canvas"], true],
      [["canvas", "canvas-only", "github-copilot"], true],
      [["canvas-only"], false],
      [["canvas", "canvas-only"], false],
      [["github-copilot", "canvas-only"], false],
      [["canvas", "canvas"], false],
      [["nope"], false],
    ];
    for (const [tags, valid] of cases) {
      const ours = checkSchema(defs, "tags", tags, true);
      expect({ tags, valid: ours === null }).toEqual({ tags, valid });
      expect({ tags, valid: ajv.getSchema("tags#/definitions/Tags")!(tags) }).toEqual({ tags, valid });
    }
    expect(checkSchema(defs, "tags", ["canvas-only", "canvas"], true)).toEqual([
      { instancePath: "", schemaPath: "#/tags/allOf/0/then/allOf/1/contains", keyword: "contains", params: { minContains: 1 } },
    ]);
  });

  it("validates recorded and new events exactly as ajv does on the raw preview.4 events schema", () => {
    const ajv = rawAjv(readGz("session-events.schema.json"), "events");
    const events: Json[] = [...(JSON.parse(readFileSync(join(REPO, "codegen/test/fixtures/real-events.json"), "utf8")) as Json[])];
    for (const dir of ["runtime-1.0.85", "cli-1.0.102"]) {
      for (const f of readdirSync(join(REPO, "schemas/recordings", dir)).sort()) {
        for (const line of readFileSync(join(REPO, "schemas/recordings", dir, f), "utf8")
          .split("\n")
          .filter(Boolean)) {
          const { dir: io, msg } = JSON.parse(line) as { dir: string; msg: Json };
          if (io === "in" && msg["method"] === "session.event") events.push(msg["params"]["event"] as Json);
        }
      }
    }
    // New in preview.4 (unknown to the pinned 1.0.14 bindings): one valid, one with a bad field.
    const envelope = { id: "3fa85f64-5717-4562-b3fc-2c963f66afa6", timestamp: "2025-06-01T10:00:00.000Z", parentId: null, ephemeral: true };
    events.push(
      { ...envelope, type: "workflow.run_started", data: { runId: "r1", workflowName: "nightly", attempt: 1 } },
      { ...envelope, type: "workflow.run_started", data: { runId: "r1", workflowName: "nightly", attempt: 0 } },
      { ...envelope, ephemeral: undefined, type: "session.indexed_search", data: { kind: "status", state: "ready" } },
    );
    const known = new Set(validators.VALIDATED_EVENT_TYPES);
    const results = { valid: 0, invalid: 0, unknownToPreview4: 0 };
    const mismatches: string[] = [];
    for (const e of events) {
      const event = JSON.parse(JSON.stringify(e)) as Json;
      if (!known.has(event["type"] as string)) {
        results.unknownToPreview4++;
        continue;
      }
      const def = ir.events.find((x) => x.type === event["type"])!.typeName;
      const ajvOk = ajv.getSchema(`events#/definitions/${def}`)!(event);
      const ours = validators.validateSessionEvent(event, "strict");
      if (ours.ok !== ajvOk) mismatches.push(`${event["type"] as string}: ours ${ours.ok}, ajv ${ajvOk} ${JSON.stringify(ours.errors ?? [])}`);
      results[ajvOk ? "valid" : "invalid"]++;
    }
    expect(mismatches).toEqual([]);
    expect(results.valid).toBeGreaterThan(100);
    expect(results.invalid).toBeGreaterThan(0);
    expect(validators.validateSessionEvent(events.at(-3), "strict")).toEqual({ ok: true });
    expect(validators.validateSessionEvent(events.at(-2), "strict")).toMatchObject({
      ok: false,
      known: true,
      errors: [{ path: "/data/attempt", keyword: "minimum" }],
    });
  });
});
