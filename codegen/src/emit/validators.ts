/**
 * validators/: ajv standalone validators compiled at generation time, so the published package
 * needs no ajv at run time. One module per mode (strict = schemas as published, lenient =
 * `additionalProperties: false` removed), each a single module whose named exports share the
 * compiled definitions. Events dispatch on `type`; never the 149-way anyOf root.
 */
import { createRequire } from "node:module";
import type { Options } from "ajv";
import { CodegenError } from "../errors.js";
import type { CodegenIr, IrMethod } from "../ir.js";
import { VALUE_KEYWORDS } from "../bundle.js";
import { byString, isObject, type Schema } from "../util.js";
import { tsHeader } from "./header.js";

const require = createRequire(import.meta.url);

export type ValidatorMode = "strict" | "lenient";

/** Export name of the validator of a definition. */
const defExport = (name: string) => `d_${name}`;
const methodExport = (kind: "p" | "r", method: string) => `${kind}_${method.replace(/[^A-Za-z0-9_$]/g, "_")}`;

/** A schema that is only a `$ref` plus annotations validates exactly like its target. */
function pureRef(s: Schema): string | null {
  if (typeof s["$ref"] !== "string") return null;
  const validating = Object.keys(s).filter((k) => !["$ref", "description", "title", "stability", "visibility", "deprecated", "$comment"].includes(k) && !k.startsWith("x-"));
  return validating.length === 0 ? s["$ref"].slice("#/definitions/".length) : null;
}

/** Removes `additionalProperties: false` everywhere (never inside value positions). */
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

/** Annotations do not change what validates; ajv embeds schemas in its output, so drop them first. */
const ANNOTATIONS = new Set(["description", "title", "stability", "visibility", "deprecated", "$comment", "examples", "contentEncoding", "contentMediaType"]);
export function stripAnnotations(s: unknown): unknown {
  if (Array.isArray(s)) return s.map(stripAnnotations);
  if (!isObject(s)) return s;
  const out: Schema = {};
  for (const [k, v] of Object.entries(s)) {
    if (ANNOTATIONS.has(k) || k.startsWith("x-")) continue;
    out[k] = VALUE_KEYWORDS.has(k) ? v : k === "properties" || k === "patternProperties" || k === "definitions" ? mapValues(v, stripAnnotations) : stripAnnotations(v);
  }
  return out;
}

const mapValues = (v: unknown, f: (x: unknown) => unknown): unknown =>
  isObject(v) ? Object.fromEntries(Object.entries(v).map(([k, x]) => [k, f(x)])) : v;

/** Export name, `null` (nothing to validate: no params / void), or `false` (outbound: not generated). */
type Target = string | null | false;

interface MethodTarget {
  readonly params: Target;
  readonly paramsOptional: boolean;
  readonly result: Target;
  readonly resultOptional: boolean;
}

/** Which export validates what: computed once, shared by both modes. */
export function validatorPlan(ir: CodegenIr): { definitions: Schema; exports: Map<string, string>; events: Map<string, string>; methods: Map<string, MethodTarget> } {
  const definitions: Schema = {};
  for (const t of ir.types) definitions[t.name] = t.schema;
  const exports = new Map<string, string>();
  const events = new Map<string, string>();
  const methods = new Map<string, MethodTarget>();
  const target = (m: IrMethod, kind: "p" | "r", schema: Schema): string => {
    const ref = pureRef(schema);
    if (ref) {
      exports.set(defExport(ref), `fd#/definitions/${ref}`);
      return defExport(ref);
    }
    const key = methodExport(kind, m.name);
    if (definitions[key]) throw new CodegenError(`validator key "${key}" collides with a definition`, m.source.file, m.source.pointer, "rename the definition");
    definitions[key] = schema;
    exports.set(key, `fd#/definitions/${key}`);
    return key;
  };
  for (const e of ir.events) {
    exports.set(defExport(e.typeName), `fd#/definitions/${e.typeName}`);
    events.set(e.type, defExport(e.typeName));
  }
  // Only what arrives from the runtime gets validators (events, results of our requests, params of
  // its requests to us): what we send is already checked by the types, and doubling the set
  // would double an already multi-megabyte module.
  for (const m of ir.methods) {
    const inbound = m.direction === "serverToClient";
    methods.set(m.name, {
      params: !inbound ? false : m.params ? target(m, "p", m.params.schema) : null,
      paramsOptional: m.params?.optional ?? true,
      result: inbound ? false : m.result ? target(m, "r", m.result.schema) : null,
      resultOptional: m.result?.optional ?? true,
    });
  }
  return { definitions, exports: new Map([...exports].sort(([a], [b]) => byString(a, b))), events, methods };
}

/** Runtime helpers standalone code refers to, by the `require(...)` expression ajv writes. */
const RUNTIME_REQUIRES: Record<string, string> = {
  'require("ajv/dist/runtime/ucs2length").default': "ucs2length",
  'require("ajv/dist/runtime/equal").default': "equal",
  'require("ajv-formats/dist/formats").fullFormats["date-time"]': "dateTimeFormat",
  'require("ajv-formats/dist/formats").fullFormats.uri': "uriFormat",
  'require("ajv-formats/dist/formats").fullFormats.duration': "durationFormat",
  'require("ajv-formats/dist/formats").fullFormats.uuid': "uuidFormat",
};

function compileMode(ir: CodegenIr, mode: ValidatorMode, plan: ReturnType<typeof validatorPlan>): string {
  const Ajv2019 = require("ajv/dist/2019").default as new (o: Options) => import("ajv").default;
  const standaloneCode = require("ajv/dist/standalone").default as (ajv: import("ajv").default, refs: Record<string, string>) => string;
  const addFormats = require("ajv-formats").default as (ajv: import("ajv").default, formats: string[]) => void;
  const draft7 = require("ajv/dist/refs/json-schema-draft-07.json") as object;
  const keywords = new Set<string>(["stability", "visibility"]);
  JSON.stringify(plan.definitions, (k, v: unknown) => {
    if (k.startsWith("x-")) keywords.add(k);
    return v;
  });
  const warnings: string[] = [];
  const ajv = new Ajv2019({
    strict: true,
    // Some upstream definitions declare properties without a type or required keys across anyOf branches.
    strictTypes: "log",
    strictRequired: false,
    allowUnionTypes: true,
    inlineRefs: false,
    messages: false,
    code: { source: true, esm: true, lines: true },
    logger: { log: () => {}, warn: (...a: unknown[]) => warnings.push(a.join(" ")), error: (...a: unknown[]) => warnings.push(a.join(" ")) },
  });
  ajv.addMetaSchema(draft7);
  addFormats(ajv, ["uri", "duration", "date-time", "uuid"]);
  ajv.addVocabulary([...keywords].sort(byString));
  const stripped = stripAnnotations(plan.definitions) as Schema;
  const definitions = mode === "strict" ? stripped : (lenientCopy(stripped) as Schema);
  try {
    ajv.addSchema({ $id: "fd", definitions });
  } catch (err) {
    throw new CodegenError(`ajv rejected the bundled schemas (${mode}): ${(err as Error).message}`, undefined, undefined, "fix the schema named in the message");
  }
  let code: string;
  try {
    code = standaloneCode(ajv, Object.fromEntries(plan.exports));
  } catch (err) {
    throw new CodegenError(`ajv could not compile the ${mode} validators: ${(err as Error).message}`, undefined, undefined, "fix the schema named in the message");
  }
  // Standalone output still require()s ajv's runtime helpers: point them at our own module instead.
  const used = new Set<string>();
  code = code.replace(/require\("[^"]+"\)(?:\.default|\.fullFormats(?:\.[\w$]+|\["[^"]+"\]))?/g, (expr) => {
    const name = RUNTIME_REQUIRES[expr];
    if (!name) throw new CodegenError(`ajv standalone output needs ${expr}, which validators/runtime.js does not provide`, undefined, undefined, "add it to RUNTIME_REQUIRES and the runtime module in codegen/src/emit/validators.ts");
    used.add(name);
    return name;
  });
  if (/\brequire\s*\(/.test(code)) throw new CodegenError("ajv standalone output still contains require()", undefined, undefined, "extend RUNTIME_REQUIRES in codegen/src/emit/validators.ts");
  const imports = used.size ? `import { ${[...used].sort(byString).join(", ")} } from "./runtime.js";\n` : "";
  return `${tsHeader(ir)}// ${mode === "strict" ? "Schemas as published." : "additionalProperties:false removed: unknown properties from newer runtimes are tolerated."}\n${imports}${code.replace(/^"use strict";?/, "")}\n`;
}

const RUNTIME_JS = `
/** Length in Unicode code points (what JSON Schema minLength/maxLength count). */
export function ucs2length(str) {
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
export function equal(a, b) {
  if (a === b) return true;
  if (typeof a !== "object" || typeof b !== "object" || a === null || b === null) return a !== a && b !== b;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  const ka = Object.keys(a);
  if (ka.length !== Object.keys(b).length) return false;
  for (const k of ka) if (!Object.prototype.hasOwnProperty.call(b, k) || !equal(a[k], b[k])) return false;
  return true;
}

const DATE_TIME = /^(\\d{4})-(\\d{2})-(\\d{2})[Tt ](\\d{2}):(\\d{2}):(\\d{2})(?:\\.\\d+)?(?:[Zz]|([+-])(\\d{2}):(\\d{2}))$/;
const DAYS = [0, 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

/** RFC 3339 date-time (leap seconds allowed at 23:59:60 UTC-equivalent). */
export const dateTimeFormat = {
  validate(str) {
    const m = DATE_TIME.exec(str);
    if (!m) return false;
    const y = +m[1], mo = +m[2], d = +m[3], h = +m[4], mi = +m[5], s = +m[6];
    const leap = y % 4 === 0 && (y % 100 !== 0 || y % 400 === 0);
    if (mo < 1 || mo > 12 || d < 1 || d > (mo === 2 && leap ? 29 : DAYS[mo])) return false;
    if (m[8] !== undefined && (+m[8] > 23 || +m[9] > 59)) return false;
    if (h > 23 || mi > 59) return false;
    return s <= 59 || s === 60;
  },
};

/** Absolute URI: a scheme, a colon, and no whitespace. */
export const uriFormat = (str) => /^[A-Za-z][A-Za-z0-9+.-]*:[^\\s]*$/.test(str);
/** ISO 8601 duration. */
export const durationFormat = (str) => /^P(?!$)((\\d+Y)?(\\d+M)?(\\d+D)?(T(?=\\d)(\\d+H)?(\\d+M)?(\\d+S)?)?|(\\d+W)?)$/.test(str);
/** UUID (any version). */
export const uuidFormat = (str) => /^(?:urn:uuid:)?[0-9a-f]{8}-(?:[0-9a-f]{4}-){3}[0-9a-f]{12}$/i.test(str);
`;

function emitIndex(ir: CodegenIr, plan: ReturnType<typeof validatorPlan>): string {
  const events = [...plan.events].map(([t, e]) => `  ${JSON.stringify(t)}: ${JSON.stringify(e)},`).join("\n");
  const methods = [...plan.methods]
    .map(([m, t]) => `  ${JSON.stringify(m)}: [${JSON.stringify(t.params)}, ${t.paramsOptional}, ${JSON.stringify(t.result)}, ${t.resultOptional}],`)
    .join("\n");
  return `${tsHeader(ir)}
import * as lenient from "./lenient.js";
import * as strict from "./strict.js";
import type { CompiledValidator } from "./strict.js";

/** One problem found in a value. \`path\` is a JSON pointer into the value (\`/data/content\`). */
export interface ValidationIssue {
  readonly path: string;
  /** The JSON Schema keyword that failed (\`required\`, \`type\`, \`additionalProperties\`, …). */
  readonly keyword: string;
  readonly message: string;
  /** Where in the bundled schema the failing keyword is. */
  readonly schemaPath: string;
}

/**
 * \`lenient\` (for run time) tolerates properties the pinned schema does not know, as newer
 * runtimes add them; \`strict\` (for tests) checks the schema exactly as published.
 */
export type ValidationMode = "lenient" | "strict";

/** \`known: false\`: no schema for this event type or method in this build (a newer runtime). */
export type ValidationResult = { readonly ok: true } | { readonly ok: false; readonly known: boolean; readonly errors: readonly ValidationIssue[] };

const OK: ValidationResult = Object.freeze({ ok: true });
const MODULES: Record<ValidationMode, Record<string, CompiledValidator>> = { lenient, strict } as never;

/** Event type → validator export. */
const EVENTS: Readonly<Record<string, string>> = {
${events}
};

/**
 * Method → [params validator, params optional, result validator, result optional]. A validator is
 * an export name, \`null\` (nothing to check: no params / void) or \`false\` (not generated: the
 * direction we send, which the types already check).
 */
const METHODS: Readonly<Record<string, readonly [string | null | false, boolean, string | null | false, boolean]>> = {
${methods}
};

function describe(e: { instancePath?: string; keyword?: string; params?: Record<string, unknown>; schemaPath?: string }): ValidationIssue {
  const p = e.params ?? {};
  const detail =
    e.keyword === "required" ? \`missing required property "\${String(p["missingProperty"])}"\`
    : e.keyword === "additionalProperties" ? \`unknown property "\${String(p["additionalProperty"])}"\`
    : e.keyword === "type" ? \`must be \${String(p["type"])}\`
    : e.keyword === "const" ? \`must be \${JSON.stringify(p["allowedValue"])}\`
    : e.keyword === "enum" ? \`must be one of \${JSON.stringify(p["allowedValues"])}\`
    : e.keyword === "format" ? \`must match format "\${String(p["format"])}"\`
    : \`fails "\${String(e.keyword)}" \${JSON.stringify(p)}\`;
  return { path: e.instancePath ?? "", keyword: e.keyword ?? "unknown", message: \`\${e.instancePath || "(root)"} \${detail}\`, schemaPath: e.schemaPath ?? "" };
}

function run(mode: ValidationMode, name: string, value: unknown): ValidationResult {
  const module = MODULES[mode];
  if (!module) throw new TypeError(\`validation mode must be "lenient" or "strict", got \${JSON.stringify(mode)}\`);
  const fn = module[name]!;
  if (fn(value)) return OK;
  return { ok: false, known: true, errors: (fn.errors ?? []).map(describe) };
}

function unknownResult(what: string): ValidationResult {
  return { ok: false, known: false, errors: [{ path: "", keyword: "unknown", message: what, schemaPath: "" }] };
}

/**
 * Validates one session event against the schema of its \`type\` (never the whole union).
 *
 * @example
 * \`\`\`ts
 * const r = validateSessionEvent(event, "strict");
 * if (!r.ok) console.error(r.known ? r.errors : \`unknown event type \${event.type}\`);
 * \`\`\`
 */
export function validateSessionEvent(event: unknown, mode: ValidationMode = "lenient"): ValidationResult {
  const type = typeof event === "object" && event !== null ? (event as { type?: unknown }).type : undefined;
  if (typeof type !== "string") {
    return { ok: false, known: false, errors: [{ path: "/type", keyword: "type", message: "/type must be a string (not an event envelope)", schemaPath: "" }] };
  }
  const name = Object.prototype.hasOwnProperty.call(EVENTS, type) ? EVENTS[type] : undefined;
  return name ? run(mode, name, event) : unknownResult(\`unknown event type "\${type}"\`);
}

/** Validates the params of a server→client request or notification as they arrive (with \`sessionId\` where the schema has it). */
export function validateRpcParams(method: string, params: unknown, mode: ValidationMode = "lenient"): ValidationResult {
  const m = Object.prototype.hasOwnProperty.call(METHODS, method) ? METHODS[method] : undefined;
  if (!m) return unknownResult(\`unknown method "\${method}"\`);
  if (m[0] === false) return unknownResult(\`no params validator for "\${method}": only server→client requests have one (the types check what you send)\`);
  if (params === undefined && m[1]) return OK;
  if (m[0] === null) return params === undefined || (typeof params === "object" && params !== null && Object.keys(params).length === 0) ? OK : { ok: false, known: true, errors: [{ path: "", keyword: "params", message: \`\${method} takes no params\`, schemaPath: "" }] };
  return run(mode, m[0], params);
}

/** Validates the result of a client→server request as it arrives. */
export function validateRpcResult(method: string, result: unknown, mode: ValidationMode = "lenient"): ValidationResult {
  const m = Object.prototype.hasOwnProperty.call(METHODS, method) ? METHODS[method] : undefined;
  if (!m) return unknownResult(\`unknown method "\${method}"\`);
  if (m[2] === false) return unknownResult(\`no result validator for "\${method}": only results of client→server requests have one\`);
  if ((result === undefined || result === null) && (m[2] === null || m[3])) return OK;
  if (m[2] === null) return { ok: false, known: true, errors: [{ path: "", keyword: "result", message: \`\${method} returns nothing, got a value\`, schemaPath: "" }] };
  return run(mode, m[2], result);
}

/** Event types and methods this build has validators for. */
export const VALIDATED_EVENT_TYPES: readonly string[] = Object.keys(EVENTS);
export const VALIDATED_METHODS: readonly string[] = Object.keys(METHODS);
`;
}

function emitDts(ir: CodegenIr, plan: ReturnType<typeof validatorPlan>): string {
  return `${tsHeader(ir)}
/** An ajv standalone validator: returns true, or false with \`errors\` set. */
export interface CompiledValidator {
  (data: unknown): boolean;
  errors?: Array<{ instancePath: string; schemaPath: string; keyword: string; params: Record<string, unknown> }> | null;
}
${[...plan.exports.keys()].map((k) => `export declare const ${k}: CompiledValidator;`).join("\n")}
`;
}

/** validators/{index.ts, strict.js, strict.d.ts, lenient.js, lenient.d.ts, runtime.js, runtime.d.ts}. */
export function emitValidators(ir: CodegenIr): Map<string, string> {
  const plan = validatorPlan(ir);
  const files = new Map<string, string>();
  const dts = emitDts(ir, plan);
  files.set("index.ts", emitIndex(ir, plan));
  files.set("strict.js", compileMode(ir, "strict", plan));
  files.set("strict.d.ts", dts);
  files.set("lenient.js", compileMode(ir, "lenient", plan));
  files.set("lenient.d.ts", dts.replace(/^export interface CompiledValidator[\s\S]*?\n}\n/m, 'import type { CompiledValidator } from "./strict.js";\n'));
  files.set("runtime.js", `${tsHeader(ir)}${RUNTIME_JS}`);
  files.set(
    "runtime.d.ts",
    `${tsHeader(ir)}export declare function ucs2length(str: string): number;\nexport declare function equal(a: unknown, b: unknown): boolean;\nexport declare const dateTimeFormat: { validate(str: string): boolean };\nexport declare const uriFormat: (str: string) => boolean;\nexport declare const durationFormat: (str: string) => boolean;\nexport declare const uuidFormat: (str: string) => boolean;\n`,
  );
  return files;
}
