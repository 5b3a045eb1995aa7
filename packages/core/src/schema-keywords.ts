/**
 * The one list of JSON Schema keywords the SDK knows, by role. The checker (`schema-walker.ts`,
 * `schema-compiled.ts`, `json-schema-validator.ts`) and the generator (which refuses any other
 * keyword in the schemas it ships, `@flightdeck/copilot-codegen`) both read these.
 */

/** The JSON Schema type names. */
export const JSON_TYPES: ReadonlySet<string> = new Set(["string", "number", "integer", "boolean", "null", "array", "object"]);

/**
 * Every keyword the checker implements with ajv 8's draft 2019-09 semantics for generated data
 * (the compiled fast path takes exactly these). The generator refuses a schema with any other
 * keyword left after annotations are stripped, rather than shipping one that is silently ignored.
 */
export const INTERPRETED_KEYWORDS: ReadonlySet<string> = new Set([
  "$ref",
  "type",
  "const",
  "enum",
  "not",
  "anyOf",
  "oneOf",
  "allOf",
  "if",
  "then",
  "else",
  "maximum",
  "minimum",
  "exclusiveMaximum",
  "exclusiveMinimum",
  "multipleOf",
  "maxLength",
  "minLength",
  "pattern",
  "format",
  "maxItems",
  "minItems",
  "items",
  "contains",
  "uniqueItems",
  "maxProperties",
  "minProperties",
  "required",
  "propertyNames",
  "additionalProperties",
  "properties",
  "patternProperties",
]);

/** Keywords that never change what validates (ajv ignores them too): never shipped. */
export const ANNOTATION_KEYWORDS: ReadonlySet<string> = new Set([
  "description",
  "title",
  "stability",
  "visibility",
  "deprecated",
  "$comment",
  "examples",
  "contentEncoding",
  "contentMediaType",
  "default",
  "readOnly",
  "writeOnly",
]);

/** Keywords whose value is a JSON value, not a schema: nothing below them is a schema. */
export const VALUE_KEYWORDS: ReadonlySet<string> = new Set(["const", "enum", "default", "examples", "required"]);

/** Keywords that validate but are not implemented: user schemas using them are refused. */
export const UNSUPPORTED_KEYWORDS: ReadonlySet<string> = new Set([
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

/** Keywords whose value is one schema. */
export const SUBSCHEMA_KEYWORDS: ReadonlySet<string> = new Set([
  "additionalProperties",
  "propertyNames",
  "contains",
  "not",
  "if",
  "then",
  "else",
  "additionalItems",
  "items",
]);
/** Keywords whose value is an array of schemas. */
export const SUBSCHEMA_ARRAY_KEYWORDS: ReadonlySet<string> = new Set(["allOf", "anyOf", "oneOf", "prefixItems"]);
/** Keywords whose value maps names to schemas. */
export const SUBSCHEMA_MAP_KEYWORDS: ReadonlySet<string> = new Set(["properties", "patternProperties", "$defs", "definitions"]);

/** Keywords compared as numbers (`exclusiveMaximum`/`exclusiveMinimum` may also be draft-04's booleans in user schemas). */
export const NUMBER_VALUED_KEYWORDS: ReadonlySet<string> = new Set([
  "maximum",
  "minimum",
  "exclusiveMaximum",
  "exclusiveMinimum",
  "multipleOf",
  "maxLength",
  "minLength",
  "maxItems",
  "minItems",
  "maxProperties",
  "minProperties",
]);

/** The string formats checked in generated data (user schemas' formats are annotations). */
export const INTERPRETED_FORMATS: ReadonlySet<string> = new Set(["date-time", "duration", "uri", "uuid"]);
