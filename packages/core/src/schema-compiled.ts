/**
 * ajv mode's fast path: each definition compiled once into closures that say whether a value
 * matches, without paths or errors. `checkSchema` runs this first and walks the schema (building
 * ajv's errors) only for the rare value that fails. Events arrive by the thousand per second;
 * walking the schema objects and keeping paths for each one cost ~4× this.
 */
import { INTERPRETED_KEYWORDS, JSON_TYPES } from "./schema-keywords.js";
import type { SchemaNode, SchemaObject } from "./schema-types.js";
import { equal, FORMATS, has, isObject, regExp, ucs2length } from "./schema-values.js";
import { check, duplicate, hasObjectKeywords } from "./schema-walker.js";

type Check = (data: unknown) => boolean;

interface Compiled {
  readonly defs: Readonly<Record<string, SchemaNode>>;
  readonly strict: boolean;
  /** Definition key → its check (a lazy stub until first called, so `$ref` cycles terminate). */
  readonly refs: Map<string, Check>;
  /** Definitions whose compilation is under way (a `$ref` back to one of them is a cycle). */
  readonly compiling: Set<string>;
}

/** Per definitions table: [lenient, strict]. */
const compiledTables = new WeakMap<object, [Compiled, Compiled]>();

export function compiledRef(definitions: Readonly<Record<string, unknown>>, key: string, strict: boolean): Check {
  return refCheck(tables(definitions, strict), key);
}

/** The closure check of one node of `definitions` (`schema-function.ts` hands it the shapes it does not write out). */
export function compiledNode(definitions: Readonly<Record<string, unknown>>, node: SchemaNode, strict: boolean): Check {
  return compileNode(tables(definitions, strict), node);
}

function tables(definitions: Readonly<Record<string, unknown>>, strict: boolean): Compiled {
  let pair = compiledTables.get(definitions);
  if (pair === undefined) {
    const defs = definitions as Readonly<Record<string, SchemaNode>>;
    pair = [
      { defs, strict: false, refs: new Map(), compiling: new Set() },
      { defs, strict: true, refs: new Map(), compiling: new Set() },
    ];
    compiledTables.set(definitions, pair);
  }
  return pair[strict ? 1 : 0];
}

function refCheck(c: Compiled, key: string): Check {
  let check = c.refs.get(key);
  if (check !== undefined) return check;
  const schema = c.defs[key];
  if (schema !== undefined && !c.compiling.has(key)) {
    // Compiled now, so each `$ref` costs nothing at run time; a cycle back to a definition being
    // compiled (and a missing one, which throws when first followed) gets the lazy stub below.
    c.compiling.add(key);
    try {
      check = compileNode(c, schema);
    } finally {
      c.compiling.delete(key);
    }
    c.refs.set(key, check);
    return check;
  }
  let compiled: Check | undefined;
  check = (data) => {
    if (compiled === undefined) {
      const done = c.refs.get(key);
      if (done !== undefined && done !== check) return (compiled = done)(data);
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
  } else if (t !== undefined && !(single !== undefined && valuesImplyType(s, single))) parts.push(typeCheck(t));
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
export function compilable(s: SchemaObject): boolean {
  for (const key in s) if (!INTERPRETED_KEYWORDS.has(key)) return false;
  const t = s.type;
  if (t !== undefined && !(typeof t === "string" ? JSON_TYPES.has(t) : Array.isArray(t) && t.every((x) => JSON_TYPES.has(x)))) return false;
  if (s.format !== undefined && !has(FORMATS, s.format)) return false;
  // draft-04 boolean exclusives and draft-07 tuples: the walker's business.
  if (typeof s.exclusiveMaximum === "boolean" || typeof s.exclusiveMinimum === "boolean" || Array.isArray(s.items)) return false;
  return true;
}

/** Whether `const`/`enum` admit only values of this one type (so checking the type cannot fail after them). */
export function valuesImplyType(s: SchemaObject, type: string): boolean {
  const values = s.const !== undefined ? [s.const] : s.enum;
  if (values === undefined || values.length === 0) return false;
  return values.every((v) => {
    switch (type) {
      case "string":
        return typeof v === "string";
      case "boolean":
        return typeof v === "boolean";
      case "number":
        return typeof v === "number" && Number.isFinite(v);
      case "integer":
        return typeof v === "number" && Number.isFinite(v) && v % 1 === 0;
      default:
        return false;
    }
  });
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
  if (maximum === undefined && minimum === undefined && exclusiveMaximum === undefined && exclusiveMinimum === undefined && multipleOf === undefined)
    return undefined;
  return (d) =>
    (maximum === undefined || d <= maximum) &&
    (minimum === undefined || d >= minimum) &&
    (typeof exclusiveMaximum !== "number" || d < exclusiveMaximum) &&
    (typeof exclusiveMinimum !== "number" || d > exclusiveMinimum) &&
    // ajv's exact test, as in the walker.
    (multipleOf === undefined || d / multipleOf === Number.parseInt(String(d / multipleOf), 10));
}

function stringCheck(s: SchemaObject): ((d: string) => boolean) | undefined {
  const { maxLength, minLength, pattern, format } = s;
  if (maxLength === undefined && minLength === undefined && pattern === undefined && format === undefined) return undefined;
  const re = pattern === undefined ? undefined : regExp(pattern);
  const f = format === undefined ? undefined : FORMATS[format];
  if (re === undefined && maxLength === undefined && minLength === undefined) return f;
  return (d) =>
    (maxLength === undefined || ucs2length(d) <= maxLength) &&
    (minLength === undefined || ucs2length(d) >= minLength) &&
    (re === undefined || re.test(d)) &&
    (f === undefined || f(d));
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
  // A required property that also has a check is read once, in the checks' loop.
  const required2 = names2.map((name) => required.includes(name));
  const requiredOnly = required.filter((name) => !names2.includes(name));
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
    for (let i = 0; i < requiredOnly.length; i++) if (d[requiredOnly[i]!] === undefined) return false;
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
      if (v === undefined) {
        if (required2[i]) return false;
      } else if (!checks2[i]!(v)) return false;
    }
    for (let i = 0; i < patterns.length; i++) for (const key in d) if (patterns[i]!.test(key) && !patternChecks[i]!(d[key])) return false;
    return true;
  };
}
