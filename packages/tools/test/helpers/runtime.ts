/**
 * Just enough of a runtime driver for this package's end-to-end tests (the session and client
 * packages sit above this one, so they cannot be used here): spawns runtime 1.0.85 isolated,
 * speaks Content-Length framed JSON-RPC, collects `session.event` notifications, and serves a
 * scripted OpenAI-compatible model on 127.0.0.1.
 */
import { type ChildProcessWithoutNullStreams, spawn } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { type IncomingMessage, type Server, createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

export const RUNTIME_PATH = fileURLToPath(
  new URL("../../../../node_modules/@github/copilot-sdk-linux-x64/prebuilds/linux-x64/copilot-runtime", import.meta.url),
);

export interface RuntimeEvent {
  sessionId: string;
  event: { type: string; data: Record<string, unknown> };
}

export class TestRuntime {
  readonly events: RuntimeEvent[] = [];
  #proc: ChildProcessWithoutNullStreams;
  #home: string;
  #buffer = Buffer.alloc(0);
  #nextId = 0;
  #pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
  #listeners = new Set<(e: RuntimeEvent) => void>();

  private constructor() {
    this.#home = mkdtempSync(join(tmpdir(), "fd-tools-e2e-"));
    const dirs = Object.fromEntries(["home", "copilot", "tmp", "config", "state", "data", "cache", "work"].map((d) => [d, join(this.#home, d)]));
    for (const d of Object.values(dirs)) mkdirSync(d);
    const env = {
      HOME: dirs.home!,
      COPILOT_HOME: dirs.copilot!,
      TMPDIR: dirs.tmp!,
      XDG_CONFIG_HOME: dirs.config!,
      XDG_STATE_HOME: dirs.state!,
      XDG_DATA_HOME: dirs.data!,
      XDG_CACHE_HOME: dirs.cache!,
      PATH: process.env.PATH ?? "/usr/bin:/bin",
      NO_PROXY: "127.0.0.1,localhost",
    };
    this.#proc = spawn(RUNTIME_PATH, ["--headless", "--no-auto-update", "--stdio", "--no-auto-login"], { env, cwd: dirs.work, stdio: "pipe" });
    this.#proc.stdout.on("data", (chunk: Buffer) => this.#onData(chunk));
    this.#proc.stderr.resume();
    this.#proc.on("exit", () => {
      for (const p of this.#pending.values()) p.reject(new Error("runtime exited"));
      this.#pending.clear();
    });
  }

  get workDir(): string {
    return join(this.#home, "work");
  }

  static async start(): Promise<TestRuntime> {
    const rt = new TestRuntime();
    await rt.request("connect", { supportedTaskKinds: ["agent", "client", "shell"] });
    return rt;
  }

  request<T = Record<string, unknown>>(method: string, params?: unknown): Promise<T> {
    const id = ++this.#nextId;
    const body = JSON.stringify({ jsonrpc: "2.0", id, method, params });
    return new Promise<T>((resolve, reject) => {
      this.#pending.set(id, { resolve: resolve as (v: unknown) => void, reject });
      this.#proc.stdin.write(`Content-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`);
    });
  }

  /** Calls `listener` for every event from now on (and the caller can scan `events` for earlier ones). */
  onEvent(listener: (e: RuntimeEvent) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  waitForEvent(type: string, sessionId: string, timeoutMs = 15_000): Promise<RuntimeEvent["event"]> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        off();
        const seen = this.events.map((e) => e.event.type).join(", ");
        reject(new Error(`no ${type} event within ${timeoutMs} ms; saw: ${seen}`));
      }, timeoutMs);
      const off = this.onEvent((e) => {
        if (e.sessionId === sessionId && e.event.type === type) {
          clearTimeout(timer);
          off();
          resolve(e.event);
        }
      });
    });
  }

  async stop(): Promise<void> {
    const exited = new Promise((r) => this.#proc.once("exit", r));
    this.#proc.stdin.end();
    this.#proc.kill("SIGTERM");
    const timer = setTimeout(() => this.#proc.kill("SIGKILL"), 2000);
    await exited;
    clearTimeout(timer);
    rmSync(this.#home, { recursive: true, force: true });
  }

  #onData(chunk: Buffer): void {
    this.#buffer = Buffer.concat([this.#buffer, chunk]);
    for (;;) {
      const end = this.#buffer.indexOf("\r\n\r\n");
      if (end < 0) return;
      const length = Number(/Content-Length: *(\d+)/i.exec(this.#buffer.subarray(0, end).toString())?.[1]);
      if (this.#buffer.length < end + 4 + length) return;
      const msg = JSON.parse(this.#buffer.subarray(end + 4, end + 4 + length).toString()) as {
        id?: number;
        method?: string;
        params?: RuntimeEvent;
        result?: unknown;
        error?: { message: string };
      };
      this.#buffer = this.#buffer.subarray(end + 4 + length);
      if (msg.method === "session.event" && msg.params) {
        this.events.push(msg.params);
        for (const l of this.#listeners) l(msg.params);
      } else if (msg.method !== undefined && msg.id !== undefined) {
        // A server→client request we do not serve here.
        const body = JSON.stringify({ jsonrpc: "2.0", id: msg.id, error: { code: -32601, message: `not served: ${msg.method}` } });
        this.#proc.stdin.write(`Content-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`);
      } else if (msg.id !== undefined && this.#pending.has(msg.id)) {
        const p = this.#pending.get(msg.id)!;
        this.#pending.delete(msg.id);
        if (msg.error) p.reject(new Error(msg.error.message));
        else p.resolve(msg.result);
      }
    }
  }
}

/** One scripted model reply: tool calls, or a final text. */
export type ModelReply = { toolCalls: Array<{ name: string; arguments: string }> } | { text: string };

/** An OpenAI chat-completions server that answers from a script and records every request body. */
export class ScriptedModel {
  readonly requests: Array<{ messages: Array<{ role: string; content?: unknown; tool_call_id?: string }> }> = [];
  #server: Server;
  #script: ModelReply[];

  private constructor(script: ModelReply[]) {
    this.#script = [...script];
    this.#server = createServer((req, res) => void this.#handle(req, res));
  }

  static async start(script: ModelReply[]): Promise<ScriptedModel> {
    const model = new ScriptedModel(script);
    await new Promise<void>((r) => model.#server.listen(0, "127.0.0.1", r));
    return model;
  }

  get baseUrl(): string {
    return `http://127.0.0.1:${(this.#server.address() as AddressInfo).port}/v1`;
  }

  async stop(): Promise<void> {
    this.#server.closeAllConnections();
    await new Promise((r) => this.#server.close(r));
  }

  async #handle(req: IncomingMessage, res: import("node:http").ServerResponse): Promise<void> {
    let body = "";
    for await (const chunk of req) body += chunk;
    if (req.method !== "POST" || !req.url?.endsWith("/chat/completions")) {
      res.writeHead(404).end();
      return;
    }
    const parsed = JSON.parse(body) as ScriptedModel["requests"][number] & { stream?: boolean };
    this.requests.push(parsed);
    const reply = this.#script.shift() ?? { text: "(script exhausted)" };
    const toolCalls = "toolCalls" in reply
      ? reply.toolCalls.map((c, i) => ({ id: `call_${this.requests.length}_${i}`, type: "function", function: { name: c.name, arguments: c.arguments } }))
      : undefined;
    if (parsed.stream !== true) {
      const message = toolCalls ? { role: "assistant", content: null, tool_calls: toolCalls } : { role: "assistant", content: (reply as { text: string }).text };
      res.writeHead(200, { "content-type": "application/json" });
      res.end(
        JSON.stringify({
          id: "c1",
          object: "chat.completion",
          created: 0,
          model: "m",
          choices: [{ index: 0, message, finish_reason: toolCalls ? "tool_calls" : "stop" }],
          usage: { prompt_tokens: 1, completion_tokens: 1, total_tokens: 2 },
        }),
      );
      return;
    }
    res.writeHead(200, { "content-type": "text/event-stream" });
    const chunk = (delta: Record<string, unknown>, finish: string | null) =>
      res.write(`data: ${JSON.stringify({ id: "c1", object: "chat.completion.chunk", created: 0, model: "m", choices: [{ index: 0, delta, finish_reason: finish }] })}\n\n`);
    if ("text" in reply) {
      chunk({ role: "assistant", content: reply.text }, null);
      chunk({}, "stop");
    } else {
      chunk({ role: "assistant", content: null, tool_calls: toolCalls!.map((c, index) => ({ index, ...c })) }, null);
      chunk({}, "tool_calls");
    }
    res.write(`data: ${JSON.stringify({ id: "c1", object: "chat.completion.chunk", created: 0, model: "m", choices: [], usage: { prompt_tokens: 1, completion_tokens: 1, total_tokens: 2 } })}\n\n`);
    res.end("data: [DONE]\n\n");
  }
}
