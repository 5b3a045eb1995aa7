/**
 * The runtime child process, with a bounded stderr tail for error messages. Stopping it also reaps
 * what it started (shell commands, MCP servers): on Linux the tree is found from /proc (the
 * environment tag and the parent chain, see `process-tree.ts`), so the runtime stays in the app's
 * process group, as a plain child does; elsewhere it gets a process group of its own, the only net there.
 */
import type { ChildProcess } from "node:child_process";
import { SdkError } from "@flightdeck/copilot-core";
import { nodeFs } from "./node-builtins.js";
import { RUNTIME_TAG_ENV, runtimeTreePids, signalPids } from "./process-tree.js";

const STDERR_TAIL_LINES = 40;

export interface RuntimeExit {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
}

export interface SpawnRuntimeOptions {
  readonly command: string;
  readonly args: readonly string[];
  readonly env: Record<string, string>;
  readonly cwd?: string;
  /** Start it in a process group (and session) of its own; default: only where there is no /proc. */
  readonly ownProcessGroup?: boolean;
  /** Called with each stderr line (already split), e.g. for a debug log. */
  readonly onStderrLine?: (line: string) => void;
}

export class RuntimeProcess {
  readonly child: ChildProcess;
  readonly pid: number;
  /** Resolves when the runtime process itself has exited. Never rejects. */
  readonly exited: Promise<RuntimeExit>;
  private exitInfo: RuntimeExit | null = null;
  private readonly tail: string[] = [];
  private partial = "";
  private stdoutText = "";
  private readonly stdoutWaiters = new Set<() => void>();

  /** Unique value of `FLIGHTDECK_RUNTIME_ID` in this runtime's environment (inherited by all it starts). */
  readonly tag: string;
  /** True when the runtime leads a process group of its own (spawned `detached`), which signals reach as a whole. */
  readonly ownGroup: boolean;

  private constructor(child: ChildProcess, tag: string, ownGroup: boolean, onStderrLine?: (line: string) => void) {
    this.child = child;
    this.tag = tag;
    this.ownGroup = ownGroup;
    this.pid = child.pid!;
    this.exited = new Promise((resolve) => {
      child.once("exit", (code, signal) => {
        this.exitInfo = { code, signal };
        resolve(this.exitInfo);
        for (const w of this.stdoutWaiters) w();
      });
    });
    child.stderr?.setEncoding("utf8");
    child.stderr?.on("data", (text: string) => {
      const lines = (this.partial + text).split(/\r?\n/);
      this.partial = lines.pop() ?? "";
      for (const line of lines) {
        this.tail.push(line);
        if (this.tail.length > STDERR_TAIL_LINES) this.tail.shift();
        onStderrLine?.(line);
      }
    });
  }

  /** Spawns the runtime. Rejects with `RUNTIME_NOT_FOUND` when the executable cannot be started. */
  static async spawn(options: SpawnRuntimeOptions): Promise<RuntimeProcess> {
    // Loaded on first use: child_process costs ~5 ms at import time.
    const { spawn } = await import("node:child_process");
    const tag = globalThis.crypto.randomUUID();
    const ownGroup = options.ownProcessGroup === true || needsOwnGroup();
    const child = spawn(options.command, [...options.args], {
      env: { ...options.env, [RUNTIME_TAG_ENV]: tag },
      cwd: options.cwd,
      stdio: ["pipe", "pipe", "pipe"],
      detached: ownGroup,
      windowsHide: true,
    });
    await new Promise<void>((resolve, reject) => {
      child.once("spawn", resolve);
      child.once("error", (error) =>
        reject(
          options.cwd !== undefined && (error as NodeJS.ErrnoException).code === "ENOENT" && !isDirectory(options.cwd)
            ? new SdkError(
                "INVALID_OPTION",
                `workingDirectory: "${options.cwd}" does not exist (or is not a folder), so the runtime cannot start in it. Create it, or pass an existing folder.`,
                {
                  cause: error,
                  details: { option: "workingDirectory" },
                },
              )
            : new SdkError(
                "RUNTIME_NOT_FOUND",
                `Could not start the Copilot runtime "${options.command}": ${error.message}. Check the path and that it is executable.`,
                {
                  cause: error,
                  details: { command: options.command },
                },
              ),
        ),
      );
    });
    // Errors after spawn (EPIPE on a dead child) surface through exit/close, not as crashes.
    child.on("error", () => {});
    child.stdin?.on("error", () => {});
    return new RuntimeProcess(child, tag, ownGroup, options.onStderrLine);
  }

  /** The last lines the runtime wrote to stderr, oldest first. */
  stderrTail(): string[] {
    return this.partial ? [...this.tail, this.partial] : [...this.tail];
  }

  get exitState(): RuntimeExit | null {
    return this.exitInfo;
  }

  /** False once the runtime has died, even before Node has reported its exit. */
  isRunning(): boolean {
    return this.exitInfo === null && isAlive(this.pid);
  }

  /** Waits for `CLI server listening on port N` on stdout (TCP mode). */
  waitForListeningPort(timeoutMs: number): Promise<number> {
    const stdout = this.child.stdout;
    if (!stdout) return Promise.reject(new SdkError("CONNECT_FAILED", "The runtime has no stdout to announce its port on."));
    stdout.setEncoding("utf8");
    return new Promise<number>((resolve, reject) => {
      const check = (): boolean => {
        const m = /listening on port (\d+)/i.exec(this.stdoutText);
        if (m) {
          done();
          resolve(Number(m[1]));
          return true;
        }
        if (this.exitInfo) {
          done();
          reject(
            new SdkError(
              "RUNTIME_EXITED",
              `The runtime exited (code ${this.exitInfo.code}, signal ${this.exitInfo.signal}) before listening on TCP. Last stderr: ${this.stderrTail().slice(-5).join(" | ") || "(none)"}`,
              {
                details: { exitCode: this.exitInfo.code, signal: this.exitInfo.signal, stderrTail: this.stderrTail() },
              },
            ),
          );
          return true;
        }
        return false;
      };
      const onData = (text: string) => {
        this.stdoutText = (this.stdoutText + text).slice(-4096);
        check();
      };
      const timer = setTimeout(() => {
        done();
        reject(
          new SdkError(
            "TIMEOUT",
            `The runtime did not announce a TCP port within ${timeoutMs} ms. Last stderr: ${this.stderrTail().slice(-5).join(" | ") || "(none)"}`,
          ),
        );
      }, timeoutMs);
      const done = () => {
        clearTimeout(timer);
        stdout.off("data", onData);
        this.stdoutWaiters.delete(waiter);
      };
      const waiter = () => void check();
      this.stdoutWaiters.add(waiter);
      stdout.on("data", onData);
      check();
    });
  }

  /** Sends a signal to the runtime (its whole process group, when it has one) and to every other process it started. */
  signalTree(signal: NodeJS.Signals, pids: readonly number[] = this.treePids()): boolean {
    let sent = false;
    try {
      if (this.ownGroup) {
        process.kill(-this.pid, signal);
        sent = true;
      } else if (process.platform === "win32") sent = this.child.kill(signal);
    } catch {
      // the group is gone
    }
    return (
      signalPids(
        pids.filter((pid) => pid !== this.pid || this.exitInfo === null),
        signal,
      ) > 0 || sent
    );
  }

  /** Live pids of the runtime and everything it started (see `runtimeTreePids`); Linux only. */
  treePids(): number[] {
    return runtimeTreePids(this.pid, this.tag);
  }

  /** True while the runtime or anything it started is alive (zombies do not count). */
  treeAlive(): boolean {
    if (process.platform === "win32") return this.exitInfo === null;
    if (!this.ownGroup) return this.treePids().length > 0;
    try {
      process.kill(-this.pid, 0);
      return true;
    } catch {
      return false;
    }
  }

  /**
   * Ends the runtime and everything it started: waits `graceMs` for it to exit by itself (after
   * the caller closed stdin / sent `runtime.shutdown`), then SIGTERM to the group and every
   * descendant, then SIGKILL after `killAfterMs`. Leftovers (an MCP server, the agent's shell
   * commands in their own process groups) get the same treatment. Resolves with what it had to do.
   */
  async terminate(graceMs: number, killAfterMs: number): Promise<{ exit: RuntimeExit; signalled: NodeJS.Signals | undefined }> {
    // The parent chain is only known while the runtime lives: snapshot it first.
    let snapshot = this.treePids();
    if (this.exitInfo === null && graceMs > 0) await raceTimeout(this.exited, graceMs);
    let signalled: NodeJS.Signals | undefined;
    let alive = union(snapshot, this.treePids()).filter(isAlive);
    if (alive.length > 0) {
      signalled = "SIGTERM";
      this.signalTree("SIGTERM", alive);
      await raceTimeout(this.exitedTree(alive), killAfterMs);
      snapshot = union(alive, this.treePids());
      alive = snapshot.filter(isAlive);
    }
    if (alive.length > 0 || this.exitInfo === null) {
      signalled = "SIGKILL";
      this.signalTree("SIGKILL", alive);
      await this.exitedTree(alive);
    }
    return { exit: await this.exited, signalled };
  }

  /** Kills the runtime, its group and everything it started, at once. */
  async kill(): Promise<RuntimeExit> {
    const pids = this.treePids();
    this.signalTree("SIGKILL", pids);
    await this.exitedTree(pids);
    // A child forked in the instant between the snapshot and the kill: one more pass.
    const late = this.treePids();
    if (late.length > 0) {
      this.signalTree("SIGKILL", late);
      await this.exitedTree(late);
    }
    return this.exited;
  }

  private async exitedTree(pids: readonly number[]): Promise<void> {
    await this.exited;
    // Other processes do not notify us: poll briefly until they are all gone.
    for (let i = 0; i < 400 && (pids.some(isAlive) || this.treeAlive()); i++) await delay(5);
  }
}

/**
 * Whether the runtime needs a process group of its own for stop() to reach everything it starts.
 * Not on Linux with /proc, where `runtimeTreePids` finds the tree without it. There, leaving the
 * runtime in the app's group and session keeps it in the app's scheduling autogroup (a new session
 * is a new autogroup, which on a busy machine slows the app's own process down) and lets Ctrl-C in
 * a terminal reach it as it reaches any plain child. Not on Windows, which has no process groups.
 */
function needsOwnGroup(): boolean {
  if (process.platform === "win32") return false;
  if (process.platform !== "linux") return true;
  try {
    return !nodeFs().statSync("/proc/self/stat").isFile();
  } catch {
    return true;
  }
}

function isDirectory(path: string): boolean {
  try {
    return nodeFs().statSync(path).isDirectory();
  } catch {
    return false;
  }
}

function union(a: readonly number[], b: readonly number[]): number[] {
  return [...new Set([...a, ...b])];
}

/** True while `pid` is a live, non-zombie process. */
function isAlive(pid: number): boolean {
  if (process.platform === "linux") {
    try {
      const stat = nodeFs().readFileSync(`/proc/${pid}/stat`, "latin1");
      const state = stat.slice(stat.lastIndexOf(")") + 2, stat.lastIndexOf(")") + 3);
      return state !== "Z" && state !== "X";
    } catch {
      return false;
    }
  }
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

async function raceTimeout(promise: Promise<unknown>, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([promise, new Promise<void>((resolve) => (timer = setTimeout(resolve, ms)))]);
  clearTimeout(timer);
}
