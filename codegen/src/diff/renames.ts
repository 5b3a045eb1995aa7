/**
 * Rename detection: a removed name and an added name are one renamed item only when BOTH their
 * names and their shapes agree.
 *
 * - Names: the token sequences (split on `.`, `_`, `-`, camelCase) differ by one contiguous run,
 *   and the common tokens cover at least half of the longer name (`session.factory.run` →
 *   `session.workflow.run`, substitution `factory → workflow`).
 * - Shapes: Jaccard similarity of schema features ≥ 0.5 (refs masked, so types renamed together
 *   still match).
 * - A pair is accepted when its substitution is seen in at least one other candidate pair (across
 *   methods, events and types), or, for a one-off substitution, when the shapes are near-identical
 *   (≥ 0.9) and not trivially small: two tiny request types with the same fields are never paired
 *   on a lone name coincidence.
 */
import { byString } from "../util.js";
import { similarity } from "./shape-features.js";

export const MIN_SIMILARITY = 0.5;
export const LONE_SIMILARITY = 0.9;
/** Shapes with at most this many named fields (besides `sessionId`) are "small": equality says little about them. */
export const SMALL_SHAPE = 1;

/** Named fields a feature set mentions (`p.runId`, `.items[].name`), `sessionId` aside. */
function fieldCount(features: ReadonlySet<string>): number {
  const fields = new Set<string>();
  for (const f of features) {
    const m = /^([^:]*\.[^.:!|[\]{}]+)/.exec(f);
    if (m && !m[1]!.endsWith(".sessionId")) fields.add(m[1]!);
  }
  return fields.size;
}

export interface RenameCandidate {
  readonly kind: "method" | "event" | "type";
  readonly from: string;
  readonly to: string;
  readonly similarity: number;
  readonly substitution: string;
  readonly small: boolean;
}

/** `session.factory.getRunDetail` → `["session", "factory", "get", "run", "detail"]`. */
export function nameTokens(name: string): string[] {
  return name
    .split(/[._\-/]+/)
    .flatMap((part) => part.match(/[A-Z]+(?![a-z])|[A-Z]?[a-z]+|\d+/g) ?? [])
    .map((t) => t.toLowerCase());
}

/** The substitution turning `from` into `to` (`factory → workflow`), or null when the names are unrelated. */
export function nameSubstitution(from: string, to: string): string | null {
  const a = nameTokens(from);
  const b = nameTokens(to);
  let p = 0;
  while (p < a.length && p < b.length && a[p] === b[p]) p++;
  let s = 0;
  while (s < a.length - p && s < b.length - p && a[a.length - 1 - s] === b[b.length - 1 - s]) s++;
  const common = p + s;
  if (common === 0 || common * 2 < Math.max(a.length, b.length)) return null;
  const oldRun = a.slice(p, a.length - s);
  const newRun = b.slice(p, b.length - s);
  if (oldRun.length === 0 && newRun.length === 0) return from === to ? null : "(spelling)";
  return `${oldRun.join(" ") || "∅"} → ${newRun.join(" ") || "∅"}`;
}

/** Candidate pairs for one kind of item. `features` gives each name's shape features. */
export function renameCandidates(
  kind: RenameCandidate["kind"],
  removed: readonly string[],
  added: readonly string[],
  oldFeatures: (name: string) => ReadonlySet<string>,
  newFeatures: (name: string) => ReadonlySet<string>,
): RenameCandidate[] {
  const out: RenameCandidate[] = [];
  for (const from of removed) {
    for (const to of added) {
      const substitution = nameSubstitution(from, to);
      if (substitution === null) continue;
      const fa = oldFeatures(from);
      const fb = newFeatures(to);
      const sim = similarity(fa, fb);
      if (sim < MIN_SIMILARITY) continue;
      out.push({ kind, from, to, similarity: Math.round(sim * 1000) / 1000, substitution, small: Math.min(fieldCount(fa), fieldCount(fb)) <= SMALL_SHAPE });
    }
  }
  return out;
}

/**
 * Accepts candidates one-to-one, best shape first. `support` counts candidate pairs per
 * substitution over every kind, so `factory → workflow` on 17 methods backs each of them.
 */
export function acceptRenames(candidates: readonly RenameCandidate[], support: ReadonlyMap<string, number>): RenameCandidate[] {
  const sorted = [...candidates].sort((x, y) => y.similarity - x.similarity || byString(x.from, y.from) || byString(x.to, y.to));
  const usedFrom = new Set<string>();
  const usedTo = new Set<string>();
  const out: RenameCandidate[] = [];
  for (const c of sorted) {
    if (usedFrom.has(c.from) || usedTo.has(c.to)) continue;
    const witnessed = (support.get(c.substitution) ?? 0) >= 2;
    const strongAlone = c.similarity >= LONE_SIMILARITY && !c.small;
    if (!witnessed && !strongAlone) continue;
    usedFrom.add(c.from);
    usedTo.add(c.to);
    out.push(c);
  }
  return out.sort((x, y) => byString(x.from, y.from));
}

/** Substitution → number of distinct removed items with a candidate showing it. */
export function substitutionSupport(candidates: readonly RenameCandidate[]): Map<string, number> {
  const seen = new Map<string, Set<string>>();
  for (const c of candidates) {
    const set = seen.get(c.substitution) ?? new Set<string>();
    set.add(`${c.kind}:${c.from}`);
    seen.set(c.substitution, set);
  }
  return new Map([...seen].map(([k, v]) => [k, v.size]));
}
