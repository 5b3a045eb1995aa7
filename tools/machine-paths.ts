/**
 * Finds absolute paths of one machine in tracked files: a checkout folder, a temp folder, a home
 * directory. Such a path works on the machine that wrote it and nowhere else (a clone in another
 * folder, another user, CI). Used by `pnpm check`.
 */
import { homedir, tmpdir } from "node:os";
import { extname, basename } from "node:path";

export interface MachinePathHit {
  readonly file: string;
  /** 1-based. */
  readonly line: number;
  readonly path: string;
}

// Folders that exist on every machine and name no user, checkout or temp folder.
const SYSTEM_ROOTS = new Set([
  "bin",
  "boot",
  "dev",
  "etc",
  "lib",
  "lib64",
  "opt",
  "proc",
  "run",
  "sbin",
  "srv",
  "sys",
  "usr",
  "var",
  "nix",
  "snap",
  "mnt",
  "media",
  "data",
  "projects",
]);

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

/**
 * The patterns for this machine: temp folders (`/tmp`, `/var/tmp`, macOS `/var/folders`, `os.tmpdir()`),
 * home directories (`/root`, `/home/<user>`, `/Users/<user>`, `C:\Users\<user>`, `os.homedir()`), and the
 * checkout's own folder and its top-level folder (e.g. `/ws/` for a checkout at `/ws/flightdeck`).
 */
export function machinePathPatterns(repoRoot: string): RegExp[] {
  // Not preceded by a path or URL character, so `a/tmp/b` or `https://x/home/` do not count.
  const start = "(?<![\\w.:/~-])";
  const patterns = [
    `${start}/(?:var/)?tmp(?:/|\\b)`,
    `${start}/var/folders/`,
    `${start}/root(?:/|\\b(?![-.]))`,
    `${start}/home/[A-Za-z0-9._-]+`,
    `${start}/Users/[A-Za-z0-9._-]+`,
    `\\b[A-Za-z]:\\\\{1,2}Users\\\\{1,2}`,
  ];
  const own = [repoRoot.replace(/\/+$/, ""), tmpdir(), homedir()].filter((p) => p.length > 1 && p.startsWith("/"));
  for (const p of own) patterns.push(`${start}${escapeRegExp(p)}(?:/|\\b)`);
  const top = repoRoot.split("/").filter(Boolean)[0];
  if (top && !SYSTEM_ROOTS.has(top) && !["tmp", "root", "home", "Users"].includes(top)) patterns.push(`${start}/${escapeRegExp(top)}/`);
  return patterns.map((p) => new RegExp(p, "g"));
}

/** Files the check reads: sources, tests, configs and scripts (not prose, data fixtures or lockfiles). */
export function isCheckedFile(path: string): boolean {
  if (/(^|\/)(node_modules|dist|generated)\//.test(path) || path.startsWith("schemas/") || /\/fixtures\/.*\.(json|jsonl|gz|golden)$/.test(path)) return false;
  const name = basename(path);
  if (name === "pnpm-lock.yaml") return false;
  if ([".npmrc", ".gitignore", "run"].includes(name)) return true;
  return [".ts", ".mts", ".cts", ".tsx", ".js", ".mjs", ".cjs", ".json", ".yaml", ".yml", ".toml", ".sh"].includes(extname(name));
}

/** A line holding this marker, or right below it, may name a path on purpose (say why after it). */
export const MACHINE_PATH_OK = "machine-path-ok:";

/** Every machine path in `text`, with its line. */
export function findMachinePaths(file: string, text: string, patterns: readonly RegExp[]): MachinePathHit[] {
  const hits: MachinePathHit[] = [];
  const lines = text.split("\n");
  lines.forEach((line, index) => {
    if (line.includes(MACHINE_PATH_OK) || (lines[index - 1] ?? "").includes(MACHINE_PATH_OK)) return;
    const seen = new Set<number>(); // one hit per place, though several patterns match it
    for (const pattern of patterns) {
      for (const m of line.matchAll(pattern)) {
        if (seen.has(m.index)) continue;
        seen.add(m.index);
        hits.push({ file, line: index + 1, path: m[0] });
      }
    }
  });
  return hits;
}
