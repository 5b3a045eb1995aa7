/**
 * Starts a Copilot runtime in an isolated environment and talks JSON-RPC to it over stdio,
 * keeping every frame in order so a scenario can be written out as a transcript.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { encodeFrame, FrameDecoder } from "./framing.js";

export interface Frame {
  dir: "in" | "out";
  msg: Record<string, unknown>;
}

export interface RuntimeCommand {
  /** Executable to run (a native binary, or `node` for the CLI loader). */
  command: string;
  /** Arguments before the server flags (e.g. the loader script). */
  prefixArgs: string[];
}

type RequestHandler = (params: unknown) => unknown;

export class RpcFailure extends Error {
  constructor(
    readonly method: string,
    readonly code: number,
    readonly rpcMessage: string,
  ) {
    super(`${method} failed: ${code} ${rpcMessage}`);
  }
}

export class RuntimePeer {
  readonly frames: Frame[] = [];
  readonly root: string;
  readonly workDir: string;
  private readonly child: ChildProcess;
  private readonly decoder = new FrameDecoder();
  private nextId = 1;
  private readonly pending = new Map<number, { method: string; resolve: (v: unknown) => void; reject: (e: Error) => void }>();
  private readonly handlers = new Map<string, RequestHandler>();
  private readonly listeners: ((m: Record<string, unknown>) => void)[] = [];
  private readonly waiters: { test: (m: Record<string, unknown>) => boolean; resolve: (m: Record<string, unknown>) => void }[] = [];
  private stderr = "";
  private exited = false;

  constructor(runtime: RuntimeCommand, options: { pkgCache: string; extraArgs?: string[] }) {
    this.root = mkdtempSync(join(tmpdir(), "fd-record-"));
    const dirs = ["home", "copilot-home", "tmp", "config", "state", "data", "cache", "work"];
    for (const d of dirs) mkdirSync(join(this.root, d), { recursive: true });
    this.workDir = join(this.root, "work");
    // An explicit env, never process.env: nothing from the developer's machine leaks in.
    const env: Record<string, string> = {
      HOME: join(this.root, "home"),
      COPILOT_HOME: join(this.root, "copilot-home"),
      TMPDIR: join(this.root, "tmp"),
      XDG_CONFIG_HOME: join(this.root, "config"),
      XDG_STATE_HOME: join(this.root, "state"),
      XDG_DATA_HOME: join(this.root, "data"),
      XDG_CACHE_HOME: join(this.root, "cache"),
      COPILOT_PKG_CACHE_HOME: options.pkgCache,
      PATH: process.env.PATH ?? "/usr/bin:/bin",
      NO_PROXY: "127.0.0.1,localhost",
      no_proxy: "127.0.0.1,localhost",
    };
    const args = [...runtime.prefixArgs, "--headless", "--no-auto-update", "--stdio", "--no-auto-login", ...(options.extraArgs ?? [])];
    // Own process group, so close() also ends what the runtime starts (bash -l, git, MCP servers).
    this.child = spawn(runtime.command, args, { cwd: this.workDir, env, stdio: ["pipe", "pipe", "pipe"], detached: true });
    this.child.stdout!.on("data", (chunk: Buffer) => {
      for (const msg of this.decoder.push(chunk)) this.receive(msg as Record<string, unknown>);
    });
    this.child.stderr!.on("data", (chunk: Buffer) => {
      this.stderr += chunk.toString("utf8");
    });
    this.child.on("exit", () => {
      this.exited = true;
      for (const p of this.pending.values()) p.reject(new Error(`runtime exited while waiting for ${p.method}; stderr: ${this.stderr.slice(-2000)}`));
      this.pending.clear();
    });
  }

  /** Calls `listener` with every incoming notification and server→client request. */
  onIncoming(listener: (m: Record<string, unknown>) => void): void {
    this.listeners.push(listener);
  }

  /** Registers the answer to a server→client request. */
  onRequest(method: string, handler: RequestHandler): void {
    this.handlers.set(method, handler);
  }

  request<T = Record<string, unknown>>(method: string, params?: unknown, timeoutMs = 20_000): Promise<T> {
    const id = this.nextId++;
    const msg: Record<string, unknown> = { jsonrpc: "2.0", id, method };
    if (params !== undefined) msg.params = params;
    return new Promise<T>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(new Error(`${method} timed out after ${timeoutMs} ms`));
      }, timeoutMs);
      this.pending.set(id, {
        method,
        resolve: (v) => {
          clearTimeout(timer);
          resolve(v as T);
        },
        reject: (e) => {
          clearTimeout(timer);
          reject(e);
        },
      });
      this.send(msg);
    });
  }

  notify(method: string, params?: unknown): void {
    const msg: Record<string, unknown> = { jsonrpc: "2.0", method };
    if (params !== undefined) msg.params = params;
    this.send(msg);
  }

  /** Resolves with the first incoming frame (already received or future) that matches. */
  waitFor(test: (m: Record<string, unknown>) => boolean, timeoutMs = 20_000, label = "frame"): Promise<Record<string, unknown>> {
    const seen = this.frames.find((f) => f.dir === "in" && test(f.msg));
    if (seen) return Promise.resolve(seen.msg);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`timed out waiting for ${label}; stderr: ${this.stderr.slice(-2000)}`)), timeoutMs);
      this.waiters.push({
        test,
        resolve: (m) => {
          clearTimeout(timer);
          resolve(m);
        },
      });
    });
  }

  /** Waits for a `session.event` notification whose event has the given type. */
  waitForEvent(type: string, after = 0, timeoutMs = 20_000): Promise<Record<string, unknown>> {
    const start = after;
    return this.waitFor(
      (m) => {
        if (m.method !== "session.event") return false;
        const idx = this.frames.findIndex((f) => f.msg === m);
        const event = (m.params as { event?: { type?: string } } | undefined)?.event;
        return event?.type === type && idx >= start;
      },
      timeoutMs,
      `event ${type}`,
    );
  }

  get stderrText(): string {
    return this.stderr;
  }

  async close(): Promise<void> {
    if (!this.exited) {
      try {
        await this.request("runtime.shutdown", undefined, 5_000);
      } catch {
        // Shutdown is best effort; the process is terminated below either way.
      }
      this.child.stdin!.end();
      await new Promise<void>((resolve) => {
        if (this.exited) return resolve();
        const timer = setTimeout(() => this.killGroup("SIGKILL"), 3_000);
        this.child.once("exit", () => {
          clearTimeout(timer);
          resolve();
        });
        this.killGroup("SIGTERM");
      });
    }
    this.killGroup("SIGKILL");
    rmSync(this.root, { recursive: true, force: true, maxRetries: 5, retryDelay: 50 });
  }

  private killGroup(signal: NodeJS.Signals): void {
    try {
      if (this.child.pid !== undefined) process.kill(-this.child.pid, signal);
    } catch {
      // The group is already gone.
    }
  }

  private send(msg: Record<string, unknown>): void {
    this.frames.push({ dir: "out", msg });
    this.child.stdin!.write(encodeFrame(msg));
  }

  private receive(msg: Record<string, unknown>): void {
    this.frames.push({ dir: "in", msg });
    if ("id" in msg && !("method" in msg)) {
      const p = this.pending.get(msg.id as number);
      if (p) {
        this.pending.delete(msg.id as number);
        if (msg.error) {
          const err = msg.error as { code: number; message: string };
          p.reject(new RpcFailure(p.method, err.code, err.message));
        } else p.resolve(msg.result);
      }
    } else if ("id" in msg && typeof msg.method === "string") {
      void this.answer(msg.id, msg.method, msg.params);
    }
    if (typeof msg.method === "string") for (const l of this.listeners) l(msg);
    for (let i = this.waiters.length - 1; i >= 0; i--) {
      const w = this.waiters[i]!;
      if (w.test(msg)) {
        this.waiters.splice(i, 1);
        w.resolve(msg);
      }
    }
  }

  private async answer(id: unknown, method: string, params: unknown): Promise<void> {
    const handler = this.handlers.get(method);
    if (!handler) {
      this.send({ jsonrpc: "2.0", id, error: { code: -32601, message: `record-traffic: no handler for ${method}` } });
      return;
    }
    try {
      const result = await handler(params);
      this.send({ jsonrpc: "2.0", id, result: result ?? null });
    } catch (e) {
      this.send({ jsonrpc: "2.0", id, error: { code: -32603, message: e instanceof Error ? e.message : String(e) } });
    }
  }
}
