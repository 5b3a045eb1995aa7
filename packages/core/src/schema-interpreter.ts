/**
 * The SDK's one JSON Schema checker, in two modes over one walker:
 * - `checkSchema` (ajv mode): values against the generated schema data (`generated/validators/
 *   definitions.js`) with the semantics of the ajv 8 code the validators used to be compiled to
 *   (draft 2019-09, `allErrors: false`, strict numbers, unicode lengths and regexps) and ajv's
 *   error shape. `codegen/test/validators-parity.test.ts` pins the results to ajv's; only the
 *   keywords `codegen/src/emit/validators.ts` lets through occur there.
 * - `compileJsonSchema` (collect mode): tool arguments against a user's JSON Schema (zod, arktype,
 *   valibot, hand-written): every issue, as a path and a message the model reads, plus the
 *   keywords only such schemas use (`$defs` refs, tuples, `if`, `nullable`, …). Keywords it
 *   cannot check are refused when the schema is compiled, never silently ignored.
 * Exported to packages/tools through `@flightdeck/copilot-core/internal`.
 */

/** One schema node of the shipped data: annotations stripped, `$ref` is a key of the data. */
export type SchemaNode = boolean | SchemaObject;
interface SchemaObject {
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

/**
 * Validates `data` against the schema stored under `key`; `strict: false` ignores every
 * `additionalProperties: false` (newer runtimes add fields). Returns `null` when valid.
 */
export function checkSchema(definitions: Readonly<Record<string, unknown>>, key: string, data: unknown, strict: boolean): SchemaError[] | null {
  // Most values are valid: the compiled check decides; the walker runs only to explain a failure.
  if (compiledRef(definitions, key, strict)(data)) return null;
  const run: Run = { defs: definitions as Readonly<Record<string, SchemaNode>>, strict, errors: [], issues: null, ip: [], sp: [], depth: 0, viaRef: false };
  return ref(run, key, data) ? null : run.errors;
}

/** One reason a value does not match a user schema. `path` leads from the root to the bad value. */
export interface ValidationIssue {
  path: ReadonlyArray<string | number>;
  message: string;
}

/** A validator built from one schema: returns the issues, empty when the value is valid. */
export type JsonSchemaValidator = (value: unknown) => ValidationIssue[];

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
    const issues: ValidationIssue[] = [];
    const run: Run = { defs, strict: true, errors: [], issues, ip: [], sp: [], depth: 0, viaRef: false };
    check(run, root, value, false);
    return issues;
  };
}

interface Run {
  readonly defs: Readonly<Record<string, SchemaNode>>;
  readonly strict: boolean;
  readonly errors: SchemaError[];
  /** Collect mode: every issue goes here (swapped per anyOf/oneOf branch); `null` in ajv mode. */
  issues: ValidationIssue[] | null;
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

const MAX_REF_DEPTH = 256;

function ref(run: Run, key: string, data: unknown): boolean {
  const schema = run.defs[key];
  if (schema === undefined) throw new Error(`validator data has no schema "${key}": regenerate with \`pnpm codegen\``);
  if (run.issues !== null) {
    if (run.depth >= MAX_REF_DEPTH) return say(run, undefined, "schema nesting is too deep (a $ref cycle?)");
    run.depth++;
    const ok = check(run, schema, data, false);
    run.depth--;
    return ok;
  }
  const saved = run.sp;
  // Each definition was its own compiled function: paths restart, and the composite flag resets.
  run.sp = [key.startsWith("d_") ? `#/definitions/${escapeFragment(key.slice(2))}` : `#/${key}`];
  const ok = check(run, schema, data, false);
  run.sp = saved;
  if (!ok) run.viaRef = true;
  return ok;
}

/** Whether `data` matches; in collect mode every issue of the node is recorded first. */
function check(run: Run, s: SchemaNode, data: unknown, composite: boolean): boolean {
  if (run.issues === null) return node(run, s, data, composite);
  const before = run.issues.length;
  node(run, s, data, composite);
  return run.issues.length === before;
}

/**
 * `composite`: inside anyOf/oneOf/not/contains/propertyNames of the same definition, where ajv
 * keeps going after a failed upfront type check to also report the untyped keywords. In collect
 * mode (`all`) a failed keyword does not stop the node, except `type`: the rest would be noise.
 */
function node(run: Run, s: SchemaNode, data: unknown, composite: boolean): boolean {
  if (s === true) return true;
  if (s === false) return fail(run, "false schema", {}, "false schema");
  const all = run.issues !== null;
  if (all && s.$ref !== undefined) ref(run, s.$ref, data);
  const t = s.type;
  // ajv checks a single type whose group has keywords in that group's else branch, after the
  // untyped keywords; any other type list is checked first.
  let deferred: string | undefined;
  if (t !== undefined) {
    if (!all && typeof t === "string" && hasGroupKeywords(s, t, run.strict)) deferred = t;
    else if (!(typeof t === "string" ? isType(t, data) : t.some((x) => isType(x, data))) && !(all && s.nullable === true && data === null)) {
      fail(run, "type", { type: all && s.nullable === true ? [...(typeof t === "string" ? [t] : t), "null"] : t }, "type", data);
      if (composite && !all) untyped(run, s, data, composite);
      return false;
    }
  }
  if (!untyped(run, s, data, composite)) return false;
  if (s.maximum !== undefined || s.minimum !== undefined || s.exclusiveMaximum !== undefined || s.exclusiveMinimum !== undefined || s.multipleOf !== undefined || s.format !== undefined) {
    if (typeof data === "number" && Number.isFinite(data)) {
      if (!numberKeywords(run, s, data)) return false;
    } else if (deferred === "number") return fail(run, "type", { type: t }, "type");
  }
  if (s.maxLength !== undefined || s.minLength !== undefined || s.pattern !== undefined || s.format !== undefined) {
    if (typeof data === "string") {
      if (!stringKeywords(run, s, data)) return false;
    } else if (deferred === "string") return fail(run, "type", { type: t }, "type");
  }
  if (s.maxItems !== undefined || s.minItems !== undefined || s.items !== undefined || s.contains !== undefined || s.uniqueItems !== undefined || (all && (s.prefixItems !== undefined || s.additionalItems !== undefined))) {
    if (Array.isArray(data)) {
      if (!arrayKeywords(run, s, data, composite)) return false;
    } else if (deferred === "array") return fail(run, "type", { type: t }, "type");
  }
  if (hasObjectKeywords(s, run.strict) || (all && s.dependentRequired !== undefined)) {
    if (isObject(data)) {
      if (!objectKeywords(run, s, data, composite)) return false;
    } else if (deferred === "object") return fail(run, "type", { type: t }, "type");
  }
  if (all && (s.not !== undefined || s.allOf !== undefined || s.anyOf !== undefined || s.oneOf !== undefined || s.if !== undefined)) combined(run, s, data, composite);
  return true;
}

function untyped(run: Run, s: SchemaObject, data: unknown, composite: boolean): boolean {
  if (run.issues !== null) {
    // Collect mode: `$ref` went first and the combinators go last (see `node`).
    if (s.const !== undefined && !equal(data, s.const)) fail(run, "const", { allowedValue: s.const }, "const");
    if (s.enum !== undefined && !s.enum.some((v) => equal(data, v))) fail(run, "enum", { allowedValues: s.enum }, "enum");
    return true;
  }
  if (s.$ref !== undefined && !ref(run, s.$ref, data)) return false;
  if (s.const !== undefined && !equal(data, s.const)) return fail(run, "const", { allowedValue: s.const }, "const");
  if (s.enum !== undefined && !s.enum.some((v) => equal(data, v))) return fail(run, "enum", { allowedValues: s.enum }, "enum");
  return combined(run, s, data, composite);
}

/** not, anyOf, oneOf, allOf (and, in collect mode, if/then/else). */
function combined(run: Run, s: SchemaObject, data: unknown, composite: boolean): boolean {
  const list = run.issues ?? run.errors;
  if (s.not !== undefined) {
    const before = list.length;
    const ok = sub(run, s.not, data, true, undefined, "not");
    list.length = before;
    if (ok && !fail(run, "not", {}, "not")) return false;
  }
  if (run.issues !== null) {
    collectCombined(run, s, data);
    return true;
  }
  if (s.anyOf !== undefined) {
    const before = run.errors.length;
    let ok = false;
    for (let i = 0; i < s.anyOf.length && !ok; i++) ok = sub(run, s.anyOf[i]!, data, true, undefined, "anyOf", i);
    if (!ok) return fail(run, "anyOf", {}, "anyOf");
    run.errors.length = before;
  }
  if (s.oneOf !== undefined) {
    const before = run.errors.length;
    let passing: number | [number, number] | null = null;
    let valid = false;
    for (let i = 0; i < s.oneOf.length; i++) {
      if (!sub(run, s.oneOf[i]!, data, true, undefined, "oneOf", i)) continue;
      if (valid) {
        valid = false;
        passing = [passing as number, i];
        break;
      }
      valid = true;
      passing = i;
    }
    if (!valid) return fail(run, "oneOf", { passingSchemas: passing }, "oneOf");
    run.errors.length = before;
  }
  if (s.allOf !== undefined) {
    for (let i = 0; i < s.allOf.length; i++) if (!sub(run, s.allOf[i]!, data, composite, undefined, "allOf", i)) return false;
  }
  if (s.if !== undefined) return conditional(run, s, data, composite);
  return true;
}

/** An always-valid `then`/`else` (`true`, `{}`) counts as absent, as in ajv. */
const presentClause = (c: SchemaNode | undefined): c is SchemaNode => c !== undefined && c !== true && !(typeof c === "object" && Object.keys(c).length === 0);

/**
 * ajv mode's if/then/else (ajv 8 `if` keyword): `if` is checked like a branch of anyOf with its
 * errors dropped; the chosen clause is checked in the current context. When the clause fails,
 * ajv appends `{keyword: "if", params: {failingKeyword}}` after the clause's errors, unless the
 * clause's own keyword had already returned (a failure outside anyOf & co. not through `$ref`).
 */
function conditional(run: Run, s: SchemaObject, data: unknown, composite: boolean): boolean {
  const hasThen = presentClause(s.then);
  const hasElse = presentClause(s.else);
  if (!hasThen && !hasElse) return true;
  const before = run.errors.length;
  const matched = sub(run, s.if!, data, true, undefined, "if");
  run.errors.length = before;
  const clause = matched ? (hasThen ? "then" : null) : hasElse ? "else" : null;
  if (clause === null) return true;
  run.viaRef = false;
  if (sub(run, s[clause]!, data, composite, undefined, clause)) return true;
  if (!composite && !run.viaRef) return false;
  run.viaRef = false;
  return fail(run, "if", { failingKeyword: clause }, "if");
}

/** Collect mode: a failed anyOf/oneOf reports the branch with the fewest issues (usually the one meant). */
function collectCombined(run: Run, s: SchemaObject, data: unknown): void {
  const branch = (b: SchemaNode): ValidationIssue[] => issuesOf(run, b, data);
  if (s.allOf !== undefined) for (const b of s.allOf) check(run, b, data, false);
  if (s.anyOf !== undefined) {
    const branches = s.anyOf.map(branch);
    if (!branches.some((b) => b.length === 0)) {
      say(run, undefined, `must match at least one of ${branches.length} alternatives`);
      run.issues!.push(...closest(branches));
    }
  }
  if (s.oneOf !== undefined) {
    const branches = s.oneOf.map(branch);
    const matching = branches.filter((b) => b.length === 0).length;
    if (matching === 0) {
      say(run, undefined, `must match exactly one of ${branches.length} alternatives`);
      run.issues!.push(...closest(branches));
    } else if (matching > 1) say(run, undefined, `matches ${matching} alternatives, but must match exactly one`);
  }
  if (s.if !== undefined) {
    const then = issuesOf(run, s.if, data).length === 0 ? s.then : s.else;
    if (then !== undefined) check(run, then, data, false);
  }
}

/** Collect mode: the issues of one subschema at the current value, kept apart from the run's. */
function issuesOf(run: Run, s: SchemaNode, data: unknown): ValidationIssue[] {
  const saved = run.issues;
  const out: ValidationIssue[] = (run.issues = []);
  check(run, s, data, false);
  run.issues = saved;
  return out;
}

const closest = (branches: ValidationIssue[][]): ValidationIssue[] => branches.reduce((best, b) => (b.length < best.length ? b : best), branches[0] ?? []);
const has = (o: object, k: string): boolean => Object.prototype.hasOwnProperty.call(o, k);

/** `if (bad && !fail(…)) return false`: ajv mode stops at the first failure, collect mode goes on. */
function numberKeywords(run: Run, s: SchemaObject, d: number): boolean {
  if (s.maximum !== undefined) {
    const ex = s.exclusiveMaximum === true;
    if (!(ex ? d < s.maximum : d <= s.maximum) && !fail(run, "maximum", { comparison: ex ? "<" : "<=", limit: s.maximum }, "maximum")) return false;
  }
  if (s.minimum !== undefined) {
    const ex = s.exclusiveMinimum === true;
    if (!(ex ? d > s.minimum : d >= s.minimum) && !fail(run, "minimum", { comparison: ex ? ">" : ">=", limit: s.minimum }, "minimum")) return false;
  }
  if (typeof s.exclusiveMaximum === "number" && !(d < s.exclusiveMaximum) && !fail(run, "exclusiveMaximum", { comparison: "<", limit: s.exclusiveMaximum }, "exclusiveMaximum")) return false;
  if (typeof s.exclusiveMinimum === "number" && !(d > s.exclusiveMinimum) && !fail(run, "exclusiveMinimum", { comparison: ">", limit: s.exclusiveMinimum }, "exclusiveMinimum")) return false;
  if (s.multipleOf !== undefined) {
    const q = d / s.multipleOf;
    // ajv's exact test for the pinned schemas; user schemas get a tolerance (0.3 is a multiple of 0.1).
    const off = run.issues === null ? q !== Number.parseInt(String(q)) : s.multipleOf > 0 && Math.abs(q - Math.round(q)) > 1e-9;
    if (off && !fail(run, "multipleOf", { multipleOf: s.multipleOf }, "multipleOf")) return false;
  }
  // Every format the generator admits is a string format: ajv skips them for numbers.
  return true;
}

function stringKeywords(run: Run, s: SchemaObject, d: string): boolean {
  if (s.maxLength !== undefined && ucs2length(d) > s.maxLength && !fail(run, "maxLength", { limit: s.maxLength }, "maxLength")) return false;
  if (s.minLength !== undefined && ucs2length(d) < s.minLength && !fail(run, "minLength", { limit: s.minLength }, "minLength")) return false;
  if (s.pattern !== undefined && !regExp(s.pattern).test(d) && !fail(run, "pattern", { pattern: s.pattern }, "pattern")) return false;
  // User schemas' formats are annotations (zod emits ones nobody agrees on, e.g. "email").
  if (s.format !== undefined && run.issues === null) {
    const f = FORMATS[s.format];
    if (!f) throw new Error(`validator data uses format "${s.format}", which this build does not check: regenerate with \`pnpm codegen\``);
    if (!f(d)) return fail(run, "format", { format: s.format }, "format");
  }
  return true;
}

function arrayKeywords(run: Run, s: SchemaObject, d: readonly unknown[], composite: boolean): boolean {
  const all = run.issues !== null;
  if (s.maxItems !== undefined && d.length > s.maxItems && !fail(run, "maxItems", { limit: s.maxItems }, "maxItems")) return false;
  if (s.minItems !== undefined && d.length < s.minItems && !fail(run, "minItems", { limit: s.minItems }, "minItems")) return false;
  if (all) {
    // Tuples: 2020-12 `prefixItems` + `items`, or draft-07 `items: [...]` + `additionalItems`.
    const prefix = s.prefixItems ?? (Array.isArray(s.items) ? (s.items as readonly SchemaNode[]) : []);
    const rest = Array.isArray(s.items) ? s.additionalItems : (s.items as SchemaNode | undefined);
    for (let i = 0; i < d.length; i++) {
      const item = i < prefix.length ? prefix[i] : rest;
      if (item !== undefined) sub(run, item, d[i], false, i, "items");
    }
  } else if (s.items !== undefined) for (let i = 0; i < d.length; i++) if (!sub(run, s.items as SchemaNode, d[i], composite, i, "items")) return false;
  if (s.contains !== undefined) {
    const list = run.issues ?? run.errors;
    const before = list.length;
    let found = false;
    for (let i = 0; i < d.length && !found; i++) found = sub(run, s.contains, d[i], true, i, "contains");
    // ajv reports the items' errors only inside anyOf & co.; elsewhere (and in collect mode) just "contains".
    if (!found && (!composite || all)) list.length = before;
    if (!found && !fail(run, "contains", { minContains: 1 }, "contains")) return false;
    if (found) list.length = before;
  }
  if (s.uniqueItems === true && d.length > 1) {
    const dup = all ? firstDuplicate(d) : duplicate(s, d);
    if (dup && !fail(run, "uniqueItems", { i: dup[0], j: dup[1] }, "uniqueItems")) return false;
  }
  return true;
}

/** Collect mode: the first item that repeats an earlier one, as [later, earlier]. */
function firstDuplicate(d: readonly unknown[]): [number, number] | null {
  for (let i = 0; i < d.length; i++) for (let j = i + 1; j < d.length; j++) if (equal(d[i], d[j])) return [j, i];
  return null;
}

/** ajv's two loops: scalar item types index by value (i < j), others compare pairwise (i > j). */
function duplicate(s: SchemaObject, d: readonly unknown[]): [number, number] | null {
  const it = typeof s.items === "object" && !Array.isArray(s.items) ? (s.items as Exclude<SchemaNode, boolean>).type : undefined;
  const types = it === undefined ? [] : typeof it === "string" ? [it] : it;
  if (types.length > 0 && !types.some((t) => t === "object" || t === "array")) {
    const seen = new Map<unknown, number>();
    for (let i = d.length; i-- > 0; ) {
      const item = d[i];
      if (!types.some((t) => isType(t, item))) continue;
      const j = seen.get(item);
      if (j !== undefined) return [i, j];
      seen.set(item, i);
    }
    return null;
  }
  for (let i = d.length; i-- > 0; ) for (let j = i; j-- > 0; ) if (equal(d[i], d[j])) return [i, j];
  return null;
}

/** Lenient: `additionalProperties: false` counts as absent, as if removed from the schema. */
const hasObjectKeywords = (s: SchemaObject, strict: boolean): boolean =>
  s.maxProperties !== undefined || s.minProperties !== undefined || s.required !== undefined || s.propertyNames !== undefined || (s.additionalProperties !== undefined && (strict || s.additionalProperties !== false)) || s.properties !== undefined || s.patternProperties !== undefined;

function hasGroupKeywords(s: SchemaObject, type: string, strict: boolean): boolean {
  switch (type) {
    case "number":
      return s.maximum !== undefined || s.minimum !== undefined || s.exclusiveMaximum !== undefined || s.exclusiveMinimum !== undefined || s.multipleOf !== undefined || s.format !== undefined;
    case "string":
      return s.maxLength !== undefined || s.minLength !== undefined || s.pattern !== undefined || s.format !== undefined;
    case "array":
      return s.maxItems !== undefined || s.minItems !== undefined || s.items !== undefined || s.contains !== undefined || s.uniqueItems !== undefined;
    case "object":
      return hasObjectKeywords(s, strict);
    default:
      return false;
  }
}

function objectKeywords(run: Run, s: SchemaObject, d: Record<string, unknown>, composite: boolean): boolean {
  if (run.issues !== null) {
    collectObject(run, s, d);
    return true;
  }
  if (s.maxProperties !== undefined && Object.keys(d).length > s.maxProperties) return fail(run, "maxProperties", { limit: s.maxProperties }, "maxProperties");
  if (s.minProperties !== undefined && Object.keys(d).length < s.minProperties) return fail(run, "minProperties", { limit: s.minProperties }, "minProperties");
  if (s.required !== undefined) for (const p of s.required) if (d[p] === undefined) return fail(run, "required", { missingProperty: p }, "required");
  if (s.propertyNames !== undefined) {
    for (const key in d) {
      if (!sub(run, s.propertyNames, key, true, undefined, "propertyNames")) return fail(run, "propertyNames", { propertyName: key }, "propertyNames");
    }
  }
  const ap = s.additionalProperties;
  if (ap !== undefined && ap !== true && (ap !== false || run.strict)) {
    const props = s.properties;
    const patterns = s.patternProperties === undefined ? [] : Object.keys(s.patternProperties).map(regExp);
    for (const key in d) {
      if (props !== undefined && Object.prototype.hasOwnProperty.call(props, key)) continue;
      if (patterns.some((re) => re.test(key))) continue;
      if (ap === false) return fail(run, "additionalProperties", { additionalProperty: key }, "additionalProperties");
      if (!sub(run, ap, d[key], composite, key, "additionalProperties")) return false;
    }
  }
  if (s.properties !== undefined) {
    for (const p in s.properties) {
      if (d[p] !== undefined && !sub(run, s.properties[p]!, d[p], composite, p, "properties", p)) return false;
    }
  }
  if (s.patternProperties !== undefined) {
    for (const p in s.patternProperties) {
      const re = regExp(p);
      for (const key in d) if (re.test(key) && !sub(run, s.patternProperties[p]!, d[key], composite, key, "patternProperties", p)) return false;
    }
  }
  return true;
}

/** Collect mode: own properties only, and the value's keys in their order (what the model wrote). */
function collectObject(run: Run, s: SchemaObject, d: Record<string, unknown>): void {
  const keys = Object.keys(d);
  if (s.required !== undefined) for (const p of s.required) if (!has(d, p)) fail(run, "required", { missingProperty: p }, "required");
  if (s.dependentRequired !== undefined) {
    for (const [p, needs] of Object.entries(s.dependentRequired)) {
      if (has(d, p)) for (const need of needs) if (!has(d, need)) fail(run, "dependentRequired", { property: p, missingProperty: need }, "dependentRequired");
    }
  }
  if (s.minProperties !== undefined && keys.length < s.minProperties) fail(run, "minProperties", { limit: s.minProperties }, "minProperties");
  if (s.maxProperties !== undefined && keys.length > s.maxProperties) fail(run, "maxProperties", { limit: s.maxProperties }, "maxProperties");
  const patterns = s.patternProperties === undefined ? [] : Object.entries(s.patternProperties);
  for (const key of keys) {
    let matched = false;
    if (s.properties !== undefined && has(s.properties, key)) {
      matched = true;
      sub(run, s.properties[key]!, d[key], false, key, "properties", key);
    }
    for (const [p, ps] of patterns) {
      if (!regExp(p).test(key)) continue;
      matched = true;
      sub(run, ps, d[key], false, key, "patternProperties", p);
    }
    if (s.propertyNames !== undefined) {
      for (const issue of issuesOf(run, s.propertyNames, key)) run.issues!.push({ path: [...run.ip, key], message: `property name ${issue.message}` });
    }
    if (!matched && s.additionalProperties !== undefined) {
      if (s.additionalProperties === false) fail(run, "additionalProperties", { additionalProperty: key }, "additionalProperties");
      else sub(run, s.additionalProperties, d[key], false, key, "additionalProperties");
    }
  }
}

/** Checks a subschema one step down the schema (and, with `dataKey`, the value). */
function sub(run: Run, s: SchemaNode, data: unknown, composite: boolean, dataKey: string | number | undefined, keyword: string, index?: string | number): boolean {
  if (dataKey !== undefined) run.ip.push(dataKey);
  run.sp.push(keyword);
  if (index !== undefined) run.sp.push(index);
  const ok = check(run, s, data, composite);
  if (index !== undefined) run.sp.pop();
  run.sp.pop();
  if (dataKey !== undefined) run.ip.pop();
  return ok;
}

/**
 * Records a failed keyword. ajv mode: an ajv-shaped error, and `false` (stop). Collect mode: an
 * issue with a message, and `true` (keep going). `data` is only read for `type` messages.
 */
function fail(run: Run, keyword: string, params: Record<string, unknown>, schemaKeyword: string, data?: unknown): boolean {
  if (run.issues !== null) {
    describe(run, keyword, params, data);
    return true;
  }
  run.viaRef = false;
  let instancePath = "";
  for (const seg of run.ip) instancePath += `/${typeof seg === "number" ? seg : escapePointer(seg)}`;
  let schemaPath = "";
  for (let i = 0; i < run.sp.length; i++) {
    const seg = run.sp[i]!;
    schemaPath += i === 0 ? String(seg) : `/${typeof seg === "number" ? seg : escapeFragment(seg)}`;
  }
  schemaPath += `/${schemaKeyword}`;
  run.errors.push({ instancePath, schemaPath, keyword, params });
  return false;
}

/** Collect mode's messages: the model reads them to fix its call (after `path: `). */
function describe(run: Run, keyword: string, p: Record<string, unknown>, data: unknown): void {
  const n = (word: string, many = `${word}s`): string => `${p.limit as number} ${p.limit === 1 ? word : many}`;
  switch (keyword) {
    case "false schema":
      return void say(run, undefined, "no value is allowed here");
    case "type":
      return void say(run, undefined, `expected ${[p.type].flat().join(" or ")}, received ${typeOf(data)}`);
    case "const":
      return void say(run, undefined, `must be ${JSON.stringify(p.allowedValue)}`);
    case "enum":
      return void say(run, undefined, `must be one of ${(p.allowedValues as unknown[]).map((e) => JSON.stringify(e)).join(", ")}`);
    case "not":
      return void say(run, undefined, "must not match the schema under `not`");
    case "maximum":
    case "minimum":
    case "exclusiveMaximum":
    case "exclusiveMinimum":
      return void say(run, undefined, `must be ${p.comparison as string} ${p.limit as number}`);
    case "multipleOf":
      return void say(run, undefined, `must be a multiple of ${p.multipleOf as number}`);
    case "maxLength":
    case "minLength":
      return void say(run, undefined, `must have ${keyword === "maxLength" ? "at most" : "at least"} ${n("character")}`);
    case "pattern":
      return void say(run, undefined, `must match the pattern ${p.pattern as string}`);
    case "maxItems":
    case "minItems":
      return void say(run, undefined, `must have ${keyword === "maxItems" ? "at most" : "at least"} ${n("item")}`);
    case "contains":
      return void say(run, undefined, "must contain at least one matching item");
    case "uniqueItems":
      return void say(run, p.i as number, `duplicates item ${p.j as number} (items must be unique)`);
    case "maxProperties":
    case "minProperties":
      return void say(run, undefined, `must have ${keyword === "maxProperties" ? "at most" : "at least"} ${n("property", "properties")}`);
    case "required":
      return void say(run, p.missingProperty as string, "required property is missing");
    case "dependentRequired":
      return void say(run, p.missingProperty as string, `required when "${p.property as string}" is present`);
    case "additionalProperties":
      return void say(run, p.additionalProperty as string, "unknown property (not allowed by the schema)");
    default:
      return void say(run, undefined, `fails "${keyword}"`);
  }
}

/** Collect mode: one issue at the current value (or its child `key`); `true` = keep going. */
function say(run: Run, key: string | number | undefined, message: string): true {
  run.issues!.push({ path: key === undefined ? [...run.ip] : [...run.ip, key], message });
  return true;
}

function typeOf(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "array";
  if (typeof value === "number" && Number.isInteger(value)) return "integer";
  return typeof value;
}

/** Keywords that validate but are not implemented: refused so a tool never validates less than it claims. */
const UNSUPPORTED = new Set(["unevaluatedProperties", "unevaluatedItems", "dependentSchemas", "dependencies", "$dynamicRef", "$recursiveRef", "minContains", "maxContains", "contentSchema"]);
/** Keywords whose value is a schema, a schema array or a schema map: the scan descends into them. */
const SUBSCHEMA = new Set(["additionalProperties", "propertyNames", "contains", "not", "if", "then", "else", "additionalItems"]);
const SUBSCHEMA_ARRAY = new Set(["allOf", "anyOf", "oneOf", "prefixItems"]);
const SUBSCHEMA_MAP = new Set(["properties", "patternProperties", "$defs", "definitions"]);
const TYPES = new Set(["string", "number", "integer", "boolean", "object", "array", "null"]);
/** The walker compares these as numbers; `exclusiveMaximum`/`exclusiveMinimum` may also be draft-04's booleans. */
const NUMBER_VALUED = new Set(["maximum", "minimum", "exclusiveMaximum", "exclusiveMinimum", "multipleOf", "maxLength", "minLength", "maxItems", "minItems", "maxProperties", "minProperties"]);

/**
 * Definition-time walk of a user schema: refuses what the walker cannot check (or would misread),
 * compiles every pattern, and resolves every `$ref` into `defs`.
 */
function scan(schema: unknown, root: SchemaNode, at: string, defs: Record<string, SchemaNode>): void {
  if (typeof schema === "boolean") return;
  if (!isObject(schema)) throw new Error(`${at} is ${Array.isArray(schema) ? "an array" : typeof schema}, not a schema object`);
  for (const [key, value] of Object.entries(schema)) {
    if (UNSUPPORTED.has(key)) throw new Error(`${at} uses "${key}", which this validator does not support`);
    if (key === "$ref") {
      if (typeof value !== "string" || !value.startsWith("#")) throw new Error(`${at}/$ref is ${JSON.stringify(value)}; only local references ("#/$defs/…") are supported`);
      defs[value] = resolvePointer(root, value);
    } else if (key === "pattern") {
      if (typeof value !== "string") throw new Error(`${at}/pattern must be a string`);
      compilePattern(value, `${at}/pattern`);
    } else if (key === "type") {
      for (const t of [value].flat()) if (!TYPES.has(t as string)) throw new Error(`${at}/type has ${JSON.stringify(t)}, which is not a JSON Schema type`);
    } else if (key === "items") {
      if (Array.isArray(value)) value.forEach((s, i) => scan(s, root, `${at}/items/${i}`, defs));
      else scan(value, root, `${at}/items`, defs);
    } else if (NUMBER_VALUED.has(key)) {
      if (typeof value !== "number" && !(key.startsWith("exclusive") && typeof value === "boolean")) throw new Error(`${at}/${key} is ${JSON.stringify(value)}; it must be a number`);
    } else if (key === "enum" && !Array.isArray(value)) {
      throw new Error(`${at}/enum must be an array of the allowed values`);
    } else if (key === "dependentRequired" && !(isObject(value) && Object.values(value).every((v) => Array.isArray(v) && v.every((x) => typeof x === "string")))) {
      throw new Error(`${at}/dependentRequired must map property names to arrays of property names`);
    } else if (key === "required" && !(Array.isArray(value) && value.every((v) => typeof v === "string"))) {
      // Draft-03 put `required: true` on properties; models and validators read it differently.
      throw new Error(`${at}/required must be an array of property names`);
    } else if (SUBSCHEMA.has(key)) {
      if (typeof value === "boolean" || isObject(value)) scan(value, root, `${at}/${key}`, defs);
    } else if (SUBSCHEMA_ARRAY.has(key)) {
      if (!Array.isArray(value)) throw new Error(`${at}/${key} must be an array of schemas`);
      value.forEach((s, i) => scan(s, root, `${at}/${key}/${i}`, defs));
    } else if (SUBSCHEMA_MAP.has(key)) {
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

const escapePointer = (s: string): string => s.replace(/~/g, "~0").replace(/\//g, "~1");
const escapeFragment = (s: string): string => encodeURIComponent(escapePointer(s));

/** A JSON object (not an array, not null). */
export const isObject = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);

function isType(type: string, v: unknown): boolean {
  switch (type) {
    case "string":
      return typeof v === "string";
    case "number":
      return typeof v === "number" && Number.isFinite(v);
    case "integer":
      return typeof v === "number" && Number.isFinite(v) && v % 1 === 0;
    case "boolean":
      return typeof v === "boolean";
    case "null":
      return v === null;
    case "array":
      return Array.isArray(v);
    case "object":
      return isObject(v);
    default:
      throw new Error(`validator data names an unknown type "${type}": regenerate with \`pnpm codegen\``);
  }
}

const regExps = new Map<string, RegExp>();
function regExp(pattern: string): RegExp {
  let re = regExps.get(pattern);
  if (!re) regExps.set(pattern, (re = new RegExp(pattern, "u")));
  return re;
}

/** Length in Unicode code points (what JSON Schema minLength/maxLength count). */
export function ucs2length(str: string): number {
  let n = 0;
  for (let i = 0; i < str.length; i++, n++) {
    const c = str.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdbff && i + 1 < str.length) {
      const d = str.charCodeAt(i + 1);
      if (d >= 0xdc00 && d <= 0xdfff) i++;
    }
  }
  return n;
}

/** Structural equality of JSON values (const/enum/uniqueItems). */
export function equal(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== "object" || typeof b !== "object" || a === null || b === null) return a !== a && b !== b;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  const ka = Object.keys(a);
  if (ka.length !== Object.keys(b).length) return false;
  for (const k of ka) if (!Object.prototype.hasOwnProperty.call(b, k) || !equal((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k])) return false;
  return true;
}

const DAYS = [0, 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];
const isDigit = (c: number): boolean => c >= 0x30 && c <= 0x39;

/**
 * `/^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:[Zz]|[+-]\d{2}:\d{2})$/.test(str)` by character
 * codes: every event has a timestamp, and the regexp was the larger part of its check.
 */
function isDateTimeShape(str: string): boolean {
  const n = str.length;
  if (n < 20) return false;
  const sep = str.charCodeAt(10);
  if (str.charCodeAt(4) !== 0x2d || str.charCodeAt(7) !== 0x2d || (sep !== 0x54 && sep !== 0x74 && sep !== 0x20) || str.charCodeAt(13) !== 0x3a || str.charCodeAt(16) !== 0x3a) return false;
  for (let k = 0; k < 14; k++) if (!isDigit(str.charCodeAt(DATE_TIME_DIGIT_AT[k]!))) return false;
  let i = 19;
  if (str.charCodeAt(i) === 0x2e) {
    const start = ++i;
    while (i < n && isDigit(str.charCodeAt(i))) i++;
    if (i === start) return false;
  }
  const c = str.charCodeAt(i);
  if (i === n - 1) return c === 0x5a || c === 0x7a;
  return i === n - 6 && (c === 0x2b || c === 0x2d) && isDigit(str.charCodeAt(i + 1)) && isDigit(str.charCodeAt(i + 2)) && str.charCodeAt(i + 3) === 0x3a && isDigit(str.charCodeAt(i + 4)) && isDigit(str.charCodeAt(i + 5));
}
/** The offsets of the digits in `YYYY-MM-DDTHH:MM:SS`. */
const DATE_TIME_DIGIT_AT = Uint8Array.of(0, 1, 2, 3, 5, 6, 8, 9, 11, 12, 14, 15, 17, 18);

/** The number written by the ASCII digits at `i` and `i + 1`. */
const twoDigits = (s: string, i: number): number => (s.charCodeAt(i) - 48) * 10 + s.charCodeAt(i + 1) - 48;

/** The string formats the generator admits (`INTERPRETED_FORMATS` in codegen/src/emit/validators.ts). */
export const FORMATS: Readonly<Record<string, (s: string) => boolean>> = {
  /** RFC 3339 date-time (leap seconds allowed at 23:59:60 UTC-equivalent). */
  "date-time": (str) => {
    // Every event has a timestamp: read the fixed-width fields the pattern matched, allocating nothing.
    if (!isDateTimeShape(str)) return false;
    const y = twoDigits(str, 0) * 100 + twoDigits(str, 2), mo = twoDigits(str, 5), d = twoDigits(str, 8), h = twoDigits(str, 11), mi = twoDigits(str, 14), s = twoDigits(str, 17);
    const leap = y % 4 === 0 && (y % 100 !== 0 || y % 400 === 0);
    if (mo < 1 || mo > 12 || d < 1 || d > (mo === 2 && leap ? 29 : DAYS[mo]!)) return false;
    // Not "Z": the string ends in the offset `±HH:MM`.
    const end = str.length;
    const zone = str.charCodeAt(end - 1);
    if (zone !== 0x5a && zone !== 0x7a && (twoDigits(str, end - 5) > 23 || twoDigits(str, end - 2) > 59)) return false;
    if (h > 23 || mi > 59) return false;
    return s <= 59 || s === 60;
  },
  /** ISO 8601 duration. */
  duration: (str) => /^P(?!$)((\d+Y)?(\d+M)?(\d+D)?(T(?=\d)(\d+H)?(\d+M)?(\d+S)?)?|(\d+W)?)$/.test(str),
  /** Absolute URI: a scheme, a colon, and no whitespace. */
  uri: (str) => /^[A-Za-z][A-Za-z0-9+.-]*:[^\s]*$/.test(str),
  /** UUID (any version), optionally `urn:uuid:`-prefixed, any case. */
  uuid: (str) => isUuid(str),
};

/**
 * `/^(?:urn:uuid:)?[0-9a-f]{8}-(?:[0-9a-f]{4}-){3}[0-9a-f]{12}$/i` by character codes: every event
 * has two (`id`, `parentId`), and the regexp cost ~0.8 µs each on the recorded mix.
 */
function isUuid(str: string): boolean {
  let at = 0;
  if (str.length === 45) {
    if (str.slice(0, 9).toLowerCase() !== "urn:uuid:") return false;
    at = 9;
  } else if (str.length !== 36) return false;
  if (str.charCodeAt(at + 8) !== 0x2d || str.charCodeAt(at + 13) !== 0x2d || str.charCodeAt(at + 18) !== 0x2d || str.charCodeAt(at + 23) !== 0x2d) return false;
  for (let k = 0; k < 32; k++) {
    const c = str.charCodeAt(at + UUID_HEX_AT[k]!);
    if (c >= 128 || HEX[c] === 0) return false;
  }
  return true;
}
/** The offsets of the 32 hex digits in `8-4-4-4-12`. */
const UUID_HEX_AT = Uint8Array.from({ length: 36 }, (_, i) => i).filter((i) => i !== 8 && i !== 13 && i !== 18 && i !== 23);
/** 1 for the ASCII codes of `0-9a-fA-F`. */
const HEX = Uint8Array.from({ length: 128 }, (_, c) => ((c >= 0x30 && c <= 0x39) || ((c | 0x20) >= 0x61 && (c | 0x20) <= 0x66) ? 1 : 0));

// ---- ajv mode's fast path: each definition compiled once into closures ----

/**
 * Whether `data` matches, without paths or errors: `checkSchema` runs this first and walks the
 * schema (building ajv's errors) only for the rare value that fails. Events arrive by the
 * thousand per second; walking the schema objects and keeping paths for each one cost ~4× this.
 */
type Check = (data: unknown) => boolean;

interface Compiled {
  readonly defs: Readonly<Record<string, SchemaNode>>;
  readonly strict: boolean;
  /** Definition key → its check (a lazy stub until first called, so `$ref` cycles terminate). */
  readonly refs: Map<string, Check>;
}

/** Per definitions table: [lenient, strict]. */
const compiledTables = new WeakMap<object, [Compiled, Compiled]>();

function compiledRef(definitions: Readonly<Record<string, unknown>>, key: string, strict: boolean): Check {
  let pair = compiledTables.get(definitions);
  if (pair === undefined) {
    const defs = definitions as Readonly<Record<string, SchemaNode>>;
    pair = [
      { defs, strict: false, refs: new Map() },
      { defs, strict: true, refs: new Map() },
    ];
    compiledTables.set(definitions, pair);
  }
  return refCheck(pair[strict ? 1 : 0], key);
}

function refCheck(c: Compiled, key: string): Check {
  let check = c.refs.get(key);
  if (check !== undefined) return check;
  let compiled: Check | undefined;
  check = (data) => {
    if (compiled === undefined) {
      const schema = c.defs[key];
      // The walker's error, at the same moment (when the reference is first followed).
      if (schema === undefined) throw new Error(`validator data has no schema "${key}": regenerate with \`pnpm codegen\``);
      compiled = compileNode(c, schema);
      c.refs.set(key, compiled);
    }
    return compiled(data);
  };
  c.refs.set(key, check);
  return check;
}

/** Keywords the compiler handles in ajv mode; a node with any other key is left to the walker. */
const COMPILED_KEYWORDS = new Set([
  "$ref", "type", "const", "enum", "not", "anyOf", "oneOf", "allOf", "if", "then", "else",
  "maximum", "minimum", "exclusiveMaximum", "exclusiveMinimum", "multipleOf",
  "maxLength", "minLength", "pattern", "format",
  "maxItems", "minItems", "items", "contains", "uniqueItems",
  "maxProperties", "minProperties", "required", "propertyNames", "additionalProperties", "properties", "patternProperties",
]);
const TYPE_NAMES = new Set(["string", "number", "integer", "boolean", "null", "array", "object"]);

const pass: Check = () => true;
const reject: Check = () => false;

/** The walker's verdict for one node (its errors dropped): for shapes the compiler does not take. */
function walked(c: Compiled, s: SchemaNode): Check {
  return (data) => check({ defs: c.defs, strict: c.strict, errors: [], issues: null, ip: [], sp: [""], depth: 0, viaRef: false }, s, data, false);
}

function compileNode(c: Compiled, s: SchemaNode): Check {
  if (s === true) return pass;
  if (s === false) return reject;
  if (!isObject(s as unknown) || !compilable(s)) return walked(c, s);
  const t = s.type;
  const single = typeof t === "string" ? t : undefined;
  const parts: Check[] = [];
  // Each group applies to its own type only; a single matching `type` becomes the group's guard.
  const numbers = numberCheck(s);
  const strings = stringCheck(s);
  const arrays = arrayCheck(c, s);
  const objects = objectCheck(c, s);
  let typed = false;
  if (single === "object" && objects !== undefined) {
    parts.push((d) => isObject(d) && objects(d));
    typed = true;
  } else if (single === "string" && strings !== undefined) {
    parts.push((d) => typeof d === "string" && strings(d));
    typed = true;
  } else if (single === "array" && arrays !== undefined) {
    parts.push((d) => Array.isArray(d) && arrays(d));
    typed = true;
  } else if (single === "number" && numbers !== undefined) {
    parts.push((d) => typeof d === "number" && Number.isFinite(d) && numbers(d));
    typed = true;
  } else if (t !== undefined) parts.push(typeCheck(t));
  if (s.$ref !== undefined) parts.push(refCheck(c, s.$ref));
  if (s.const !== undefined) {
    const v = s.const;
    parts.push(typeof v !== "object" || v === null ? (Number.isNaN(v) ? (d) => equal(d, v) : (d) => d === v) : (d) => equal(d, v));
  }
  if (s.enum !== undefined) {
    const values = s.enum;
    if (values.every((v) => typeof v !== "object" || v === null)) {
      const set = new Set(values);
      parts.push((d) => set.has(d));
    } else parts.push((d) => values.some((v) => equal(d, v)));
  }
  if (s.not !== undefined) {
    const not = compileNode(c, s.not);
    parts.push((d) => !not(d));
  }
  if (s.anyOf !== undefined) {
    const branches = s.anyOf.map((b) => compileNode(c, b));
    parts.push((d) => {
      for (let i = 0; i < branches.length; i++) if (branches[i]!(d)) return true;
      return false;
    });
  }
  if (s.oneOf !== undefined) {
    const branches = s.oneOf.map((b) => compileNode(c, b));
    parts.push((d) => {
      let n = 0;
      for (let i = 0; i < branches.length; i++) if (branches[i]!(d) && ++n > 1) return false;
      return n === 1;
    });
  }
  if (s.allOf !== undefined) parts.push(every(s.allOf.map((b) => compileNode(c, b))));
  if (s.if !== undefined) {
    const cond = compileNode(c, s.if);
    const then = s.then === undefined ? pass : compileNode(c, s.then);
    const otherwise = s.else === undefined ? pass : compileNode(c, s.else);
    parts.push((d) => (cond(d) ? then(d) : otherwise(d)));
  }
  if (numbers !== undefined && !(typed && single === "number")) parts.push((d) => typeof d !== "number" || !Number.isFinite(d) || numbers(d));
  if (strings !== undefined && !(typed && single === "string")) parts.push((d) => typeof d !== "string" || strings(d));
  if (arrays !== undefined && !(typed && single === "array")) parts.push((d) => !Array.isArray(d) || arrays(d));
  if (objects !== undefined && !(typed && single === "object")) parts.push((d) => !isObject(d) || objects(d));
  return every(parts);
}

/** Whether every key is one the compiler handles exactly as the walker does. */
function compilable(s: SchemaObject): boolean {
  for (const key in s) if (!COMPILED_KEYWORDS.has(key)) return false;
  const t = s.type;
  if (t !== undefined && !(typeof t === "string" ? TYPE_NAMES.has(t) : Array.isArray(t) && t.every((x) => TYPE_NAMES.has(x)))) return false;
  if (s.format !== undefined && !has(FORMATS, s.format)) return false;
  // draft-04 boolean exclusives and draft-07 tuples: the walker's business.
  if (typeof s.exclusiveMaximum === "boolean" || typeof s.exclusiveMinimum === "boolean" || Array.isArray(s.items)) return false;
  return true;
}

function every(parts: readonly Check[]): Check {
  switch (parts.length) {
    case 0:
      return pass;
    case 1:
      return parts[0]!;
    case 2: {
      const [a, b] = parts as [Check, Check];
      return (d) => a(d) && b(d);
    }
    case 3: {
      const [a, b, e] = parts as [Check, Check, Check];
      return (d) => a(d) && b(d) && e(d);
    }
    default:
      return (d) => {
        for (let i = 0; i < parts.length; i++) if (!parts[i]!(d)) return false;
        return true;
      };
  }
}

function typeCheck(t: string | readonly string[]): Check {
  if (typeof t !== "string") {
    const checks = t.map(typeCheck);
    return (d) => checks.some((check) => check(d));
  }
  switch (t) {
    case "string":
      return (d) => typeof d === "string";
    case "number":
      return (d) => typeof d === "number" && Number.isFinite(d);
    case "integer":
      return (d) => typeof d === "number" && Number.isFinite(d) && d % 1 === 0;
    case "boolean":
      return (d) => typeof d === "boolean";
    case "null":
      return (d) => d === null;
    case "array":
      return Array.isArray;
    default:
      return isObject;
  }
}

/** The number keywords for a finite number (the walker's `numberKeywords`), or none. */
function numberCheck(s: SchemaObject): ((d: number) => boolean) | undefined {
  const { maximum, minimum, exclusiveMaximum, exclusiveMinimum, multipleOf } = s;
  if (maximum === undefined && minimum === undefined && exclusiveMaximum === undefined && exclusiveMinimum === undefined && multipleOf === undefined) return undefined;
  return (d) =>
    (maximum === undefined || d <= maximum) &&
    (minimum === undefined || d >= minimum) &&
    (typeof exclusiveMaximum !== "number" || d < exclusiveMaximum) &&
    (typeof exclusiveMinimum !== "number" || d > exclusiveMinimum) &&
    // ajv's exact test, as in the walker.
    (multipleOf === undefined || d / multipleOf === Number.parseInt(String(d / multipleOf)));
}

function stringCheck(s: SchemaObject): ((d: string) => boolean) | undefined {
  const { maxLength, minLength, pattern, format } = s;
  if (maxLength === undefined && minLength === undefined && pattern === undefined && format === undefined) return undefined;
  const re = pattern === undefined ? undefined : regExp(pattern);
  const f = format === undefined ? undefined : FORMATS[format];
  if (re === undefined && maxLength === undefined && minLength === undefined) return f;
  return (d) => (maxLength === undefined || ucs2length(d) <= maxLength) && (minLength === undefined || ucs2length(d) >= minLength) && (re === undefined || re.test(d)) && (f === undefined || f(d));
}

function arrayCheck(c: Compiled, s: SchemaObject): ((d: readonly unknown[]) => boolean) | undefined {
  const { maxItems, minItems, contains, uniqueItems } = s;
  if (maxItems === undefined && minItems === undefined && s.items === undefined && contains === undefined && uniqueItems === undefined) return undefined;
  const items = s.items === undefined ? undefined : compileNode(c, s.items as SchemaNode);
  const some = contains === undefined ? undefined : compileNode(c, contains);
  return (d) => {
    if ((maxItems !== undefined && d.length > maxItems) || (minItems !== undefined && d.length < minItems)) return false;
    if (items !== undefined && items !== pass) for (let i = 0; i < d.length; i++) if (!items(d[i])) return false;
    if (some !== undefined) {
      let found = false;
      for (let i = 0; i < d.length && !found; i++) found = some(d[i]);
      if (!found) return false;
    }
    return !(uniqueItems === true && d.length > 1 && duplicate(s, d) !== null);
  };
}

function objectCheck(c: Compiled, s: SchemaObject): ((d: Record<string, unknown>) => boolean) | undefined {
  if (!hasObjectKeywords(s, c.strict)) return undefined;
  const { maxProperties, minProperties, properties } = s;
  const required = s.required ?? [];
  const names = properties === undefined ? [] : Object.keys(properties);
  const checks = names.map((p) => compileNode(c, properties![p]!));
  const names2 = names.filter((_, i) => checks[i] !== pass);
  const checks2 = checks.filter((check) => check !== pass);
  const propertyNames = s.propertyNames === undefined ? undefined : compileNode(c, s.propertyNames);
  const patternKeys = s.patternProperties === undefined ? [] : Object.keys(s.patternProperties);
  const patterns = patternKeys.map(regExp);
  const patternChecks = patternKeys.map((p) => compileNode(c, s.patternProperties![p]!));
  const ap = s.additionalProperties;
  // Lenient: `additionalProperties: false` counts as absent (see `hasObjectKeywords`).
  const additional = ap === undefined || ap === true || (ap === false && !c.strict) ? undefined : ap === false ? reject : compileNode(c, ap);
  return (d) => {
    if (maxProperties !== undefined && Object.keys(d).length > maxProperties) return false;
    if (minProperties !== undefined && Object.keys(d).length < minProperties) return false;
    for (let i = 0; i < required.length; i++) if (d[required[i]!] === undefined) return false;
    if (propertyNames !== undefined) for (const key in d) if (!propertyNames(key)) return false;
    if (additional !== undefined) {
      for (const key in d) {
        if (properties !== undefined && has(properties, key)) continue;
        if (patterns.some((re) => re.test(key))) continue;
        if (!additional(d[key])) return false;
      }
    }
    for (let i = 0; i < names2.length; i++) {
      const v = d[names2[i]!];
      if (v !== undefined && !checks2[i]!(v)) return false;
    }
    for (let i = 0; i < patterns.length; i++) for (const key in d) if (patterns[i]!.test(key) && !patternChecks[i]!(d[key])) return false;
    return true;
  };
}
