/**
 * Field-level comparison of two schemas in validation form (refs `#/definitions/<Name>`). The
 * shape features the rename detector compares are in shape-features.ts. Refs are compared by (renamed) name, never
 * followed: a change inside a named type is reported once, under that type.
 */
import { CONSTRAINT_KEYWORDS, VALUE_KEYWORDS } from "../bundle.js";
import { inlineType } from "../ir.js";
import { byString, canonical, isObject, type Schema } from "../util.js";
import type { ChangeEffect, ChangeKind, DiffChange } from "./model.js";

/** Who writes the data: `input` = the user builds it (params we send, results we answer with), `output` = the user reads it. */
export interface Position {
  readonly input: boolean;
  readonly output: boolean;
}
export const INPUT: Position = { input: true, output: false };
export const OUTPUT: Position = { input: false, output: true };
export const BOTH: Position = { input: true, output: true };

const DOCS = new Set(["description", "title", "x-enumDescriptions", "examples", "$comment", "markdownDescription"]);
const LABELS = new Set(["stability", "visibility", "deprecated"]);
const SHAPE_IGNORED = new Set([...DOCS, ...LABELS]);
const SEVERITY: Record<ChangeEffect, number> = { docs: 0, neutral: 1, additive: 2, breaking: 3 };

export const worst = (a: ChangeEffect, b: ChangeEffect): ChangeEffect => (SEVERITY[a] >= SEVERITY[b] ? a : b);
export const severity = (e: ChangeEffect): number => SEVERITY[e];

/** Effect of a change given what it means for writers (input) and readers (output). */
function effectAt(pos: Position, onInput: ChangeEffect, onOutput: ChangeEffect): ChangeEffect {
  if (pos.input && pos.output) return worst(onInput, onOutput);
  return pos.input ? onInput : onOutput;
}

export const refName = (s: unknown): string | null =>
  isObject(s) && typeof s["$ref"] === "string" && s["$ref"].startsWith("#/definitions/") ? s["$ref"].slice("#/definitions/".length) : null;

/** Every definition name a schema refers to (schema positions only). */
export function refsOf(schema: unknown, out: Set<string> = new Set()): Set<string> {
  if (Array.isArray(schema)) for (const s of schema) refsOf(s, out);
  else if (isObject(schema)) {
    const r = refName(schema);
    if (r) out.add(r);
    for (const [k, v] of Object.entries(schema)) if (!VALUE_KEYWORDS.has(k) && k !== "$ref") refsOf(v, out);
  }
  return out;
}

/** A copy with refs renamed old → new, so a renamed type does not count as a changed reference. */
export function mapRefs(schema: unknown, renames: ReadonlyMap<string, string>): unknown {
  if (renames.size === 0) return schema;
  if (Array.isArray(schema)) return schema.map((s) => mapRefs(s, renames));
  if (!isObject(schema)) return schema;
  const out: Schema = {};
  for (const [k, v] of Object.entries(schema)) {
    if (k === "$ref" && typeof v === "string") {
      const name = refName(schema)!;
      out[k] = renames.has(name) ? `#/definitions/${renames.get(name)}` : v;
    } else out[k] = VALUE_KEYWORDS.has(k) ? v : mapRefs(v, renames);
  }
  return out;
}

/** Equal up to descriptions and labels (after mapping renamed refs of the old side). */
export function sameShape(a: unknown, b: unknown, renames: ReadonlyMap<string, string>): boolean {
  return canonical(mapRefs(a, renames), SHAPE_IGNORED) === canonical(b, SHAPE_IGNORED);
}

/** Short type text for reports: `string | null`, `SessionMode`, `object`. */
export function typeText(schema: unknown): string {
  if (schema === undefined) return "absent";
  if (isObject(schema) && (Array.isArray(schema["anyOf"]) || Array.isArray(schema["oneOf"]))) {
    const branches = (schema["anyOf"] ?? schema["oneOf"]) as unknown[];
    return branches.map((b) => typeText(b)).join(" | ");
  }
  const t = inlineType(schema);
  if (t !== null) return t.length > 80 ? `${t.slice(0, 77)}...` : t;
  if (isObject(schema) && (schema["type"] === "object" || isObject(schema["properties"]))) return "object";
  if (isObject(schema) && schema["type"] === "array") return `${typeText(schema["items"])}[]`;
  return "schema";
}

interface Ctx {
  readonly renames: ReadonlyMap<string, string>;
  readonly pos: Position;
  readonly out: DiffChange[];
  /** Definitions of each side, to look one level through a ref compared with an inline schema. */
  readonly resolveOld?: ((name: string) => unknown) | undefined;
  readonly resolveNew?: ((name: string) => unknown) | undefined;
  derefDepth?: number;
}

function push(ctx: Ctx, path: string, kind: ChangeKind, effect: ChangeEffect, detail: string): void {
  ctx.out.push({ path: path === "" ? "(root)" : path, kind, effect, detail });
}

export const typeSet = (s: Schema): string[] | null =>
  s["type"] === undefined ? null : (Array.isArray(s["type"]) ? (s["type"] as string[]) : [s["type"] as string]).slice().sort(byString);

const unwrapOptional = (s: unknown): unknown => {
  if (!isObject(s) || !Array.isArray(s["anyOf"])) return s;
  const rest = s["anyOf"].filter((b) => !(isObject(b) && isObject(b["not"]) && Object.keys(b["not"]).length === 0 && Object.keys(b).length === 1));
  if (rest.length !== 1 || rest.length === s["anyOf"].length) return s;
  const { anyOf: _drop, ...outer } = s;
  return { ...(rest[0] as Schema), ...outer };
};

/** Whether a params/result schema is wrapped in the `{"not":{}}` "may be absent" idiom; and the schema without it. */
export function splitOptionalForDiff(s: unknown): { optional: boolean; schema: unknown } {
  const u = unwrapOptional(s);
  return { optional: u !== s, schema: u };
}

export const literal = (v: unknown): string => JSON.stringify(v);

/** True when a constraint change accepts more values than before (a raised maximum, a dropped constraint). */
function constraintLoosened(key: string, before: unknown, after: unknown): boolean {
  if (after === undefined) return true;
  if (before === undefined) return false;
  if (typeof before === "number" && typeof after === "number") {
    if (/^(exclusiveM|m)ax/.test(key)) return after > before;
    if (/^(exclusiveM|m)in/.test(key)) return after < before;
  }
  if (key === "uniqueItems") return after === false;
  return false;
}

/** The branches of an `anyOf`/`oneOf` (without the `{"not":{}}` idiom), or null. */
function unionOf(s: Schema): unknown[] | null {
  const v = s["anyOf"] ?? s["oneOf"];
  return Array.isArray(v) ? v : null;
}

/** A key that identifies a union branch across versions: its ref name or its first const-valued property. */
function variantKey(s: unknown, renames: ReadonlyMap<string, string>): string | null {
  const r = refName(s);
  if (r) return `ref:${renames.get(r) ?? r}`;
  if (!isObject(s)) return null;
  if ("const" in s) return `const:${literal(s["const"])}`;
  if (isObject(s["properties"])) {
    for (const k of Object.keys(s["properties"]).sort(byString)) {
      const p = s["properties"][k];
      if (isObject(p) && "const" in p) return `${k}=${literal(p["const"])}`;
    }
  }
  if (typeof s["type"] === "string" && s["type"] !== "object") return `type:${s["type"]}`;
  return null;
}

function diffVariants(a: unknown[], b: unknown[], path: string, ctx: Ctx): void {
  const ca = a.map((s) => canonical(mapRefs(s, ctx.renames), SHAPE_IGNORED));
  const cb = b.map((s) => canonical(s, SHAPE_IGNORED));
  const ua = a.filter((_, i) => !cb.includes(ca[i]!));
  const ub = b.filter((_, i) => !ca.includes(cb[i]!));
  // Docs of branches that did not change shape still count.
  a.forEach((s, i) => {
    const j = cb.indexOf(ca[i]!);
    if (j >= 0) diffNode(s, b[j], path, ctx, true);
  });
  if (ua.length === 0 && ub.length === 0) return;
  if (ua.length === 1 && ub.length === 1) {
    diffNode(ua[0], ub[0], path, ctx);
    return;
  }
  const keyed = new Map<string, unknown>();
  for (const s of ub) {
    const k = variantKey(s, ctx.renames);
    if (k) keyed.set(k, s);
  }
  const pairedB = new Set<unknown>();
  for (const s of ua) {
    const k = variantKey(s, ctx.renames);
    const match = k ? keyed.get(k) : undefined;
    if (match !== undefined && !pairedB.has(match)) {
      pairedB.add(match);
      diffNode(s, match, `${path}<${k}>`, ctx);
    } else push(ctx, path, "variants-removed", "breaking", `- ${typeText(s)}`);
  }
  for (const s of ub) {
    if (pairedB.has(s)) continue;
    const primitive = !isObject(s) || (refName(s) === null && s["type"] !== "object" && !isObject(s["properties"]));
    // A new object variant is like a new enum value (readers need a default branch); a new primitive widens the type.
    push(ctx, path, "variants-added", primitive ? effectAt(ctx.pos, "additive", "breaking") : "additive", `+ ${typeText(s)}`);
  }
}

/**
 * Appends the changes from `a` (old) to `b` (new) at `path`. `docsOnly`: shapes are known equal.
 * One pass over the keyword groups in the order the report lists them, each group its own function.
 */
function diffNode(a: unknown, b: unknown, path: string, ctx: Ctx, docsOnly = false): void {
  if (!isObject(a) || !isObject(b)) {
    if (canonical(a) !== canonical(b)) push(ctx, path, "schema-changed", effectAt(ctx.pos, "breaking", "breaking"), `${typeText(a)} → ${typeText(b)}`);
    return;
  }
  diffAnnotations(a, b, path, ctx);
  if (docsOnly) {
    recurseDocs(a, b, path, ctx);
    return;
  }
  if (diffUnionOrRef(a, b, path, ctx)) return;
  diffVariantKeywords(a, b, path, ctx);
  const hasValues = diffValues(a, b, path, ctx);
  diffTypes(a, b, path, ctx, hasValues);
  diffConstraints(a, b, path, ctx);
  diffProperties(a, b, path, ctx);
  diffContainers(a, b, path, ctx);
}

/** Description, deprecation, stability and visibility: what a reader is told, not the shape. */
function diffAnnotations(a: Schema, b: Schema, path: string, ctx: Ctx): void {
  if ((a["description"] ?? null) !== (b["description"] ?? null))
    push(
      ctx,
      path,
      "description-changed",
      "docs",
      b["description"] === undefined ? "description removed" : a["description"] === undefined ? "description added" : "description reworded",
    );
  if ((a["deprecated"] === true) !== (b["deprecated"] === true))
    push(
      ctx,
      path,
      "deprecated-changed",
      b["deprecated"] === true ? "additive" : "neutral",
      b["deprecated"] === true ? "now deprecated" : "no longer deprecated",
    );
  if ((a["stability"] ?? null) !== (b["stability"] ?? null))
    push(ctx, path, "stability-changed", "neutral", `${a["stability"] ?? "stable"} → ${b["stability"] ?? "stable"}`);
  if ((a["visibility"] ?? "public") !== (b["visibility"] ?? "public"))
    push(
      ctx,
      path,
      "visibility-changed",
      b["visibility"] === "internal" ? "breaking" : "additive",
      `${a["visibility"] ?? "public"} → ${b["visibility"] ?? "public"}`,
    );
}

/**
 * A union on one side only, or a `$ref` on either side: compared here, and nothing more is
 * compared at this node (returns true).
 */
function diffUnionOrRef(a: Schema, b: Schema, path: string, ctx: Ctx): boolean {
  // One side a union, the other not: a widening when the union has the old schema as a branch.
  const ua = unionOf(a);
  const ub = unionOf(b);
  if ((ua === null) !== (ub === null)) {
    if (ub?.some((branch) => sameShape(a, branch, ctx.renames)))
      push(ctx, path, "type-widened", effectAt(ctx.pos, "additive", "breaking"), `${typeText(a)} → ${typeText(b)}`);
    else if (ua?.some((branch) => sameShape(branch, b, ctx.renames)))
      push(ctx, path, "type-narrowed", effectAt(ctx.pos, "breaking", "neutral"), `${typeText(a)} → ${typeText(b)}`);
    else push(ctx, path, "type-changed", "breaking", `${typeText(a)} → ${typeText(b)}`);
    return true;
  }
  const ra = refName(a);
  const rb = refName(b);
  if (ra !== null || rb !== null) {
    if (ra !== null && rb !== null) {
      if ((ctx.renames.get(ra) ?? ra) !== rb) push(ctx, path, "ref-changed", "breaking", `${ra} → ${rb}`);
      return true;
    }
    // Inline ↔ named (e.g. a const that became a named enum): compare with the definition, one level deep.
    const da = ra !== null ? ctx.resolveOld?.(ra) : a;
    const db = rb !== null ? ctx.resolveNew?.(rb) : b;
    if ((ctx.derefDepth ?? 0) === 0 && isObject(da) && isObject(db)) {
      ctx.derefDepth = 1;
      diffNode(da, db, path, ctx);
      ctx.derefDepth = 0;
    } else push(ctx, path, "type-changed", "breaking", `${typeText(a)} → ${typeText(b)}`);
    return true;
  }
  return false;
}

/** Opaque-type markers and the `anyOf` / `oneOf` branches. */
function diffVariantKeywords(a: Schema, b: Schema, path: string, ctx: Ctx): void {
  for (const k of ["x-opaque-json", "x-opaque-in-process", "x-typescript-type"]) {
    if (canonical(a[k]) !== canonical(b[k])) push(ctx, path, "type-changed", "breaking", `${typeText(a)} → ${typeText(b)}`);
  }
  for (const k of ["anyOf", "oneOf"] as const) {
    const va = a[k];
    const vb = b[k];
    if (Array.isArray(va) && Array.isArray(vb)) diffVariants(va, vb, path, ctx);
    else if (Array.isArray(va) || Array.isArray(vb)) {
      // anyOf ↔ oneOf: compare the branches as one union.
      diffVariants((va ?? a["anyOf"] ?? a["oneOf"]) as unknown[], (vb ?? b["anyOf"] ?? b["oneOf"]) as unknown[], path, ctx);
      break;
    }
  }
}

/** `const` and `enum` values; returns whether either side has any (the type check then defers to them). */
function diffValues(a: Schema, b: Schema, path: string, ctx: Ctx): boolean {
  // A const is a one-value enum: const "x" → enum ["x", "y"] is a widening, not a new type.
  const enumOf = (s: Schema): unknown[] | null => (Array.isArray(s["enum"]) ? (s["enum"] as unknown[]) : "const" in s ? [s["const"]] : null);
  if ("const" in a && "const" in b && canonical(a["const"]) !== canonical(b["const"])) {
    push(ctx, path, "const-changed", "breaking", `${literal(a["const"])} → ${literal(b["const"])}`);
  }
  const bothConst = "const" in a && "const" in b;
  const ea = bothConst ? null : enumOf(a);
  const eb = bothConst ? null : enumOf(b);
  if (ea && eb) {
    const sa = new Set(ea.map(literal));
    const sb = new Set(eb.map(literal));
    const added = [...sb].filter((v) => !sa.has(v)).sort(byString);
    const removed = [...sa].filter((v) => !sb.has(v)).sort(byString);
    // New values in data we read are additive by convention (a `default:` branch handles them).
    if (added.length > 0) push(ctx, path, "enum-values-added", "additive", `+ ${added.join(", ")}`);
    if (removed.length > 0) push(ctx, path, "enum-values-removed", "breaking", `- ${removed.join(", ")}`);
  } else if (ea || eb) {
    push(
      ctx,
      path,
      ea ? "type-widened" : "type-narrowed",
      ea ? effectAt(ctx.pos, "additive", "breaking") : effectAt(ctx.pos, "breaking", "neutral"),
      `${typeText(a)} → ${typeText(b)}`,
    );
  }
  return Boolean(ea || eb || "const" in a || "const" in b);
}

/** The `type` keyword; `hasValues`: a const or enum already described the change. */
function diffTypes(a: Schema, b: Schema, path: string, ctx: Ctx, hasValues: boolean): void {
  const ta = typeSet(a);
  const tb = typeSet(b);
  if (ta && tb) {
    const num = (t: string) => (t === "integer" ? "number" : t);
    const added = tb.filter((t) => !ta.includes(t));
    const removed = ta.filter((t) => !tb.includes(t));
    const tsSame = canonical([...new Set(ta.map(num))].sort(byString)) === canonical([...new Set(tb.map(num))].sort(byString));
    if (tsSame && (added.length > 0 || removed.length > 0)) {
      push(
        ctx,
        path,
        "constraint-changed",
        effectAt(ctx.pos, removed.length > 0 ? "breaking" : "additive", "neutral"),
        `type ${ta.join("|")} → ${tb.join("|")}`,
      );
    } else {
      if (added.length > 0) push(ctx, path, "type-widened", effectAt(ctx.pos, "additive", "breaking"), `${ta.join(" | ")} → ${tb.join(" | ")}`);
      if (removed.length > 0) push(ctx, path, "type-narrowed", effectAt(ctx.pos, "breaking", "neutral"), `${ta.join(" | ")} → ${tb.join(" | ")}`);
    }
  } else if (ta || tb) {
    if (!hasValues) push(ctx, path, "type-changed", "breaking", `${typeText(a)} → ${typeText(b)}`);
  }
}

/** Numeric, string and array constraints, and `x-diff-*` facts the overlay adds. */
function diffConstraints(a: Schema, b: Schema, path: string, ctx: Ctx): void {
  const constraintKeys = [...CONSTRAINT_KEYWORDS, ...new Set([...Object.keys(a), ...Object.keys(b)].filter((k) => k.startsWith("x-diff-")))];
  for (const k of constraintKeys.sort(byString)) {
    if (canonical(a[k]) !== canonical(b[k])) {
      const loosened = constraintLoosened(k, a[k], b[k]);
      push(
        ctx,
        path,
        "constraint-changed",
        effectAt(ctx.pos, loosened ? "additive" : "breaking", "neutral"),
        `${k.replace(/^x-diff-/, "")}: ${a[k] === undefined ? "none" : literal(a[k])} → ${b[k] === undefined ? "none" : literal(b[k])}`,
      );
    }
  }
}

/** What nests: `additionalProperties`, `items`, `allOf`. */
function diffContainers(a: Schema, b: Schema, path: string, ctx: Ctx): void {
  const apa = a["additionalProperties"];
  const apb = b["additionalProperties"];
  if (isObject(apa) && isObject(apb)) {
    if (canonical(apa) !== canonical(apb)) diffNode(apa, apb, `${path}{*}`, ctx);
  } else if (canonical(mapRefs(apa, ctx.renames), SHAPE_IGNORED) !== canonical(apb, SHAPE_IGNORED)) {
    const fmt = (v: unknown) => (v === undefined ? "unset" : typeof v === "boolean" ? String(v) : typeText(v));
    const effect = apb === false ? effectAt(ctx.pos, "breaking", "neutral") : effectAt(ctx.pos, "additive", "neutral");
    push(ctx, path, "additional-properties-changed", effect, `additionalProperties ${fmt(apa)} → ${fmt(apb)}`);
  }
  if (a["items"] !== undefined || b["items"] !== undefined) diffNode(a["items"], b["items"], `${path}[]`, ctx);
  if (canonical(mapRefs(a["allOf"], ctx.renames), SHAPE_IGNORED) !== canonical(b["allOf"], SHAPE_IGNORED)) {
    push(ctx, path, "schema-changed", "breaking", "allOf changed");
  }
}

function diffProperties(a: Schema, b: Schema, path: string, ctx: Ctx): void {
  const pa = isObject(a["properties"]) ? a["properties"] : {};
  const pb = isObject(b["properties"]) ? b["properties"] : {};
  const reqA = new Set(Array.isArray(a["required"]) ? (a["required"] as string[]) : []);
  const reqB = new Set(Array.isArray(b["required"]) ? (b["required"] as string[]) : []);
  const keys = [...new Set([...Object.keys(pa), ...Object.keys(pb)])].sort(byString);
  for (const k of keys) {
    const p = path === "" ? k : `${path}.${k}`;
    if (!(k in pb)) push(ctx, p, "property-removed", "breaking", `was ${reqA.has(k) ? "required" : "optional"} ${typeText(pa[k])}`);
    else if (!(k in pa))
      push(
        ctx,
        p,
        "property-added",
        reqB.has(k) ? effectAt(ctx.pos, "breaking", "additive") : "additive",
        `${reqB.has(k) ? "required" : "optional"} ${typeText(pb[k])}`,
      );
    else {
      diffNode(pa[k], pb[k], p, ctx);
      if (reqA.has(k) && !reqB.has(k)) push(ctx, p, "required-removed", effectAt(ctx.pos, "additive", "breaking"), "required → optional");
      if (!reqA.has(k) && reqB.has(k)) push(ctx, p, "required-added", effectAt(ctx.pos, "breaking", "neutral"), "optional → required");
    }
  }
}

/** Walks two equal-shaped schemas for description changes only. */
function recurseDocs(a: Schema, b: Schema, path: string, ctx: Ctx): void {
  const pa = isObject(a["properties"]) ? a["properties"] : {};
  const pb = isObject(b["properties"]) ? b["properties"] : {};
  for (const k of Object.keys(pa).sort(byString)) if (k in pb) diffNode(pa[k], pb[k], path === "" ? k : `${path}.${k}`, ctx, true);
  if (isObject(a["items"]) && isObject(b["items"])) diffNode(a["items"], b["items"], `${path}[]`, ctx, true);
  for (const k of ["anyOf", "oneOf"]) {
    const va = a[k];
    const vb = b[k];
    if (Array.isArray(va) && Array.isArray(vb) && va.length === vb.length) va.forEach((s, i) => diffNode(s, vb[i], path, ctx, true));
  }
}

/** Field-level changes from `oldSchema` to `newSchema`, sorted by path then kind. */
export function diffSchemas(
  oldSchema: unknown,
  newSchema: unknown,
  options: {
    path?: string;
    pos: Position;
    renames: ReadonlyMap<string, string>;
    resolveOld?: (name: string) => unknown;
    resolveNew?: (name: string) => unknown;
  },
): DiffChange[] {
  const ctx: Ctx = { renames: options.renames, pos: options.pos, out: [], resolveOld: options.resolveOld, resolveNew: options.resolveNew };
  const equalShape = sameShape(oldSchema, newSchema, options.renames);
  diffNode(oldSchema, newSchema, options.path ?? "", ctx, equalShape);
  return sortChanges(ctx.out);
}

export function sortChanges(changes: DiffChange[]): DiffChange[] {
  const seen = new Set<string>();
  return changes
    .filter((c) => {
      const k = `${c.path}\u0000${c.kind}\u0000${c.detail}`;
      if (seen.has(k)) return false;
      seen.add(k);
      return true;
    })
    .sort((x, y) => byString(x.path, y.path) || byString(x.kind, y.kind) || byString(x.detail, y.detail));
}
