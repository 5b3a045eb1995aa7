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
import { isObject, regExp } from "./schema-values.js";
import { check } from "./schema-walker.js";

/** A validator built from one schema: returns the issues, empty when the value is valid. */
export type JsonSchemaValidator = (value: unknown) => JsonSchemaIssue[];

/**
 * Collect mode: builds a validator for a user's JSON Schema, or throws an `Error` naming the first
 * keyword it cannot check, unresolvable `$ref` or invalid `pattern` (callers wrap it in a typed
 * error naming their input). `format` is an annotation here; `$ref` may be `#` or `#/…` pointers.
 */
export function compileJsonSchema(schema: boolean | Readonly<Record<string, unknown>>): JsonSchemaValidator {
  const root = schema as SchemaNode;
  // `$ref` strings become keys of the same table `checkSchema` reads its definitions from.
  const defs: Record<string, SchemaNode> = {};
  scan(root, root, "#", defs);
  return (value) => {
    const issues: JsonSchemaIssue[] = [];
    const run: Run = { defs, strict: true, errors: [], issues, ip: [], sp: [], depth: 0, viaRef: false };
    check(run, root, value, false);
    return issues;
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
