/**
 * Finds every process a runtime started, so that none outlives it. A process group is not enough:
 * the agent's shell commands run in a session and process group of their own, and once the
 * runtime dies they are re-parented to init. Three nets, from /proc on Linux:
 * - the environment tag the client sets on the runtime (`FLIGHTDECK_RUNTIME_ID`), which every
 *   descendant inherits and keeps after re-parenting (unless it scrubbed its environment);
 * - the process group the runtime leads, if it leads one (on Linux it is spawned in the app's
 *   group, so this net only catches a runtime that made a group of its own);
 * - the parent chain from the runtime's pid, while the runtime is still alive.
 * Elsewhere only the process group is known (there the runtime is spawned leading its own).
 */
import { nodeFs } from "./node-builtins.js";

/** Environment variable set on the runtime; its value is unique per spawned runtime. */
export const RUNTIME_TAG_ENV = "FLIGHTDECK_RUNTIME_ID";

interface ProcEntry {
  readonly pid: number;
  readonly ppid: number;
  readonly pgid: number;
}

function readProcTable(): ProcEntry[] {
  let names: string[];
  try {
    names = nodeFs().readdirSync("/proc");
  } catch {
    return [];
  }
  const entries: ProcEntry[] = [];
  for (const name of names) {
    const first = name.charCodeAt(0);
    if (first < 48 || first > 57) continue;
    try {
      const stat = nodeFs().readFileSync(`/proc/${name}/stat`, "latin1");
      // After the ")" closing the command name: state, ppid, pgrp, session, …
      const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      if (fields[0] === "Z" || fields[0] === "X") continue; // zombies are gone already
      entries.push({ pid: Number(name), ppid: Number(fields[1]), pgid: Number(fields[2]) });
    } catch {
      // it ended while we looked
    }
  }
  return entries;
}

function hasTag(pid: number, needle: string): boolean {
  try {
    return nodeFs().readFileSync(`/proc/${pid}/environ`, "latin1").includes(needle);
  } catch {
    return false;
  }
}

/**
 * Live (non-zombie) pids that belong to the runtime `rootPid` tagged `tag`: members of its process
 * group, its descendants by parent chain, and any process carrying its environment tag. The root
 * itself is included while alive. Linux only; elsewhere returns `[]` (callers signal the group).
 */
export function runtimeTreePids(rootPid: number, tag: string | undefined): number[] {
  if (process.platform !== "linux") return [];
  const table = readProcTable();
  const found = new Set<number>();
  const children = new Map<number, number[]>();
  for (const entry of table) {
    if (entry.pid === process.pid) continue;
    if (entry.pgid === rootPid || entry.pid === rootPid) found.add(entry.pid);
    const list = children.get(entry.ppid);
    if (list) list.push(entry.pid);
    else children.set(entry.ppid, [entry.pid]);
  }
  // Descendants by parent chain, from the root and from every group member.
  const queue = [...found];
  while (queue.length > 0) {
    const pid = queue.pop()!;
    for (const child of children.get(pid) ?? []) {
      if (!found.has(child)) {
        found.add(child);
        queue.push(child);
      }
    }
  }
  if (tag !== undefined) {
    const needle = `${RUNTIME_TAG_ENV}=${tag}\0`;
    for (const entry of table) {
      if (entry.pid !== process.pid && !found.has(entry.pid) && hasTag(entry.pid, needle)) {
        found.add(entry.pid);
        for (const queued = [entry.pid]; queued.length > 0; ) {
          for (const child of children.get(queued.pop()!) ?? []) {
            if (!found.has(child)) {
              found.add(child);
              queued.push(child);
            }
          }
        }
      }
    }
  }
  found.delete(process.pid);
  return [...found];
}

/** Sends `signal` to each pid, ignoring those already gone. Returns how many were signalled. */
export function signalPids(pids: readonly number[], signal: NodeJS.Signals): number {
  let count = 0;
  for (const pid of pids) {
    try {
      process.kill(pid, signal);
      count++;
    } catch {
      // gone already, or not ours
    }
  }
  return count;
}
