/**
 * The runtime child process: spawned in its own process group so that stopping it also reaps
 * what it started (shell commands, MCP servers), with a bounded stderr tail for error messages.
 */
import type { ChildProcess } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import { SdkError } from "@flightdeck/copilot-core";

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

  private constructor(child: ChildProcess, onStderrLine?: (line: string) => void) {
    this.child = child;
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
    const child = spawn(options.command, [...options.args], {
      env: options.env,
      cwd: options.cwd,
      stdio: ["pipe", "pipe", "pipe"],
      // Own process group: stop() can signal the whole tree the runtime started.
      detached: process.platform !== "win32",
      windowsHide: true,
    });
    await new Promise<void>((resolve, reject) => {
      child.once("spawn", resolve);
      child.once("error", (error) =>
        reject(
          new SdkError("RUNTIME_NOT_FOUND", `Could not start the Copilot runtime "${options.command}": ${error.message}. Check the path and that it is executable.`, {
            cause: error,
            details: { command: options.command },
          }),
        ),
      );
    });
    // Errors after spawn (EPIPE on a dead child) surface through exit/close, not as crashes.
    child.on("error", () => {});
    child.stdin?.on("error", () => {});
    return new RuntimeProcess(child, options.onStderrLine);
  }

  /** The last lines the runtime wrote to stderr, oldest first. */
  stderrTail(): string[] {
    return this.partial ? [...this.tail, this.partial] : [...this.tail];
  }

  get exitState(): RuntimeExit | null {
    return this.exitInfo;
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
            new SdkError("RUNTIME_EXITED", `The runtime exited (code ${this.exitInfo.code}, signal ${this.exitInfo.signal}) before listening on TCP. Last stderr: ${this.stderrTail().slice(-5).join(" | ") || "(none)"}`, {
              details: { exitCode: this.exitInfo.code, signal: this.exitInfo.signal, stderrTail: this.stderrTail() },
            }),
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
        reject(new SdkError("TIMEOUT", `The runtime did not announce a TCP port within ${timeoutMs} ms. Last stderr: ${this.stderrTail().slice(-5).join(" | ") || "(none)"}`));
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

  /** Sends a signal to the runtime's whole process group (or just the runtime where groups do not exist). */
  signalTree(signal: NodeJS.Signals): boolean {
    try {
      if (process.platform === "win32") return this.child.kill(signal);
      process.kill(-this.pid, signal);
      return true;
    } catch {
      return false;
    }
  }

  /** True while any process of the runtime's group is alive (zombies do not count). */
  treeAlive(): boolean {
    if (process.platform === "win32") return this.exitInfo === null;
    if (process.platform === "linux") return liveGroupMembers(this.pid) > 0;
    try {
      process.kill(-this.pid, 0);
      return true;
    } catch {
      return false;
    }
  }

  /**
   * Ends the runtime and everything it started: waits `graceMs` for it to exit by itself (after
   * the caller closed stdin / sent `runtime.shutdown`), then SIGTERM to the group, then SIGKILL
   * after `killAfterMs`. Leftovers in the group (e.g. an MCP server) get the same treatment.
   */
  async terminate(graceMs: number, killAfterMs: number): Promise<RuntimeExit> {
    if (this.exitInfo === null && graceMs > 0) await raceTimeout(this.exited, graceMs);
    if (this.exitInfo === null || this.treeAlive()) {
      this.signalTree("SIGTERM");
      await raceTimeout(this.exitedTree(), killAfterMs);
    }
    if (this.exitInfo === null || this.treeAlive()) {
      this.signalTree("SIGKILL");
      await this.exitedTree();
    }
    return this.exited;
  }

  /** Kills the whole group at once. */
  async kill(): Promise<RuntimeExit> {
    this.signalTree("SIGKILL");
    await this.exitedTree();
    return this.exited;
  }

  private async exitedTree(): Promise<void> {
    await this.exited;
    // Group members do not notify us: poll briefly until the group is empty.
    for (let i = 0; this.treeAlive() && i < 200; i++) await delay(5);
  }
}

/** Counts live (non-zombie) processes in a process group by reading /proc. */
function liveGroupMembers(pgid: number): number {
  let count = 0;
  let names: string[];
  try {
    names = readdirSync("/proc");
  } catch {
    return 0;
  }
  for (const name of names) {
    if (name.charCodeAt(0) < 48 || name.charCodeAt(0) > 57) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, "latin1");
      // After the ")" closing the command name: state, ppid, pgrp, …
      const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      if (Number(fields[2]) === pgid && fields[0] !== "Z") count++;
    } catch {
      // it ended while we looked
    }
  }
  return count;
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

async function raceTimeout(promise: Promise<unknown>, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([promise, new Promise<void>((resolve) => (timer = setTimeout(resolve, ms)))]);
  clearTimeout(timer);
}
