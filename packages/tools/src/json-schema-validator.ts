/**
 * A small interpreting validator for the JSON Schema subset that tool parameters use (draft-07 and
 * 2019-09/2020-12 keywords alike). Chosen over ajv for tool arguments because it costs nothing to
 * import or compile (ajv: ~25–45 ms import plus ~25 ms to compile the first schema, 2.4 MB); see
 * packages/tools/README.md for the measurements. Keywords that need evaluation tracking
 * (`unevaluated*`, `$dynamicRef`, …) are refused at definition time rather than silently ignored.
 */

/** One reason a value does not match a schema. `path` leads from the root to the bad value. */
export interface ValidationIssue {
  path: ReadonlyArray<string | number>;
  message: string;
}

/** A validator built from one schema: returns the issues, empty when the value is valid. */
export type JsonSchemaValidator = (value: unknown) => ValidationIssue[];

type Schema = boolean | Record<string, unknown>;

/** Keywords that validate but are not implemented here: refused so a tool never validates less than it claims. */
const UNSUPPORTED = new Set([
  "unevaluatedProperties",
  "unevaluatedItems",
  "dependentSchemas",
  "dependencies",
  "$dynamicRef",
  "$recursiveRef",
  "minContains",
  "maxContains",
  "contentSchema",
]);

/** Keywords whose value is a schema, a schema array or a schema map: the walker descends into them. */
const SUBSCHEMA = new Set(["additionalProperties", "propertyNames", "contains", "not", "if", "then", "else", "additionalItems"]);
const SUBSCHEMA_ARRAY = new Set(["allOf", "anyOf", "oneOf", "prefixItems"]);
const SUBSCHEMA_MAP = new Set(["properties", "patternProperties", "$defs", "definitions"]);

const MAX_DEPTH = 256;

/**
 * Builds a validator, or throws an `Error` naming the first unsupported keyword, unresolvable
 * `$ref` or invalid `pattern` (callers wrap it in a typed error naming the tool).
 */
export function compileJsonSchema(root: Schema): JsonSchemaValidator {
  const patterns = new Map<string, RegExp>();
  checkSchema(root, root, "#", patterns);

  const validate = (schema: Schema, value: unknown, path: Array<string | number>, issues: ValidationIssue[], depth: number): void => {
    if (schema === true) return;
    if (schema === false) {
      issues.push({ path: [...path], message: "no value is allowed here" });
      return;
    }
    if (depth > MAX_DEPTH) {
      issues.push({ path: [...path], message: "schema nesting is too deep (a $ref cycle?)" });
      return;
    }
    const s = schema;
    if (typeof s.$ref === "string") {
      validate(resolveRef(root, s.$ref), value, path, issues, depth + 1);
    }

    if (s.type !== undefined) {
      const types = Array.isArray(s.type) ? (s.type as string[]) : [s.type as string];
      const allowed = s.nullable === true ? [...types, "null"] : types;
      if (!allowed.some((t) => matchesType(t, value))) {
        issues.push({ path: [...path], message: `expected ${allowed.join(" or ")}, received ${typeOf(value)}` });
        return; // further keyword checks on a wrong-typed value only add noise
      }
    }
    if ("const" in s && !deepEqual(s.const, value)) {
      issues.push({ path: [...path], message: `must be ${JSON.stringify(s.const)}` });
    }
    if (Array.isArray(s.enum) && !s.enum.some((e) => deepEqual(e, value))) {
      issues.push({ path: [...path], message: `must be one of ${s.enum.map((e) => JSON.stringify(e)).join(", ")}` });
    }

    if (typeof value === "string") checkString(s, value, path, issues, patterns);
    else if (typeof value === "number") checkNumber(s, value, path, issues);
    else if (Array.isArray(value)) {
      checkArrayBounds(s, value, path, issues);
      const prefix = Array.isArray(s.prefixItems) ? (s.prefixItems as Schema[]) : Array.isArray(s.items) ? (s.items as Schema[]) : [];
      const rest: Schema | undefined = Array.isArray(s.items) ? (s.additionalItems as Schema | undefined) : (s.items as Schema | undefined);
      value.forEach((item, i) => {
        const itemSchema = i < prefix.length ? prefix[i] : rest;
        if (itemSchema !== undefined) validate(itemSchema, item, [...path, i], issues, depth + 1);
      });
      if (s.contains !== undefined && !value.some((item) => isValid(s.contains as Schema, item, depth))) {
        issues.push({ path: [...path], message: "must contain at least one matching item" });
      }
    } else if (isPlainObject(value)) {
      checkObject(s, value, path, issues, depth);
    }

    if (Array.isArray(s.allOf)) for (const sub of s.allOf as Schema[]) validate(sub, value, path, issues, depth + 1);
    if (Array.isArray(s.anyOf)) {
      const branches = (s.anyOf as Schema[]).map((sub) => collect(sub, value, path, depth));
      if (!branches.some((b) => b.length === 0)) {
        issues.push({ path: [...path], message: `must match at least one of ${branches.length} alternatives` });
        issues.push(...closest(branches));
      }
    }
    if (Array.isArray(s.oneOf)) {
      const branches = (s.oneOf as Schema[]).map((sub) => collect(sub, value, path, depth));
      const matching = branches.filter((b) => b.length === 0).length;
      if (matching === 0) {
        issues.push({ path: [...path], message: `must match exactly one of ${branches.length} alternatives` });
        issues.push(...closest(branches));
      } else if (matching > 1) {
        issues.push({ path: [...path], message: `matches ${matching} alternatives, but must match exactly one` });
      }
    }
    if (s.not !== undefined && isValid(s.not as Schema, value, depth)) {
      issues.push({ path: [...path], message: "must not match the schema under `not`" });
    }
    if (s.if !== undefined) {
      const branch = isValid(s.if as Schema, value, depth) ? s.then : s.else;
      if (branch !== undefined) validate(branch as Schema, value, path, issues, depth + 1);
    }
  };

  const collect = (schema: Schema, value: unknown, path: Array<string | number>, depth: number): ValidationIssue[] => {
    const out: ValidationIssue[] = [];
    validate(schema, value, path, out, depth + 1);
    return out;
  };
  const isValid = (schema: Schema, value: unknown, depth: number): boolean => collect(schema, value, [], depth).length === 0;

  const checkObject = (
    s: Record<string, unknown>,
    value: Record<string, unknown>,
    path: Array<string | number>,
    issues: ValidationIssue[],
    depth: number,
  ): void => {
    const keys = Object.keys(value);
    const properties = (isPlainObject(s.properties) ? s.properties : {}) as Record<string, Schema>;
    if (Array.isArray(s.required)) {
      for (const key of s.required as string[]) {
        if (!Object.hasOwn(value, key)) issues.push({ path: [...path, key], message: "required property is missing" });
      }
    }
    if (isPlainObject(s.dependentRequired)) {
      for (const [key, needs] of Object.entries(s.dependentRequired as Record<string, string[]>)) {
        if (!Object.hasOwn(value, key)) continue;
        for (const need of needs) {
          if (!Object.hasOwn(value, need)) issues.push({ path: [...path, need], message: `required when "${key}" is present` });
        }
      }
    }
    if (typeof s.minProperties === "number" && keys.length < s.minProperties) {
      issues.push({ path: [...path], message: `must have at least ${plural(s.minProperties, "property", "properties")}` });
    }
    if (typeof s.maxProperties === "number" && keys.length > s.maxProperties) {
      issues.push({ path: [...path], message: `must have at most ${plural(s.maxProperties, "property", "properties")}` });
    }
    const patternProps = isPlainObject(s.patternProperties) ? Object.entries(s.patternProperties as Record<string, Schema>) : [];
    for (const key of keys) {
      const child = value[key];
      let matched = false;
      if (Object.hasOwn(properties, key)) {
        matched = true;
        validate(properties[key]!, child, [...path, key], issues, depth + 1);
      }
      for (const [pattern, sub] of patternProps) {
        if (regex(patterns, pattern).test(key)) {
          matched = true;
          validate(sub, child, [...path, key], issues, depth + 1);
        }
      }
      if (s.propertyNames !== undefined) {
        for (const issue of collect(s.propertyNames as Schema, key, [], depth)) {
          issues.push({ path: [...path, key], message: `property name ${issue.message}` });
        }
      }
      if (!matched && s.additionalProperties !== undefined) {
        if (s.additionalProperties === false) issues.push({ path: [...path, key], message: "unknown property (not allowed by the schema)" });
        else validate(s.additionalProperties as Schema, child, [...path, key], issues, depth + 1);
      }
    }
  };

  return (value) => {
    const issues: ValidationIssue[] = [];
    validate(root, value, [], issues, 0);
    return issues;
  };
}

function checkString(s: Record<string, unknown>, value: string, path: Array<string | number>, issues: ValidationIssue[], patterns: Map<string, RegExp>): void {
  // JSON Schema counts code points, not UTF-16 units.
  const length = typeof s.minLength === "number" || typeof s.maxLength === "number" ? [...value].length : 0;
  if (typeof s.minLength === "number" && length < s.minLength) {
    issues.push({ path: [...path], message: `must have at least ${plural(s.minLength, "character")}` });
  }
  if (typeof s.maxLength === "number" && length > s.maxLength) {
    issues.push({ path: [...path], message: `must have at most ${plural(s.maxLength, "character")}` });
  }
  if (typeof s.pattern === "string" && !regex(patterns, s.pattern).test(value)) {
    issues.push({ path: [...path], message: `must match the pattern ${s.pattern}` });
  }
}

function checkNumber(s: Record<string, unknown>, value: number, path: Array<string | number>, issues: ValidationIssue[]): void {
  if (typeof s.minimum === "number") {
    // draft-04 style: `exclusiveMinimum: true` next to `minimum`.
    if (s.exclusiveMinimum === true ? value <= s.minimum : value < s.minimum) {
      issues.push({ path: [...path], message: `must be ${s.exclusiveMinimum === true ? ">" : ">="} ${s.minimum}` });
    }
  }
  if (typeof s.maximum === "number") {
    if (s.exclusiveMaximum === true ? value >= s.maximum : value > s.maximum) {
      issues.push({ path: [...path], message: `must be ${s.exclusiveMaximum === true ? "<" : "<="} ${s.maximum}` });
    }
  }
  if (typeof s.exclusiveMinimum === "number" && value <= s.exclusiveMinimum) {
    issues.push({ path: [...path], message: `must be > ${s.exclusiveMinimum}` });
  }
  if (typeof s.exclusiveMaximum === "number" && value >= s.exclusiveMaximum) {
    issues.push({ path: [...path], message: `must be < ${s.exclusiveMaximum}` });
  }
  if (typeof s.multipleOf === "number" && s.multipleOf > 0) {
    const q = value / s.multipleOf;
    if (Math.abs(q - Math.round(q)) > 1e-9) issues.push({ path: [...path], message: `must be a multiple of ${s.multipleOf}` });
  }
}

function checkArrayBounds(s: Record<string, unknown>, value: unknown[], path: Array<string | number>, issues: ValidationIssue[]): void {
  if (typeof s.minItems === "number" && value.length < s.minItems) {
    issues.push({ path: [...path], message: `must have at least ${plural(s.minItems, "item")}` });
  }
  if (typeof s.maxItems === "number" && value.length > s.maxItems) {
    issues.push({ path: [...path], message: `must have at most ${plural(s.maxItems, "item")}` });
  }
  if (s.uniqueItems === true) {
    for (let i = 0; i < value.length; i++) {
      for (let j = i + 1; j < value.length; j++) {
        if (deepEqual(value[i], value[j])) {
          issues.push({ path: [...path, j], message: `duplicates item ${i} (items must be unique)` });
          return;
        }
      }
    }
  }
}

function plural(n: number, word: string, many = `${word}s`): string {
  return `${n} ${n === 1 ? word : many}`;
}

/** The branch with the fewest issues: usually the alternative the caller meant. */
function closest(branches: ValidationIssue[][]): ValidationIssue[] {
  let best = branches[0] ?? [];
  for (const b of branches) if (b.length < best.length) best = b;
  return best;
}

function regex(cache: Map<string, RegExp>, pattern: string): RegExp {
  let re = cache.get(pattern);
  if (re === undefined) {
    re = new RegExp(pattern, "u");
    cache.set(pattern, re);
  }
  return re;
}

/** Definition-time walk: refuse what we cannot validate, compile every pattern, resolve every `$ref`. */
function checkSchema(schema: unknown, root: Schema, at: string, patterns: Map<string, RegExp>): void {
  if (typeof schema === "boolean") return;
  if (!isPlainObject(schema)) throw new Error(`${at} is ${Array.isArray(schema) ? "an array" : typeof schema}, not a schema object`);
  for (const [key, value] of Object.entries(schema)) {
    if (UNSUPPORTED.has(key)) throw new Error(`${at} uses "${key}", which this validator does not support`);
    if (key === "$ref") {
      if (typeof value !== "string" || !value.startsWith("#")) {
        throw new Error(`${at}/$ref is ${JSON.stringify(value)}; only local references ("#/$defs/…") are supported`);
      }
      resolveRef(root, value);
    } else if (key === "pattern") {
      if (typeof value !== "string") throw new Error(`${at}/pattern must be a string`);
      compilePattern(patterns, value, `${at}/pattern`);
    } else if (key === "type") {
      const types = Array.isArray(value) ? value : [value];
      for (const t of types) {
        if (!["string", "number", "integer", "boolean", "object", "array", "null"].includes(t as string)) {
          throw new Error(`${at}/type has ${JSON.stringify(t)}, which is not a JSON Schema type`);
        }
      }
    } else if (key === "items") {
      if (Array.isArray(value)) value.forEach((sub, i) => checkSchema(sub, root, `${at}/items/${i}`, patterns));
      else checkSchema(value, root, `${at}/items`, patterns);
    } else if (key === "required" && !(Array.isArray(value) && value.every((v) => typeof v === "string"))) {
      // Draft-03 put `required: true` on properties; models and validators read it differently.
      throw new Error(`${at}/required must be an array of property names`);
    } else if (SUBSCHEMA.has(key)) {
      if (typeof value === "boolean" || isPlainObject(value)) checkSchema(value, root, `${at}/${key}`, patterns);
    } else if (SUBSCHEMA_ARRAY.has(key)) {
      if (!Array.isArray(value)) throw new Error(`${at}/${key} must be an array of schemas`);
      value.forEach((sub, i) => checkSchema(sub, root, `${at}/${key}/${i}`, patterns));
    } else if (SUBSCHEMA_MAP.has(key)) {
      if (!isPlainObject(value)) throw new Error(`${at}/${key} must be an object of schemas`);
      for (const [name, sub] of Object.entries(value)) {
        if (key === "patternProperties") compilePattern(patterns, name, `${at}/patternProperties`);
        checkSchema(sub, root, `${at}/${key}/${name}`, patterns);
      }
    }
  }
}

function compilePattern(cache: Map<string, RegExp>, pattern: string, at: string): void {
  try {
    regex(cache, pattern);
  } catch (error) {
    throw new Error(`${at} ${JSON.stringify(pattern)} is not a valid regular expression: ${(error as Error).message}`);
  }
}

function resolveRef(root: Schema, ref: string): Schema {
  if (ref === "#") return root;
  if (!ref.startsWith("#/")) throw new Error(`$ref ${JSON.stringify(ref)} is not a local JSON pointer ("#/…")`);
  let node: unknown = root;
  for (const raw of ref.slice(2).split("/")) {
    const token = decodeURIComponent(raw).replace(/~1/g, "/").replace(/~0/g, "~");
    node = isPlainObject(node) || Array.isArray(node) ? (node as Record<string, unknown>)[token] : undefined;
    if (node === undefined) throw new Error(`$ref ${JSON.stringify(ref)} does not resolve inside the schema`);
  }
  if (typeof node !== "boolean" && !isPlainObject(node)) throw new Error(`$ref ${JSON.stringify(ref)} does not point at a schema`);
  return node as Schema;
}

function matchesType(type: string, value: unknown): boolean {
  switch (type) {
    case "string":
      return typeof value === "string";
    case "number":
      return typeof value === "number" && Number.isFinite(value);
    case "integer":
      return typeof value === "number" && Number.isInteger(value);
    case "boolean":
      return typeof value === "boolean";
    case "null":
      return value === null;
    case "array":
      return Array.isArray(value);
    case "object":
      return isPlainObject(value);
    default:
      return false;
  }
}

function typeOf(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "array";
  if (typeof value === "number" && Number.isInteger(value)) return "integer";
  return typeof value;
}

export function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== "object" || typeof b !== "object" || a === null || b === null) return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  if (Array.isArray(a)) {
    const bb = b as unknown[];
    return a.length === bb.length && a.every((x, i) => deepEqual(x, bb[i]));
  }
  const ka = Object.keys(a);
  const kb = Object.keys(b);
  return ka.length === kb.length && ka.every((k) => Object.hasOwn(b, k) && deepEqual((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]));
}
