/** Linux /proc helpers: which processes a runtime started, and which of them outlive `stop()`. */
import { readdirSync, readFileSync } from "node:fs";

interface ProcEntry {
  pid: number;
  ppid: number;
  state: string;
}

function readProcTable(): ProcEntry[] {
  const entries: ProcEntry[] = [];
  for (const name of readdirSync("/proc")) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, "utf8");
      // Fields after the ")" that closes the command name: state, ppid, …
      const [state, ppid] = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      entries.push({ pid: Number(name), ppid: Number(ppid), state: state ?? "?" });
    } catch {
      // the process ended while we looked
    }
  }
  return entries;
}

/** `pid` and all its live descendants. */
export function processTree(pid: number): number[] {
  const table = readProcTable();
  const tree = [pid];
  for (let i = 0; i < tree.length; i++) {
    for (const e of table) if (e.ppid === tree[i] && e.state !== "Z") tree.push(e.pid);
  }
  return tree;
}

/** True while `pid` exists and is not a zombie. */
export function isRunning(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    return stat.slice(stat.lastIndexOf(")") + 2, stat.lastIndexOf(")") + 3) !== "Z";
  } catch {
    return false;
  }
}

/** SIGKILLs each pid that is still running (only ever pids of runtimes this bench started). */
export function killAll(pids: readonly number[]): void {
  for (const pid of pids) {
    if (!isRunning(pid)) continue;
    try {
      process.kill(pid, "SIGKILL");
    } catch {
      // gone already
    }
  }
}
