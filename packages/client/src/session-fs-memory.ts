/**
 * `MemorySessionFs`: a session filesystem held in this process's memory, for tests and for
 * hosts that persist session state themselves (read it back with `snapshot()`).
 */
import { posix } from "node:path";
import { SdkError } from "@flightdeck/copilot-core";
import { SessionFsProviderError, type SessionFsContext, type SessionFsDirEntry, type SessionFsFileInfo, type SessionFsProvider } from "./session-fs.js";

interface Node {
  kind: "file" | "directory";
  content: string;
  mode: number | undefined;
  mtime: Date;
  birthtime: Date;
}

/** Options of {@link MemorySessionFs}. */
export interface MemorySessionFsOptions {
  /**
   * `"session"` (default): each session gets its own tree (its paths live under `/<sessionId>`),
   * so one instance can serve every session of a client. `"shared"`: one tree for all sessions.
   */
  scope?: "session" | "shared";
  /** Names the provider in error messages. Default `"memory"`. */
  name?: string;
}

/**
 * An in-memory {@link SessionFsProvider} with POSIX paths.
 *
 * @example
 * ```ts
 * const fs = new MemorySessionFs();
 * const client = new CopilotClient({ sessionFs: { provider: fs } });
 * const session = await client.createSession({ … });
 * await session.sendAndWait("Hi");
 * fs.snapshot(session.sessionId)["/session-state/events.jsonl"]; // the session's event log
 * ```
 */
export class MemorySessionFs implements SessionFsProvider {
  readonly name: string;
  readonly #scope: "session" | "shared";
  readonly #nodes = new Map<string, Node>();

  constructor(options: MemorySessionFsOptions = {}) {
    if (options.scope !== undefined && options.scope !== "session" && options.scope !== "shared") {
      throw new SdkError("INVALID_OPTION", `MemorySessionFs: scope must be "session" or "shared", got ${JSON.stringify(options.scope)}.`, {
        details: { option: "scope" },
      });
    }
    this.#scope = options.scope ?? "session";
    this.name = options.name ?? "memory";
  }

  /**
   * Every file's content by path (sorted). With `scope: "session"` pass the session id to get
   * that session's files, keyed by the paths the runtime used.
   */
  snapshot(sessionId?: string): Record<string, string> {
    const prefix = this.#scope === "session" && sessionId !== undefined ? `/${sessionId}` : "";
    const out: Record<string, string> = {};
    for (const key of [...this.#nodes.keys()].sort()) {
      const node = this.#nodes.get(key)!;
      if (node.kind !== "file") continue;
      if (prefix && !key.startsWith(`${prefix}/`)) continue;
      out[prefix ? key.slice(prefix.length) : key] = node.content;
    }
    return out;
  }

  readFile(path: string, context: SessionFsContext): string {
    const node = this.#get(path, context, "readFile");
    if (node.kind !== "file") throw new SessionFsProviderError("UNKNOWN", `readFile: ${path} is a directory (EISDIR)`);
    return node.content;
  }

  writeFile(path: string, content: string, options: { mode?: number }, context: SessionFsContext): void {
    this.#write(path, content, options.mode, context, false);
  }

  appendFile(path: string, content: string, options: { mode?: number }, context: SessionFsContext): void {
    this.#write(path, content, options.mode, context, true);
  }

  exists(path: string, context: SessionFsContext): boolean {
    return this.#nodes.has(this.#key(path, context)) || this.#isRoot(path, context);
  }

  stat(path: string, context: SessionFsContext): SessionFsFileInfo {
    const node = this.#get(path, context, "stat");
    return {
      isFile: node.kind === "file",
      isDirectory: node.kind === "directory",
      size: Buffer.byteLength(node.content),
      mtime: node.mtime,
      birthtime: node.birthtime,
    };
  }

  mkdir(path: string, options: { recursive: boolean; mode?: number }, context: SessionFsContext): void {
    const key = this.#key(path, context);
    const existing = this.#lookup(key, context);
    if (existing) {
      if (existing.kind === "directory" && options.recursive) return;
      throw new SessionFsProviderError("UNKNOWN", `mkdir: ${path} already exists (EEXIST)`);
    }
    if (options.recursive) this.#ensureDir(posix.dirname(key), context);
    else this.#requireParent(key, path, context, "mkdir");
    this.#nodes.set(key, { kind: "directory", content: "", mode: options.mode, mtime: new Date(), birthtime: new Date() });
  }

  readdir(path: string, context: SessionFsContext): string[] {
    return this.readdirWithTypes(path, context).map((e) => e.name);
  }

  readdirWithTypes(path: string, context: SessionFsContext): SessionFsDirEntry[] {
    const key = this.#key(path, context);
    const node = this.#lookup(key, context);
    if (!node) throw SessionFsProviderError.notFound(path, "readdir");
    if (node.kind !== "directory") throw new SessionFsProviderError("UNKNOWN", `readdir: ${path} is not a directory (ENOTDIR)`);
    return this.#children(key).map((child) => ({ name: posix.basename(child), type: this.#nodes.get(child)!.kind }));
  }

  rm(path: string, options: { recursive: boolean; force: boolean }, context: SessionFsContext): void {
    const key = this.#key(path, context);
    const node = this.#nodes.get(key);
    if (!node) {
      if (options.force) return;
      throw SessionFsProviderError.notFound(path, "rm");
    }
    if (node.kind === "directory") {
      const descendants = [...this.#nodes.keys()].filter((k) => k.startsWith(`${key}/`));
      if (descendants.length > 0 && !options.recursive)
        throw new SessionFsProviderError("UNKNOWN", `rm: ${path} is a non-empty directory; pass recursive (ENOTEMPTY)`);
      for (const k of descendants) this.#nodes.delete(k);
    }
    this.#nodes.delete(key);
  }

  rename(src: string, dest: string, context: SessionFsContext): void {
    const from = this.#key(src, context);
    const to = this.#key(dest, context);
    const node = this.#nodes.get(from);
    if (!node) throw SessionFsProviderError.notFound(src, "rename");
    if (from === to) return;
    if (to.startsWith(`${from}/`)) throw new SessionFsProviderError("UNKNOWN", `rename: cannot move ${src} into itself (EINVAL)`);
    this.#requireParent(to, dest, context, "rename");
    const target = this.#nodes.get(to);
    if (target?.kind === "directory" && (node.kind === "file" || this.#children(to).length > 0)) {
      throw new SessionFsProviderError("UNKNOWN", `rename: ${dest} is a ${node.kind === "file" ? "directory (EISDIR)" : "non-empty directory (ENOTEMPTY)"}`);
    }
    if (target?.kind === "file" && node.kind === "directory") throw new SessionFsProviderError("UNKNOWN", `rename: ${dest} is a file (ENOTDIR)`);
    const moved = [...this.#nodes.entries()].filter(([k]) => k === from || k.startsWith(`${from}/`));
    for (const [k] of moved) this.#nodes.delete(k);
    for (const [k, n] of moved) this.#nodes.set(to + k.slice(from.length), n);
  }

  // ---- internals ----

  #root(context: SessionFsContext): string {
    return this.#scope === "session" ? `/${context.sessionId}` : "/";
  }

  #isRoot(path: string, context: SessionFsContext): boolean {
    return this.#key(path, context) === posix.normalize(this.#root(context));
  }

  #key(path: string, context: SessionFsContext): string {
    // Normalizing an absolute path cannot climb above "/": a session's paths stay in its folder.
    const normalized = posix.normalize(`/${path}`).replace(/\/+$/, "") || "/";
    return this.#scope === "session" ? (normalized === "/" ? `/${context.sessionId}` : `/${context.sessionId}${normalized}`) : normalized;
  }

  #lookup(key: string, context: SessionFsContext): Node | undefined {
    const node = this.#nodes.get(key);
    if (node) return node;
    // The root of a tree always exists.
    return key === posix.normalize(this.#root(context))
      ? { kind: "directory", content: "", mode: undefined, mtime: new Date(0), birthtime: new Date(0) }
      : undefined;
  }

  #get(path: string, context: SessionFsContext, operation: string): Node {
    const node = this.#lookup(this.#key(path, context), context);
    if (!node) throw SessionFsProviderError.notFound(path, operation);
    return node;
  }

  #children(key: string): string[] {
    const prefix = key === "/" ? "/" : `${key}/`;
    return [...this.#nodes.keys()].filter((k) => k.startsWith(prefix) && k !== prefix && !k.slice(prefix.length).includes("/")).sort();
  }

  #requireParent(key: string, path: string, context: SessionFsContext, operation: string): void {
    const parent = this.#lookup(posix.dirname(key), context);
    if (!parent) throw SessionFsProviderError.notFound(posix.dirname(path), operation);
    if (parent.kind !== "directory") throw new SessionFsProviderError("UNKNOWN", `${operation}: ${posix.dirname(path)} is not a directory (ENOTDIR)`);
  }

  #ensureDir(key: string, context: SessionFsContext): void {
    if (key === "/" || key === posix.normalize(this.#root(context))) return;
    const node = this.#nodes.get(key);
    if (node?.kind === "directory") return;
    if (node) throw new SessionFsProviderError("UNKNOWN", `${key} is a file, not a directory (ENOTDIR)`);
    this.#ensureDir(posix.dirname(key), context);
    this.#nodes.set(key, { kind: "directory", content: "", mode: undefined, mtime: new Date(), birthtime: new Date() });
  }

  #write(path: string, content: string, mode: number | undefined, context: SessionFsContext, append: boolean): void {
    const key = this.#key(path, context);
    const node = this.#nodes.get(key);
    if (node?.kind === "directory" || this.#isRoot(path, context))
      throw new SessionFsProviderError("UNKNOWN", `${append ? "appendFile" : "writeFile"}: ${path} is a directory (EISDIR)`);
    this.#ensureDir(posix.dirname(key), context);
    const now = new Date();
    if (node) {
      node.content = append ? node.content + content : content;
      node.mtime = now;
    } else {
      this.#nodes.set(key, { kind: "file", content, mode, mtime: now, birthtime: now });
    }
  }
}
