/**
 * validators/: the schemas of what arrives from the runtime, as data, and the table-driven API
 * over them. Hand-written code in `@flightdeck/copilot-core` (`createValidators`) checks values with ajv's
 * semantics, so one ~0.4 MB data module serves both modes (lenient = `additionalProperties: false`
 * ignored) where ajv standalone code took ~5 MB per mode. Events dispatch on `type`, never the
 * 149-way anyOf root.
 */
import {
  ANNOTATION_KEYWORDS,
  INTERPRETED_FORMATS,
  INTERPRETED_KEYWORDS,
  JSON_TYPES,
  NUMBER_VALUED_KEYWORDS,
  SUBSCHEMA_KEYWORDS,
} from "@flightdeck/copilot-core/runtime";
import { CodegenError, ptr } from "../errors.js";
import type { CodegenIr, IrMethod } from "../ir.js";
import { VALUE_KEYWORDS } from "../bundle.js";
import { byString, isObject, type Schema } from "../util.js";
import { runtimeModuleFrom } from "./common.js";
import { tsHeader } from "./header.js";

/** Key of a definition in DEFINITIONS (`d_` keeps definitions apart from method schemas). */
const defKey = (name: string) => `d_${name}`;
const methodKey = (kind: "p" | "r", method: string) => `${kind}_${method.replace(/[^A-Za-z0-9_$]/g, "_")}`;

const ANNOTATION_KEYS = ["$ref", "description", "title", "stability", "visibility", "deprecated", "$comment"];

/** A schema that is only a `$ref` plus annotations validates exactly like its target. */
function pureRef(s: Schema): string | null {
  if (typeof s["$ref"] !== "string") return null;
  const validating = Object.keys(s).filter((k) => !ANNOTATION_KEYS.includes(k) && !k.startsWith("x-"));
  return validating.length === 0 ? s["$ref"].slice("#/definitions/".length) : null;
}

/**
 * Removes `additionalProperties: false` everywhere (never inside value positions): what lenient
 * means. The interpreter gets a flag instead; the parity test hands ajv this copy.
 */
export function lenientCopy(s: unknown): unknown {
  if (Array.isArray(s)) return s.map(lenientCopy);
  if (!isObject(s)) return s;
  const out: Schema = {};
  for (const [k, v] of Object.entries(s)) {
    if (k === "additionalProperties" && v === false) continue;
    out[k] = VALUE_KEYWORDS.has(k) ? v : k === "properties" || k === "patternProperties" || k === "definitions" ? mapValues(v, lenientCopy) : lenientCopy(v);
  }
  return out;
}

const ANNOTATIONS = ANNOTATION_KEYWORDS;

const mapValues = (v: unknown, f: (x: unknown) => unknown): unknown => (isObject(v) ? Object.fromEntries(Object.entries(v).map(([k, x]) => [k, f(x)])) : v);

/** Key in DEFINITIONS, `null` (nothing to validate: no params / void), or `false` (outbound: not generated). */
type Target = string | null | false;

interface MethodTarget {
  readonly params: Target;
  readonly paramsOptional: boolean;
  readonly result: Target;
  readonly resultOptional: boolean;
}

export interface ValidatorPlan {
  readonly schemas: Map<string, Schema>;
  /** Where each schema came from, for errors (absent for hand-made plans in tests). */
  readonly sources?: Map<string, { file: string; pointer: string }>;
  readonly roots: string[];
  readonly events: Map<string, string>;
  readonly methods: Map<string, MethodTarget>;
}

/** Which schema validates what. `roots`: every key the tables name, sorted. */
export function validatorPlan(ir: CodegenIr): ValidatorPlan {
  const schemas = new Map<string, Schema>();
  const sources = new Map<string, { file: string; pointer: string }>();
  for (const t of ir.types) {
    schemas.set(defKey(t.name), t.schema);
    sources.set(defKey(t.name), t.source);
  }
  const roots = new Set<string>();
  const events = new Map<string, string>();
  const methods = new Map<string, MethodTarget>();
  const target = (m: IrMethod, kind: "p" | "r", schema: Schema): string => {
    const ref = pureRef(schema);
    if (ref) {
      roots.add(defKey(ref));
      return defKey(ref);
    }
    const key = methodKey(kind, m.name);
    if (schemas.has(key)) throw new CodegenError(`validator key "${key}" is used twice`, m.source.file, m.source.pointer, "rename one of the methods");
    schemas.set(key, schema);
    sources.set(key, { file: m.source.file, pointer: `${m.source.pointer}/${kind === "p" ? "params" : "result"}` });
    roots.add(key);
    return key;
  };
  for (const e of ir.events) {
    roots.add(defKey(e.typeName));
    events.set(e.type, defKey(e.typeName));
  }
  // Only what arrives from the runtime gets validators (events, results of our requests, params of
  // its requests to us): what we send is already checked by the types.
  for (const m of ir.methods) {
    const inbound = m.direction === "serverToClient";
    methods.set(m.name, {
      params: !inbound ? false : m.params ? target(m, "p", m.params.schema) : null,
      paramsOptional: m.params?.optional ?? true,
      result: inbound ? false : m.result ? target(m, "r", m.result.schema) : null,
      resultOptional: m.result?.optional ?? true,
    });
  }
  return { schemas, sources, roots: [...roots].sort(byString), events, methods };
}

export { INTERPRETED_FORMATS, INTERPRETED_KEYWORDS };
const TYPES = JSON_TYPES;
const NUMBER_VALUED = NUMBER_VALUED_KEYWORDS;
const SUBSCHEMA = SUBSCHEMA_KEYWORDS;

/**
 * The shipped form of one schema: annotations gone, `$ref` = a DEFINITIONS key, every keyword and
 * value checked against what the interpreter does, so a schema it would misread fails here.
 */
function shipForm(s: unknown, file: string | undefined, where: string, refs: string[]): unknown {
  if (typeof s === "boolean") return s;
  if (!isObject(s)) throw new CodegenError(`expected a schema, got ${JSON.stringify(s)}`, file, where, "fix the schema");
  const bad = (k: string, why: string): never => {
    throw new CodegenError(
      `"${k}" ${why}`,
      file,
      `${where}/${k}`,
      "fix the schema, or teach the checker in @flightdeck/copilot-core (schema-walker.ts, schema-compiled.ts) and INTERPRETED_KEYWORDS in its schema-keywords.ts the keyword",
    );
  };
  const out: Schema = {};
  for (const [k, v] of Object.entries(s)) {
    if (ANNOTATIONS.has(k) || k.startsWith("x-")) continue;
    if (!INTERPRETED_KEYWORDS.has(k)) bad(k, "is not a keyword the validators interpret");
    // ajv ignores `if` without `then`/`else` and `then`/`else` without `if`: they validate nothing.
    if (k === "if" && s["then"] === undefined && s["else"] === undefined) continue;
    if ((k === "then" || k === "else") && s["if"] === undefined) continue;
    const at = `${where}/${k}`;
    if (k === "$ref") {
      if (typeof v !== "string" || !v.startsWith("#/definitions/")) bad(k, "must be #/definitions/<Name>");
      const key = defKey((v as string).slice("#/definitions/".length));
      refs.push(key);
      out[k] = key;
    } else if (k === "type") {
      const types = Array.isArray(v) ? v : [v];
      if (types.length === 0 || !types.every((t) => typeof t === "string" && TYPES.has(t))) bad(k, `must name JSON types, got ${JSON.stringify(v)}`);
      out[k] = v;
    } else if (k === "const") out[k] = v;
    else if (k === "enum" || k === "required") {
      if (!Array.isArray(v) || (k === "required" && !v.every((x) => typeof x === "string")))
        bad(k, "must be an array" + (k === "required" ? " of strings" : ""));
      out[k] = v;
    } else if (k === "anyOf" || k === "oneOf" || k === "allOf") {
      if (!Array.isArray(v) || v.length === 0) bad(k, "must be a non-empty array of schemas");
      out[k] = (v as unknown[]).map((x, i) => shipForm(x, file, `${at}/${i}`, refs));
    } else if (k === "properties" || k === "patternProperties") {
      if (!isObject(v)) bad(k, "must be an object of schemas");
      out[k] = Object.fromEntries(Object.entries(v as Schema).map(([p, x]) => [p, shipForm(x, file, ptr(at, p), refs)]));
      if (k === "patternProperties") for (const p of Object.keys(v as Schema)) checkPattern(p, file, at);
    } else if (SUBSCHEMA.has(k)) {
      if (Array.isArray(v)) bad(k, "must be a single schema (tuple form is not supported)");
      out[k] = shipForm(v, file, at, refs);
    } else if (NUMBER_VALUED.has(k)) {
      if (typeof v !== "number" || !Number.isFinite(v) || (k === "multipleOf" && v <= 0)) bad(k, `must be a finite number${k === "multipleOf" ? " > 0" : ""}`);
      out[k] = v;
    } else if (k === "uniqueItems") {
      if (typeof v !== "boolean") bad(k, "must be a boolean");
      if (v) out[k] = v;
    } else if (k === "pattern") {
      if (typeof v !== "string") bad(k, "must be a string");
      checkPattern(v as string, file, at);
      out[k] = v;
    } else if (k === "format") {
      if (typeof v !== "string" || !INTERPRETED_FORMATS.has(v)) bad(k, `names a format the validators do not check (${[...INTERPRETED_FORMATS].join(", ")})`);
      out[k] = v;
    }
  }
  return out;
}

function checkPattern(p: string, file: string | undefined, at: string): void {
  try {
    new RegExp(p, "u");
  } catch (err) {
    throw new CodegenError(`pattern ${JSON.stringify(p)} is not a valid unicode regular expression: ${(err as Error).message}`, file, at, "fix the pattern");
  }
}

/** The keys reachable from the roots, sorted, each in its shipped form. */
export function shippedDefinitions(plan: ValidatorPlan): [string, unknown][] {
  const out = new Map<string, unknown>();
  const queue = [...plan.roots];
  while (queue.length > 0) {
    const key = queue.pop()!;
    if (out.has(key)) continue;
    const schema = plan.schemas.get(key);
    if (schema === undefined)
      throw new CodegenError(
        `validator schema "${key}" is referenced but not defined`,
        undefined,
        undefined,
        "report this: bundle.ts should have rejected the $ref",
      );
    const refs: string[] = [];
    const source = plan.sources?.get(key);
    out.set(key, shipForm(schema, source?.file, source?.pointer ?? `#/${key}`, refs));
    queue.push(...refs);
  }
  return [...out].sort(([a], [b]) => byString(a, b));
}

/**
 * The data as a `JSON.parse('…')` call: V8 parses a JSON string much faster than an object
 * literal of the same size, and single quotes need far fewer escapes than JSON's double quotes.
 * A `.ts` file (one typed string literal, cheap for tsc) so a downstream project compiles its
 * generated folder with plain `tsc`, no JavaScript to copy beside it.
 */
function emitDefinitions(ir: CodegenIr, plan: ValidatorPlan): string {
  const json = JSON.stringify(Object.fromEntries(shippedDefinitions(plan)));
  const literal = json
    .replace(/[\\']/g, (c) => `\\${c}`)
    .replace(/\u2028/g, "\\u2028")
    .replace(/\u2029/g, "\\u2029");
  return `${tsHeader(ir)}// Schemas of what arrives from the runtime (annotations stripped), keyed d_<Definition>, p_/r_<method>.
export const DEFINITIONS: Readonly<Record<string, unknown>> = /* @__PURE__ */ JSON.parse('${literal}');
`;
}

function emitIndex(ir: CodegenIr, plan: ValidatorPlan, runtimeModule: string): string {
  const events = [...plan.events].map(([t, e]) => `  ${JSON.stringify(t)}: ${JSON.stringify(e)},`).join("\n");
  const methods = [...plan.methods]
    .map(([m, t]) => `  ${JSON.stringify(m)}: [${JSON.stringify(t.params)}, ${t.paramsOptional}, ${JSON.stringify(t.result)}, ${t.resultOptional}],`)
    .join("\n");
  return `${tsHeader(ir)}
// The validators' tables, as data: \`createValidators\` (hand-written, in the runtime module) turns them into functions.
import type { MethodValidationRow, ValidationTables } from "${runtimeModuleFrom(runtimeModule, 1)}";
import { DEFINITIONS } from "./definitions.js";

/** Event type → key of its schema in DEFINITIONS. */
export const EVENT_SCHEMAS: Readonly<Record<string, string>> = {
${events}
};

/**
 * Method → [params schema, params optional, result schema, result optional]. A schema is a key in
 * DEFINITIONS, \`null\` (nothing to check: no params / void) or \`false\` (not generated: the
 * direction we send, which the types already check).
 */
export const METHOD_SCHEMAS: Readonly<Record<string, MethodValidationRow>> = {
${methods}
};

/** Everything \`createValidators\` needs. */
export const VALIDATION_TABLES: ValidationTables = { definitions: DEFINITIONS, events: EVENT_SCHEMAS, methods: METHOD_SCHEMAS };
`;
}

/** validators/{index.ts, definitions.ts}. */
export function emitValidators(ir: CodegenIr, runtimeModule: string): Map<string, string> {
  const plan = validatorPlan(ir);
  const files = new Map<string, string>();
  files.set("definitions.ts", emitDefinitions(ir, plan));
  files.set("index.ts", emitIndex(ir, plan, runtimeModule));
  return files;
}
