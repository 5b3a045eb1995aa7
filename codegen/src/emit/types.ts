/**
 * types.ts: json-schema-to-typescript over the bundled definitions, after normalizing them into a
 * "type form" where every `$ref` is a `tsType` name. Because nothing is dereferenced, every
 * definition is emitted exactly once under its own name: numbered copies (`Foo1`) cannot appear,
 * and the generator checks that they did not.
 */
import { compile } from "json-schema-to-typescript";
import { CodegenError, ptr } from "../errors.js";
import type { CodegenIr, IrNamedType } from "../ir.js";
import { byString, isObject, type Schema } from "../util.js";
import { safeDoc, schemaDoc } from "./docs.js";
import { tsHeader } from "./header.js";

/** Definitions emitted elsewhere (events.ts) and imported into types.ts. */
export const TYPES_EXTERNAL = new Map([["SessionEvent", "./events.js"]]);
const ROOT = "FlightdeckCodegenRoot";

const isNotEmpty = (s: unknown): boolean => isObject(s) && isObject(s["not"]) && Object.keys(s["not"]).length === 0;
const isRequiredOnly = (s: unknown): s is Schema => isObject(s) && Object.keys(s).every((k) => k === "required" || k === "description");
const CONDITIONAL = ["if", "then", "else"] as const;
const TYPE_ANNOTATIONS = new Set(["description", "title", "$comment", "deprecated", "stability", "visibility"]);
/** An allOf branch that only holds `if`/`then`/`else` (and annotations): it constrains values, never their type. */
const isConditionalOnly = (s: unknown): boolean =>
  isObject(s) &&
  "if" in s &&
  Object.keys(s).every((k) => CONDITIONAL.includes(k as (typeof CONDITIONAL)[number]) || TYPE_ANNOTATIONS.has(k) || k.startsWith("x-"));

/**
 * JSDoc for an `if`/`then`/`else`, which TypeScript cannot express: the type stays the base type
 * and the doc states the extra rule (the validators check it).
 */
export function conditionalDoc(s: Schema): string | undefined {
  if (!("if" in s) || (s["then"] === undefined && s["else"] === undefined)) return undefined;
  const json = (v: unknown) => `\`${JSON.stringify(v)}\``;
  const rule =
    s["then"] === undefined
      ? `if the value does not match ${json(s["if"])}, it must match ${json(s["else"])}`
      : `if the value matches ${json(s["if"])}, it must also match ${json(s["then"])}${s["else"] === undefined ? "" : `; otherwise it must match ${json(s["else"])}`}`;
  return safeDoc(`@remarks Conditional rule (JSON Schema \`if\`/\`then\`/\`else\`), not expressed in the type but checked by the validators: ${rule}.`);
}

/** The conditional rules of a node: its own `if` and those of conditional-only allOf branches. */
function conditionalDocs(s: Schema): string[] {
  const branches = Array.isArray(s["allOf"]) ? s["allOf"].filter(isConditionalOnly) : [];
  return [s, ...branches].map((b) => conditionalDoc(b as Schema)).filter((d): d is string => d !== undefined);
}

/** `Name` or `Name[]` for a definition name, else null (`x-typescript-type` may name an array of a definition). */
function definitionTypeName(tsName: string, names: ReadonlySet<string>): string | null {
  const m = /^([A-Za-z_$][\w$]*)((?:\[\])*)$/.exec(tsName);
  return m && names.has(m[1]!) ? tsName : null;
}

interface TypeCtx {
  readonly names: ReadonlySet<string>;
  /** Each definition's own `description` (trimmed), by name. */
  readonly descriptions: ReadonlyMap<string, string>;
  readonly file: string;
}

/** Validation form → type form (see the module comment). Pure; never mutates its input. */
export function toTypeSchema(s: unknown, ctx: TypeCtx, pointer: string, rootName?: string): Schema {
  if (s === true) return { tsType: "unknown" };
  if (s === false) return { tsType: "never" };
  if (!isObject(s)) throw new CodegenError("expected a schema", ctx.file, pointer, "fix the schema");
  const description = schemaDoc(s, conditionalDocs(s));
  const doc = description === undefined ? {} : { description };
  const deprecated = s["deprecated"] === true ? { deprecated: true } : {};
  if (typeof s["$ref"] === "string") {
    // Annotation siblings are dropped; a `const` sibling is the narrower (discriminator) type.
    if ("const" in s) return { const: s["const"], ...doc, ...deprecated };
    const target = s["$ref"].slice("#/definitions/".length);
    // A reference whose doc only repeats the referenced definition's description gets none: the
    // text is on the definition (one hover away) instead of on every property that names it.
    const repeats =
      typeof s["description"] === "string" && description === safeDoc(s["description"].trim()) && ctx.descriptions.get(target) === s["description"].trim();
    return { tsType: target, ...(repeats ? {} : doc), ...deprecated };
  }
  const tsName = s["x-typescript-type"];
  if (typeof tsName === "string") {
    if (definitionTypeName(tsName, ctx.names) !== null) return { tsType: tsName, ...doc, ...deprecated };
    const note = `In-process type \`${tsName}\` in the runtime; it cannot cross JSON-RPC, so it is typed \`unknown\` here.`;
    return { tsType: "unknown", description: description ? `${description}\n\n${note}` : note, ...deprecated };
  }
  if (s["x-opaque-json"] === true || s["x-opaque-in-process"] === true) return { tsType: "unknown", ...doc, ...deprecated };
  if (isNotEmpty(s)) return { tsType: "never", ...doc };

  const out: Schema = {};
  if (rootName) out["title"] = rootName;
  for (const k of ["type", "enum", "const", "required"] as const) if (k in s) out[k] = s[k];
  Object.assign(out, doc, deprecated);
  for (const k of ["properties", "patternProperties"] as const) {
    const m = s[k];
    if (isObject(m)) {
      const o: Schema = {};
      for (const key of Object.keys(m)) o[key] = toTypeSchema(m[key], ctx, ptr(pointer, k, key));
      out[k] = o;
    }
  }
  if ("additionalProperties" in s) {
    const ap = s["additionalProperties"];
    out["additionalProperties"] = typeof ap === "boolean" ? ap : toTypeSchema(ap, ctx, ptr(pointer, "additionalProperties"));
  }
  if ("items" in s) out["items"] = toTypeSchema(s["items"], ctx, ptr(pointer, "items"));
  for (const k of ["anyOf", "oneOf", "allOf"] as const) {
    const arr = s[k];
    if (!Array.isArray(arr)) continue;
    // Conditional-only allOf branches constrain values, not types: documented above, dropped here.
    if (k === "allOf" && arr.every(isConditionalOnly)) continue;
    // {"not":{}} matches nothing: in a union it contributes nothing (absence is handled by optionality).
    const branches = arr.map((b, i) => [b, i] as const).filter(([b]) => !(k !== "allOf" && isNotEmpty(b)) && !(k === "allOf" && isConditionalOnly(b)));
    if (branches.length === 0) {
      out["tsType"] = "never";
      continue;
    }
    if (k === "anyOf" && branches.every(([b]) => isRequiredOnly(b)) && isObject(s["properties"])) {
      // Required-only anyOf ("at least one of these"): Base & ({a: A} | {b: B}).
      const props = out["properties"] as Schema;
      const alternatives = branches.map(([b]) => {
        const req = (b as Schema)["required"] as string[];
        const p: Schema = {};
        for (const r of req) p[r] = props[r] ?? { tsType: "unknown" };
        return { type: "object", properties: p, required: req };
      });
      const { title, description: d, ...base } = out;
      void d;
      for (const key of Object.keys(out)) delete out[key];
      if (title) out["title"] = title;
      Object.assign(out, doc, { allOf: [base, { anyOf: alternatives }] });
      continue;
    }
    out[k] = branches.map(([b, i]) => toTypeSchema(b, ctx, ptr(pointer, k, i)));
  }
  return out;
}

/** The TS declarations emitted into types.ts, sorted by name, one per definition. */
export async function emitTypes(ir: CodegenIr): Promise<{ file: string; names: string[]; declarations: Map<string, string> }> {
  const names = new Set(ir.types.map((t) => t.name));
  const descriptions = new Map(
    ir.types.flatMap((t) => (typeof t.schema["description"] === "string" ? [[t.name, t.schema["description"].trim()] as const] : [])),
  );
  const emitted = ir.types.filter((t) => !TYPES_EXTERNAL.has(t.name));
  const definitions: Schema = {};
  for (const t of emitted) definitions[t.name] = typeSchemaFor(t, names, descriptions);
  const root: Schema = { title: ROOT, type: "object", additionalProperties: false, properties: {}, definitions };
  const raw = await compile(root as never, ROOT, {
    bannerComment: "",
    unreachableDefinitions: true,
    declareExternallyReferenced: true,
    additionalProperties: false,
    strictIndexSignatures: false,
    ignoreMinAndMaxItems: true,
    unknownAny: true,
    enableConstEnums: false,
    inferStringEnumKeysFromValues: false,
    format: true,
    style: { printWidth: 120, trailingComma: "all" },
  });
  const chunks = splitDeclarations(stripBoilerplate(raw)).filter((c) => c.name !== ROOT);
  const want = new Set(emitted.map((t) => t.name));
  const problems: string[] = [];
  const seen = new Set<string>();
  for (const c of chunks) {
    if (seen.has(c.name)) problems.push(`"${c.name}" emitted twice`);
    seen.add(c.name);
    if (!want.has(c.name)) {
      const numbered = /^(.*?)\d+$/.exec(c.name);
      problems.push(numbered && names.has(numbered[1]!) ? `numbered duplicate "${c.name}" of "${numbered[1]}"` : `unexpected type "${c.name}"`);
    }
  }
  for (const n of want) if (!seen.has(n)) problems.push(`definition "${n}" was not emitted`);
  if (problems.length > 0) {
    throw new CodegenError(
      `types.ts would not be one declaration per definition: ${problems.slice(0, 10).join("; ")}`,
      undefined,
      undefined,
      "fix the normalization in codegen/src/emit/types.ts; never ship renamed types",
    );
  }
  for (const envelope of extractEventEnvelopes(chunks, new Set(ir.events.map((e) => e.typeName)))) {
    if (names.has(envelope.name)) {
      throw new CodegenError(
        `a schema definition is named "${envelope.name}", the name of a generated event envelope`,
        undefined,
        undefined,
        "rename it in codegen/src/emit/types.ts (EVENT_ENVELOPE, TRANSIENT_EVENT_ENVELOPE)",
      );
    }
    chunks.push(envelope);
  }
  chunks.sort((a, b) => byString(a.name, b.name));
  const usedExternal = [...TYPES_EXTERNAL.keys()].filter((n) => chunks.some((c) => new RegExp(`\\b${n}\\b`).test(c.text)));
  const imports = usedExternal.map((n) => `import type { ${n} } from "${TYPES_EXTERNAL.get(n)}";\n`).join("");
  const file = `${tsHeader(ir)}\n${imports}${imports ? "\n" : ""}${chunks.map((c) => c.text.trimEnd()).join("\n\n")}\n`;
  return { file, names: chunks.map((c) => c.name), declarations: new Map(chunks.map((c) => [c.name, c.text.trimEnd()])) };
}

function typeSchemaFor(t: IrNamedType, names: ReadonlySet<string>, descriptions: ReadonlyMap<string, string>): Schema {
  return toTypeSchema(t.schema, { names, descriptions, file: t.source.file }, t.origin === "definition" ? t.source.pointer : ptr(t.source.pointer), t.name);
}

/** The interface every event interface extends (see `extractEventEnvelopes`). */
export const EVENT_ENVELOPE = "SessionEventEnvelope";
/** The one the transient events (`ephemeral: true`) extend instead; it extends EVENT_ENVELOPE. */
export const TRANSIENT_EVENT_ENVELOPE = "TransientSessionEventEnvelope";

/** A top-level member on one line, with its JSDoc if any (nested members are indented further). */
const ONE_LINE_MEMBER = /^ {2}(?:\/\*\*\n(?: {3}\*.*\n)*? {3}\*\/\n {2})?([A-Za-z_$][\w$]*)\??: [^\n{]*;\n/gm;

/**
 * The members that every event interface declares identically, doc included (`id`, `timestamp`,
 * `parentId`, `agentId` today), move into one `SessionEventEnvelope` that each event interface
 * extends: same types, same docs on hover, declared once instead of once per event (~65 KB of
 * declarations). If every event also declares `ephemeral`, either as `ephemeral?: boolean` or as
 * `ephemeral: true` (the transient events), the first goes into the envelope and the second into a
 * `TransientSessionEventEnvelope` extending it, which the transient events extend instead.
 * Empty (nothing changed) when the events share no member or one is not an interface.
 */
function extractEventEnvelopes(chunks: Chunk[], eventNames: ReadonlySet<string>): Chunk[] {
  const events = chunks.filter((c) => eventNames.has(c.name));
  const header = (c: Chunk) => new RegExp(`^export interface ${c.name} \\{$`, "m");
  if (events.length < 2 || events.some((c) => !header(c).test(c.text))) return [];
  const membersOf = (c: Chunk) => [...`${c.text}\n`.matchAll(ONE_LINE_MEMBER)].map((m) => ({ name: m[1]!, text: m[0] }));
  let common = membersOf(events[0]!).map((m) => m.text);
  for (const e of events.slice(1)) {
    const own = new Set(membersOf(e).map((m) => m.text));
    common = common.filter((m) => own.has(m));
  }
  if (common.length === 0) return [];
  // The `ephemeral` split, only in the shape described above. An event whose `ephemeral` is
  // another boolean variant (`ephemeral?: true`, another doc) keeps its own, narrowing the envelope's.
  const ephemeral = events.map((e) => membersOf(e).find((m) => m.name === "ephemeral")?.text);
  const mostCommon = (test: (m: string) => boolean) => {
    const counts = new Map<string, number>();
    for (const m of ephemeral) if (m !== undefined && test(m)) counts.set(m, (counts.get(m) ?? 0) + 1);
    return [...counts].sort((x, y) => y[1] - x[1] || byString(x[0], y[0]))[0]?.[0];
  };
  const optional = mostCommon((m) => /^ {2}ephemeral\?: boolean;$/m.test(m));
  const transient = mostCommon((m) => /^ {2}ephemeral: true;$/m.test(m));
  const split =
    optional !== undefined && transient !== undefined && ephemeral.every((m) => m !== undefined && /^ {2}ephemeral\??: (?:true|false|boolean);$/m.test(m));
  const base = split ? [...common, optional!] : common;
  events.forEach((e, i) => {
    const isTransient = split && ephemeral[i] === transient;
    let text = `${e.text}\n`.replace(header(e), `export interface ${e.name} extends ${isTransient ? TRANSIENT_EVENT_ENVELOPE : EVENT_ENVELOPE} {`);
    for (const m of base) text = text.replace(m, "");
    if (isTransient) text = text.replace(transient!, "");
    e.text = text.trimEnd();
  });
  const list = (members: string[]) => members.map((m) => `\`${m.replace(ONE_LINE_MEMBER, "$1")}\``).join(", ");
  const out: Chunk[] = [
    {
      name: EVENT_ENVELOPE,
      text: `/**\n * What every session event carries (${list(base)}): each event interface extends this.\n */\nexport interface ${EVENT_ENVELOPE} {\n${base.join("")}}`,
    },
  ];
  if (split) {
    out.push({
      name: TRANSIENT_EVENT_ENVELOPE,
      text: `/**\n * The envelope of a transient event (\`ephemeral: true\`, never persisted): each transient event interface extends this.\n */\nexport interface ${TRANSIENT_EVENT_ENVELOPE} extends ${EVENT_ENVELOPE} {\n${transient}}`,
    });
  }
  return out;
}

function stripBoilerplate(text: string): string {
  const ref = 'This interface was referenced by `[^`]+`\'s JSON-Schema\\n \\* via the `definition` "[^"]+"\\.';
  return text.replace(new RegExp(`/\\*\\*\\n \\* ${ref}\\n \\*/\\n`, "g"), "").replace(new RegExp(`\\n \\*\\n \\* ${ref}`, "g"), "");
}

interface Chunk {
  name: string;
  text: string;
}

/** Splits formatted output into top-level declarations (each with its leading JSDoc). */
function splitDeclarations(text: string): Chunk[] {
  const lines = text.split("\n");
  const chunks: Chunk[] = [];
  let cur: string[] = [];
  let name: string | null = null;
  const flush = () => {
    if (name !== null) chunks.push({ name, text: cur.join("\n") });
    else if (cur.some((l) => l.trim() !== "")) throw new CodegenError(`unrecognized json-schema-to-typescript output: ${cur.join("\n").slice(0, 200)}`);
    cur = [];
    name = null;
  };
  for (const line of lines) {
    const decl = /^export (?:interface|type) ([A-Za-z_$][\w$]*)/.exec(line);
    if ((line.startsWith("/**") && name !== null) || (decl && name !== null)) flush();
    if (decl) name = decl[1]!;
    if (line === "" && name === null && cur.length === 0) continue;
    cur.push(line);
  }
  flush();
  return chunks;
}
