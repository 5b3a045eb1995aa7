/** Transport over a child process's stdin/stdout (Node only; exported from `./node`). */
import type { ChildProcess } from "node:child_process";
import { SdkError } from "./errors.js";
import { BaseTransport, type TransportCloseInfo } from "./transport.js";

export interface StdioTransportOptions {
  /** How many trailing stderr lines to keep for error messages (default 50). */
  stderrLines?: number;
  /**
   * After `close()` ends stdin, how long to wait for the process to exit before SIGTERM, and again
   * before SIGKILL, in ms (default 2000). `0` sends SIGTERM at once.
   */
  killGraceMs?: number;
}

// Wait this long after 'exit' for stdout to drain before reporting the close (a grandchild may hold the pipe).
const DRAIN_AFTER_EXIT_MS = 100;

/**
 * Frames over a child's stdin (out) and stdout (in). Each `write` is one `stdin.write`.
 * Keeps the last stderr lines and reports exit code/signal in the close info.
 */
export class StdioTransport extends BaseTransport {
  readonly child: ChildProcess;
  private readonly stderrTail: string[] = [];
  private stderrPartial = "";
  private readonly maxStderrLines: number;
  private readonly killGraceMs: number;
  private exited: { code: number | null; signal: NodeJS.Signals | null } | undefined;
  private closeRequested = false;
  private ioError: Error | undefined;
  private readonly timers = new Set<ReturnType<typeof setTimeout>>();
  private stdoutEnded = false;

  constructor(child: ChildProcess, options: StdioTransportOptions = {}) {
    super();
    if (!child.stdin || !child.stdout) {
      throw new SdkError("INVALID_OPTION", "StdioTransport needs a child process spawned with stdio 'pipe' for stdin and stdout.");
    }
    this.child = child;
    this.maxStderrLines = options.stderrLines ?? 50;
    this.killGraceMs = options.killGraceMs ?? 2000;

    child.stdout.on("data", (chunk: Buffer) => this.emitData(chunk));
    child.stdout.on("end", () => {
      this.stdoutEnded = true;
      if (this.exited) this.finish();
    });
    child.stdout.on("error", (error) => this.noteError(error));
    // EPIPE when the child has died: the 'exit' event reports the real story.
    child.stdin.on("error", (error) => this.noteError(error));
    child.stderr?.setEncoding("utf8");
    child.stderr?.on("data", (text: string) => this.captureStderr(text));
    child.on("error", (error) => {
      this.noteError(error);
      // A spawn failure never produces 'exit'.
      if (child.pid === undefined) this.finish();
    });
    child.on("exit", (code, signal) => {
      this.exited = { code, signal };
      if (this.stdoutEnded) this.finish();
      else this.timer(DRAIN_AFTER_EXIT_MS, () => this.finish());
    });
    child.on("close", (code, signal) => {
      this.exited ??= { code, signal };
      this.finish();
    });
  }

  /** Process id of the child (undefined if it failed to start). */
  get pid(): number | undefined {
    return this.child.pid;
  }

  /** The last stderr lines seen so far, oldest first. */
  get stderrLines(): string[] {
    return this.stderrPartial ? [...this.stderrTail, this.stderrPartial] : [...this.stderrTail];
  }

  write(bytes: Uint8Array): void {
    if (this.isClosed || this.closeRequested) throw this.closedWriteError();
    this.child.stdin!.write(bytes);
  }

  writeMessage(json: string): void {
    if (this.isClosed || this.closeRequested) throw this.closedWriteError();
    this.child.stdin!.write(`Content-Length: ${Buffer.byteLength(json)}\r\n\r\n${json}`);
  }

  /**
   * Ends stdin (the runtime exits when its input closes), then escalates to SIGTERM and SIGKILL
   * if the process is still alive after `killGraceMs` each. Resolves once the process is gone.
   */
  close(): Promise<void> {
    if (!this.closeRequested && !this.isClosed) {
      this.closeRequested = true;
      this.child.stdin!.end();
      if (this.killGraceMs === 0) this.kill("SIGTERM");
      else {
        this.timer(this.killGraceMs, () => {
          this.kill("SIGTERM");
          this.timer(this.killGraceMs, () => this.kill("SIGKILL"));
        });
      }
    }
    return this.closed.then(() => undefined);
  }

  /** Sends a signal to the child now (if it is still running). */
  kill(signal: NodeJS.Signals = "SIGTERM"): void {
    if (this.exited === undefined && this.child.exitCode === null && this.child.signalCode === null) this.child.kill(signal);
  }

  private timer(ms: number, fn: () => void): void {
    const t = setTimeout(() => {
      this.timers.delete(t);
      fn();
    }, ms);
    this.timers.add(t);
  }

  private noteError(error: Error): void {
    this.ioError ??= error;
  }

  private captureStderr(text: string): void {
    const lines = (this.stderrPartial + text).split(/\r?\n/);
    this.stderrPartial = lines.pop() ?? "";
    for (const line of lines) {
      this.stderrTail.push(line);
      if (this.stderrTail.length > this.maxStderrLines) this.stderrTail.shift();
    }
  }

  private finish(): void {
    if (this.isClosed) return;
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
    const exited = this.exited;
    const info: TransportCloseInfo = {
      reason:
        exited === undefined
          ? `the runtime process could not be started${this.ioError ? ` (${this.ioError.message})` : ""}`
          : this.closeRequested
            ? "the runtime process exited after its stdin was closed"
            : "the runtime process exited",
      initiatedLocally: this.closeRequested,
      exitCode: exited?.code ?? null,
      signal: exited?.signal ?? null,
      stderrTail: this.stderrLines,
    };
    if (this.ioError) info.error = this.ioError;
    this.emitClose(info);
  }
}

export interface SpawnStdioOptions extends StdioTransportOptions {
  /** The executable to run (an absolute path is best; it is not looked up through a shell). */
  command: string;
  args?: readonly string[];
  /** The child's full environment. Default: this process's environment. Never put tokens in `args`; pass them here. */
  env?: Record<string, string | undefined>;
  /** Working directory of the child. */
  cwd?: string;
}

/**
 * Spawns `command` with piped stdio and resolves with a transport once the process has started.
 * Rejects with `SdkError("RUNTIME_NOT_FOUND")` if it cannot be started (missing, not executable).
 *
 * @example
 * const transport = await spawnStdioTransport({
 *   command: "/path/to/copilot-runtime",
 *   args: ["--headless", "--no-auto-update", "--stdio"],
 *   env: { PATH: process.env.PATH, HOME: "/projects/app/home" },
 * });
 */
export async function spawnStdioTransport(options: SpawnStdioOptions): Promise<StdioTransport> {
  if (typeof options?.command !== "string" || options.command.length === 0) {
    throw new SdkError("INVALID_OPTION", "spawnStdioTransport: `command` must be the path of the runtime executable.");
  }
  // Loaded on first use: child_process costs ~5 ms at import, and most importers never spawn.
  const { spawn } = await import("node:child_process");
  let child: ChildProcess;
  try {
    child = spawn(options.command, [...(options.args ?? [])], {
      stdio: ["pipe", "pipe", "pipe"],
      env: options.env,
      cwd: options.cwd,
      windowsHide: true,
    });
  } catch (cause) {
    return Promise.reject(notFound(options.command, cause));
  }
  const transport = new StdioTransport(child, options);
  return new Promise((resolve, reject) => {
    child.once("spawn", () => resolve(transport));
    child.once("error", (error) => {
      if (child.pid === undefined) reject(notFound(options.command, error));
    });
  });
}

function notFound(command: string, cause: unknown): SdkError {
  const code = (cause as NodeJS.ErrnoException)?.code;
  const why =
    code === "ENOENT"
      ? "it does not exist (or a directory in its cwd does not)"
      : code === "EACCES"
        ? "it is not executable"
        : ((cause as Error)?.message ?? String(cause));
  return new SdkError("RUNTIME_NOT_FOUND", `Cannot start ${command}: ${why}. Check the runtime path (and the cwd option), or install the runtime package.`, {
    cause,
    details: { command, errno: code },
  });
}
