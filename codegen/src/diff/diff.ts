/**
 * The diff engine: two IRs → methods, events and named types added, removed, renamed and changed,
 * with a field-level list of changes and a semver verdict. Used by `flightdeck-codegen diff` and
 * `pnpm protocol:bump`.
 */
import type { CodegenIr, IrEvent, IrMethod, IrNamedType } from "../ir.js";
import { byString, isObject, type Schema } from "../util.js";
import {
  DIFF_VERSION,
  type DiffChange,
  type DiffChanged,
  type DiffRename,
  type DiffSection,
  type EventSummary,
  type MethodSummary,
  type ProtocolDiff,
  type TypeSummary,
} from "./model.js";
import { acceptRenames, renameCandidates, substitutionSupport, type RenameCandidate } from "./renames.js";
import { BOTH, diffSchemas, INPUT, OUTPUT, refsOf, sortChanges, splitOptionalForDiff, type Position } from "./schema-diff.js";
import { shapeFeatures } from "./shape-features.js";
import { verdictOf } from "./verdict.js";

/** How refs compare: old names mapped through renames; definitions of each side for one-level lookups. */
interface RefOptions {
  readonly renames: ReadonlyMap<string, string>;
  readonly resolveOld: (name: string) => unknown;
  readonly resolveNew: (name: string) => unknown;
}

const eventTypeNames = (ir: CodegenIr): Set<string> => new Set(["SessionEvent", ...ir.events.flatMap((e) => [e.typeName, e.dataTypeName])]);

/** Which types are reached from data the user writes (input) and data the user reads (output). */
export function typePositions(ir: CodegenIr): Map<string, Position> {
  const types = new Map(ir.types.map((t) => [t.name, t]));
  const reach = (roots: Iterable<string>): Set<string> => {
    const seen = new Set<string>();
    const stack = [...roots];
    while (stack.length > 0) {
      const n = stack.pop()!;
      if (seen.has(n)) continue;
      seen.add(n);
      const t = types.get(n);
      if (t) for (const r of refsOf(t.schema)) if (!seen.has(r)) stack.push(r);
    }
    return seen;
  };
  const inRoots = new Set<string>();
  const outRoots = new Set<string>();
  for (const m of ir.methods) {
    const c2s = m.direction === "clientToServer";
    // Wire schemas reach refs; the public stub types (titled definitions minus sessionId) are roots too.
    if (m.params) for (const r of [...refsOf(m.params.schema), m.params.tsType ?? ""]) (c2s ? inRoots : outRoots).add(r);
    if (m.result) for (const r of [...refsOf(m.result.schema), m.result.tsType]) (c2s ? outRoots : inRoots).add(r);
  }
  for (const e of ir.events) outRoots.add(e.typeName);
  const input = reach(inRoots);
  const output = reach(outRoots);
  const out = new Map<string, Position>();
  for (const t of ir.types) {
    const i = input.has(t.name);
    const o = output.has(t.name);
    // Unreferenced types are exported too: assume both uses.
    out.set(t.name, i || o ? { input: i, output: o } : BOTH);
  }
  return out;
}

const methodSummary = (m: IrMethod): MethodSummary => ({
  name: m.name,
  scope: m.scope,
  kind: m.kind,
  visibility: m.visibility,
  stability: m.stability,
  params: m.params?.tsType ?? null,
  result: m.result?.tsType ?? null,
});
const eventSummary = (e: IrEvent): EventSummary => ({
  name: e.type,
  visibility: e.visibility,
  stability: e.stability,
  ephemeral: e.ephemeral,
  dataType: e.dataTypeName,
});
const typeSummary = (t: IrNamedType): TypeSummary => ({ name: t.name, visibility: t.visibility, stability: t.stability, origin: t.origin });

function labelChanges(a: { visibility: string; stability: string; deprecated: boolean; description: string | null }, b: typeof a): DiffChange[] {
  const out: DiffChange[] = [];
  if (a.visibility !== b.visibility)
    out.push({
      path: "(root)",
      kind: "visibility-changed",
      effect: b.visibility === "internal" ? "breaking" : "additive",
      detail: `${a.visibility} → ${b.visibility}`,
    });
  if (a.stability !== b.stability) out.push({ path: "(root)", kind: "stability-changed", effect: "neutral", detail: `${a.stability} → ${b.stability}` });
  if (a.deprecated !== b.deprecated)
    out.push({
      path: "(root)",
      kind: "deprecated-changed",
      effect: b.deprecated ? "additive" : "neutral",
      detail: b.deprecated ? "now deprecated" : "no longer deprecated",
    });
  if (a.description !== b.description)
    out.push({
      path: "(root)",
      kind: "description-changed",
      effect: "docs",
      detail: b.description === null ? "description removed" : a.description === null ? "description added" : "description reworded",
    });
  return out;
}

function methodChanges(a: IrMethod, b: IrMethod, refs: RefOptions): DiffChange[] {
  const out = labelChanges(a, b);
  if (a.kind !== b.kind) out.push({ path: "(root)", kind: "kind-changed", effect: "breaking", detail: `${a.kind} → ${b.kind}` });
  if (a.scope !== b.scope) out.push({ path: "(root)", kind: "scope-changed", effect: "breaking", detail: `${a.scope} → ${b.scope}` });
  const c2s = b.direction === "clientToServer";
  const paramsPos = c2s ? INPUT : OUTPUT;
  const resultPos = c2s ? OUTPUT : INPUT;
  if (!a.params && b.params) {
    const opt = splitOptionalForDiff(b.params.schema).optional || b.params.tsType === null;
    out.push({ path: "params", kind: "params-added", effect: opt || !c2s ? "additive" : "breaking", detail: `now takes ${b.params.tsType ?? "no argument"}` });
  } else if (a.params && !b.params)
    out.push({ path: "params", kind: "params-removed", effect: "breaking", detail: `took ${a.params.tsType ?? "no argument"}` });
  else if (a.params && b.params) {
    const oa = splitOptionalForDiff(a.params.schema);
    const ob = splitOptionalForDiff(b.params.schema);
    if (oa.optional !== ob.optional) {
      const nowRequired = !ob.optional;
      out.push({
        path: "params",
        kind: "params-optionality-changed",
        effect: nowRequired === c2s ? (nowRequired ? "breaking" : "additive") : "neutral",
        detail: nowRequired ? "params now required" : "params now optional",
      });
    }
    out.push(...diffSchemas(oa.schema, ob.schema, { path: "params", pos: paramsPos, ...refs }));
  }
  if (!a.result && b.result) out.push({ path: "result", kind: "result-added", effect: c2s ? "additive" : "breaking", detail: `void → ${b.result.tsType}` });
  else if (a.result && !b.result)
    out.push({ path: "result", kind: "result-removed", effect: c2s ? "breaking" : "additive", detail: `${a.result.tsType} → void` });
  else if (a.result && b.result) {
    out.push(
      ...diffSchemas(splitOptionalForDiff(a.result.schema).schema, splitOptionalForDiff(b.result.schema).schema, { path: "result", pos: resultPos, ...refs }),
    );
  }
  return sortChanges(out);
}

function withoutEnvelopeFields(schema: Schema): Schema {
  const props = isObject(schema["properties"]) ? { ...schema["properties"] } : {};
  delete props["data"];
  delete props["type"];
  delete props["ephemeral"];
  const { description: _d, ...rest } = schema;
  return {
    ...rest,
    properties: props,
    required: Array.isArray(schema["required"]) ? (schema["required"] as string[]).filter((r) => r !== "data" && r !== "type" && r !== "ephemeral") : [],
  };
}

function eventChanges(
  a: IrEvent,
  b: IrEvent,
  oldTypes: ReadonlyMap<string, IrNamedType>,
  newTypes: ReadonlyMap<string, IrNamedType>,
  refs: RefOptions,
): DiffChange[] {
  const out = labelChanges(a, b);
  if (a.ephemeral !== b.ephemeral) out.push({ path: "ephemeral", kind: "ephemeral-changed", effect: "neutral", detail: `${a.ephemeral} → ${b.ephemeral}` });
  const ea = oldTypes.get(a.typeName)?.schema;
  const eb = newTypes.get(b.typeName)?.schema;
  if (ea && eb) out.push(...diffSchemas(withoutEnvelopeFields(ea), withoutEnvelopeFields(eb), { path: "", pos: OUTPUT, ...refs }));
  const da = oldTypes.get(a.dataTypeName)?.schema;
  const db = newTypes.get(b.dataTypeName)?.schema;
  if (da && db) out.push(...diffSchemas(da, db, { path: "data", pos: OUTPUT, ...refs }));
  return sortChanges(out);
}

function section<I, S>(
  oldItems: ReadonlyMap<string, I>,
  newItems: ReadonlyMap<string, I>,
  accepted: readonly RenameCandidate[],
  summary: (i: I) => S,
  changes: (a: I, b: I) => DiffChange[],
): DiffSection<S> {
  const renamedFrom = new Set(accepted.map((r) => r.from));
  const renamedTo = new Set(accepted.map((r) => r.to));
  const names = (m: ReadonlyMap<string, I>) => [...m.keys()].sort(byString);
  const added = names(newItems)
    .filter((n) => !oldItems.has(n) && !renamedTo.has(n))
    .map((n) => summary(newItems.get(n)!));
  const removed = names(oldItems)
    .filter((n) => !newItems.has(n) && !renamedFrom.has(n))
    .map((n) => summary(oldItems.get(n)!));
  const renamed: DiffRename[] = accepted.map((r) => ({
    from: r.from,
    to: r.to,
    similarity: r.similarity,
    substitution: r.substitution,
    changes: changes(oldItems.get(r.from)!, newItems.get(r.to)!),
  }));
  const changed: DiffChanged[] = [];
  for (const n of names(oldItems)) {
    const b = newItems.get(n);
    if (!b) continue;
    const c = changes(oldItems.get(n)!, b);
    if (c.length > 0) changed.push({ name: n, changes: c });
  }
  return { added, removed, renamed, changed };
}

/**
 * Compares two IRs. Renames are detected by name and shape together (see renames.ts); refs to
 * renamed types are mapped before comparing, so a rename is reported once.
 */
export function diffIr(oldIr: CodegenIr, newIr: CodegenIr): ProtocolDiff {
  const excluded = new Set([...eventTypeNames(oldIr), ...eventTypeNames(newIr)]);
  const oldAll = new Map(oldIr.types.map((t) => [t.name, t]));
  const newAll = new Map(newIr.types.map((t) => [t.name, t]));
  const oldTypes = new Map(oldIr.types.filter((t) => !excluded.has(t.name)).map((t) => [t.name, t]));
  const newTypes = new Map(newIr.types.filter((t) => !excluded.has(t.name)).map((t) => [t.name, t]));
  const oldMethods = new Map(oldIr.methods.map((m) => [m.name, m]));
  const newMethods = new Map(newIr.methods.map((m) => [m.name, m]));
  const oldEvents = new Map(oldIr.events.map((e) => [e.type, e]));
  const newEvents = new Map(newIr.events.map((e) => [e.type, e]));

  const cache = new Map<string, Set<string>>();
  const memo = (key: string, make: () => Set<string>) => cache.get(key) ?? (cache.set(key, make()), cache.get(key)!);
  const methodFeatures = (m: IrMethod | undefined) => {
    const f = new Set<string>([`kind=${m?.kind}`]);
    if (m?.params) shapeFeatures(splitOptionalForDiff(m.params.schema).schema, "p", f);
    if (m?.result) shapeFeatures(splitOptionalForDiff(m.result.schema).schema, "r", f);
    return f;
  };
  const eventFeatures = (e: IrEvent | undefined, all: ReadonlyMap<string, IrNamedType>) => shapeFeatures(e ? all.get(e.dataTypeName)?.schema : undefined, "d");
  const onlyIn = <T>(a: ReadonlyMap<string, T>, b: ReadonlyMap<string, T>) => [...a.keys()].filter((k) => !b.has(k)).sort(byString);

  const candidates = [
    ...renameCandidates(
      "type",
      onlyIn(oldTypes, newTypes),
      onlyIn(newTypes, oldTypes),
      (n) => memo(`o:t:${n}`, () => shapeFeatures(oldTypes.get(n)?.schema)),
      (n) => memo(`n:t:${n}`, () => shapeFeatures(newTypes.get(n)?.schema)),
    ),
    ...renameCandidates(
      "method",
      onlyIn(oldMethods, newMethods),
      onlyIn(newMethods, oldMethods),
      (n) => memo(`o:m:${n}`, () => methodFeatures(oldMethods.get(n))),
      (n) => memo(`n:m:${n}`, () => methodFeatures(newMethods.get(n))),
    ),
    ...renameCandidates(
      "event",
      onlyIn(oldEvents, newEvents),
      onlyIn(newEvents, oldEvents),
      (n) => memo(`o:e:${n}`, () => eventFeatures(oldEvents.get(n), oldAll)),
      (n) => memo(`n:e:${n}`, () => eventFeatures(newEvents.get(n), newAll)),
    ),
  ];
  const support = substitutionSupport(candidates);
  const accepted = acceptRenames(candidates, support);
  const ofKind = (k: RenameCandidate["kind"]) => accepted.filter((c) => c.kind === k);

  // Refs to renamed types (and to renamed events' envelope/data types) compare by the new name.
  const renames = new Map<string, string>(ofKind("type").map((c) => [c.from, c.to]));
  for (const c of ofKind("event")) {
    const a = oldEvents.get(c.from)!;
    const b = newEvents.get(c.to)!;
    renames.set(a.typeName, b.typeName);
    renames.set(a.dataTypeName, b.dataTypeName);
  }
  const positions = typePositions(newIr);
  const refs: RefOptions = { renames, resolveOld: (n) => oldAll.get(n)?.schema, resolveNew: (n) => newAll.get(n)?.schema };

  const methods = section(oldMethods, newMethods, ofKind("method"), methodSummary, (a, b) => methodChanges(a, b, refs));
  const events = section(oldEvents, newEvents, ofKind("event"), eventSummary, (a, b) => eventChanges(a, b, oldAll, newAll, refs));
  const types = section(oldTypes, newTypes, ofKind("type"), typeSummary, (a, b) =>
    diffSchemas(a.schema, b.schema, { path: "", pos: positions.get(b.name) ?? BOTH, ...refs }),
  );
  return {
    diffVersion: DIFF_VERSION,
    old: oldIr.source,
    new: newIr.source,
    methods,
    events,
    types,
    verdict: verdictOf(
      methods,
      events,
      types,
      (n) => oldMethods.get(n)?.visibility === "internal" && (newMethods.get(n)?.visibility ?? "internal") === "internal",
    ),
  };
}
