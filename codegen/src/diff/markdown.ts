/** The protocol diff as a Markdown report (deterministic: no dates, sorted lists). */
import type { SchemaSource } from "../load.js";
import type { DiffChange, DiffSection, EventSummary, MethodSummary, ProtocolDiff, TypeSummary } from "./model.js";

const code = (s: string) => `\`${s.replace(/`/g, "'")}\``;
const version = (s: SchemaSource) => `${s.package}@${s.version}`;
/** Long lists fold away so the summary stays on one screen. */
const FOLD_OVER = 25;

function changeLines(changes: readonly DiffChange[], indent: string): string[] {
  return changes.map(
    (c) =>
      `${indent}- ${code(c.path)} ${c.kind.replace(/-/g, " ")}: ${c.detail.replace(/\|/g, "\\|")}${c.effect === "breaking" ? " **(breaking)**" : c.effect === "docs" ? " (docs)" : ""}`,
  );
}

function fold(title: string, lines: string[]): string[] {
  if (lines.length === 0) return [];
  if (lines.length <= FOLD_OVER) return [`### ${title}`, "", ...lines, ""];
  return [`### ${title}`, "", "<details><summary>show</summary>", "", ...lines, "", "</details>", ""];
}

function sectionLines<S>(name: string, s: DiffSection<S>, describe: (item: S) => string): string[] {
  const out: string[] = [`## ${name}`, ""];
  if (s.added.length + s.removed.length + s.renamed.length + s.changed.length === 0) return [...out, "No changes.", ""];
  out.push(
    ...fold(
      `Renamed (${s.renamed.length})`,
      s.renamed.flatMap((r) => [
        `- ${code(r.from)} → ${code(r.to)} (${r.substitution}, shape ${Math.round(r.similarity * 100)}%)`,
        ...changeLines(r.changes, "  "),
      ]),
    ),
  );
  out.push(
    ...fold(
      `Removed (${s.removed.length})`,
      s.removed.map((i) => `- ${describe(i)}`),
    ),
  );
  out.push(
    ...fold(
      `Added (${s.added.length})`,
      s.added.map((i) => `- ${describe(i)}`),
    ),
  );
  out.push(
    ...fold(
      `Changed (${s.changed.length})`,
      s.changed.flatMap((c) => [`- ${code(c.name)}`, ...changeLines(c.changes, "  ")]),
    ),
  );
  return out;
}

const labels = (visibility: string, stability: string | null) =>
  [visibility === "internal" ? "internal" : null, stability && stability !== "stable" ? stability : null].filter(Boolean).join(", ");

const describeMethod = (m: MethodSummary) => {
  const l = labels(m.visibility, m.stability);
  return `${code(m.name)} (${m.scope} ${m.kind}${l ? `, ${l}` : ""}): ${m.params ? code(m.params) : "no argument"} → ${m.result ? code(m.result) : "void"}`;
};
const describeEvent = (e: EventSummary) => {
  const l = labels(e.visibility, e.stability);
  return `${code(e.name)} data ${code(e.dataType)}${e.ephemeral ? ", ephemeral" : ""}${l ? ` (${l})` : ""}`;
};
const describeType = (t: TypeSummary) => {
  const l = labels(t.visibility, t.stability);
  return `${code(t.name)}${l ? ` (${l})` : ""}`;
};

/** Renders the report. `extra` lines (e.g. call sites the bump breaks) go after the summary. */
export function renderDiffMarkdown(diff: ProtocolDiff, extra: readonly string[] = []): string {
  const o = diff.old;
  const n = diff.new;
  const row = (name: string, s: DiffSection<unknown>) => `| ${name} | ${s.added.length} | ${s.removed.length} | ${s.renamed.length} | ${s.changed.length} |`;
  const lines = [
    `# Protocol diff: ${version(o)} → ${version(n)}`,
    "",
    `Runtime ${o.runtimeVersion} → ${n.runtimeVersion}, protocol ${o.protocolVersion ?? "?"} → ${n.protocolVersion ?? "?"}.`,
    "",
    `**Verdict: ${diff.verdict.level}**${diff.verdict.level === "none" ? " (no change)" : ""}`,
    "",
    ...diff.verdict.reasons.map((r) => `- ${r}`),
    ...(diff.verdict.reasons.length > 0 ? [""] : []),
    "| | added | removed | renamed | changed |",
    "|---|---|---|---|---|",
    row("methods", diff.methods),
    row("events", diff.events),
    row("types", diff.types),
    "",
    ...extra,
    ...(extra.length > 0 ? [""] : []),
    ...sectionLines("Methods", diff.methods, describeMethod),
    ...sectionLines("Events", diff.events, describeEvent),
    ...sectionLines("Types", diff.types, describeType),
  ];
  return `${lines
    .join("\n")
    .replace(/\n{3,}/g, "\n\n")
    .trimEnd()}\n`;
}

/** One line per section, for terminals: `methods +11 -1 ~0 Δ3`. */
export function summarizeDiff(diff: ProtocolDiff): string {
  const s = (name: string, x: DiffSection<unknown>) =>
    `${name} +${x.added.length} -${x.removed.length} renamed ${x.renamed.length} changed ${x.changed.length}`;
  return `${s("methods", diff.methods)}; ${s("events", diff.events)}; ${s("types", diff.types)}; verdict ${diff.verdict.level}`;
}
