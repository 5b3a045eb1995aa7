/**
 * Protocol bumps in one command (repo tooling, never published):
 *
 *   pnpm protocol:bump <version> [--tarball <file>] [--package <name>] [--runtime-version <v>] [--no-typecheck]
 *
 * 1. fetch that version's schemas (tools/sync-schemas: npm pack into a temp dir, byte-exact copy, lock);
 * 2. diff the upstream schemas old → new (codegen's diff engine; our overlay is left out so the
 *    report describes upstream only) and regenerate packages/core/src/generated (codegen `generate`);
 * 3. write `schemas/diffs/<old>..<new>.md` and `.json`, and `.changeset/protocol-<version>.md` with a
 *    verdict per published package;
 * 4. warn when the new protocol version is outside SUPPORTED_PROTOCOL_VERSIONS
 *    (packages/client/src/protocol-range.ts);
 * 5. run `pnpm typecheck` before and after, and list every hand-written call site the bump breaks
 *    (tsc errors outside src/generated/ that were not there before).
 *
 * Any failure in steps 1–3 (no such version, no schemas in it, network failure, schemas the
 * generator cannot take) restores schemas/, generated/, the lock, .changeset/ and schemas/diffs/
 * exactly as they were. Exit codes: 0 done; 1 failed, nothing changed; 2 bad arguments;
 * 3 bumped, but call sites need fixing (listed).
 */
import { spawn } from "node:child_process";
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, relative, resolve, sep } from "node:path";
import { fileURLToPath } from "node:url";
import { CodegenError, diffIr, generate, loadIrForDiff, renderDiffMarkdown, summarizeDiff, type ProtocolDiff, type VerdictLevel } from "../codegen/src/index.js";
import { LOCK_FILE, SCHEMA_FILES, syncSchemas, SyncSchemasError, type ProtocolLock } from "./sync-schemas.js";

const defaultRoot = fileURLToPath(new URL("..", import.meta.url));

export type ProtocolBumpErrorCode = "BAD_ARGUMENT" | "SYNC_FAILED" | "DIFF_FAILED" | "GENERATE_FAILED" | "WRITE_FAILED";

/** A failed bump. The repo was restored; `reportPath` (if set) holds the diff report written outside it. */
export class ProtocolBumpError extends Error {
  override readonly name = "ProtocolBumpError";
  constructor(
    readonly code: ProtocolBumpErrorCode,
    message: string,
    readonly reportPath?: string,
    options?: { cause?: unknown },
  ) {
    super(`protocol:bump: ${message}`, options);
  }
}

export interface BumpOptions {
  /** Package version to move to, e.g. "1.0.15". */
  readonly version: string;
  /** Repo to bump (tests point it at a temp copy). Defaults to this checkout. */
  readonly repoRoot?: string;
  readonly packageName?: string;
  /** A local tarball instead of `npm pack` (offline). */
  readonly tarball?: string;
  readonly runtimeVersion?: string;
  /** npm executable for `npm pack` (tests use a fake). */
  readonly npmCommand?: string;
  /** `false` skips the typecheck; a command replaces `pnpm typecheck`. */
  readonly typecheck?: false | { readonly command: string; readonly args: readonly string[] };
  readonly log?: (line: string) => void;
}

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

export interface BumpResult {
  readonly oldLock: ProtocolLock | null;
  readonly lock: ProtocolLock;
  readonly diff: ProtocolDiff;
  readonly reports: string[];
  readonly changeset: string | null;
  readonly packages: PackageVerdict[];
  readonly protocolWarning: string | null;
  /** New tsc errors outside generated folders (errors present before the bump excluded); `null` when skipped. */
  readonly brokenCallSites: CallSite[] | null;
}

// ---------------------------------------------------------------- snapshot / restore

interface Snapshot {
  readonly dir: string;
  readonly entries: { path: string; backup: string | null }[];
}

/** Copies every path (file or folder) aside; paths that do not exist are recorded as absent. */
export function snapshotPaths(paths: readonly string[]): Snapshot {
  const dir = mkdtempSync(join(tmpdir(), "fd-protocol-bump-"));
  const entries = paths.map((p, i) => {
    if (!existsSync(p)) return { path: p, backup: null };
    const backup = join(dir, String(i));
    cpSync(p, backup, { recursive: true, preserveTimestamps: true });
    return { path: p, backup };
  });
  return { dir, entries };
}

/** Puts every snapshotted path back exactly (absent ones are removed again). */
export function restoreSnapshot(s: Snapshot): void {
  for (const { path, backup } of s.entries) {
    rmSync(path, { recursive: true, force: true });
    if (backup !== null) {
      mkdirSync(dirname(path), { recursive: true });
      cpSync(backup, path, { recursive: true, preserveTimestamps: true });
    }
  }
  // Leftovers of an interrupted generate() (sibling temp folders) go too.
  for (const { path } of s.entries) {
    const parent = dirname(path);
    if (!existsSync(parent)) continue;
    for (const f of readdirSync(parent)) if (f.startsWith(`.${path.split(sep).at(-1)}.tmp-`) || f.startsWith(`.${path.split(sep).at(-1)}.old-`)) rmSync(join(parent, f), { recursive: true, force: true });
  }
  dropSnapshot(s);
}

export function dropSnapshot(s: Snapshot): void {
  rmSync(s.dir, { recursive: true, force: true });
}

// ---------------------------------------------------------------- protocol range, packages, changeset

/** `SUPPORTED_PROTOCOL_VERSIONS = { min, max }` as declared in packages/client/src/protocol-range.ts. */
export function readSupportedRange(repoRoot: string): { min: number; max: number; file: string } | null {
  const file = join(repoRoot, "packages/client/src/protocol-range.ts");
  if (!existsSync(file)) return null;
  const m = /SUPPORTED_PROTOCOL_VERSIONS\s*=\s*\{\s*min:\s*(\d+),\s*max:\s*(\d+)\s*\}/.exec(readFileSync(file, "utf8"));
  return m ? { min: Number(m[1]), max: Number(m[2]), file } : null;
}

export function protocolRangeWarning(repoRoot: string, protocolVersion: number): string | null {
  const range = readSupportedRange(repoRoot);
  if (!range) return `could not read SUPPORTED_PROTOCOL_VERSIONS from packages/client/src/protocol-range.ts; check that protocol ${protocolVersion} is supported`;
  if (protocolVersion >= range.min && protocolVersion <= range.max) return null;
  return `the new schemas speak protocol ${protocolVersion}, outside SUPPORTED_PROTOCOL_VERSIONS (${range.min}–${range.max}): update ${relative(repoRoot, range.file)} (and the handshake code that depends on it) before releasing`;
}

/** Names listed in `export { … }` / `export type { … }` blocks of a module (original names). */
function exportedNames(file: string): Set<string> {
  const out = new Set<string>();
  if (!existsSync(file)) return out;
  for (const m of readFileSync(file, "utf8").matchAll(/export\s+(?:type\s+)?\{([^}]*)\}/g)) {
    for (const part of m[1]!.split(",")) {
      const name = part.trim().replace(/^type\s+/, "").split(/\s+as\s+/)[0]!.trim();
      if (name) out.add(name);
    }
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
    ...(existsSync(join(repoRoot, "packages")) ? readdirSync(join(repoRoot, "packages")).sort().map((d) => join(repoRoot, "packages", d)) : []),
    join(repoRoot, "codegen"),
  ].filter((d) => existsSync(join(d, "package.json")));
  const pkgs = dirs
    .map((d) => ({ dir: d, json: JSON.parse(readFileSync(join(d, "package.json"), "utf8")) as { name: string; version: string; private?: boolean; dependencies?: Record<string, string>; peerDependencies?: Record<string, string> } }))
    .filter((p) => p.json.private !== true);
  const exposes = new Map<string, boolean>();
  for (const p of pkgs) {
    const names = exportedNames(join(p.dir, "src/index.ts"));
    exposes.set(p.json.name, p.json.name === "@flightdeck/copilot-core" || [...names].some((n) => generated.has(n)));
  }
  return pkgs.map(({ json }) => {
    const deps = Object.keys({ ...json.dependencies, ...json.peerDependencies });
    const own = exposes.get(json.name) === true;
    const dependsOnChanged = deps.some((d) => exposes.get(d) === true);
    const pkgLevel: VerdictLevel = own ? level : dependsOnChanged && RANK[level] > 0 ? "patch" : "none";
    const pre1 = /^0\./.test(json.version);
    const bump = pkgLevel === "none" ? null : pre1 ? (pkgLevel === "major" ? "minor" : "patch") : pkgLevel;
    return { name: json.name, version: json.version, exposesProtocol: own, level: pkgLevel, bump };
  }).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
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
export function renderChangeset(diff: ProtocolDiff, packages: readonly PackageVerdict[], reportPath: string): string {
  const o = diff.old;
  const n = diff.new;
  const front = packages.filter((p) => p.bump !== null).map((p) => `"${p.name}": ${p.bump}`);
  const lines: string[] = [
    "---",
    ...front,
    "---",
    "",
    `Protocol update: the generated bindings now follow ${n.package} ${n.version} (runtime ${n.runtimeVersion}, protocol ${n.protocolVersion ?? "?"}), up from ${o.version} (runtime ${o.runtimeVersion}).`,
    "",
  ];
  const pre1 = packages.some((p) => p.exposesProtocol && /^0\./.test(p.version));
  const breaking: string[] = [];
  if (diff.methods.renamed.length > 0) {
    const bySub = new Map<string, string[]>();
    for (const r of diff.methods.renamed) bySub.set(r.substitution, [...(bySub.get(r.substitution) ?? []), r.from]);
    for (const [sub, froms] of bySub) {
      const ex = diff.methods.renamed.find((r) => r.from === froms[0])!;
      breaking.push(`- ${plural(froms.length, "method")} renamed (${sub}): ${listSome(froms)}. Update calls such as ${code(`${stubPath(diff, ex.from)}(…)`)} to ${code(`${stubPath(diff, ex.to)}(…)`)}.`);
    }
  }
  if (diff.events.renamed.length > 0) {
    breaking.push(`- ${plural(diff.events.renamed.length, "event")} renamed: ${diff.events.renamed.map((r) => `${code(r.from)} → ${code(r.to)}`).join(", ")}. Update ${code('session.on("…")')} subscriptions and \`switch (event.type)\` cases.`);
  }
  const removedPublic = diff.methods.removed.filter((m) => m.visibility !== "internal").map((m) => m.name);
  const removedInternal = diff.methods.removed.filter((m) => m.visibility === "internal").map((m) => m.name);
  if (removedPublic.length > 0) breaking.push(`- ${plural(removedPublic.length, "method")} removed: ${listSome(removedPublic)}.`);
  if (diff.events.removed.length > 0) breaking.push(`- ${plural(diff.events.removed.length, "event")} removed: ${listSome(diff.events.removed.map((e) => e.name))}.`);
  if (diff.types.renamed.length + diff.types.removed.length > 0) {
    breaking.push(`- Exported types renamed or removed: ${listSome([...diff.types.renamed.map((r) => `${r.from} → ${r.to}`), ...diff.types.removed.map((t) => t.name)], 6)}.`);
  }
  const changedBreaking = [...diff.methods.changed, ...diff.events.changed, ...diff.types.changed].filter((c) => c.changes.some((x) => x.effect === "breaking")).map((c) => c.name);
  if (changedBreaking.length > 0) breaking.push(`- Incompatible field changes in ${listSome(changedBreaking, 6)}.`);
  if (breaking.length > 0) {
    lines.push(`**Breaking** (semver major${pre1 ? "; released as a minor bump while the packages are 0.x" : ""}):`, "", ...breaking, "");
  }
  const added: string[] = [];
  if (diff.methods.added.length > 0) added.push(`- ${plural(diff.methods.added.length, "method")}: ${namespaces(diff.methods.added.map((m) => m.name)).slice(0, 8).join(", ")}.`);
  if (diff.events.added.length > 0) added.push(`- ${plural(diff.events.added.length, "event")}: ${listSome(diff.events.added.map((e) => e.name))}.`);
  const additions = [...diff.methods.changed, ...diff.events.changed, ...diff.types.changed].filter((c) => c.changes.some((x) => x.effect === "additive")).length;
  if (additions > 0) added.push(`- New optional fields or values in ${additions} existing methods, events or types.`);
  if (removedInternal.length > 0) added.push(`- Removed from \`@flightdeck/copilot-core/internal\` (runtime-internal, no stability promise): ${listSome(removedInternal)}.`);
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

function runCommand(command: string, args: readonly string[], cwd: string): Promise<{ code: number; output: string }> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(command, [...args], { cwd, stdio: ["ignore", "pipe", "pipe"] });
    let output = "";
    child.stdout.on("data", (d: Buffer) => (output += d.toString("utf8")));
    child.stderr.on("data", (d: Buffer) => (output += d.toString("utf8")));
    child.once("error", reject);
    child.once("close", (code) => resolvePromise({ code: code ?? 1, output }));
  });
}

const siteKey = (c: CallSite) => `${c.file}:${c.line}:${c.column}:${c.code}:${c.message}`;

async function runTypecheck(cmd: { readonly command: string; readonly args: readonly string[] }, root: string, log: (l: string) => void): Promise<CallSite[]> {
  const r = await runCommand(cmd.command, cmd.args, root);
  const sites = parseTscOutput(r.output, root);
  if (r.code !== 0 && !/error TS\d+/.test(r.output)) {
    log(`warning: ${cmd.command} ${cmd.args.join(" ")} exited ${r.code} without tsc diagnostics:\n${r.output.trim().split("\n").slice(-5).join("\n")}`);
  }
  return sites;
}

function callSiteLines(sites: readonly CallSite[] | null, preexisting: number): string[] {
  if (sites === null) return [];
  const note = preexisting > 0 ? ` (${preexisting} error(s) that existed before the bump are not listed)` : "";
  if (sites.length === 0) return [`Typecheck after the bump: no hand-written call site breaks${note}.`];
  return [`## Call sites broken in this repo (${sites.length})`, "", ...sites.map((s) => `- ${s.file}:${s.line}:${s.column} ${s.code} ${s.message}`), ...(note ? ["", note.trim()] : [])];
}

// ---------------------------------------------------------------- the bump

function readLock(file: string): ProtocolLock | null {
  return existsSync(file) ? (JSON.parse(readFileSync(file, "utf8")) as ProtocolLock) : null;
}

/** Runs the whole bump. Throws {@link ProtocolBumpError} after restoring the repo on any failure before the typecheck. */
export async function protocolBump(options: BumpOptions): Promise<BumpResult> {
  const root = resolve(options.repoRoot ?? defaultRoot);
  const log = options.log ?? (() => {});
  const schemasDir = join(root, "schemas");
  const generatedDir = join(root, "packages/core/src/generated");
  const changesetDir = join(root, ".changeset");
  const diffsDir = join(schemasDir, "diffs");
  if (!existsSync(join(schemasDir, "api.schema.json"))) throw new ProtocolBumpError("BAD_ARGUMENT", `${schemasDir} has no api.schema.json; run from a Flightdeck checkout`);
  const oldLock = readLock(join(schemasDir, LOCK_FILE));
  let oldIr;
  try {
    oldIr = loadIrForDiff(schemasDir, { overlay: false });
  } catch (e) {
    throw new ProtocolBumpError("DIFF_FAILED", `the current schemas do not load: ${(e as Error).message}`, undefined, { cause: e });
  }

  // Errors that exist before the bump are not the bump's doing: only new ones are reported.
  const typecheck = options.typecheck === false ? null : (options.typecheck ?? { command: "pnpm", args: ["typecheck"] });
  let baseline: CallSite[] | null = null;
  if (typecheck) {
    log(`running ${typecheck.command} ${typecheck.args.join(" ")} before the bump (baseline)`);
    baseline = await runTypecheck(typecheck, root, log);
  }

  const snap = snapshotPaths([...SCHEMA_FILES.map((f) => join(schemasDir, f)), join(schemasDir, LOCK_FILE), generatedDir, changesetDir, diffsDir]);
  let diff: ProtocolDiff | undefined;
  let lock: ProtocolLock;
  let reports: string[];
  let mdPath: string;
  let changeset: string | null = null;
  let packages: PackageVerdict[];
  try {
    try {
      ({ lock } = await syncSchemas({ version: options.version, outDir: schemasDir, packageName: options.packageName, tarball: options.tarball, runtimeVersion: options.runtimeVersion, npmCommand: options.npmCommand }));
    } catch (e) {
      const code = e instanceof SyncSchemasError && e.code === "BAD_ARGUMENT" ? "BAD_ARGUMENT" : "SYNC_FAILED";
      throw new ProtocolBumpError(code, `${(e as Error).message.replace(/^sync-schemas: /, "")}`, undefined, { cause: e });
    }
    log(`synced ${lock.package}@${lock.version} (runtime ${lock.runtimeVersion}, protocol ${lock.protocolVersion})`);
    try {
      diff = diffIr(oldIr, loadIrForDiff(schemasDir, { overlay: false }));
    } catch (e) {
      throw new ProtocolBumpError("DIFF_FAILED", `the new schemas do not load: ${(e as Error).message}`, undefined, { cause: e });
    }
    log(summarizeDiff(diff));
    try {
      const g = await generate({ schemasDir, outDir: generatedDir });
      log(`regenerated ${g.files.length} files in ${relative(root, generatedDir)}`);
    } catch (e) {
      const hint = e instanceof CodegenError ? " The generator (codegen/src) or the overlay (schemas/overlay) must learn the new schemas first." : "";
      throw new ProtocolBumpError("GENERATE_FAILED", `regenerating the bindings from ${lock.package}@${lock.version} failed: ${(e as Error).message}\n${hint.trim()}`, undefined, { cause: e });
    }
    packages = packageVerdicts(root, diff.verdict.level);
    const base = `${oldLock?.version ?? "unknown"}..${lock.version}`;
    mdPath = join(diffsDir, `${base}.md`);
    reports = [];
    if (diff.verdict.level !== "none") {
      mkdirSync(diffsDir, { recursive: true });
      writeFileSync(join(diffsDir, `${base}.json`), `${JSON.stringify({ ...diff, packages }, null, 2)}\n`);
      writeFileSync(mdPath, renderDiffMarkdown(diff));
      reports = [join(diffsDir, `${base}.json`), mdPath];
      changeset = join(changesetDir, `protocol-${lock.version}.md`);
      mkdirSync(changesetDir, { recursive: true });
      writeFileSync(changeset, renderChangeset(diff, packages, relative(root, mdPath).split(sep).join("/")));
    }
  } catch (e) {
    restoreSnapshot(snap);
    let reportPath: string | undefined;
    if (diff) {
      // The repo is back as it was; keep the diff where the user can still read it.
      reportPath = join(mkdtempSync(join(tmpdir(), "fd-protocol-diff-")), "report.md");
      writeFileSync(reportPath, renderDiffMarkdown(diff));
    }
    const err = e instanceof ProtocolBumpError ? e : new ProtocolBumpError("WRITE_FAILED", (e as Error).message, undefined, { cause: e });
    throw new ProtocolBumpError(err.code, `${err.message.replace(/^protocol:bump: /, "").trimEnd()}\nNothing in the repo was changed.${reportPath ? ` The diff report is in ${reportPath}.` : ""}`, reportPath, { cause: e });
  }
  dropSnapshot(snap);

  const protocolWarning = protocolRangeWarning(root, lock.protocolVersion);
  let brokenCallSites: CallSite[] | null = null;
  if (typecheck) {
    log(`running ${typecheck.command} ${typecheck.args.join(" ")} after the bump`);
    const after = await runTypecheck(typecheck, root, log);
    const known = new Set(baseline!.map(siteKey));
    brokenCallSites = after.filter((c) => !known.has(siteKey(c)));
    if (reports.length > 0) writeFileSync(mdPath, renderDiffMarkdown(diff, callSiteLines(brokenCallSites, baseline!.length)));
  }
  return { oldLock, lock, diff, reports, changeset, packages, protocolWarning, brokenCallSites };
}

export function parseBumpArgs(argv: readonly string[]): BumpOptions {
  const usage = "usage: pnpm protocol:bump <version> [--tarball <file>] [--package <name>] [--runtime-version <v>] [--no-typecheck]";
  let version: string | undefined;
  const o: { tarball?: string; packageName?: string; runtimeVersion?: string; typecheck?: false } = {};
  const flags: Record<string, "tarball" | "packageName" | "runtimeVersion"> = { "--tarball": "tarball", "--package": "packageName", "--runtime-version": "runtimeVersion" };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === "--no-typecheck") o.typecheck = false;
    else if (flags[a]) {
      const v = argv[++i];
      if (v === undefined || v.startsWith("--")) throw new ProtocolBumpError("BAD_ARGUMENT", `${a} needs a value; ${usage}`);
      o[flags[a]] = v;
    } else if (a.startsWith("-")) throw new ProtocolBumpError("BAD_ARGUMENT", `unknown option ${a}; ${usage}`);
    else if (version === undefined) version = a;
    else throw new ProtocolBumpError("BAD_ARGUMENT", `unexpected argument ${JSON.stringify(a)}; give exactly one <version>; ${usage}`);
  }
  if (version === undefined) throw new ProtocolBumpError("BAD_ARGUMENT", `missing <version>; ${usage}`);
  return { ...o, version };
}

async function main(): Promise<void> {
  try {
    const r = await protocolBump({ ...parseBumpArgs(process.argv.slice(2)), log: (l) => console.log(`protocol:bump: ${l}`) });
    const rel = (p: string) => relative(process.cwd(), p);
    console.log(`protocol:bump: verdict ${r.diff.verdict.level}${r.diff.verdict.level === "none" ? " (no change; no report or changeset written)" : ""}`);
    for (const reason of r.diff.verdict.reasons.slice(0, 8)) console.log(`  - ${reason}`);
    for (const p of r.reports) console.log(`  report: ${rel(p)}`);
    if (r.changeset) console.log(`  changeset: ${rel(r.changeset)} (${r.packages.filter((p) => p.bump).map((p) => `${p.name} ${p.bump}`).join(", ")})`);
    if (r.protocolWarning) console.warn(`protocol:bump: WARNING: ${r.protocolWarning}`);
    if (r.brokenCallSites && r.brokenCallSites.length > 0) {
      console.error(`protocol:bump: the bump breaks ${r.brokenCallSites.length} hand-written call site(s); fix them (also listed in the report):`);
      for (const s of r.brokenCallSites) console.error(`  ${s.file}:${s.line}:${s.column} ${s.code} ${s.message}`);
      process.exitCode = 3;
    }
  } catch (e) {
    console.error(e instanceof Error ? e.message : String(e));
    process.exitCode = e instanceof ProtocolBumpError && e.code === "BAD_ARGUMENT" ? 2 : 1;
  }
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) void main();

