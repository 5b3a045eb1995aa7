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
 *
 * This file runs the bump inside its snapshot; the pieces live in tools/protocol-bump/: `steps.ts`
 * (each step on the tree), `staging.ts` (snapshot/restore, what an interruption undoes),
 * `versions.ts` (ordering, registry check, runtime pins), `report.ts` (verdicts, changeset,
 * typecheck parsing), `cli.ts` (arguments, signals, summary), `types.ts` (options, result, error).
 */
import type { ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { loadIrForDiff } from "../codegen/src/index.js";
import { SCHEMA_FILES } from "./sync-schemas.js";
import { guardInterruptions, parseBumpArgs, pauseHook, printResult } from "./protocol-bump/cli.js";
import { runTypecheck, type CallSite, type Tracker } from "./protocol-bump/report.js";
import { dropSnapshot, restoreSnapshot, setActiveBump, snapshotPaths } from "./protocol-bump/staging.js";
import { bumpPaths, changeTree, preflight, readLock } from "./protocol-bump/steps.js";
import { ProtocolBumpError, type BumpOptions, type BumpResult } from "./protocol-bump/types.js";
import { manifestFiles } from "./protocol-bump/versions.js";

export { parseBumpArgs } from "./protocol-bump/cli.js";
export {
  packageVerdicts,
  parseTscOutput,
  protocolRangeWarning,
  readSupportedRange,
  renderChangeset,
  type CallSite,
  type PackageVerdict,
  type Tracker,
} from "./protocol-bump/report.js";
export { abortActiveBump, dropSnapshot, restoreSnapshot, snapshotPaths } from "./protocol-bump/staging.js";
export { ProtocolBumpError, type BumpOptions, type BumpResult, type BumpStep, type ProtocolBumpErrorCode } from "./protocol-bump/types.js";
export { checkVersionExists, compareVersions, manifestFiles, moveRuntimeDependency } from "./protocol-bump/versions.js";

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
    setActiveBump({ rollback: () => {}, children });
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
  setActiveBump({ rollback, children });
  try {
    const r = await changeTree(options, paths, { oldLock, oldIr, staging, typecheck, baseline, log, track });
    setActiveBump(null);
    dropSnapshot(snap);
    rmSync(staging, { recursive: true, force: true });
    return r;
  } catch (e) {
    setActiveBump(null);
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

async function main(): Promise<void> {
  const release = guardInterruptions();
  try {
    const options = parseBumpArgs(process.argv.slice(2));
    const onStepDone = pauseHook();
    printResult(await protocolBump({ ...options, ...(onStepDone ? { onStepDone } : {}), log: (l) => console.log(`protocol:bump: ${l}`) }));
  } catch (e) {
    console.error(e instanceof Error ? e.message : String(e));
    process.exitCode = e instanceof ProtocolBumpError && (e.code === "BAD_ARGUMENT" || e.code === "DOWNGRADE") ? 2 : 1;
  } finally {
    release();
  }
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) void main();
