/**
 * The semver verdict of a protocol diff, for the generated bindings:
 * removed, renamed or narrowed (anything `breaking`) → major; added (`additive`) → minor;
 * descriptions and labels only → patch; nothing → none.
 *
 * Methods with `visibility: internal` are exported only from `@flightdeck/copilot-core/internal`,
 * which makes no stability promise: their breaking changes count as minor.
 */
import type { ChangeEffect, DiffSection, DiffVerdict, EventSummary, MethodSummary, TypeSummary, VerdictLevel } from "./model.js";

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? "" : "s"}`;

/** `internalMethod(name)`: the method is internal in both versions (renames: under its old name). */
export function verdictOf(
  methods: DiffSection<MethodSummary>,
  events: DiffSection<EventSummary>,
  types: DiffSection<TypeSummary>,
  internalMethod: (name: string) => boolean = () => false,
): DiffVerdict {
  const counts: Record<ChangeEffect, number> = { breaking: 0, additive: 0, docs: 0, neutral: 0 };
  const reasons: { effect: ChangeEffect; n: number; text: string }[] = [];
  const note = (effect: ChangeEffect, n: number, text: string) => {
    if (n === 0) return;
    counts[effect] += n;
    reasons.push({ effect, n, text });
  };
  const publicRemoved = methods.removed.filter((m) => m.visibility !== "internal").length;
  note("breaking", publicRemoved, `${plural(publicRemoved, "method")} removed`);
  note("additive", methods.removed.length - publicRemoved, `${plural(methods.removed.length - publicRemoved, "internal method")} removed (internal: minor)`);
  const publicRenamed = methods.renamed.filter((r) => !internalMethod(r.from)).length;
  note("breaking", publicRenamed, `${plural(publicRenamed, "method")} renamed`);
  note("additive", methods.renamed.length - publicRenamed, `${plural(methods.renamed.length - publicRenamed, "internal method")} renamed (internal: minor)`);
  note("breaking", events.removed.length, `${plural(events.removed.length, "event")} removed`);
  note("breaking", events.renamed.length, `${plural(events.renamed.length, "event")} renamed`);
  note("breaking", types.removed.length, `${plural(types.removed.length, "type")} removed`);
  note("breaking", types.renamed.length, `${plural(types.renamed.length, "type")} renamed`);
  note("additive", methods.added.length, `${plural(methods.added.length, "method")} added`);
  note("additive", events.added.length, `${plural(events.added.length, "event")} added`);
  note("additive", types.added.length, `${plural(types.added.length, "type")} added`);

  const changed = (label: string, entries: DiffSection<unknown>["changed"], isInternal: (name: string) => boolean) => {
    const by: Record<ChangeEffect, Set<string>> = { breaking: new Set(), additive: new Set(), docs: new Set(), neutral: new Set() };
    for (const e of entries) {
      for (const c of e.changes) {
        const effect = c.effect === "breaking" && isInternal(e.name) ? "additive" : c.effect;
        by[effect].add(e.name);
      }
    }
    const what: Record<ChangeEffect, string> = {
      breaking: "with breaking changes",
      additive: "with additions",
      docs: "with documentation changes",
      neutral: "with label or constraint changes",
    };
    for (const effect of ["breaking", "additive", "neutral", "docs"] as const)
      note(effect, by[effect].size, `${plural(by[effect].size, label)} ${what[effect]}`);
  };
  changed("method", methods.changed, internalMethod);
  changed("event", events.changed, () => false);
  changed("type", types.changed, () => false);

  const level: VerdictLevel = counts.breaking > 0 ? "major" : counts.additive > 0 ? "minor" : counts.docs + counts.neutral > 0 ? "patch" : "none";
  const order: Record<ChangeEffect, number> = { breaking: 0, additive: 1, neutral: 2, docs: 3 };
  reasons.sort((x, y) => order[x.effect] - order[y.effect]);
  return { level, reasons: reasons.map((r) => `${r.text}${r.effect === "breaking" ? " (breaking)" : ""}`), counts };
}
