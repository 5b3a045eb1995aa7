/** The command line of `pnpm protocol:bump`: arguments, interruption guard, pause hook, the printed summary. */
import { relative } from "node:path";
import { abortActiveBump } from "./staging.js";
import { ProtocolBumpError, type BumpOptions, type BumpResult } from "./types.js";

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
export function guardInterruptions(): () => void {
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
export function pauseHook(): BumpOptions["onStepDone"] {
  const at = process.env["FLIGHTDECK_BUMP_PAUSE_AFTER"];
  if (at === undefined) return undefined;
  return async (step) => {
    if (step !== at) return;
    console.log(`protocol:bump: paused after ${step}`);
    await new Promise(() => {});
  };
}

export function printResult(r: BumpResult): void {
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
