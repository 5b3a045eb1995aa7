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
import type { ChildProcess } from "node:child_process";
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, relative, resolve, sep } from "node:path";
import { fileURLToPath } from "node:url";
import {
  CodegenError,
  diffIr,
  generate,
  loadIrForDiff,
  renderDiffMarkdown,
  summarizeDiff,
  type ProtocolDiff,
  type VerdictLevel,
} from "../codegen/src/index.js";
import { LOCK_FILE, SCHEMA_FILES, syncSchemas, SyncSchemasError, type ProtocolLock } from "./sync-schemas.js";
import {
  callSiteLines,
  packageVerdicts,
  protocolRangeWarning,
  renderChangeset,
  runCommand,
  runTypecheck,
  siteKey,
  type CallSite,
  type PackageVerdict,
  type Tracker,
} from "./protocol-bump-report.js";

export {
  packageVerdicts,
  parseTscOutput,
  protocolRangeWarning,
  readSupportedRange,
  renderChangeset,
  type CallSite,
  type PackageVerdict,
  type Tracker,
} from "./protocol-bump-report.js";

const defaultRoot = fileURLToPath(new URL("..", import.meta.url));

export type ProtocolBumpErrorCode =
  | "BAD_ARGUMENT"
  | "NO_SUCH_VERSION"
  | "NETWORK_FAILED"
  | "DOWNGRADE"
  | "SYNC_FAILED"
  | "DIFF_FAILED"
  | "GENERATE_FAILED"
  | "INSTALL_FAILED"
  | "WRITE_FAILED";

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
  /** After the runtime devDependency moved: `false` skips refreshing pnpm-lock.yaml; a command replaces `pnpm install --lockfile-only`. */
  readonly install?: false | { readonly command: string; readonly args: readonly string[] };
  /** Move to an older version (refused otherwise, nothing changed). */
  readonly allowDowngrade?: boolean;
  /** Called after each step's writes (tests and the CLI's pause hook use it to interrupt there). */
  readonly onStepDone?: (step: BumpStep) => void | Promise<void>;
  readonly log?: (line: string) => void;
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
  /** The runtime moved (its version, and the pinned devDependency's old version when that moved too); null when it did not. */
  readonly runtimeChange: { readonly from: string; readonly to: string; readonly packageFrom: string | null } | null;
  /** The new version is older than the old one (only with `allowDowngrade`). */
  readonly downgrade: boolean;
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
    for (const f of readdirSync(parent))
      if (f.startsWith(`.${path.split(sep).at(-1)}.tmp-`) || f.startsWith(`.${path.split(sep).at(-1)}.old-`))
        rmSync(join(parent, f), { recursive: true, force: true });
  }
  dropSnapshot(s);
}

export function dropSnapshot(s: Snapshot): void {
  rmSync(s.dir, { recursive: true, force: true });
}

// ---------------------------------------------------------------- versions, runtime dependency

/** Compares package versions (`1.0.15-preview.4` < `1.0.15` < `1.0.16`); negative when `a` is older. */
export function compareVersions(a: string, b: string): number {
  const parse = (v: string) => {
    const [core, pre] = v.split(/-(.*)/s) as [string, string | undefined];
    return { nums: core.split(".").map(Number), pre: pre === undefined ? null : pre.split(".") };
  };
  const x = parse(a);
  const y = parse(b);
  for (let i = 0; i < 3; i++) if ((x.nums[i] ?? 0) !== (y.nums[i] ?? 0)) return (x.nums[i] ?? 0) - (y.nums[i] ?? 0);
  if (x.pre === null || y.pre === null) return x.pre === y.pre ? 0 : x.pre === null ? 1 : -1;
  for (let i = 0; i < Math.max(x.pre.length, y.pre.length); i++) {
    const [p, q] = [x.pre[i], y.pre[i]];
    if (p === undefined || q === undefined) return p === undefined ? -1 : 1;
    if (p === q) continue;
    const [np, nq] = [Number(p), Number(q)];
    if (Number.isInteger(np) && Number.isInteger(nq)) return np - nq;
    return p < q ? -1 : 1;
  }
  return 0;
}

/**
 * Asks the registry whether `<pkg>@<version>` exists (`npm view`), before anything slow runs.
 * Throws NO_SUCH_VERSION or NETWORK_FAILED with the fix.
 */
export async function checkVersionExists(packageName: string, version: string, npmCommand = "npm", track?: Tracker): Promise<void> {
  const spec = `${packageName}@${version}`;
  let r: { code: number; output: string };
  try {
    r = await runCommand(npmCommand, ["view", spec, "version", "--json", "--fetch-retries=0"], tmpdir(), track);
  } catch (e) {
    throw new ProtocolBumpError("NETWORK_FAILED", `could not run ${npmCommand} to look up ${spec}: ${(e as Error).message}`, undefined, { cause: e });
  }
  const text = r.output.trim();
  if (r.code === 0 && /"?\d+\.\d+\.\d+/.test(text)) return;
  if (r.code === 0 || /\bE404\b|\bETARGET\b|No matching version|is not in this registry/i.test(text)) {
    throw new ProtocolBumpError(
      "NO_SUCH_VERSION",
      `version ${version} of ${packageName} does not exist on the npm registry; list the versions with \`npm view ${packageName} versions\``,
    );
  }
  const why = /E[A-Z_]{3,}/.exec(text)?.[0] ?? `exit ${r.code}`;
  throw new ProtocolBumpError(
    "NETWORK_FAILED",
    `could not reach the npm registry to check that ${spec} exists (${why}); check the network (or pass --tarball <file> to bump offline)`,
  );
}

/** The package.json files that may pin the runtime: the root's and every workspace package's. */
export function manifestFiles(root: string): string[] {
  const dirs = ["packages", "examples"].flatMap((d) =>
    existsSync(join(root, d))
      ? readdirSync(join(root, d))
          .sort()
          .map((p) => join(root, d, p))
      : [],
  );
  return [join(root, "package.json"), ...dirs.map((d) => join(d, "package.json"))].filter((f) => existsSync(f));
}

/**
 * Moves every pin of the schemas' runtime package and its platform siblings (`@github/copilot-sdk-*`:
 * the root's devDependency the tests run on, the SDK's optional dependencies) from the old version
 * to the new one, editing only those lines. Returns the old version of `packageName` (null when
 * nothing pins it).
 */
export function moveRuntimeDependency(root: string, packageName: string, version: string): string | null {
  const family = packageName.replace(/-(?:darwin|linux|win32)-[a-z0-9]+$/, "-");
  let old: string | null = null;
  for (const file of manifestFiles(root)) {
    const text = readFileSync(file, "utf8");
    const json = JSON.parse(text) as Record<string, Record<string, string> | undefined>;
    const pinned = ["dependencies", "devDependencies", "optionalDependencies"].map((k) => json[k]?.[packageName]).find((v) => v !== undefined);
    if (pinned === undefined) continue;
    old ??= pinned;
    if (pinned === version) continue;
    const escaped = family.replace(/[/\\^$*+?.()|[\]{}-]/g, "\\$&");
    const line = new RegExp(`("${escaped}[a-z0-9-]+"\\s*:\\s*)"${pinned.replace(/[.]/g, "\\.")}"`, "g");
    writeFileSync(file, text.replace(line, `$1"${version}"`));
  }
  return old;
}

// ---------------------------------------------------------------- interruption

/**
 * What an interruption undoes: set while a bump changes the tree. The CLI's signal handlers and
 * its parent watch call {@link abortActiveBump}; tests of the API call it too.
 */
let active: { rollback: () => void; children: Set<ChildProcess> } | null = null;

/** Stops the running bump's children and puts the tree back; returns whether a bump was running. */
export function abortActiveBump(): boolean {
  const a = active;
  if (a === null) return false;
  active = null;
  for (const child of a.children) child.kill("SIGKILL");
  a.rollback();
  return true;
}

/** The steps a bump goes through after the baseline typecheck (each can be interrupted). */
export type BumpStep = "sync" | "generate" | "report" | "typecheck";

// ---------------------------------------------------------------- the bump

function readLock(file: string): ProtocolLock | null {
  return existsSync(file) ? (JSON.parse(readFileSync(file, "utf8")) as ProtocolLock) : null;
}

interface BumpPaths {
  readonly root: string;
  readonly schemasDir: string;
  readonly generatedDir: string;
  readonly changesetDir: string;
  readonly diffsDir: string;
  readonly lockFile: string;
}

function bumpPaths(options: BumpOptions): BumpPaths {
  const root = resolve(options.repoRoot ?? defaultRoot);
  const schemasDir = join(root, "schemas");
  return {
    root,
    schemasDir,
    generatedDir: join(root, "packages/core/src/generated"),
    changesetDir: join(root, ".changeset"),
    diffsDir: join(schemasDir, "diffs"),
    lockFile: join(schemasDir, LOCK_FILE),
  };
}

/** Everything a bump checks before it touches the tree: arguments, the version on the registry, downgrades. */
async function preflight(options: BumpOptions, paths: BumpPaths, oldLock: ProtocolLock | null, track: Tracker): Promise<void> {
  if (!existsSync(join(paths.schemasDir, "api.schema.json")))
    throw new ProtocolBumpError("BAD_ARGUMENT", `${paths.schemasDir} has no api.schema.json; run from a Flightdeck checkout`);
  if (!/^\d+\.\d+\.\d+(-[0-9A-Za-z.-]+)?$/.test(options.version)) {
    throw new ProtocolBumpError("BAD_ARGUMENT", `${JSON.stringify(options.version)} is not a package version; pass one like 1.0.15`);
  }
  if (oldLock && compareVersions(options.version, oldLock.version) < 0 && options.allowDowngrade !== true) {
    throw new ProtocolBumpError(
      "DOWNGRADE",
      `${options.version} is older than the pinned ${oldLock.package}@${oldLock.version}: this would be a downgrade. Pass --allow-downgrade if you mean it`,
    );
  }
  if (options.tarball === undefined)
    await checkVersionExists(options.packageName ?? oldLock?.package ?? "@github/copilot-sdk-linux-x64", options.version, options.npmCommand, track);
}

/** Runs the whole bump. Throws {@link ProtocolBumpError} after restoring the tree on any failure. */
export async function protocolBump(options: BumpOptions): Promise<BumpResult> {
  const paths = bumpPaths(options);
  const log = options.log ?? (() => {});
  const children = new Set<ChildProcess>();
  const track: Tracker = (child) => {
    children.add(child);
    child.once("exit", () => children.delete(child));
  };
  const oldLock = readLock(paths.lockFile);
  let oldIr;
  try {
    await preflight(options, paths, oldLock, track);
    oldIr = loadIrForDiff(paths.schemasDir, { overlay: false });
  } catch (e) {
    throw failed(
      e instanceof ProtocolBumpError
        ? e
        : new ProtocolBumpError("DIFF_FAILED", `the current schemas do not load: ${(e as Error).message}`, undefined, { cause: e }),
    );
  }
  // Errors that exist before the bump are not the bump's doing: only new ones are reported.
  const typecheck = options.typecheck === false ? null : (options.typecheck ?? { command: "pnpm", args: ["typecheck"] });
  let baseline: CallSite[] | null = null;
  if (typecheck) {
    log(`running ${typecheck.command} ${typecheck.args.join(" ")} before the bump (baseline)`);
    active = { rollback: () => {}, children };
    baseline = await runTypecheck(typecheck, paths.root, log, track);
  }
  const snap = snapshotPaths([
    ...SCHEMA_FILES.map((f) => join(paths.schemasDir, f)),
    paths.lockFile,
    paths.generatedDir,
    paths.changesetDir,
    paths.diffsDir,
    ...manifestFiles(paths.root),
    join(paths.root, "pnpm-lock.yaml"),
  ]);
  const staging = mkdtempSync(join(tmpdir(), "fd-protocol-bump-staging-"));
  const rollback = () => {
    restoreSnapshot(snap);
    rmSync(staging, { recursive: true, force: true });
  };
  active = { rollback, children };
  try {
    const r = await changeTree(options, paths, { oldLock, oldIr, staging, typecheck, baseline, log, track });
    active = null;
    dropSnapshot(snap);
    rmSync(staging, { recursive: true, force: true });
    return r;
  } catch (e) {
    active = null;
    rollback();
    throw failed(e);
  }
}

/** A failure after the tree was restored: the message says so, and where a diff report survives. */
function failed(e: unknown): ProtocolBumpError {
  const err = e instanceof ProtocolBumpError ? e : new ProtocolBumpError("WRITE_FAILED", (e as Error).message, undefined, { cause: e });
  const kept = err.reportPath ? ` The diff report is in ${err.reportPath}.` : "";
  return new ProtocolBumpError(err.code, `${err.message.replace(/^protocol:bump: /, "").trimEnd()}\nNothing in the repo was changed.${kept}`, err.reportPath, {
    cause: e,
  });
}

interface ChangeContext {
  readonly oldLock: ProtocolLock | null;
  readonly oldIr: ReturnType<typeof loadIrForDiff>;
  readonly staging: string;
  readonly typecheck: { readonly command: string; readonly args: readonly string[] } | null;
  readonly baseline: CallSite[] | null;
  readonly log: (line: string) => void;
  readonly track: Tracker;
}

/** Step 1: the new schemas and lock into the staging folder (with our overlay beside them), and the diff. */
async function syncStep(options: BumpOptions, paths: BumpPaths, ctx: ChangeContext): Promise<{ lock: ProtocolLock; diff: ProtocolDiff }> {
  let lock: ProtocolLock;
  try {
    ({ lock } = await syncSchemas({
      version: options.version,
      outDir: ctx.staging,
      packageName: options.packageName ?? ctx.oldLock?.package,
      tarball: options.tarball,
      runtimeVersion: options.runtimeVersion,
      npmCommand: options.npmCommand,
    }));
  } catch (e) {
    const code = e instanceof SyncSchemasError && e.code === "BAD_ARGUMENT" ? "BAD_ARGUMENT" : "SYNC_FAILED";
    throw new ProtocolBumpError(code, `${(e as Error).message.replace(/^sync-schemas: /, "")}`, undefined, { cause: e });
  }
  if (existsSync(join(paths.schemasDir, "overlay"))) cpSync(join(paths.schemasDir, "overlay"), join(ctx.staging, "overlay"), { recursive: true });
  ctx.log(`synced ${lock.package}@${lock.version} (runtime ${lock.runtimeVersion}, protocol ${lock.protocolVersion})`);
  try {
    return { lock, diff: diffIr(ctx.oldIr, loadIrForDiff(ctx.staging, { overlay: false })) };
  } catch (e) {
    throw new ProtocolBumpError("DIFF_FAILED", `the new schemas do not load: ${(e as Error).message}`, undefined, { cause: e });
  }
}

/** Step 2: regenerate from the staged schemas; on failure the diff report is kept outside the repo. */
async function generateStep(paths: BumpPaths, ctx: ChangeContext, lock: ProtocolLock, diff: ProtocolDiff): Promise<void> {
  try {
    const g = await generate({ schemasDir: ctx.staging, outDir: paths.generatedDir, runtimeModule: "../runtime.js" });
    ctx.log(`regenerated ${g.files.length} files in ${relative(paths.root, paths.generatedDir)}`);
  } catch (e) {
    const reportPath = join(mkdtempSync(join(tmpdir(), "fd-protocol-diff-")), "report.md");
    writeFileSync(reportPath, renderDiffMarkdown(diff));
    const hint =
      e instanceof CodegenError
        ? "\nThe overlay (schemas/overlay) or the generator (codegen/src) must learn the new schemas first; the upstream files stay as published."
        : "";
    throw new ProtocolBumpError(
      "GENERATE_FAILED",
      `regenerating the bindings from ${lock.package}@${lock.version} failed: ${(e as Error).message}${hint}`,
      reportPath,
      { cause: e },
    );
  }
}

/** Steps 1-5 on the tree; the caller restores it on any throw (or interruption). The lock is written last. */
async function changeTree(options: BumpOptions, paths: BumpPaths, ctx: ChangeContext): Promise<BumpResult> {
  const { lock, diff } = await syncStep(options, paths, ctx);
  log(summarizeDiff(diff));
  await options.onStepDone?.("sync");
  await generateStep(paths, ctx, lock, diff);
  await options.onStepDone?.("generate");
  const runtimeFrom = moveRuntimeDependency(paths.root, lock.package, lock.version);
  const runtimeMoved = runtimeFrom !== null && runtimeFrom !== lock.version;
  if (runtimeMoved) await refreshInstall(options, paths, ctx, lock, runtimeFrom);
  const change = describeChange(ctx.oldLock, lock, diff, runtimeMoved ? runtimeFrom : null);
  const packages = packageVerdicts(paths.root, change.level);
  const { reports, changeset, mdPath } = writeReports(paths, ctx, lock, diff, packages, change);
  await options.onStepDone?.("report");
  // The upstream files go in now; the lock (their sha256) goes in last of all.
  for (const f of SCHEMA_FILES) cpSync(join(ctx.staging, f), join(paths.schemasDir, f));
  const protocolWarning = await protocolRangeWarning(paths.root, lock.protocolVersion);
  let brokenCallSites: CallSite[] | null = null;
  if (ctx.typecheck) {
    ctx.log(`running ${ctx.typecheck.command} ${ctx.typecheck.args.join(" ")} after the bump`);
    const after = await runTypecheck(ctx.typecheck, paths.root, ctx.log, ctx.track);
    const known = new Set(ctx.baseline!.map(siteKey));
    brokenCallSites = after.filter((c) => !known.has(siteKey(c)));
    if (mdPath !== null) writeFileSync(mdPath, renderReport(diff, change, callSiteLines(brokenCallSites, ctx.baseline!.length)));
  }
  await options.onStepDone?.("typecheck");
  const lockText = readFileSync(join(ctx.staging, LOCK_FILE));
  if (!existsSync(paths.lockFile) || !readFileSync(paths.lockFile).equals(lockText)) writeFileSync(paths.lockFile, lockText);
  return {
    oldLock: ctx.oldLock,
    lock,
    diff,
    reports,
    changeset,
    packages,
    protocolWarning,
    brokenCallSites,
    runtimeChange: change.runtime,
    downgrade: change.downgrade,
  };

  function log(line: string): void {
    ctx.log(line);
  }
}

/** `pnpm install --lockfile-only` (or the given command) after the runtime devDependency moved. */
async function refreshInstall(options: BumpOptions, paths: BumpPaths, ctx: ChangeContext, lock: ProtocolLock, from: string): Promise<void> {
  ctx.log(`moved the devDependency ${lock.package} ${from} → ${lock.version} (the runtime the end-to-end suite runs on)`);
  const install = options.install === false ? null : (options.install ?? { command: "pnpm", args: ["install", "--lockfile-only"] });
  if (install === null || !existsSync(join(paths.root, "pnpm-lock.yaml"))) return;
  const r = await runCommand(install.command, install.args, paths.root, ctx.track);
  if (r.code !== 0) {
    throw new ProtocolBumpError(
      "INSTALL_FAILED",
      `${install.command} ${install.args.join(" ")} failed (exit ${r.code}) after moving ${lock.package} to ${lock.version}: ${r.output.trim().split("\n").slice(-3).join(" ")}`,
    );
  }
  ctx.log(`updated pnpm-lock.yaml; run \`pnpm install\` to put runtime ${lock.runtimeVersion} into node_modules`);
}

/** What kind of change this is, beyond the schema diff: a runtime-only move, a downgrade. */
interface ChangeSummary {
  /** The level the packages get: the diff's, or `patch` for a runtime-only change. */
  readonly level: VerdictLevel;
  readonly runtime: { readonly from: string; readonly to: string; readonly packageFrom: string | null } | null;
  readonly downgrade: boolean;
}

function describeChange(oldLock: ProtocolLock | null, lock: ProtocolLock, diff: ProtocolDiff, packageFrom: string | null): ChangeSummary {
  const runtimeChanged = oldLock !== null && (oldLock.runtimeVersion !== lock.runtimeVersion || packageFrom !== null);
  const runtime = runtimeChanged ? { from: oldLock!.runtimeVersion, to: lock.runtimeVersion, packageFrom } : null;
  const level: VerdictLevel = diff.verdict.level === "none" && runtime !== null ? "patch" : diff.verdict.level;
  return { level, runtime, downgrade: oldLock !== null && compareVersions(lock.version, oldLock.version) < 0 };
}

/** The Markdown report: the diff, plus what the diff cannot show (runtime move, downgrade). */
function renderReport(diff: ProtocolDiff, change: ChangeSummary, extra: string[] = []): string {
  const notes: string[] = [];
  if (change.downgrade) notes.push(`**Downgrade**: from ${diff.old.package} ${diff.old.version} to ${diff.new.version}.`);
  if (change.runtime)
    notes.push(
      `**Runtime**: ${change.runtime.from} → ${change.runtime.to}${diff.verdict.level === "none" ? " (runtime-only change: the schemas are byte for byte the same)" : ""}; the end-to-end suite runs on the new runtime after \`pnpm install\`.`,
    );
  return renderDiffMarkdown(diff, notes.length > 0 ? [...notes, "", ...extra] : extra);
}

/** Step 4: schemas/diffs/<old>..<new>.{md,json} and the changeset, whenever anything changed. */
function writeReports(
  paths: BumpPaths,
  ctx: ChangeContext,
  lock: ProtocolLock,
  diff: ProtocolDiff,
  packages: PackageVerdict[],
  change: ChangeSummary,
): { reports: string[]; changeset: string | null; mdPath: string | null } {
  if (diff.verdict.level === "none" && change.runtime === null) return { reports: [], changeset: null, mdPath: null };
  const base = `${ctx.oldLock?.version ?? "unknown"}..${lock.version}`;
  const mdPath = join(paths.diffsDir, `${base}.md`);
  const jsonPath = join(paths.diffsDir, `${base}.json`);
  mkdirSync(paths.diffsDir, { recursive: true });
  writeFileSync(jsonPath, `${JSON.stringify({ ...diff, packages, runtime: change.runtime, downgrade: change.downgrade }, null, 2)}\n`);
  writeFileSync(mdPath, renderReport(diff, change));
  const changeset = join(paths.changesetDir, `protocol-${lock.version}.md`);
  mkdirSync(paths.changesetDir, { recursive: true });
  writeFileSync(changeset, renderChangeset(diff, packages, relative(paths.root, mdPath).split(sep).join("/"), change));
  return { reports: [jsonPath, mdPath], changeset, mdPath };
}

const USAGE =
  "usage: pnpm protocol:bump <version> [--tarball <file>] [--package <name>] [--runtime-version <v>] [--allow-downgrade] [--no-typecheck] [--no-install] [--typecheck-command <cmd>] [--repo <dir>]";

export function parseBumpArgs(argv: readonly string[]): BumpOptions {
  let version: string | undefined;
  const o: {
    tarball?: string;
    packageName?: string;
    runtimeVersion?: string;
    repoRoot?: string;
    typecheck?: BumpOptions["typecheck"];
    install?: false;
    allowDowngrade?: true;
  } = {};
  const flags: Record<string, "tarball" | "packageName" | "runtimeVersion" | "repoRoot" | "typecheckCommand"> = {
    "--tarball": "tarball",
    "--package": "packageName",
    "--runtime-version": "runtimeVersion",
    "--repo": "repoRoot",
    "--typecheck-command": "typecheckCommand",
  };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === "--no-typecheck") o.typecheck = false;
    else if (a === "--no-install") o.install = false;
    else if (a === "--allow-downgrade") o.allowDowngrade = true;
    else if (flags[a]) {
      const v = argv[++i];
      if (v === undefined || v.startsWith("--")) throw new ProtocolBumpError("BAD_ARGUMENT", `${a} needs a value; ${USAGE}`);
      const key = flags[a]!;
      if (key === "typecheckCommand") {
        const [command, ...args] = v.split(" ").filter(Boolean);
        o.typecheck = { command: command!, args };
      } else o[key] = v;
    } else if (a.startsWith("-")) throw new ProtocolBumpError("BAD_ARGUMENT", `unknown option ${a}; ${USAGE}`);
    else if (version === undefined) version = a;
    else throw new ProtocolBumpError("BAD_ARGUMENT", `unexpected argument ${JSON.stringify(a)}; give exactly one <version>; ${USAGE}`);
  }
  if (version === undefined) throw new ProtocolBumpError("BAD_ARGUMENT", `missing <version>; ${USAGE}`);
  return { ...o, version };
}

/**
 * While the bump runs from the command line: SIGINT, SIGTERM, SIGHUP, or the death of the process
 * that started it (`pnpm`, whose death leaves this process with another parent) stop the children,
 * put the tree back byte for byte, and exit (130 / 143 / 129).
 */
function guardInterruptions(): () => void {
  const parent = process.ppid;
  const stop = (why: string, code: number) => {
    const undone = abortActiveBump();
    console.error(`protocol:bump: interrupted (${why}); ${undone ? "the tree was restored exactly as it was" : "nothing had been changed"}.`);
    process.exit(code);
  };
  const handlers: [NodeJS.Signals, () => void][] = [
    ["SIGINT", () => stop("SIGINT", 130)],
    ["SIGTERM", () => stop("SIGTERM", 143)],
    ["SIGHUP", () => stop("SIGHUP", 129)],
  ];
  for (const [signal, handler] of handlers) process.on(signal, handler);
  // Polled: Linux has no portable "parent died" event for a plain Node process.
  const watch = setInterval(() => {
    if (process.ppid !== parent) stop(`the parent process ${parent} exited`, 129);
  }, 200);
  return () => {
    clearInterval(watch);
    for (const [signal, handler] of handlers) process.off(signal, handler);
  };
}

/** `FLIGHTDECK_BUMP_PAUSE_AFTER=<step>`: stop after that step's writes until interrupted (for the interruption tests). */
function pauseHook(): BumpOptions["onStepDone"] {
  const at = process.env["FLIGHTDECK_BUMP_PAUSE_AFTER"];
  if (at === undefined) return undefined;
  return async (step) => {
    if (step !== at) return;
    console.log(`protocol:bump: paused after ${step}`);
    await new Promise(() => {});
  };
}

function report(r: BumpResult): void {
  const rel = (p: string) => relative(process.cwd(), p);
  const runtimeOnly = r.diff.verdict.level === "none" && r.runtimeChange !== null;
  const verdict = runtimeOnly ? `none for the schemas; runtime ${r.runtimeChange!.from} → ${r.runtimeChange!.to} (runtime-only change)` : r.diff.verdict.level;
  console.log(
    `protocol:bump: ${r.downgrade ? "DOWNGRADE; " : ""}verdict ${verdict}${r.reports.length === 0 ? " (no change; no report or changeset written)" : ""}`,
  );
  for (const reason of r.diff.verdict.reasons.slice(0, 8)) console.log(`  - ${reason}`);
  for (const p of r.reports) console.log(`  report: ${rel(p)}`);
  if (r.changeset)
    console.log(
      `  changeset: ${rel(r.changeset)} (${r.packages
        .filter((p) => p.bump)
        .map((p) => `${p.name} ${p.bump}`)
        .join(", ")})`,
    );
  if (r.runtimeChange?.packageFrom)
    console.log(
      `  package.json: ${r.lock.package} ${r.runtimeChange.packageFrom} → ${r.lock.version}; run \`pnpm install\` so the end-to-end suite runs on runtime ${r.runtimeChange.to}`,
    );
  if (r.protocolWarning) console.warn(`protocol:bump: WARNING: ${r.protocolWarning}`);
  if (r.brokenCallSites && r.brokenCallSites.length > 0) {
    console.error(`protocol:bump: the bump breaks ${r.brokenCallSites.length} hand-written call site(s); fix them (also listed in the report):`);
    for (const s of r.brokenCallSites) console.error(`  ${s.file}:${s.line}:${s.column} ${s.code} ${s.message}`);
    process.exitCode = 3;
  }
}

async function main(): Promise<void> {
  const release = guardInterruptions();
  try {
    const options = parseBumpArgs(process.argv.slice(2));
    const onStepDone = pauseHook();
    report(await protocolBump({ ...options, ...(onStepDone ? { onStepDone } : {}), log: (l) => console.log(`protocol:bump: ${l}`) }));
  } catch (e) {
    console.error(e instanceof Error ? e.message : String(e));
    process.exitCode = e instanceof ProtocolBumpError && (e.code === "BAD_ARGUMENT" || e.code === "DOWNGRADE") ? 2 : 1;
  } finally {
    release();
  }
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) void main();
