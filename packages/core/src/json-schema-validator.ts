/**
 * Collect mode's entry: tool arguments against a user's JSON Schema (zod, arktype, valibot,
 * hand-written): every issue, as a path and a message the model reads. Keywords it cannot check
 * are refused when the schema is compiled, never silently ignored.
 */
import {
  JSON_TYPES,
  NUMBER_VALUED_KEYWORDS,
  SUBSCHEMA_ARRAY_KEYWORDS,
  SUBSCHEMA_KEYWORDS,
  SUBSCHEMA_MAP_KEYWORDS,
  UNSUPPORTED_KEYWORDS,
} from "./schema-keywords.js";
import type { JsonSchemaIssue, Run, SchemaNode } from "./schema-types.js";
import { isObject, isType, regExp } from "./schema-values.js";
import { check } from "./schema-walker.js";

/**
 * A validator built from one schema: returns the issues, empty when the value is valid. `quick`,
 * when the schema allows one, answers only whether the value is valid (no issue list made).
 */
export type JsonSchemaValidator = ((value: unknown) => JsonSchemaIssue[]) & { readonly quick?: (value: unknown) => boolean };

/**
 * Collect mode: builds a validator for a user's JSON Schema, or throws an `Error` naming the first
 * keyword it cannot check, unresolvable `$ref` or invalid `pattern` (callers wrap it in a typed
 * error naming their input). `format` is an annotation here; `$ref` may be `#` or `#/…` pointers.
 * `quick: false` leaves out the quick yes/no check (tests compare the two).
 */
export function compileJsonSchema(schema: boolean | Readonly<Record<string, unknown>>, options: { quick?: boolean } = {}): JsonSchemaValidator {
  const root = schema as SchemaNode;
  // `$ref` strings become keys of the same table `checkSchema` reads its definitions from.
  const defs: Record<string, SchemaNode> = {};
  scan(root, root, "#", defs);
  const collect: JsonSchemaValidator = (value) => {
    const issues: JsonSchemaIssue[] = [];
    const run: Run = { defs, strict: true, errors: [], issues, ip: [], sp: [], depth: 0, viaRef: false };
    check(run, root, value, false);
    return issues;
  };
  // Most tool schemas use a handful of keywords: those get a yes/no check built once, and only a
  // "no" runs the walker for the issues. A tool call's arguments are usually valid, and the walker
  // costs a tool call ~30 µs there (it reads every keyword of every node), the check ~1 µs.
  const valid = options.quick === false ? undefined : quickCheck(root);
  if (valid === undefined) return collect;
  return Object.assign((value: unknown) => (valid(value) ? [] : collect(value)), { quick: valid });
}

/** True when the value matches; built only for schemas whose every keyword it checks exactly as the walker does. */
export type QuickCheck = (value: unknown) => boolean;

/** The keywords {@link quickCheck} handles; a node with any other keyword gets no quick check (the walker decides). */
const QUICK_KEYWORDS: ReadonlySet<string> = new Set([
  "type",
  "nullable",
  "properties",
  "required",
  "additionalProperties",
  "items",
  "enum",
  "const",
  "minimum",
  "maximum",
  "minItems",
  "maxItems",
  // Annotations: nothing to check.
  "title",
  "description",
  "default",
  "examples",
  "$schema",
  "$id",
  "$comment",
  "deprecated",
  "readOnly",
  "writeOnly",
]);

const isPrimitive = (v: unknown): boolean => v === null || typeof v === "string" || typeof v === "number" || typeof v === "boolean";
const ALWAYS: QuickCheck = () => true;

/**
 * Collect mode's verdict (no issue at all) for one schema node, as a closure, or undefined when
 * the node uses a keyword outside {@link QUICK_KEYWORDS} (or `enum` / `const` with non-primitive
 * values, tuple `items`, a `false` schema): then the walker alone decides. Mirrors `node()` in
 * schema-walker.ts for these keywords; `json-schema-validator.test.ts` compares both on generated
 * schemas and values.
 */
export function quickCheck(s: SchemaNode): QuickCheck | undefined {
  if (s === true) return ALWAYS;
  if (s === false || !isObject(s)) return undefined;
  for (const key of Object.keys(s)) if (!QUICK_KEYWORDS.has(key)) return undefined;
  const node = s as Record<string, unknown>;
  const t = node.type;
  const types = t === undefined ? undefined : typeof t === "string" ? [t] : Array.isArray(t) ? (t as string[]) : null;
  if (types === null) return undefined;
  const nullable = node.nullable === true;
  const values = node.enum;
  if (values !== undefined && !(Array.isArray(values) && values.every(isPrimitive))) return undefined;
  const hasConst = node.const !== undefined;
  if (hasConst && !isPrimitive(node.const)) return undefined;
  const constant = node.const;
  const num = (key: string): number | undefined | null => (node[key] === undefined ? undefined : typeof node[key] === "number" ? (node[key] as number) : null);
  const minimum = num("minimum");
  const maximum = num("maximum");
  const minItems = num("minItems");
  const maxItems = num("maxItems");
  if (minimum === null || maximum === null || minItems === null || maxItems === null) return undefined;
  let items: QuickCheck | undefined;
  if (node.items !== undefined) {
    if (Array.isArray(node.items) || (items = quickCheck(node.items as SchemaNode)) === undefined) return undefined;
  }
  const required = node.required as readonly string[] | undefined;
  let properties: Map<string, QuickCheck> | undefined;
  if (node.properties !== undefined) {
    if (!isObject(node.properties)) return undefined;
    properties = new Map();
    for (const name of Object.keys(node.properties)) {
      const sub = quickCheck(node.properties[name] as SchemaNode);
      if (sub === undefined) return undefined;
      properties.set(name, sub);
    }
  }
  const ap = node.additionalProperties;
  let additional: QuickCheck | false | undefined;
  if (ap === false) additional = false;
  else if (ap !== undefined && (additional = quickCheck(ap as SchemaNode)) === undefined) return undefined;
  // [name, check, name, check, …]: the declared properties, for values checked without `additionalProperties`.
  const propertyList = properties === undefined ? undefined : [...properties].flat();
  const checksNumbers = minimum !== undefined || maximum !== undefined;
  const checksArrays = items !== undefined || minItems !== undefined || maxItems !== undefined;
  const checksObjects = required !== undefined || properties !== undefined || additional !== undefined;

  return (v) => {
    if (types !== undefined && !(types.length === 1 ? isType(types[0]!, v) : types.some((x) => isType(x, v))) && !(nullable && v === null)) return false;
    if (hasConst && !(v === constant || (Number.isNaN(v) && Number.isNaN(constant)))) return false;
    if (values !== undefined && !(values as unknown[]).includes(v)) return false;
    if (checksNumbers && typeof v === "number" && Number.isFinite(v)) {
      if (minimum !== undefined && !(v >= minimum)) return false;
      if (maximum !== undefined && !(v <= maximum)) return false;
    }
    if (checksArrays && Array.isArray(v)) {
      if (maxItems !== undefined && v.length > maxItems) return false;
      if (minItems !== undefined && v.length < minItems) return false;
      if (items !== undefined) for (let i = 0; i < v.length; i++) if (!items(v[i])) return false;
    }
    if (checksObjects && isObject(v)) {
      if (required !== undefined) for (let i = 0; i < required.length; i++) if (!Object.hasOwn(v, required[i]!)) return false;
      if (additional === undefined && propertyList !== undefined) {
        // Only the declared properties can fail: look each up instead of listing the value's keys.
        // (`hasOwn` also sees non-enumerable properties the walker skips: at worst a needless "no".)
        for (let i = 0; i < propertyList.length; i += 2) {
          const name = propertyList[i] as string;
          if (Object.hasOwn(v, name) && !(propertyList[i + 1] as QuickCheck)(v[name])) return false;
        }
      } else if (properties !== undefined || additional !== undefined) {
        for (const key of Object.keys(v)) {
          const sub = properties?.get(key);
          if (sub !== undefined) {
            if (!sub(v[key])) return false;
          } else if (additional === false) return false;
          else if (additional !== undefined && !additional(v[key])) return false;
        }
      }
    }
    return true;
  };
}

/**
 * Definition-time walk of a user schema: refuses what the walker cannot check (or would misread),
 * compiles every pattern, and resolves every `$ref` into `defs`.
 */
function scan(schema: unknown, root: SchemaNode, at: string, defs: Record<string, SchemaNode>): void {
  if (typeof schema === "boolean") return;
  if (!isObject(schema)) throw new Error(`${at} is ${Array.isArray(schema) ? "an array" : typeof schema}, not a schema object`);
  for (const [key, value] of Object.entries(schema)) {
    if (UNSUPPORTED_KEYWORDS.has(key)) throw new Error(`${at} uses "${key}", which this validator does not support`);
    if (key === "$ref") {
      if (typeof value !== "string" || !value.startsWith("#"))
        throw new Error(`${at}/$ref is ${JSON.stringify(value)}; only local references ("#/$defs/…") are supported`);
      defs[value] = resolvePointer(root, value);
    } else if (key === "pattern") {
      if (typeof value !== "string") throw new Error(`${at}/pattern must be a string`);
      compilePattern(value, `${at}/pattern`);
    } else if (key === "type") {
      for (const t of [value].flat()) if (!JSON_TYPES.has(t as string)) throw new Error(`${at}/type has ${JSON.stringify(t)}, which is not a JSON Schema type`);
    } else if (key === "items") {
      if (Array.isArray(value)) value.forEach((s, i) => scan(s, root, `${at}/items/${i}`, defs));
      else scan(value, root, `${at}/items`, defs);
    } else if (NUMBER_VALUED_KEYWORDS.has(key)) {
      if (typeof value !== "number" && !(key.startsWith("exclusive") && typeof value === "boolean"))
        throw new Error(`${at}/${key} is ${JSON.stringify(value)}; it must be a number`);
    } else if (key === "enum" && !Array.isArray(value)) {
      throw new Error(`${at}/enum must be an array of the allowed values`);
    } else if (
      key === "dependentRequired" &&
      !(isObject(value) && Object.values(value).every((v) => Array.isArray(v) && v.every((x) => typeof x === "string")))
    ) {
      throw new Error(`${at}/dependentRequired must map property names to arrays of property names`);
    } else if (key === "required" && !(Array.isArray(value) && value.every((v) => typeof v === "string"))) {
      // Draft-03 put `required: true` on properties; models and validators read it differently.
      throw new Error(`${at}/required must be an array of property names`);
    } else if (SUBSCHEMA_KEYWORDS.has(key)) {
      if (typeof value === "boolean" || isObject(value)) scan(value, root, `${at}/${key}`, defs);
    } else if (SUBSCHEMA_ARRAY_KEYWORDS.has(key)) {
      if (!Array.isArray(value)) throw new Error(`${at}/${key} must be an array of schemas`);
      value.forEach((s, i) => scan(s, root, `${at}/${key}/${i}`, defs));
    } else if (SUBSCHEMA_MAP_KEYWORDS.has(key)) {
      if (!isObject(value)) throw new Error(`${at}/${key} must be an object of schemas`);
      for (const [name, s] of Object.entries(value)) {
        if (key === "patternProperties") compilePattern(name, `${at}/patternProperties`);
        scan(s, root, `${at}/${key}/${name}`, defs);
      }
    }
  }
}

function compilePattern(pattern: string, at: string): void {
  try {
    regExp(pattern);
  } catch (error) {
    throw new Error(`${at} ${JSON.stringify(pattern)} is not a valid regular expression: ${(error as Error).message}`);
  }
}

/** `#` or a `#/…` JSON pointer (URI-escaped) inside `root`. */
function resolvePointer(root: SchemaNode, ref: string): SchemaNode {
  if (ref === "#") return root;
  if (!ref.startsWith("#/")) throw new Error(`$ref ${JSON.stringify(ref)} is not a local JSON pointer ("#/…")`);
  let at: unknown = root;
  for (const raw of ref.slice(2).split("/")) {
    const token = decodeURIComponent(raw).replace(/~1/g, "/").replace(/~0/g, "~");
    at = isObject(at) || Array.isArray(at) ? (at as Record<string, unknown>)[token] : undefined;
    if (at === undefined) throw new Error(`$ref ${JSON.stringify(ref)} does not resolve inside the schema`);
  }
  if (typeof at !== "boolean" && !isObject(at)) throw new Error(`$ref ${JSON.stringify(ref)} does not point at a schema`);
  return at as SchemaNode;
}
