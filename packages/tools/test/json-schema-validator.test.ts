import { describe, expect, it } from "vitest";
import { compileJsonSchema } from "@flightdeck/copilot-core/internal";

const issues = (schema: Record<string, unknown> | boolean, value: unknown) => compileJsonSchema(schema)(value);
const messages = (schema: Record<string, unknown> | boolean, value: unknown) =>
  issues(schema, value).map((i) => `${i.path.join(".") || "(root)"}: ${i.message}`);

describe("compileJsonSchema", () => {
  it("checks types, including integer, null, type arrays and OpenAPI nullable", () => {
    expect(messages({ type: "integer" }, 1.5)).toEqual(["(root): expected integer, received number"]);
    expect(messages({ type: "integer" }, 2)).toEqual([]);
    expect(messages({ type: "number" }, Number.NaN)).toEqual(["(root): expected number, received number"]);
    expect(messages({ type: ["string", "null"] }, null)).toEqual([]);
    expect(messages({ type: "string", nullable: true }, null)).toEqual([]);
    expect(messages({ type: "object" }, [])).toEqual(["(root): expected object, received array"]);
    expect(messages({ type: "boolean" }, "true")).toEqual(["(root): expected boolean, received string"]);
  });

  it("checks enum and const with deep equality", () => {
    expect(messages({ enum: ["c", "f"] }, "k")).toEqual(['(root): must be one of "c", "f"']);
    expect(messages({ const: { a: [1] } }, { a: [1] })).toEqual([]);
    expect(messages({ const: { a: [1] } }, { a: [2] })).toEqual(['(root): must be {"a":[1]}']);
  });

  it("checks string bounds in code points and patterns", () => {
    expect(messages({ type: "string", maxLength: 1 }, "😀")).toEqual([]);
    expect(messages({ type: "string", minLength: 2 }, "a")).toEqual(["(root): must have at least 2 characters"]);
    expect(messages({ type: "string", pattern: "^[a-z]+$" }, "AB")).toEqual(["(root): must match the pattern ^[a-z]+$"]);
  });

  it("checks number bounds (2019+ and draft-04 exclusive forms) and multipleOf", () => {
    expect(messages({ minimum: 1, maximum: 3 }, 0)).toEqual(["(root): must be >= 1"]);
    expect(messages({ exclusiveMaximum: 3 }, 3)).toEqual(["(root): must be < 3"]);
    expect(messages({ maximum: 3, exclusiveMaximum: true }, 3)).toEqual(["(root): must be < 3"]);
    expect(messages({ multipleOf: 0.1 }, 0.3)).toEqual([]);
    expect(messages({ multipleOf: 2 }, 3)).toEqual(["(root): must be a multiple of 2"]);
  });

  it("checks objects: required, additionalProperties, patternProperties, propertyNames, counts, dependentRequired", () => {
    const schema = {
      type: "object",
      properties: { a: { type: "string" } },
      patternProperties: { "^x-": { type: "number" } },
      additionalProperties: false,
      required: ["a"],
      dependentRequired: { "x-1": ["x-2"] },
    };
    expect(messages(schema, { "x-1": "no", b: 1 })).toEqual([
      "a: required property is missing",
      'x-2: required when "x-1" is present',
      "x-1: expected number, received string",
      "b: unknown property (not allowed by the schema)",
    ]);
    expect(messages({ type: "object", additionalProperties: { type: "integer" } }, { a: 1, b: "2" })).toEqual(["b: expected integer, received string"]);
    expect(messages({ type: "object", propertyNames: { pattern: "^[a-z]+$" } }, { Bad: 1 })).toEqual(["Bad: property name must match the pattern ^[a-z]+$"]);
    expect(messages({ type: "object", minProperties: 1 }, {})).toEqual(["(root): must have at least 1 property"]);
  });

  it("checks arrays: items, draft-07 tuples, prefixItems, bounds, uniqueItems, contains", () => {
    expect(messages({ type: "array", items: { type: "string" } }, ["a", 1])).toEqual(["1: expected string, received integer"]);
    expect(messages({ type: "array", items: [{ type: "string" }], additionalItems: false }, ["a", 1])).toEqual(["1: no value is allowed here"]);
    expect(messages({ type: "array", prefixItems: [{ type: "string" }], items: { type: "number" } }, [1, 2])).toEqual(["0: expected string, received integer"]);
    expect(messages({ type: "array", minItems: 2 }, [1])).toEqual(["(root): must have at least 2 items"]);
    expect(messages({ type: "array", uniqueItems: true }, [{ a: 1 }, { a: 1 }])).toEqual(["1: duplicates item 0 (items must be unique)"]);
    expect(messages({ type: "array", contains: { const: 3 } }, [1, 2])).toEqual(["(root): must contain at least one matching item"]);
  });

  it("combines: allOf, anyOf (with the closest branch's issues), oneOf, not, if/then/else", () => {
    expect(messages({ allOf: [{ minimum: 1 }, { maximum: 2 }] }, 3)).toEqual(["(root): must be <= 2"]);
    const anyOf = {
      anyOf: [{ type: "object", properties: { kind: { const: "a" }, x: { type: "number" } }, required: ["kind", "x"] }, { type: "string" }],
    };
    expect(messages(anyOf, { kind: "a", x: "1" })).toEqual(["(root): must match at least one of 2 alternatives", "x: expected number, received string"]);
    expect(messages(anyOf, "ok")).toEqual([]);
    expect(messages({ oneOf: [{ type: "number" }, { type: "integer" }] }, 1)).toEqual(["(root): matches 2 alternatives, but must match exactly one"]);
    expect(messages({ not: { type: "string" } }, "s")).toEqual(["(root): must not match the schema under `not`"]);
    const cond = { if: { properties: { unit: { const: "c" } } }, then: { properties: { t: { maximum: 100 } } }, else: { properties: { t: { maximum: 212 } } } };
    expect(messages(cond, { unit: "c", t: 150 })).toEqual(["t: must be <= 100"]);
    expect(messages(cond, { unit: "f", t: 150 })).toEqual([]);
  });

  it("resolves local $refs ($defs, definitions, recursive)", () => {
    const tree = {
      $defs: {
        node: { type: "object", properties: { value: { type: "number" }, children: { type: "array", items: { $ref: "#/$defs/node" } } }, required: ["value"] },
      },
      $ref: "#/$defs/node",
    };
    expect(messages(tree, { value: 1, children: [{ value: 2, children: [{ children: [] }] }] })).toEqual([
      "children.0.children.0.value: required property is missing",
    ]);
    expect(messages({ definitions: { s: { type: "string" } }, properties: { a: { $ref: "#/definitions/s" } } }, { a: 1 })).toEqual([
      "a: expected string, received integer",
    ]);
  });

  it("stops a $ref cycle that consumes no data instead of overflowing the stack", () => {
    const out = issues({ $defs: { a: { $ref: "#/$defs/b" }, b: { $ref: "#/$defs/a" } }, $ref: "#/$defs/a" }, 1);
    expect(out[0]?.message).toMatch(/too deep/);
  });

  it("treats boolean schemas and annotations correctly", () => {
    expect(messages(true, 1)).toEqual([]);
    expect(messages({ properties: { a: false } }, { a: 1 })).toEqual(["a: no value is allowed here"]);
    expect(messages({ type: "string", format: "email", description: "ignored", default: 1, examples: [2] }, "not-an-email")).toEqual([]);
  });

  it("refuses what it cannot check, at compile time", () => {
    expect(() => compileJsonSchema({ dependentSchemas: {} })).toThrow(/"dependentSchemas"/);
    expect(() => compileJsonSchema({ properties: { a: { $ref: "https://example.com/s.json" } } })).toThrow(/only local references/);
    expect(() => compileJsonSchema({ required: true } as never)).toThrow(/array of property names/);
    expect(() => compileJsonSchema({ anyOf: {} })).toThrow(/must be an array of schemas/);
    expect(() => compileJsonSchema({ patternProperties: { "(": {} } })).toThrow(/not a valid regular expression/);
    // The shared walker compares bounds as numbers, so a malformed keyword value is refused, not coerced.
    expect(() => compileJsonSchema({ properties: { a: { minLength: "3" } } })).toThrow(/#\/properties\/a\/minLength is "3"; it must be a number/);
    expect(() => compileJsonSchema({ enum: "a" })).toThrow(/enum must be an array/);
    expect(() => compileJsonSchema({ dependentRequired: { a: "b" } })).toThrow(/dependentRequired must map/);
    expect(messages({ maximum: 3, exclusiveMaximum: true }, 2)).toEqual([]);
  });
});
