/**
 * The schema walker shared by both modes of the checker (the flag is `run.issues`):
 * - ajv mode (`run.issues === null`, entry `schema-check.ts`): generated schema data with the
 *   semantics and error objects of ajv 8 (draft 2019-09, `allErrors: false`); the first failure
 *   stops. `codegen/test/validators-parity.test.ts` pins it to ajv.
 * - collect mode (entry `json-schema-validator.ts`): a user's tool schema, every issue collected
 *   with a message, plus keywords only such schemas use (tuples, `nullable`, `dependentRequired`).
 * The two share every keyword's logic, so they share one walker; what differs is said per branch.
 */
import { describe, say } from "./schema-messages.js";
import type { JsonSchemaIssue, Run, SchemaNode, SchemaObject } from "./schema-types.js";
import { equal, escapeFragment, escapePointer, has, isObject, isType, regExp, ucs2length, FORMATS } from "./schema-values.js";

const MAX_REF_DEPTH = 256;

export function ref(run: Run, key: string, data: unknown): boolean {
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
export function check(run: Run, s: SchemaNode, data: unknown, composite: boolean): boolean {
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
  if (hasNumberKeywords(s)) {
    if (typeof data === "number" && Number.isFinite(data)) {
      if (!numberKeywords(run, s, data)) return false;
    } else if (deferred === "number") return fail(run, "type", { type: t }, "type");
  }
  if (hasStringKeywords(s)) {
    if (typeof data === "string") {
      if (!stringKeywords(run, s, data)) return false;
    } else if (deferred === "string") return fail(run, "type", { type: t }, "type");
  }
  if (hasArrayKeywords(s) || (all && (s.prefixItems !== undefined || s.additionalItems !== undefined))) {
    if (Array.isArray(data)) {
      if (!arrayKeywords(run, s, data, composite)) return false;
    } else if (deferred === "array") return fail(run, "type", { type: t }, "type");
  }
  if (hasObjectKeywords(s, run.strict) || (all && s.dependentRequired !== undefined)) {
    if (isObject(data)) {
      if (!objectKeywords(run, s, data, composite)) return false;
    } else if (deferred === "object") return fail(run, "type", { type: t }, "type");
  }
  if (all && (s.not !== undefined || s.allOf !== undefined || s.anyOf !== undefined || s.oneOf !== undefined || s.if !== undefined))
    combined(run, s, data, composite);
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
  const branch = (b: SchemaNode): JsonSchemaIssue[] => issuesOf(run, b, data);
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
function issuesOf(run: Run, s: SchemaNode, data: unknown): JsonSchemaIssue[] {
  const saved = run.issues;
  const out: JsonSchemaIssue[] = (run.issues = []);
  check(run, s, data, false);
  run.issues = saved;
  return out;
}

const closest = (branches: JsonSchemaIssue[][]): JsonSchemaIssue[] => branches.reduce((best, b) => (b.length < best.length ? b : best), branches[0] ?? []);

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
  if (
    typeof s.exclusiveMaximum === "number" &&
    !(d < s.exclusiveMaximum) &&
    !fail(run, "exclusiveMaximum", { comparison: "<", limit: s.exclusiveMaximum }, "exclusiveMaximum")
  )
    return false;
  if (
    typeof s.exclusiveMinimum === "number" &&
    !(d > s.exclusiveMinimum) &&
    !fail(run, "exclusiveMinimum", { comparison: ">", limit: s.exclusiveMinimum }, "exclusiveMinimum")
  )
    return false;
  if (s.multipleOf !== undefined) {
    const q = d / s.multipleOf;
    // ajv's exact test for the pinned schemas; user schemas get a tolerance (0.3 is a multiple of 0.1).
    const off = run.issues === null ? q !== Number.parseInt(String(q), 10) : s.multipleOf > 0 && Math.abs(q - Math.round(q)) > 1e-9;
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
export function duplicate(s: SchemaObject, d: readonly unknown[]): [number, number] | null {
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
export const hasObjectKeywords = (s: SchemaObject, strict: boolean): boolean =>
  s.maxProperties !== undefined ||
  s.minProperties !== undefined ||
  s.required !== undefined ||
  s.propertyNames !== undefined ||
  (s.additionalProperties !== undefined && (strict || s.additionalProperties !== false)) ||
  s.properties !== undefined ||
  s.patternProperties !== undefined;

const hasNumberKeywords = (s: SchemaObject): boolean =>
  s.maximum !== undefined ||
  s.minimum !== undefined ||
  s.exclusiveMaximum !== undefined ||
  s.exclusiveMinimum !== undefined ||
  s.multipleOf !== undefined ||
  s.format !== undefined;

const hasStringKeywords = (s: SchemaObject): boolean =>
  s.maxLength !== undefined || s.minLength !== undefined || s.pattern !== undefined || s.format !== undefined;

const hasArrayKeywords = (s: SchemaObject): boolean =>
  s.maxItems !== undefined || s.minItems !== undefined || s.items !== undefined || s.contains !== undefined || s.uniqueItems !== undefined;

/** Whether `s` has keywords of `type`'s group (checked in that group's branch, as ajv does). */
function hasGroupKeywords(s: SchemaObject, type: string, strict: boolean): boolean {
  switch (type) {
    case "number":
      return hasNumberKeywords(s);
    case "string":
      return hasStringKeywords(s);
    case "array":
      return hasArrayKeywords(s);
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
      if (props !== undefined && Object.hasOwn(props, key)) continue;
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
function sub(
  run: Run,
  s: SchemaNode,
  data: unknown,
  composite: boolean,
  dataKey: string | number | undefined,
  keyword: string,
  index?: string | number,
): boolean {
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
