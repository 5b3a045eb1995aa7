/** Turns the measurements into the one comparison table (terminal and Markdown). */

export interface Row {
  metric: string;
  unit: "ms" | "MB" | "KB" | "/s" | "count" | "×";
  flightdeck?: number | undefined;
  incumbent?: number | undefined;
  /** A ratio computed another way than Flightdeck / incumbent of the two cells (e.g. the median of paired per-round ratios); the cells stay empty. */
  ratioOnly?: number;
  /** Human-readable target, e.g. "≤ 60 ms"; undefined when the row is for information. */
  target?: string;
  /** Whether the target is met; undefined when there is no target or no figure. */
  met?: boolean;
}

function fmt(value: number | undefined, unit: Row["unit"]): string {
  if (value === undefined || Number.isNaN(value)) return "—";
  if (unit === "count") return String(value);
  if (unit === "×") return `${value.toFixed(2)}×`;
  if (unit === "MB") return `${value.toFixed(2)} MB`;
  if (unit === "KB") return `${value.toFixed(1)} KB`;
  if (unit === "/s") return `${Math.round(value).toLocaleString("en-US")}/s`;
  if (value < 1) return `${value.toFixed(3)} ms`;
  if (value < 10) return `${value.toFixed(2)} ms`;
  return `${value.toFixed(1)} ms`;
}

function ratio(row: Row): string {
  if (row.ratioOnly !== undefined) return Number.isNaN(row.ratioOnly) ? "—" : `${row.ratioOnly.toFixed(2)}×`;
  const { flightdeck: a, incumbent: b } = row;
  if (a === undefined || b === undefined || Number.isNaN(a) || Number.isNaN(b) || b === 0) return "—";
  if (row.unit === "count") return "—";
  const r = a / b;
  return r < 0.01 ? `${r.toFixed(4)}×` : `${r.toFixed(2)}×`;
}

function verdict(row: Row): string {
  if (row.target === undefined) return "n/a";
  if (row.met === undefined) return `? (${row.target})`;
  return `${row.met ? "yes" : "NO"} (${row.target})`;
}

const HEADER = ["metric", "Flightdeck", "incumbent", "ratio (ours/incumbent)", "target met?"];

function cells(row: Row): string[] {
  return [row.metric, fmt(row.flightdeck, row.unit), fmt(row.incumbent, row.unit), ratio(row), verdict(row)];
}

/** A fixed-width table for the terminal. */
export function textTable(rows: readonly Row[]): string {
  const all = [HEADER, ...rows.map(cells)];
  const widths = HEADER.map((_, i) => Math.max(...all.map((r) => r[i]!.length)));
  const line = (r: string[]) => r.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join(" │ ");
  const rule = widths.map((w) => "─".repeat(w)).join("─┼─");
  return [line(HEADER), rule, ...rows.map((r) => line(cells(r)))].join("\n");
}

/** A GitHub Markdown table. */
export function markdownTable(rows: readonly Row[]): string {
  const line = (r: string[]) => `| ${r.join(" | ")} |`;
  return [line(HEADER), `|---|---:|---:|---:|---|`, ...rows.map((r) => line(cells(r)))].join("\n");
}
