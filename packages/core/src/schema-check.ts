/**
 * ajv mode's entry: a value against generated schema data (`generated/validators/definitions.ts`)
 * with the semantics of the ajv 8 code the validators used to be compiled to (draft 2019-09,
 * `allErrors: false`, strict numbers, unicode lengths and regexps) and ajv's error shape. Only
 * the keywords in `INTERPRETED_KEYWORDS` occur there (the generator refuses the rest).
 */
import { compiledRef } from "./schema-compiled.js";
import { schemaFunction } from "./schema-function.js";
import type { Run, SchemaError, SchemaNode } from "./schema-types.js";
import { ref } from "./schema-walker.js";

/**
 * Validates `data` against the schema stored under `key`; `strict: false` ignores every
 * `additionalProperties: false` (newer runtimes add fields). Returns `null` when valid.
 */
export function checkSchema(definitions: Readonly<Record<string, unknown>>, key: string, data: unknown, strict: boolean): SchemaError[] | null {
  // Most values are valid: the compiled check decides; the walker runs only to explain a failure.
  if (schemaCheck(definitions, key, strict)(data)) return null;
  return explainSchema(definitions, key, data, strict);
}

/**
 * The boolean check of `definitions[key]`: a function generated from the data
 * (`schema-function.ts`), or where code generation from strings is not allowed, the closures
 * of `schema-compiled.ts`. Both say the same (tests compare them with each other and with ajv).
 */
export function schemaCheck(definitions: Readonly<Record<string, unknown>>, key: string, strict: boolean): (data: unknown) => boolean {
  return schemaFunction(definitions, key, strict) ?? compiledRef(definitions, key, strict);
}

/** `checkSchema` without the compiled check: for a value that check already rejected. */
export function explainSchema(definitions: Readonly<Record<string, unknown>>, key: string, data: unknown, strict: boolean): SchemaError[] | null {
  const run: Run = { defs: definitions as Readonly<Record<string, SchemaNode>>, strict, errors: [], issues: null, ip: [], sp: [], depth: 0, viaRef: false };
  return ref(run, key, data) ? null : run.errors;
}
