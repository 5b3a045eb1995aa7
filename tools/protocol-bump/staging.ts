/**
 * Interrupt safety of a protocol bump: the snapshot of every path a bump may change (restored byte
 * for byte on failure), and the one running bump an interruption (signal, dead parent) undoes.
 */
import type { ChildProcess } from "node:child_process";
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, sep } from "node:path";

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

/**
 * What an interruption undoes: set while a bump changes the tree. The CLI's signal handlers and
 * its parent watch call {@link abortActiveBump}; tests of the API call it too.
 */
let active: ActiveBump | null = null;

/** What the running bump undoes when interrupted. */
export interface ActiveBump {
  readonly rollback: () => void;
  readonly children: Set<ChildProcess>;
}

/** Marks `bump` as the one an interruption undoes (`null`: nothing to undo any more). */
export function setActiveBump(bump: ActiveBump | null): void {
  active = bump;
}

/** Stops the running bump's children and puts the tree back; returns whether a bump was running. */
export function abortActiveBump(): boolean {
  const a = active;
  if (a === null) return false;
  active = null;
  for (const child of a.children) child.kill("SIGKILL");
  a.rollback();
  return true;
}
