/**
 * The quick yes/no check of `compileJsonSchema` (tool arguments) against the walker it stands in
 * for: on seeded random schemas and values, a validator with the quick check must return exactly
 * the walker's issues (none when the quick check says yes; the walker's own otherwise). A failure
 * prints the seed and the case; rerun with FUZZ_SEED=<seed>.
 */
import { describe, expect, it } from "vitest";
import { compileJsonSchema, quickJsonSchemaCheck } from "@flightdeck/copilot-core/internal";
import { seededRng, type SeededRng } from "../../../test-support/seeded-rng.js";

const SEED = Number(process.env.FUZZ_SEED ?? 20_261_206);

type Rng = SeededRng;
const rng = seededRng;

const TYPES = ["string", "number", "integer", "boolean", "null", "array", "object"] as const;
const NAMES = ["a", "b", "c", "__proto__", "constructor", "x y"];
const PRIMITIVES: unknown[] = ["", "a", "b", 0, 1, -1, 1.5, 2, true, false, null];

type Schema = boolean | Record<string, unknown>;

/** Schemas from the quick check's keywords, plus now and then one it leaves to the walker. */
function randomSchema(r: Rng, depth: number): Schema {
  if (r.chance(0.06)) return r.chance(0.8);
  const s: Record<string, unknown> = {};
  if (r.chance(0.75)) s.type = r.chance(0.8) ? r.pick(TYPES) : [r.pick(TYPES), r.pick(TYPES)];
  if (r.chance(0.15)) s.nullable = r.chance(0.7);
  if (r.chance(0.12)) s.enum = Array.from({ length: 1 + r.int(3) }, () => r.pick(PRIMITIVES));
  if (r.chance(0.08)) s.const = r.pick(PRIMITIVES);
  if (r.chance(0.15)) s.minimum = r.pick([-1, 0, 1, 1.5]);
  if (r.chance(0.15)) s.maximum = r.pick([0, 1, 2]);
  if (r.chance(0.1)) s.minItems = r.int(3);
  if (r.chance(0.1)) s.maxItems = r.int(3);
  if (r.chance(0.2)) s.description = "annotation";
  if (r.chance(0.05)) s.default = r.pick(PRIMITIVES);
  if (depth > 0) {
    if (r.chance(0.45)) {
      const props: Record<string, Schema> = {};
      for (let i = r.int(4); i > 0; i--) props[r.pick(NAMES)] = randomSchema(r, depth - 1);
      s.properties = props;
    }
    if (r.chance(0.3)) s.required = Array.from({ length: 1 + r.int(2) }, () => r.pick(NAMES));
    if (r.chance(0.3)) s.additionalProperties = r.chance(0.5) ? r.chance(0.5) : randomSchema(r, depth - 1);
    if (r.chance(0.25)) s.items = randomSchema(r, depth - 1);
  }
  // Keywords the quick check does not take: the whole schema then goes to the walker.
  if (r.chance(0.04)) s.pattern = "^a";
  if (r.chance(0.03)) s.format = "date-time";
  if (r.chance(0.03)) s.enum = [{ a: 1 }, 1];
  return s;
}

function randomValue(r: Rng, depth: number): unknown {
  const kind = r.int(depth > 0 ? 9 : 6);
  switch (kind) {
    case 0:
    case 1:
    case 2:
    case 3:
    case 4:
    case 5:
      return r.pick(PRIMITIVES);
    case 6:
    case 7: {
      const o: Record<string, unknown> = {};
      for (let i = r.int(4); i > 0; i--)
        Object.defineProperty(o, r.pick(NAMES), { value: randomValue(r, depth - 1), enumerable: true, configurable: true, writable: true });
      return o;
    }
    default:
      return Array.from({ length: r.int(4) }, () => randomValue(r, depth - 1));
  }
}

/** A value shaped by the schema (mostly valid, often on a boundary), so both verdicts get exercised deep down. */
function valueFor(r: Rng, s: Schema, depth: number): unknown {
  if (typeof s === "boolean" || r.chance(0.1) || depth < 0) return randomValue(r, Math.max(depth, 0));
  if (s.const !== undefined && r.chance(0.7)) return s.const;
  if (Array.isArray(s.enum) && r.chance(0.7)) return r.pick(s.enum);
  const type = Array.isArray(s.type) ? r.pick(s.type as string[]) : ((s.type as string | undefined) ?? r.pick(TYPES));
  switch (type) {
    case "number":
    case "integer":
      return r.pick([s.minimum, s.maximum, 0, 1, 1.5, -1].filter((x) => typeof x === "number")) as number;
    case "string":
      return r.pick(["", "a"]);
    case "boolean":
      return r.chance(0.5);
    case "null":
      return null;
    case "array": {
      const n = r.pick([s.minItems, s.maxItems, 0, 1, 2].filter((x) => typeof x === "number")) as number;
      return Array.from({ length: n }, () => valueFor(r, (s.items as Schema | undefined) ?? true, depth - 1));
    }
    default: {
      const o: Record<string, unknown> = {};
      const props = (s.properties ?? {}) as Record<string, Schema>;
      const set = (k: string, v: unknown) => Object.defineProperty(o, k, { value: v, enumerable: true, configurable: true, writable: true });
      for (const k of Object.keys(props)) if (r.chance(0.7)) set(k, valueFor(r, props[k]!, depth - 1));
      for (const k of (s.required ?? []) as string[]) if (!Object.hasOwn(o, k) && r.chance(0.8)) set(k, valueFor(r, props[k] ?? true, depth - 1));
      if (r.chance(0.2)) set(r.pick(NAMES), valueFor(r, typeof s.additionalProperties === "object" ? (s.additionalProperties as Schema) : true, depth - 1));
      return o;
    }
  }
}

describe("compileJsonSchema: the quick check agrees with the walker", () => {
  it("returns the walker's issues for 3,000 random schemas × 8 values (seeded)", () => {
    const r = rng(SEED);
    const verdicts = { valid: 0, invalid: 0, walkerOnly: 0 };
    for (let c = 0; c < 3000; c++) {
      const schema = randomSchema(r, 3);
      const withQuick = compileJsonSchema(schema);
      const walkerOnly = compileJsonSchema(schema, { quick: false });
      const quick = quickJsonSchemaCheck(schema);
      for (let k = 0; k < 8; k++) {
        const value = k % 2 === 0 ? randomValue(r, 3) : valueFor(r, schema, 3);
        const expected = walkerOnly(value);
        const got = withQuick(value);
        const where = `seed ${SEED}, case ${c}.${k}: schema ${JSON.stringify(schema)} value ${JSON.stringify(value)}`;
        if (JSON.stringify(got) !== JSON.stringify(expected)) {
          throw new Error(`${where}: walker ${JSON.stringify(expected)}, with the quick check ${JSON.stringify(got)}`);
        }
        // Where it exists, the quick verdict is the walker's exactly (a needless "no" would only cost time).
        if (quick === undefined) verdicts.walkerOnly++;
        else if (quick(value) !== (expected.length === 0)) throw new Error(`${where}: quick check ${quick(value)}, walker ${JSON.stringify(expected)}`);
        else if (expected.length === 0) verdicts.valid++;
        else verdicts.invalid++;
      }
    }
    // Every kind of case must be well represented, or the comparison proves little.
    expect(verdicts.valid).toBeGreaterThan(2000);
    expect(verdicts.invalid).toBeGreaterThan(2000);
    expect(verdicts.walkerOnly).toBeGreaterThan(500);
  });

  it("still lists every issue when the quick check says no", () => {
    const validate = compileJsonSchema({
      type: "object",
      properties: { n: { type: "number", minimum: 0 }, tags: { type: "array", items: { type: "string" } } },
      required: ["n"],
      additionalProperties: false,
    });
    expect(validate({ n: 1, tags: ["a"] })).toEqual([]);
    const issues = validate({ n: -1, tags: ["a", 2], extra: true });
    expect(issues.map((i) => i.path.join("/"))).toEqual(expect.arrayContaining(["n", "tags/1", "extra"]));
    expect(issues).toHaveLength(3);
    expect(validate({})).toHaveLength(1);
  });
});
