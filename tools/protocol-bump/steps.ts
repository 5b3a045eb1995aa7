/**
 * The steps of a protocol bump on the tree (tools/protocol-bump.ts runs them inside its snapshot):
 * preflight, sync into staging + diff, regenerate, move the runtime pins, reports and changeset,
 * typecheck against the baseline, and the lock written last.
 */
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative, resolve, sep } from "node:path";
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
} from "../../codegen/src/index.js";
import { LOCK_FILE, SCHEMA_FILES, syncSchemas, SyncSchemasError, type ProtocolLock } from "../sync-schemas.js";
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
} from "./report.js";
import { ProtocolBumpError, type BumpOptions, type BumpResult } from "./types.js";
import { compareVersions, checkVersionExists, moveRuntimeDependency } from "./versions.js";

const defaultRoot = fileURLToPath(new URL("../..", import.meta.url));

export function readLock(file: string): ProtocolLock | null {
  return existsSync(file) ? (JSON.parse(readFileSync(file, "utf8")) as ProtocolLock) : null;
}

export interface BumpPaths {
  readonly root: string;
  readonly schemasDir: string;
  readonly generatedDir: string;
  readonly changesetDir: string;
  readonly diffsDir: string;
  readonly lockFile: string;
}

export function bumpPaths(options: BumpOptions): BumpPaths {
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
export async function preflight(options: BumpOptions, paths: BumpPaths, oldLock: ProtocolLock | null, track: Tracker): Promise<void> {
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

export interface ChangeContext {
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
export async function changeTree(options: BumpOptions, paths: BumpPaths, ctx: ChangeContext): Promise<BumpResult> {
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
