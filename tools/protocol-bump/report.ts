/**
 * The words of a protocol bump (repo tooling): the per-package verdicts, the changeset entry, the
 * supported protocol range, and the typecheck's call sites. Used by tools/protocol-bump.ts.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join, relative, resolve, sep } from "node:path";
import { pathToFileURL } from "node:url";
import ts from "typescript";
import type { ProtocolDiff, VerdictLevel } from "../../codegen/src/index.js";

/** Child processes of the running bump, so an interruption can stop them. */
export type Tracker = (child: ChildProcess) => void;

/** A hand-written line that no longer compiles after the bump. */
export interface CallSite {
  readonly file: string;
  readonly line: number;
  readonly column: number;
  readonly code: string;
  readonly message: string;
}

export interface PackageVerdict {
  readonly name: string;
  readonly version: string;
  /** The package's public API includes generated protocol types. */
  readonly exposesProtocol: boolean;
  /** Semver meaning of the change for this package. */
  readonly level: VerdictLevel;
  /** What goes into the changeset: 0.x packages shift one step down (breaking → minor). */
  readonly bump: "major" | "minor" | "patch" | null;
}

// ---------------------------------------------------------------- protocol range, packages, changeset

/** `SUPPORTED_PROTOCOL_VERSIONS` from packages/client/src/protocol-range.ts, read by importing the module (its value, not its text). */
export async function readSupportedRange(repoRoot: string): Promise<{ min: number; max: number; file: string } | null> {
  const file = join(repoRoot, "packages/client/src/protocol-range.ts");
  if (!existsSync(file)) return null;
  const mod = (await import(pathToFileURL(file).href)) as { SUPPORTED_PROTOCOL_VERSIONS?: { min?: unknown; max?: unknown } };
  const range = mod.SUPPORTED_PROTOCOL_VERSIONS;
  return typeof range?.min === "number" && typeof range.max === "number" ? { min: range.min, max: range.max, file } : null;
}

export async function protocolRangeWarning(repoRoot: string, protocolVersion: number): Promise<string | null> {
  const range = await readSupportedRange(repoRoot);
  if (!range)
    return `could not read SUPPORTED_PROTOCOL_VERSIONS from packages/client/src/protocol-range.ts; check that protocol ${protocolVersion} is supported`;
  if (protocolVersion >= range.min && protocolVersion <= range.max) return null;
  return `the new schemas speak protocol ${protocolVersion}, outside SUPPORTED_PROTOCOL_VERSIONS (${range.min}–${range.max}): update ${relative(repoRoot, range.file)} (and the handshake code that depends on it) before releasing`;
}

/** Names a module exports through `export { … }` / `export type { … }` (original names), from its syntax tree. */
function exportedNames(file: string): Set<string> {
  const out = new Set<string>();
  if (!existsSync(file)) return out;
  const source = ts.createSourceFile(file, readFileSync(file, "utf8"), ts.ScriptTarget.Latest, false);
  for (const statement of source.statements) {
    if (!ts.isExportDeclaration(statement) || statement.exportClause === undefined || !ts.isNamedExports(statement.exportClause)) continue;
    for (const el of statement.exportClause.elements) out.add((el.propertyName ?? el.name).text);
  }
  return out;
}

const RANK: Record<VerdictLevel, number> = { none: 0, patch: 1, minor: 2, major: 3 };

/**
 * The verdict per published package: core and every package whose public index re-exports
 * generated names get the diff's verdict; packages depending on those get a patch; others none.
 */
export function packageVerdicts(repoRoot: string, level: VerdictLevel): PackageVerdict[] {
  const generated = exportedNames(join(repoRoot, "packages/core/src/generated/index.ts"));
  const dirs = [
    ...(existsSync(join(repoRoot, "packages"))
      ? readdirSync(join(repoRoot, "packages"))
          .sort()
          .map((d) => join(repoRoot, "packages", d))
      : []),
    join(repoRoot, "codegen"),
  ].filter((d) => existsSync(join(d, "package.json")));
  const pkgs = dirs
    .map((d) => ({
      dir: d,
      json: JSON.parse(readFileSync(join(d, "package.json"), "utf8")) as {
        name: string;
        version: string;
        private?: boolean;
        dependencies?: Record<string, string>;
        peerDependencies?: Record<string, string>;
      },
    }))
    .filter((p) => p.json.private !== true);
  const exposes = new Map<string, boolean>();
  for (const p of pkgs) {
    const names = exportedNames(join(p.dir, "src/index.ts"));
    exposes.set(p.json.name, p.json.name === "@flightdeck/copilot-core" || [...names].some((n) => generated.has(n)));
  }
  return pkgs
    .map(({ json }) => {
      const deps = Object.keys({ ...json.dependencies, ...json.peerDependencies });
      const own = exposes.get(json.name) === true;
      const dependsOnChanged = deps.some((d) => exposes.get(d) === true);
      const pkgLevel: VerdictLevel = own ? level : dependsOnChanged && RANK[level] > 0 ? "patch" : "none";
      const pre1 = /^0\./.test(json.version);
      const bump = pkgLevel === "none" ? null : pre1 ? (pkgLevel === "major" ? "minor" : "patch") : pkgLevel;
      return { name: json.name, version: json.version, exposesProtocol: own, level: pkgLevel, bump };
    })
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

const plural = (n: number, w: string) => `${n} ${w}${n === 1 ? "" : "s"}`;
const code = (s: string) => `\`${s}\``;

/** Where a user meets a method: `session.rpc.workflow.run`, `client.rpc.models.list`, or a handler. */
function stubPath(diff: ProtocolDiff, name: string): string {
  const m = [...diff.methods.added, ...diff.methods.removed].find((x) => x.name === name);
  const scope = m?.scope ?? (name.startsWith("session.") ? "session" : "server");
  if (scope === "session") return `session.rpc.${name.replace(/^session\./, "")}`;
  if (scope === "server") return `client.rpc.${name}`;
  return `the ${code(name)} handler`;
}

function listSome(items: readonly string[], max = 8): string {
  const shown = items.slice(0, max).map(code).join(", ");
  return items.length > max ? `${shown} and ${items.length - max} more` : shown;
}

/** Groups added method names by namespace (`session.connectors.*` (11)). */
function namespaces(names: readonly string[]): string[] {
  const groups = new Map<string, string[]>();
  for (const n of names) {
    const parts = n.split(".");
    const ns = parts.length > 2 ? `${parts.slice(0, -1).join(".")}.*` : n;
    groups.set(ns, [...(groups.get(ns) ?? []), n]);
  }
  return [...groups]
    .sort((a, b) => b[1].length - a[1].length || (a[0] < b[0] ? -1 : 1))
    .map(([ns, members]) => (members.length > 1 ? `${code(ns)} (${members.length})` : code(members[0]!)));
}

/** The changeset entry, in prose for users. */
export function renderChangeset(
  diff: ProtocolDiff,
  packages: readonly PackageVerdict[],
  reportPath: string,
  change: { readonly runtime: { readonly from: string; readonly to: string } | null; readonly downgrade: boolean } = { runtime: null, downgrade: false },
): string {
  const o = diff.old;
  const n = diff.new;
  const front = packages.filter((p) => p.bump !== null).map((p) => `"${p.name}": ${p.bump}`);
  const lines: string[] = [
    "---",
    ...front,
    "---",
    "",
    diff.verdict.level === "none" && change.runtime !== null
      ? `Runtime update: the end-to-end suite now runs on runtime ${change.runtime.to} (${n.package} ${n.version}), ${change.downgrade ? "down" : "up"} from ${change.runtime.from} (${o.version}). The protocol schemas are byte for byte the same: no change to the types.`
      : `Protocol ${change.downgrade ? "downgrade" : "update"}: the generated bindings now follow ${n.package} ${n.version} (runtime ${n.runtimeVersion}, protocol ${n.protocolVersion ?? "?"}), ${change.downgrade ? "down" : "up"} from ${o.version} (runtime ${o.runtimeVersion}).`,
    "",
  ];
  if (diff.verdict.level === "none" && change.runtime !== null) {
    lines.push(`Full report: ${code(reportPath)}.`);
    return `${lines.join("\n")}\n`;
  }
  const pre1 = packages.some((p) => p.exposesProtocol && /^0\./.test(p.version));
  const breaking: string[] = [];
  if (diff.methods.renamed.length > 0) {
    const bySub = new Map<string, string[]>();
    for (const r of diff.methods.renamed) bySub.set(r.substitution, [...(bySub.get(r.substitution) ?? []), r.from]);
    for (const [sub, froms] of bySub) {
      const ex = diff.methods.renamed.find((r) => r.from === froms[0])!;
      breaking.push(
        `- ${plural(froms.length, "method")} renamed (${sub}): ${listSome(froms)}. Update calls such as ${code(`${stubPath(diff, ex.from)}(…)`)} to ${code(`${stubPath(diff, ex.to)}(…)`)}.`,
      );
    }
  }
  if (diff.events.renamed.length > 0) {
    breaking.push(
      `- ${plural(diff.events.renamed.length, "event")} renamed: ${diff.events.renamed.map((r) => `${code(r.from)} → ${code(r.to)}`).join(", ")}. Update ${code('session.on("…")')} subscriptions and \`switch (event.type)\` cases.`,
    );
  }
  const removedPublic = diff.methods.removed.filter((m) => m.visibility !== "internal").map((m) => m.name);
  const removedInternal = diff.methods.removed.filter((m) => m.visibility === "internal").map((m) => m.name);
  if (removedPublic.length > 0) breaking.push(`- ${plural(removedPublic.length, "method")} removed: ${listSome(removedPublic)}.`);
  if (diff.events.removed.length > 0)
    breaking.push(`- ${plural(diff.events.removed.length, "event")} removed: ${listSome(diff.events.removed.map((e) => e.name))}.`);
  if (diff.types.renamed.length + diff.types.removed.length > 0) {
    breaking.push(
      `- Exported types renamed or removed: ${listSome([...diff.types.renamed.map((r) => `${r.from} → ${r.to}`), ...diff.types.removed.map((t) => t.name)], 6)}.`,
    );
  }
  const changedBreaking = [...diff.methods.changed, ...diff.events.changed, ...diff.types.changed]
    .filter((c) => c.changes.some((x) => x.effect === "breaking"))
    .map((c) => c.name);
  if (changedBreaking.length > 0) breaking.push(`- Incompatible field changes in ${listSome(changedBreaking, 6)}.`);
  if (breaking.length > 0) {
    lines.push(`**Breaking** (semver major${pre1 ? "; released as a minor bump while the packages are 0.x" : ""}):`, "", ...breaking, "");
  }
  const added: string[] = [];
  if (diff.methods.added.length > 0)
    added.push(
      `- ${plural(diff.methods.added.length, "method")}: ${namespaces(diff.methods.added.map((m) => m.name))
        .slice(0, 8)
        .join(", ")}.`,
    );
  if (diff.events.added.length > 0) added.push(`- ${plural(diff.events.added.length, "event")}: ${listSome(diff.events.added.map((e) => e.name))}.`);
  const additions = [...diff.methods.changed, ...diff.events.changed, ...diff.types.changed].filter((c) =>
    c.changes.some((x) => x.effect === "additive"),
  ).length;
  if (additions > 0) added.push(`- New optional fields or values in ${additions} existing methods, events or types.`);
  if (removedInternal.length > 0)
    added.push(`- Removed from \`@flightdeck/copilot-core/internal\` (runtime-internal, no stability promise): ${listSome(removedInternal)}.`);
  if (added.length > 0) lines.push("**New and other changes:**", "", ...added, "");
  if (breaking.length === 0 && added.length === 0) lines.push("Documentation and labels only; no change to the types.", "");
  lines.push(`Full report: ${code(reportPath)}.`);
  return `${lines.join("\n")}\n`;
}

// ---------------------------------------------------------------- typecheck

/** tsc diagnostics (`file(line,col): error TSxxxx: message`) outside generated folders. */
export function parseTscOutput(text: string, repoRoot: string): CallSite[] {
  const out: CallSite[] = [];
  const seen = new Set<string>();
  for (const line of text.split(/\r?\n/)) {
    const m = /^(.+?)\((\d+),(\d+)\): error (TS\d+): (.*)$/.exec(line.trim());
    if (!m) continue;
    const file = relative(repoRoot, resolve(repoRoot, m[1]!)).split(sep).join("/");
    if (/(^|\/)generated\//.test(file)) continue;
    const key = `${file}:${m[2]}:${m[3]}:${m[4]}`;
    if (seen.has(key)) continue;
    seen.add(key);
    out.push({ file, line: Number(m[2]), column: Number(m[3]), code: m[4]!, message: m[5]! });
  }
  return out.sort((a, b) => (a.file < b.file ? -1 : a.file > b.file ? 1 : a.line - b.line || a.column - b.column));
}

export function runCommand(command: string, args: readonly string[], cwd: string, track?: Tracker): Promise<{ code: number; output: string }> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(command, [...args], { cwd, stdio: ["ignore", "pipe", "pipe"] });
    track?.(child);
    let output = "";
    child.stdout.on("data", (d: Buffer) => (output += d.toString("utf8")));
    child.stderr.on("data", (d: Buffer) => (output += d.toString("utf8")));
    child.once("error", reject);
    child.once("close", (code) => resolvePromise({ code: code ?? 1, output }));
  });
}

export const siteKey = (c: CallSite) => `${c.file}:${c.line}:${c.column}:${c.code}:${c.message}`;

export async function runTypecheck(
  cmd: { readonly command: string; readonly args: readonly string[] },
  root: string,
  log: (l: string) => void,
  track?: Tracker,
): Promise<CallSite[]> {
  const r = await runCommand(cmd.command, cmd.args, root, track);
  const sites = parseTscOutput(r.output, root);
  if (r.code !== 0 && !/error TS\d+/.test(r.output)) {
    log(`warning: ${cmd.command} ${cmd.args.join(" ")} exited ${r.code} without tsc diagnostics:\n${r.output.trim().split("\n").slice(-5).join("\n")}`);
  }
  return sites;
}

export function callSiteLines(sites: readonly CallSite[] | null, preexisting: number): string[] {
  if (sites === null) return [];
  const note = preexisting > 0 ? ` (${preexisting} error(s) that existed before the bump are not listed)` : "";
  if (sites.length === 0) return [`Typecheck after the bump: no hand-written call site breaks${note}.`];
  return [
    `## Call sites broken in this repo (${sites.length})`,
    "",
    ...sites.map((s) => `- ${s.file}:${s.line}:${s.column} ${s.code} ${s.message}`),
    ...(note ? ["", note.trim()] : []),
  ];
}
