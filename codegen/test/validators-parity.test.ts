/**
 * The validators ship schemas as data, checked by core's `schema-check.ts` (and the walker it uses). These
 * tests pin that interpreter to ajv 8 (configured as the generator's ajv standalone output was)
 * result for result and error for error, on synthetic schemas using every keyword the generator
 * admits and on the real schemas with recorded runtime traffic and mutations of it.
 */
import { createRequire } from "node:module";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { CodegenError } from "../src/errors.js";
import { buildIr } from "../src/ir.js";
import { loadSchemas } from "../src/load.js";
import { INTERPRETED_KEYWORDS, lenientCopy, shippedDefinitions, validatorPlan } from "../src/emit/validators.js";
import { checkSchema } from "../../packages/core/src/schema-check.js";
import { compiledRef } from "../../packages/core/src/schema-compiled.js";
import { schemaFunction } from "../../packages/core/src/schema-function.js";
import { FORMATS } from "../../packages/core/src/schema-values.js";
import { DEFINITIONS } from "../../packages/core/src/generated/validators/definitions.js";
import { REPO } from "./helpers.js";

const require = createRequire(import.meta.url);
type Ajv = import("ajv").default;
type Json = Record<string, unknown>;

/** ajv as the generator used it before (Ajv2019, strict, inlineRefs: false), with our formats. */
function makeAjv(definitions: Json, mode: "strict" | "lenient"): Ajv {
  const Ajv2019 = require("ajv/dist/2019").default as new (o: object) => Ajv;
  const ajv = new Ajv2019({ strict: true, strictTypes: "log", strictRequired: false, allowUnionTypes: true, inlineRefs: false, logger: false });
  for (const [name, fn] of Object.entries(FORMATS)) ajv.addFormat(name, fn);
  // Shipped refs are bare keys; ajv needs pointers.
  const withPointers = JSON.parse(JSON.stringify(definitions), function (this: Json, k, v: unknown) {
    return k === "$ref" && typeof v === "string" && !Array.isArray(this) ? `#/definitions/${v}` : v;
  }) as Json;
  ajv.addSchema({ $id: "fd", definitions: mode === "strict" ? withPointers : (lenientCopy(withPointers) as Json) });
  return ajv;
}

/** The interpreter's errors with schema paths made relative to their definition, as ajv reports them. */
const relative = (errors: ReturnType<typeof checkSchema>) =>
  errors?.map((e) => ({ ...e, schemaPath: e.schemaPath.replace(/^#\/(?:definitions\/[^/]+|[pr]_[^/]+)/, "#") })) ?? null;

function compare(ajvs: Record<"strict" | "lenient", Ajv>, defs: Json, key: string, value: unknown): string[] {
  const out: string[] = [];
  for (const mode of ["strict", "lenient"] as const) {
    const fn = ajvs[mode].getSchema(`fd#/definitions/${key}`)!;
    const ajvErrors = fn(value) ? null : fn.errors!.map(({ instancePath, schemaPath, keyword, params }) => ({ instancePath, schemaPath, keyword, params }));
    const ours = relative(checkSchema(defs, key, value, mode === "strict"));
    if (JSON.stringify(ours) !== JSON.stringify(ajvErrors))
      out.push(`${mode} ${key} ${JSON.stringify(value).slice(0, 120)}\n  ajv:  ${JSON.stringify(ajvErrors)}\n  ours: ${JSON.stringify(ours)}`);
    out.push(...verdicts(defs, key, value, mode, ajvErrors === null));
  }
  return out;
}

/**
 * The two boolean checks `checkSchema` may run first (the generated function where code may be
 * generated, the closures where it may not) against ajv's verdict: `checkSchema`'s errors alone
 * would not show a check that rejects a valid value (the walker then finds nothing wrong).
 */
function verdicts(defs: Json, key: string, value: unknown, mode: "strict" | "lenient", valid: boolean): string[] {
  const fn = schemaFunction(defs, key, mode === "strict");
  if (fn === undefined) return [`${mode} ${key}: no generated function (code generation refused in the test process)`];
  const [generated, closures] = [fn(value), compiledRef(defs, key, mode === "strict")(value)];
  return generated === valid && closures === valid
    ? []
    : [`${mode} ${key} ${JSON.stringify(value).slice(0, 120)}\n  ajv valid: ${valid}, generated function: ${generated}, closures: ${closures}`];
}

/** Runs synthetic schemas through the generator's own shipping step, so they are checked the same way. */
function ship(schemas: Record<string, unknown>): Json {
  const plan = {
    schemas: new Map(Object.entries(schemas).map(([k, v]) => [`d_${k}`, v as Json])),
    roots: Object.keys(schemas).map((k) => `d_${k}`),
    events: new Map(),
    methods: new Map(),
  };
  return Object.fromEntries(shippedDefinitions(plan));
}

const SYNTHETIC: Record<string, unknown> = {
  Obj: {
    type: "object",
    properties: { a: { type: "string", minLength: 2, maxLength: 4 }, b: { $ref: "#/definitions/Num" }, "we/ird~": { type: "integer" } },
    required: ["a"],
    additionalProperties: false,
  },
  Num: { type: "number", minimum: 1, maximum: 10, multipleOf: 0.5 },
  Excl: { type: "integer", exclusiveMinimum: 0, exclusiveMaximum: 5 },
  Str: { type: "string", pattern: "^[a-z]+$", format: "uuid" },
  Fmt: {
    anyOf: [
      { type: "string", format: "date-time" },
      { type: "string", format: "duration" },
      { type: "string", format: "uri" },
    ],
  },
  Nullable: { type: ["string", "null"], const: "x" },
  ConstFirst: { type: "object", const: { a: 1 }, properties: { a: { type: "number" } } },
  EnumObj: { enum: [1, "1", { a: [1] }, null] },
  Any: {
    type: "object",
    anyOf: [{ required: ["x"] }, { required: ["y"], properties: { y: { type: "boolean", const: true } } }, { $ref: "#/definitions/Str" }],
  },
  One: { oneOf: [{ type: "integer" }, { type: "number", minimum: 2 }, { type: "string" }] },
  All: { allOf: [{ type: "object", required: ["a"] }, { properties: { a: { type: "string" } } }] },
  Absent: { not: {} },
  Arr: { type: "array", minItems: 1, maxItems: 3, items: { type: "string" }, uniqueItems: true },
  ArrObj: { type: "array", items: { type: "object" }, uniqueItems: true },
  ArrAny: { type: "array", uniqueItems: true },
  Contains: { type: "array", contains: { type: "number", minimum: 5 } },
  InAny: { anyOf: [{ type: "array", contains: { const: 1 } }, { type: "boolean" }] },
  Props: {
    type: "object",
    minProperties: 1,
    maxProperties: 2,
    propertyNames: { pattern: "^[a-z]" },
    patternProperties: { "^n_": { type: "number" } },
    additionalProperties: { type: "boolean" },
  },
  Open: { type: "object", additionalProperties: false },
  Nested: {
    type: "object",
    properties: {
      list: { type: "array", items: { $ref: "#/definitions/Obj" } },
      map: { type: "object", additionalProperties: { $ref: "#/definitions/Excl" } },
    },
  },
  Bools: { type: "object", properties: { yes: true, no: false } },
  Untyped: { minLength: 1, minimum: 3, required: ["q"], maxItems: 0 },
  // if/then/else (1.0.15-preview.4's CatalogAgentPluginCandidate.compatibilityTags is the first).
  IfTags: {
    type: "array",
    items: { type: "string" },
    maxItems: 3,
    uniqueItems: true,
    allOf: [{ if: { contains: { const: "a" } }, then: { allOf: [{ contains: { const: "b" } }, { contains: { const: "c" } }] } }],
  },
  IfElse: { if: { type: "object", required: ["kind"], properties: { kind: { const: "x" } } }, then: { required: ["x"] }, else: { $ref: "#/definitions/Num" } },
  IfRefs: {
    if: { $ref: "#/definitions/Str" },
    then: { $ref: "#/definitions/Obj" },
    else: { type: "object", properties: { a: { $ref: "#/definitions/Excl" } } },
  },
  ElseOnly: { if: { type: "string" }, else: { type: "number", maximum: 3 } },
  IfTrivialThen: { type: "string", if: { minLength: 2 }, then: {}, else: { const: "a" } },
  IfInAny: {
    anyOf: [
      { type: "integer", if: { minimum: 3 }, then: { multipleOf: 2 }, else: { $ref: "#/definitions/Excl" } },
      { type: "array", if: { minItems: 1 }, then: { items: { type: "string" } } },
    ],
  },
  IfNested: {
    type: "object",
    properties: { list: { if: { type: "array" }, then: { items: { if: { type: "string" }, then: { minLength: 2 }, else: { $ref: "#/definitions/Num" } } } } },
  },
  IfBool: {
    allOf: [
      { if: false, else: { type: "object" } },
      { if: true, then: { required: ["a"] } },
    ],
  },
};
const VALUES: unknown[] = [
  null,
  true,
  false,
  0,
  1,
  1.5,
  2,
  3,
  4.5,
  5,
  7.25,
  11,
  -1,
  "",
  "a",
  "abc",
  "abcde",
  "ABC",
  "x",
  "1",
  "10.5",
  "3fa85f64-5717-4562-b3fc-2c963f66afa6",
  "2024-02-30T00:00:00Z",
  "2024-02-29T23:59:60Z",
  "P1DT2H",
  "PT",
  "https://x.y/z",
  "not a uri",
  [],
  [1],
  [1, 1],
  ["a", "b"],
  ["a", "a"],
  ["a", 1],
  [{}, {}],
  [{ a: 1 }, { a: 2 }],
  [1, 2, 7],
  [true],
  [[1], [1]],
  ["a", "b", "c", "d"],
  {},
  { a: "ab" },
  { a: "abcde" },
  { a: "ab", b: 2.5 },
  { a: "ab", b: 2.2 },
  { a: "ab", c: 1 },
  { "we/ird~": 1.5, a: "ab" },
  { a: 1 },
  { a: [1] },
  { x: 1 },
  { y: true },
  { y: false },
  { y: 1, z: 2 },
  { n_1: 1 },
  { n_1: "no" },
  { Big: true },
  { a: true, b: false, c: true },
  { other: 1 },
  { list: [{ a: "ab" }, { a: "ab", b: 99 }] },
  { map: { k: 3, j: 9 } },
  { yes: 1 },
  { no: 1 },
  { q: 1 },
  ["a"],
  ["b", "a", "c"],
  ["a", "b"],
  ["c", "a", "b", "d"],
  { kind: "x" },
  { kind: "x", x: 1 },
  { kind: "y" },
  { a: 7 },
  { list: ["ab", "c"] },
  { list: [2, 2.2] },
  { list: [20] },
  { list: "ab" },
];

describe("schema interpreter = ajv, on synthetic schemas using every admitted keyword", () => {
  const defs = ship(SYNTHETIC);
  const ajvs = { strict: makeAjv(defs, "strict"), lenient: makeAjv(defs, "lenient") };
  it("uses every keyword the generator admits", () => {
    const used = new Set<string>();
    JSON.stringify(SYNTHETIC, (k, v: unknown) => (INTERPRETED_KEYWORDS.has(k) && used.add(k), v));
    expect([...INTERPRETED_KEYWORDS].filter((k) => !used.has(k))).toEqual([]);
  });
  it.each(Object.keys(SYNTHETIC))("%s: same result and errors for every value, both modes", (name) => {
    expect(VALUES.flatMap((v) => compare(ajvs, defs, `d_${name}`, v))).toEqual([]);
  });
});

describe("schema interpreter = ajv, on the pinned schemas", () => {
  const defs = DEFINITIONS as Json;
  const ajvs = { strict: makeAjv(defs, "strict"), lenient: makeAjv(defs, "lenient") };
  const ir = buildIr(loadSchemas(join(REPO, "schemas")));
  const plan = validatorPlan(ir);
  // Recorded traffic plus the hand-made samples: (schema key, value) pairs.
  const cases: [string, unknown][] = [];
  for (const e of JSON.parse(readFileSync(join(REPO, "codegen/test/fixtures/real-events.json"), "utf8")) as Json[])
    cases.push([plan.events.get(e["type"] as string)!, e]);
  for (const dir of ["runtime-1.0.85", "cli-1.0.102"]) {
    const pending = new Map<unknown, string>();
    for (const f of readdirSync(join(REPO, "schemas/recordings", dir)).sort()) {
      for (const line of readFileSync(join(REPO, "schemas/recordings", dir, f), "utf8")
        .split("\n")
        .filter(Boolean)) {
        const { dir: io, msg } = JSON.parse(line) as { dir: string; msg: Json & { params?: Json } };
        const method = msg["method"] as string | undefined;
        if (io === "out" && method && msg["id"] !== undefined) pending.set(msg["id"], method);
        const key =
          io !== "in"
            ? undefined
            : method === "session.event"
              ? plan.events.get((msg.params!["event"] as Json)["type"] as string)
              : method
                ? plan.methods.get(method)?.params
                : "result" in msg && pending.has(msg["id"])
                  ? plan.methods.get(pending.get(msg["id"])!)?.result
                  : undefined;
        const value = method === "session.event" ? msg.params!["event"] : method ? msg.params : msg["result"];
        if (typeof key === "string" && value !== null && value !== undefined) cases.push([key, value]);
      }
    }
  }
  it("has recorded traffic to check", () => expect(cases.length).toBeGreaterThan(300));
  it("same result and errors for every recorded value, both modes", () => {
    expect(cases.flatMap(([key, v]) => compare(ajvs, defs, key, v))).toEqual([]);
  });
  it("same result and errors for mutations of one value per schema (deleted, retyped, extra fields at every depth)", () => {
    const firsts = [...new Map(cases.map((c) => [c[0], c])).values()];
    const failures: string[] = [];
    let count = 0;
    for (const [key, value] of firsts) {
      // One value per schema: mutations of repeats would only re-check the same code paths.
      for (const path of paths(value)) {
        for (const replacement of [undefined, 1.5, -1, "", null, true, {}, ["a", "a"], "2025-13-01T00:00:00Z", EXTRA]) {
          count++;
          failures.push(...compare(ajvs, defs, key, mutate(value, path, replacement)));
        }
      }
    }
    expect(count).toBeGreaterThan(3000);
    expect(failures.slice(0, 5)).toEqual([]);
  });
});

describe("the shipping step", () => {
  const shipOne = (schema: unknown) => () => ship({ Bad: schema });
  it("refuses a keyword the interpreter does not implement, naming where", () => {
    let error: unknown;
    try {
      shipOne({ type: "object", properties: { "a/b": { type: "string", contentSchema: {} } } })();
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(CodegenError);
    expect(error).toMatchObject({
      pointer: "#/d_Bad/properties/a~1b/contentSchema",
      message: expect.stringMatching(/"contentSchema" is not a keyword the validators interpret\nFix: .*schema-keywords\.ts/),
    });
  });
  it("refuses a format it does not check and a pattern that is not a unicode regexp", () => {
    expect(shipOne({ type: "string", format: "email" })).toThrow(/names a format the validators do not check/);
    expect(shipOne({ type: "string", pattern: "\\p{Nope}" })).toThrow(/not a valid unicode regular expression/);
  });
  it("drops what ajv ignores: if without then/else, then/else without if", () => {
    expect(ship({ A: { type: "string", if: { minLength: 1 } }, B: { then: { type: "null" }, else: false } })).toEqual({ d_A: { type: "string" }, d_B: {} });
    expect(ship({ C: { if: { minLength: 1 }, else: { $ref: "#/definitions/D" } }, D: { type: "null" } })).toEqual({
      d_C: { if: { minLength: 1 }, else: { $ref: "d_D" } },
      d_D: { type: "null" },
    });
  });
  it("strips annotations and keeps only what validates", () => {
    expect(ship({ A: { type: "string", description: "d", default: "x", "x-opaque-json": true, readOnly: true } })).toEqual({ d_A: { type: "string" } });
    // Structured vendor annotations too (1.0.15-preview.4's `x-legacy-parameters`).
    expect(ship({ A: { type: "object", "x-legacy-parameters": ["serverName"], "x-meta": { not: { type: "object" } } } })).toEqual({ d_A: { type: "object" } });
  });
  it("ships only the schemas the tables reach", () => {
    expect(Object.keys(ship({ A: { $ref: "#/definitions/B" }, B: { type: "null" } }))).toEqual(["d_A", "d_B"]);
    const plan = {
      schemas: new Map([
        ["d_A", {}],
        ["d_Unused", {}],
      ]),
      roots: ["d_A"],
      events: new Map(),
      methods: new Map(),
    };
    expect(shippedDefinitions(plan).map(([k]) => k)).toEqual(["d_A"]);
  });
});

const EXTRA = Symbol("add an unknown property");
function paths(v: unknown, p: (string | number)[] = [], out: (string | number)[][] = []): (string | number)[][] {
  out.push(p);
  if (Array.isArray(v)) v.slice(0, 1).forEach((x, i) => paths(x, [...p, i], out));
  else if (v && typeof v === "object") for (const k of Object.keys(v)) paths((v as Json)[k], [...p, k], out);
  return out;
}
function mutate(value: unknown, path: (string | number)[], replacement: unknown): unknown {
  const copy = structuredClone(value);
  if (path.length === 0)
    return replacement === EXTRA ? (copy && typeof copy === "object" && !Array.isArray(copy) ? { ...copy, zzExtra: 1 } : copy) : replacement;
  let parent = copy as Json;
  for (const k of path.slice(0, -1)) parent = parent[k] as Json;
  const last = path[path.length - 1]!;
  if (replacement === undefined) {
    if (Array.isArray(parent)) parent.splice(last as number, 1);
    else delete parent[last];
  } else if (replacement === EXTRA) {
    const target = parent[last];
    if (target && typeof target === "object" && !Array.isArray(target)) (target as Json)["zzExtra"] = 1;
  } else parent[last] = structuredClone(replacement);
  return copy;
}
