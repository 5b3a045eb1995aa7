/**
 * ajv mode's fastest check: one definition of the schema data turned, at first use, into the
 * source text of a JavaScript function and compiled with `new Function` (as ajv does). It says
 * exactly what the closures of `schema-compiled.ts` say (tests compare the two, and both to ajv,
 * on every shipped definition), but as straight-line code: properties read by constant names,
 * no closure call per keyword, `$ref`s written inline. Events arrive by the thousand per second,
 * and the closures cost ~2× this.
 *
 * Where code may not be generated from strings (a Content-Security-Policy without
 * `unsafe-eval`, `node --disallow-code-generation-from-strings`), `new Function` throws an
 * `EvalError`: `schemaFunction` then returns `undefined` and the caller keeps the closures.
 * The generator (`@flightdeck/copilot-codegen`) ships data only; this code is written here.
 */
import { compilable, compiledNode, valuesImplyType } from "./schema-compiled.js";
import { NUMBER_VALUED_KEYWORDS } from "./schema-keywords.js";
import type { SchemaNode, SchemaObject } from "./schema-types.js";
import { equal, FORMATS, isObject, regExp, ucs2length } from "./schema-values.js";
import { duplicate, hasObjectKeywords } from "./schema-walker.js";

type Check = (data: unknown) => boolean;

/** `$ref`s nested deeper than this, or back to a definition being written, become calls of a function of their own. */
const MAX_INLINE_DEPTH = 4;
/** A definition longer than this (as JSON) is written once as a function and called, not copied into each use. */
const MAX_INLINE_CHARS = 3000;

/** Per definitions table: [lenient, strict], key → function. */
const functionTables = new WeakMap<object, [Map<string, Check>, Map<string, Check>]>();
/** Whether `new Function` is allowed here; found out on first use. */
let codegenAllowed: boolean | undefined;

/**
 * The check of `definitions[key]` as a generated function, or `undefined` where code generation
 * from strings is not allowed (then `compiledRef`'s closures are the check).
 */
export function schemaFunction(definitions: Readonly<Record<string, unknown>>, key: string, strict: boolean): Check | undefined {
  if (codegenAllowed === false) return undefined;
  let pair = functionTables.get(definitions);
  if (pair === undefined) functionTables.set(definitions, (pair = [new Map(), new Map()]));
  const cache = pair[strict ? 1 : 0];
  const found = cache.get(key);
  if (found !== undefined) return found;
  const { source, externals } = schemaFunctionSource(definitions, key, strict);
  let made: Check;
  try {
    made = new Function("E", source)(externals) as Check;
  } catch (error) {
    // Not allowed here: remember it, and let the closures check. Any other error is a bug in the writer below.
    if (!(error instanceof EvalError)) throw error;
    codegenAllowed = false;
    return undefined;
  }
  codegenAllowed = true;
  cache.set(key, made);
  return made;
}

/**
 * The body of the function `schemaFunction` compiles (`E` holds the values it refers to:
 * regexps, formats, enum sets, closures for the rare shapes it leaves to them). Exported for tests.
 */
export function schemaFunctionSource(definitions: Readonly<Record<string, unknown>>, key: string, strict: boolean): { source: string; externals: unknown[] } {
  const w = new Writer(definitions as Readonly<Record<string, SchemaNode>>, strict);
  const root = w.definitionFunction(key);
  const head = w.externals.map((_, i) => `const e${i} = E[${i}];`).join("\n");
  return { source: `"use strict";\n${head}\n${w.functions.join("\n")}\nreturn ${root};`, externals: w.externals };
}

const lit = (v: unknown): string => JSON.stringify(v);

class Writer {
  readonly externals: unknown[] = [];
  readonly functions: string[] = [];
  readonly #definitionNames = new Map<string, string>();
  readonly #externalNames = new Map<unknown, string>();
  readonly #sizes = new Map<string, number>();
  #n = 0;

  constructor(
    readonly defs: Readonly<Record<string, SchemaNode>>,
    readonly strict: boolean,
  ) {}

  /** A value the code refers to (written once at the top as `const eN`). */
  external(value: unknown): string {
    let name = this.#externalNames.get(value);
    if (name === undefined) {
      name = `e${this.externals.length}`;
      this.externals.push(value);
      this.#externalNames.set(value, name);
    }
    return name;
  }

  fresh(prefix: string): string {
    return `${prefix}${this.#n++}`;
  }

  /** The name of the function checking definition `key` (written on first use; cycles call it by name). */
  definitionFunction(key: string): string {
    let name = this.#definitionNames.get(key);
    if (name !== undefined) return name;
    const schema = this.defs[key];
    if (schema === undefined) {
      // The closures throw the walker's error when such a reference is first followed: the same here.
      name = this.external(compiledNode(this.defs, { $ref: key }, this.strict));
      this.#definitionNames.set(key, name);
      return name;
    }
    name = this.fresh("r");
    this.#definitionNames.set(key, name);
    this.functions.push(`function ${name}(d) {\n${this.statements(schema, "d", [key])}return true;\n}`);
    return name;
  }

  /** A function of its own for `s`, returning its name (for checks needed as a boolean). */
  #function(s: SchemaNode, stack: readonly string[]): string {
    const name = this.fresh("f");
    this.functions.push(`function ${name}(d) {\n${this.statements(s, "d", stack)}return true;\n}`);
    return name;
  }

  /** A boolean expression: whether the value in variable `x` matches `s`. */
  test(s: SchemaNode, x: string, stack: readonly string[]): string {
    if (s === true) return "true";
    if (s === false) return "false";
    const simple = this.#simple(s, x);
    if (simple !== undefined) return simple;
    if (isObject(s as unknown) && Object.keys(s).length === 1 && typeof (s as SchemaObject).$ref === "string") {
      const target = this.defs[(s as SchemaObject).$ref!];
      const inline = target === undefined ? undefined : target === true || target === false ? String(target) : this.#simple(target, x);
      return inline ?? `${this.#ref((s as SchemaObject).$ref!, stack)}(${x})`;
    }
    return `${this.#function(s, stack)}(${x})`;
  }

  /** Statements that `return false` unless the value in variable `x` matches `s`. */
  statements(s: SchemaNode, x: string, stack: readonly string[]): string {
    if (s === true) return "";
    if (s === false) return "return false;\n";
    if (!isObject(s as unknown) || !compilable(s)) return `if (!${this.external(compiledNode(this.defs, s, this.strict))}(${x})) return false;\n`;
    const simple = this.#simple(s, x);
    if (simple !== undefined) return simple === "true" ? "" : `if (!(${simple})) return false;\n`;
    let out = "";
    const t = s.type;
    const single = typeof t === "string" ? t : undefined;
    const numbers = this.#numbers(s, x);
    const strings = this.#strings(s, x);
    const arrays = this.#arrays(s, x, stack);
    const objects = this.#objects(s, x, stack);
    // As in the closures: a single `type` guards its own keyword group; the other groups apply only to their type.
    let typed = false;
    if (single === "object" && objects !== undefined) {
      out += `if (typeof ${x} !== "object" || ${x} === null || Array.isArray(${x})) return false;\n${objects}`;
      typed = true;
    } else if (single === "string" && strings !== undefined) {
      out += `if (typeof ${x} !== "string") return false;\n${strings}`;
      typed = true;
    } else if (single === "array" && arrays !== undefined) {
      out += `if (!Array.isArray(${x})) return false;\n${arrays}`;
      typed = true;
    } else if ((single === "number" || single === "integer") && numbers !== undefined) {
      // (An integer is a finite number: its number keywords need no guard of their own.)
      out += `if (!(${typeTest(single, x)})) return false;\n${numbers}`;
      typed = true;
    } else if (t !== undefined && !(single !== undefined && valuesImplyType(s, single))) out += `if (!(${typeTest(t, x)})) return false;\n`;
    if (s.$ref !== undefined) out += this.#refStatements(s.$ref, x, stack);
    if (s.const !== undefined) out += `if (!(${this.#constTest(s.const, x)})) return false;\n`;
    if (s.enum !== undefined) out += `if (!(${this.#enumTest(s.enum, x)})) return false;\n`;
    if (s.not !== undefined) out += `if (${this.test(s.not, x, stack)}) return false;\n`;
    if (s.anyOf !== undefined) out += `if (!(${s.anyOf.map((b) => this.test(b, x, stack)).join(" || ") || "false"})) return false;\n`;
    if (s.oneOf !== undefined) {
      const n = this.fresh("n");
      out += `let ${n} = 0;\n`;
      for (const b of s.oneOf) out += `if (${this.test(b, x, stack)} && ++${n} > 1) return false;\n`;
      out += `if (${n} !== 1) return false;\n`;
    }
    if (s.allOf !== undefined) for (const b of s.allOf) out += this.statements(b, x, stack);
    if (s.if !== undefined) {
      const then = s.then === undefined ? "" : this.statements(s.then, x, stack);
      const otherwise = s.else === undefined ? "" : this.statements(s.else, x, stack);
      out += `if (${this.test(s.if, x, stack)}) {\n${then}} else {\n${otherwise}}\n`;
    }
    if (numbers !== undefined && !(typed && (single === "number" || single === "integer")))
      out += `if (typeof ${x} === "number" && Number.isFinite(${x})) {\n${numbers}}\n`;
    if (strings !== undefined && !(typed && single === "string")) out += `if (typeof ${x} === "string") {\n${strings}}\n`;
    if (arrays !== undefined && !(typed && single === "array")) out += `if (Array.isArray(${x})) {\n${arrays}}\n`;
    if (objects !== undefined && !(typed && single === "object"))
      out += `if (typeof ${x} === "object" && ${x} !== null && !Array.isArray(${x})) {\n${objects}}\n`;
    return out;
  }

  /**
   * One expression for a node of scalar keywords only (`type`, `const`, `enum`, string and
   * number keywords): most leaves of the schemas. `undefined` for any other node.
   */
  #simple(s: SchemaNode, x: string): string | undefined {
    if (typeof s !== "object" || !compilable(s)) return undefined;
    for (const k in s) if (!SCALAR_KEYWORDS.has(k)) return undefined;
    const t = s.type;
    const single = typeof t === "string" ? t : undefined;
    const parts: string[] = [];
    const numbers = this.#numberConditions(s, x);
    const strings = this.#stringConditions(s, x);
    let typed = false;
    if (single === "string" && strings.length > 0) {
      parts.push(`typeof ${x} === "string"`, ...strings);
      typed = true;
    } else if ((single === "number" || single === "integer") && numbers.length > 0) {
      parts.push(typeTest(single, x), ...numbers);
      typed = true;
    } else if (t !== undefined && !(single !== undefined && valuesImplyType(s, single))) parts.push(`(${typeTest(t, x)})`);
    if (s.const !== undefined) parts.push(`(${this.#constTest(s.const, x)})`);
    if (s.enum !== undefined) parts.push(`(${this.#enumTest(s.enum, x)})`);
    if (numbers.length > 0 && !(typed && (single === "number" || single === "integer")))
      parts.push(`(typeof ${x} !== "number" || !Number.isFinite(${x}) || (${numbers.join(" && ")}))`);
    if (strings.length > 0 && !(typed && single === "string")) parts.push(`(typeof ${x} !== "string" || (${strings.join(" && ")}))`);
    return parts.length === 0 ? "true" : parts.join(" && ");
  }

  #refStatements(key: string, x: string, stack: readonly string[]): string {
    const schema = this.defs[key];
    const simple = schema === undefined ? undefined : this.#simple(schema, x);
    if (simple !== undefined) return simple === "true" ? "" : `if (!(${simple})) return false;\n`;
    if (schema !== undefined && !stack.includes(key) && stack.length < MAX_INLINE_DEPTH && this.#size(key) <= MAX_INLINE_CHARS)
      return this.statements(schema, x, [...stack, key]);
    return `if (!${this.definitionFunction(key)}(${x})) return false;\n`;
  }

  #ref(key: string, stack: readonly string[]): string {
    const schema = this.defs[key];
    if (schema !== undefined && !stack.includes(key) && stack.length < MAX_INLINE_DEPTH && this.#size(key) <= MAX_INLINE_CHARS)
      return this.#function(schema, [...stack, key]);
    return this.definitionFunction(key);
  }

  #size(key: string): number {
    let n = this.#sizes.get(key);
    if (n === undefined) this.#sizes.set(key, (n = JSON.stringify(this.defs[key]).length));
    return n;
  }

  #constTest(v: unknown, x: string): string {
    return typeof v !== "object" || v === null ? `${x} === ${lit(v)}` : `${this.external(equal)}(${x}, ${this.external(v)})`;
  }

  #enumTest(values: readonly unknown[], x: string): string {
    if (values.every((v) => typeof v !== "object" || v === null)) {
      if (values.length === 0) return "false";
      if (values.length <= 8) return values.map((v) => `${x} === ${lit(v)}`).join(" || ");
      return `${this.external(new Set(values))}.has(${x})`;
    }
    const eq = this.external(equal);
    return values.map((v) => (typeof v !== "object" || v === null ? `${x} === ${lit(v)}` : `${eq}(${x}, ${this.external(v)})`)).join(" || ");
  }

  /** The number keywords as conditions on a finite number in `x` (the closures' `numberCheck`). */
  #numberConditions(s: SchemaObject, x: string): string[] {
    const out: string[] = [];
    if (s.maximum !== undefined) out.push(`${x} <= ${num(s.maximum)}`);
    if (s.minimum !== undefined) out.push(`${x} >= ${num(s.minimum)}`);
    if (typeof s.exclusiveMaximum === "number") out.push(`${x} < ${num(s.exclusiveMaximum)}`);
    if (typeof s.exclusiveMinimum === "number") out.push(`${x} > ${num(s.exclusiveMinimum)}`);
    // ajv's exact test, as in the walker.
    if (s.multipleOf !== undefined) out.push(`${x} / ${num(s.multipleOf)} === Number.parseInt(String(${x} / ${num(s.multipleOf)}), 10)`);
    return out;
  }

  #numbers(s: SchemaObject, x: string): string | undefined {
    const conditions = this.#numberConditions(s, x);
    return conditions.length === 0 ? undefined : `if (!(${conditions.join(" && ")})) return false;\n`;
  }

  /** The string keywords as conditions on a string in `x`. */
  #stringConditions(s: SchemaObject, x: string): string[] {
    const out: string[] = [];
    if (s.maxLength !== undefined) out.push(`${this.external(ucs2length)}(${x}) <= ${num(s.maxLength)}`);
    if (s.minLength !== undefined) out.push(`${this.external(ucs2length)}(${x}) >= ${num(s.minLength)}`);
    if (s.pattern !== undefined) out.push(`${this.external(regExp(s.pattern))}.test(${x})`);
    if (s.format !== undefined) out.push(`${this.external(FORMATS[s.format])}(${x})`);
    return out;
  }

  #strings(s: SchemaObject, x: string): string | undefined {
    const conditions = this.#stringConditions(s, x);
    return conditions.length === 0 ? undefined : `if (!(${conditions.join(" && ")})) return false;\n`;
  }

  #arrays(s: SchemaObject, x: string, stack: readonly string[]): string | undefined {
    const { maxItems, minItems, contains, uniqueItems } = s;
    if (maxItems === undefined && minItems === undefined && s.items === undefined && contains === undefined && uniqueItems === undefined) return undefined;
    let out = "";
    if (maxItems !== undefined) out += `if (${x}.length > ${num(maxItems)}) return false;\n`;
    if (minItems !== undefined) out += `if (${x}.length < ${num(minItems)}) return false;\n`;
    if (s.items !== undefined) {
      const i = this.fresh("i");
      const v = this.fresh("v");
      const body = this.statements(s.items as SchemaNode, v, stack);
      if (body !== "") out += `for (let ${i} = 0; ${i} < ${x}.length; ${i}++) {\nconst ${v} = ${x}[${i}];\n${body}}\n`;
    }
    if (contains !== undefined) {
      const i = this.fresh("i");
      const v = this.fresh("v");
      const found = this.fresh("c");
      out += `let ${found} = false;\nfor (let ${i} = 0; ${i} < ${x}.length; ${i}++) {\nconst ${v} = ${x}[${i}];\nif (${this.test(contains, v, stack)}) { ${found} = true; break; }\n}\nif (!${found}) return false;\n`;
    }
    if (uniqueItems === true) out += `if (${x}.length > 1 && ${this.external(duplicate)}(${this.external(s)}, ${x}) !== null) return false;\n`;
    return out;
  }

  /** The object keywords for an object in `x` (the closures' `objectCheck`). */
  #objects(s: SchemaObject, x: string, stack: readonly string[]): string | undefined {
    if (!hasObjectKeywords(s, this.strict)) return undefined;
    const { maxProperties, minProperties, properties } = s;
    const required = s.required ?? [];
    let out = "";
    if (maxProperties !== undefined) out += `if (Object.keys(${x}).length > ${num(maxProperties)}) return false;\n`;
    if (minProperties !== undefined) out += `if (Object.keys(${x}).length < ${num(minProperties)}) return false;\n`;
    const names = properties === undefined ? [] : Object.keys(properties);
    for (const name of required) if (!names.includes(name)) out += `if (${x}[${lit(name)}] === undefined) return false;\n`;
    if (s.propertyNames !== undefined) {
      const k = this.fresh("k");
      out += `for (const ${k} in ${x}) if (!(${this.test(s.propertyNames, k, stack)})) return false;\n`;
    }
    const patternKeys = s.patternProperties === undefined ? [] : Object.keys(s.patternProperties);
    const ap = s.additionalProperties;
    // Lenient: `additionalProperties: false` counts as absent (see `hasObjectKeywords`).
    if (!(ap === undefined || ap === true || (ap === false && !this.strict))) {
      const k = this.fresh("k");
      const v = this.fresh("v");
      let loop = `for (const ${k} in ${x}) {\n`;
      if (names.length > 0) loop += `switch (${k}) {\n${names.map((n) => `case ${lit(n)}:`).join("\n")}\ncontinue;\n}\n`;
      for (const p of patternKeys) loop += `if (${this.external(regExp(p))}.test(${k})) continue;\n`;
      loop += ap === false ? "return false;\n" : `const ${v} = ${x}[${k}];\n${this.statements(ap, v, stack)}`;
      out += `${loop}}\n`;
    }
    for (const name of names) {
      const v = this.fresh("v");
      const check = this.statements(properties![name]!, v, stack);
      const isRequired = required.includes(name);
      if (check === "") {
        if (isRequired) out += `if (${x}[${lit(name)}] === undefined) return false;\n`;
        continue;
      }
      out += isRequired
        ? `const ${v} = ${x}[${lit(name)}];\nif (${v} === undefined) return false;\n${check}`
        : `const ${v} = ${x}[${lit(name)}];\nif (${v} !== undefined) {\n${check}}\n`;
    }
    for (const p of patternKeys) {
      const k = this.fresh("k");
      const v = this.fresh("v");
      out += `for (const ${k} in ${x}) if (${this.external(regExp(p))}.test(${k})) {\nconst ${v} = ${x}[${k}];\n${this.statements(s.patternProperties![p]!, v, stack)}}\n`;
    }
    return out;
  }
}

/** Keywords of `#simple` nodes: no sub-schemas, no loops (the number-valued ones of numbers and strings). */
const SCALAR_KEYWORDS: ReadonlySet<string> = new Set([
  "type",
  "const",
  "enum",
  "pattern",
  "format",
  ...[...NUMBER_VALUED_KEYWORDS].filter((k) => !k.endsWith("Items") && !k.endsWith("Properties")),
]);

/** A number of the schema data as a literal (finite: the data is JSON). */
function num(n: number): string {
  if (!Number.isFinite(n)) throw new Error(`validator data has a non-finite number ${n}: regenerate with \`pnpm codegen\``);
  return Object.is(n, -0) ? "-0" : String(n);
}

function typeTest(t: string | readonly string[], x: string): string {
  if (typeof t !== "string") return t.length === 0 ? "false" : t.map((one) => `(${typeTest(one, x)})`).join(" || ");
  switch (t) {
    case "string":
      return `typeof ${x} === "string"`;
    case "number":
      return `typeof ${x} === "number" && Number.isFinite(${x})`;
    case "integer":
      return `typeof ${x} === "number" && Number.isFinite(${x}) && ${x} % 1 === 0`;
    case "boolean":
      return `typeof ${x} === "boolean"`;
    case "null":
      return `${x} === null`;
    case "array":
      return `Array.isArray(${x})`;
    default:
      return `typeof ${x} === "object" && ${x} !== null && !Array.isArray(${x})`;
  }
}
