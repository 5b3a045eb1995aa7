/**
 * Shapes shared by the schema checker's modules: a node of schema data, ajv-shaped errors,
 * user-facing issues, and the state of one walk.
 */

/** One schema node of the shipped data: annotations stripped, `$ref` is a key of the data. */
export type SchemaNode = boolean | SchemaObject;
export interface SchemaObject {
  readonly $ref?: string;
  readonly type?: string | readonly string[];
  /** Collect mode only from here to `dependentRequired` (codegen never emits them). OpenAPI's "or null". */
  readonly nullable?: boolean;
  readonly prefixItems?: readonly SchemaNode[];
  readonly additionalItems?: SchemaNode;
  readonly dependentRequired?: Readonly<Record<string, readonly string[]>>;
  /** Both modes (the upstream schemas use them since 1.0.15-preview.4). */
  readonly if?: SchemaNode;
  readonly then?: SchemaNode;
  readonly else?: SchemaNode;
  readonly const?: unknown;
  readonly enum?: readonly unknown[];
  readonly not?: SchemaNode;
  readonly anyOf?: readonly SchemaNode[];
  readonly oneOf?: readonly SchemaNode[];
  readonly allOf?: readonly SchemaNode[];
  readonly maximum?: number;
  readonly minimum?: number;
  /** `true` (next to `maximum`/`minimum`): draft-04's form, collect mode only. */
  readonly exclusiveMaximum?: number | boolean;
  readonly exclusiveMinimum?: number | boolean;
  readonly multipleOf?: number;
  readonly maxLength?: number;
  readonly minLength?: number;
  readonly pattern?: string;
  readonly format?: string;
  readonly maxItems?: number;
  readonly minItems?: number;
  /** An array (draft-07 tuple) only in collect mode. */
  readonly items?: SchemaNode | readonly SchemaNode[];
  readonly contains?: SchemaNode;
  readonly uniqueItems?: boolean;
  readonly maxProperties?: number;
  readonly minProperties?: number;
  readonly required?: readonly string[];
  readonly propertyNames?: SchemaNode;
  readonly additionalProperties?: SchemaNode;
  readonly properties?: Readonly<Record<string, SchemaNode>>;
  readonly patternProperties?: Readonly<Record<string, SchemaNode>>;
}

/** A failed keyword, shaped like ajv's `ErrorObject` (so `params` are ajv's, per keyword). */
export interface SchemaError {
  readonly instancePath: string;
  /** `#/definitions/<Name>/…` for named definitions; `#/p_<method>/…`, `#/r_<method>/…` for unnamed params/results. */
  readonly schemaPath: string;
  readonly keyword: string;
  readonly params: Readonly<Record<string, unknown>>;
}

/** One reason a value does not match a user schema. `path` leads from the root to the bad value. */
export interface JsonSchemaIssue {
  path: ReadonlyArray<string | number>;
  message: string;
}

/** The state of one walk of the schema checker (both modes). */
export interface Run {
  readonly defs: Readonly<Record<string, SchemaNode>>;
  readonly strict: boolean;
  readonly errors: SchemaError[];
  /** Collect mode: every issue goes here (swapped per anyOf/oneOf branch); `null` in ajv mode. */
  issues: JsonSchemaIssue[] | null;
  /** `$ref`s entered: collect mode stops a cycle that consumes no data at MAX_REF_DEPTH. */
  depth: number;
  /** Instance path segments, escaped when an error is made (errors are rare, descents are not). */
  readonly ip: (string | number)[];
  /** Schema path segments below the current definition; `sp[0]` is the definition's pointer. */
  sp: (string | number)[];
  /**
   * ajv mode: the last failure came back from a `$ref` (another compiled function) rather than a
   * keyword of the current one. ajv returns at once from a keyword failing outside anyOf & co.,
   * but after a failed `$ref` call it goes on to append the enclosing `if` keyword's error.
   */
  viaRef: boolean;
}
