/**
 * `DirectorySessionFs`: a session filesystem backed by a folder on this machine. Every path the
 * runtime sends is resolved inside the root; `..` that would climb out of it, and symlinks that
 * lead out of it, are refused.
 */
import { join, resolve, sep } from "node:path";
import { SdkError } from "@flightdeck/copilot-core";
import { SessionFsProviderError, type SessionFsContext, type SessionFsDirEntry, type SessionFsFileInfo, type SessionFsProvider } from "./session-fs.js";

// Loaded on first use: node:fs/promises pulls in streams and readline (~2 ms) at import time.
let fsModule: Promise<typeof import("node:fs/promises")> | undefined;
const fs = (): Promise<typeof import("node:fs/promises")> => (fsModule ??= import("node:fs/promises"));

/** Options of {@link DirectorySessionFs}. */
export interface DirectorySessionFsOptions {
  /**
   * `"session"` (default): each session gets its own sub-folder `<root>/<sessionId>`, so one
   * instance can serve every session. `"shared"`: all sessions share the root.
   */
  scope?: "session" | "shared";
  /** Names the provider in error messages. Default `"directory"`. */
  name?: string;
}

/**
 * A {@link SessionFsProvider} storing files under `root` (created on first write). POSIX-style
 * wire paths (`/session-state/events.jsonl`) map to `<root>[/<sessionId>]/session-state/events.jsonl`.
 *
 * @example
 * ```ts
 * const client = new CopilotClient({ sessionFs: { provider: new DirectorySessionFs("/var/lib/my-agent/sessions") } });
 * ```
 */
export class DirectorySessionFs implements SessionFsProvider {
  readonly name: string;
  /** The absolute root folder. */
  readonly root: string;
  readonly #scope: "session" | "shared";

  constructor(root: string, options: DirectorySessionFsOptions = {}) {
    if (typeof root !== "string" || root === "")
      throw new SdkError("INVALID_OPTION", "DirectorySessionFs: root must be a non-empty folder path.", { details: { option: "root" } });
    if (options.scope !== undefined && options.scope !== "session" && options.scope !== "shared") {
      throw new SdkError("INVALID_OPTION", `DirectorySessionFs: scope must be "session" or "shared", got ${JSON.stringify(options.scope)}.`, {
        details: { option: "scope" },
      });
    }
    this.root = resolve(root);
    this.#scope = options.scope ?? "session";
    this.name = options.name ?? "directory";
  }

  /** The folder a session's wire paths resolve in. */
  sessionRoot(sessionId: string): string {
    if (this.#scope === "shared") return this.root;
    if (sessionId === "" || sessionId === "." || sessionId === ".." || /[/\\\0]/.test(sessionId)) {
      throw new SessionFsProviderError("UNKNOWN", `session id ${JSON.stringify(sessionId)} cannot name a folder`);
    }
    return join(this.root, sessionId);
  }

  async readFile(path: string, context: SessionFsContext): Promise<string> {
    return (await fs()).readFile(await this.#resolve(path, context), "utf8");
  }

  async writeFile(path: string, content: string, options: { mode?: number }, context: SessionFsContext): Promise<void> {
    const real = await this.#resolve(path, context);
    await this.#ensureParent(real, context);
    await (await fs()).writeFile(real, content, options.mode === undefined ? {} : { mode: options.mode });
  }

  async appendFile(path: string, content: string, options: { mode?: number }, context: SessionFsContext): Promise<void> {
    const real = await this.#resolve(path, context);
    await this.#ensureParent(real, context);
    await (await fs()).appendFile(real, content, options.mode === undefined ? {} : { mode: options.mode });
  }

  async exists(path: string, context: SessionFsContext): Promise<boolean> {
    try {
      await (await fs()).access(await this.#resolve(path, context));
      return true;
    } catch (error) {
      if ((error as { code?: string }).code === "ENOENT") return false;
      throw error;
    }
  }

  async stat(path: string, context: SessionFsContext): Promise<SessionFsFileInfo> {
    const s = await (await fs()).stat(await this.#resolve(path, context));
    return { isFile: s.isFile(), isDirectory: s.isDirectory(), size: s.size, mtime: s.mtime, birthtime: s.birthtime };
  }

  async mkdir(path: string, options: { recursive: boolean; mode?: number }, context: SessionFsContext): Promise<void> {
    const real = await this.#resolve(path, context);
    // The root of a session's filesystem always exists, as in MemorySessionFs.
    await (await fs()).mkdir(this.sessionRoot(context.sessionId), { recursive: true });
    await (await fs()).mkdir(real, { recursive: options.recursive, ...(options.mode !== undefined && { mode: options.mode }) });
  }

  async readdir(path: string, context: SessionFsContext): Promise<string[]> {
    return (await (await fs()).readdir(await this.#resolve(path, context))).sort();
  }

  async readdirWithTypes(path: string, context: SessionFsContext): Promise<SessionFsDirEntry[]> {
    const entries = await (await fs()).readdir(await this.#resolve(path, context), { withFileTypes: true });
    return entries
      .map((e) => ({ name: e.name, type: e.isDirectory() ? ("directory" as const) : ("file" as const) }))
      .sort((a, b) => (a.name < b.name ? -1 : 1));
  }

  async rm(path: string, options: { recursive: boolean; force: boolean }, context: SessionFsContext): Promise<void> {
    const real = await this.#resolve(path, context);
    if (real === this.sessionRoot(context.sessionId))
      throw new SessionFsProviderError("UNKNOWN", `rm: refusing to remove the root folder of the session filesystem (${path})`);
    await (await fs()).rm(real, { recursive: options.recursive, force: options.force });
  }

  async rename(src: string, dest: string, context: SessionFsContext): Promise<void> {
    const from = await this.#resolve(src, context);
    const to = await this.#resolve(dest, context);
    await (await fs()).rename(from, to);
  }

  // ---- internals ----

  /** Maps a wire path into the session's folder; refuses `..` above it and symlinks out of it. */
  async #resolve(path: string, context: SessionFsContext): Promise<string> {
    if (typeof path !== "string" || path.includes("\0")) throw new SessionFsProviderError("UNKNOWN", `invalid path ${JSON.stringify(path)}`);
    const base = this.sessionRoot(context.sessionId);
    const stack: string[] = [];
    for (const segment of path.split("/")) {
      if (segment === "" || segment === ".") continue;
      if (segment === "..") {
        if (stack.length === 0)
          throw new SessionFsProviderError("UNKNOWN", `path ${JSON.stringify(path)} escapes the root of the session filesystem; ".." may not climb above "/"`);
        stack.pop();
      } else {
        stack.push(segment);
      }
    }
    const real = join(base, ...stack);
    await this.#checkSymlinks(real, base, path);
    return real;
  }

  /** The deepest existing ancestor of `real` (up to `base`), resolved through symlinks, must still be inside `base`. */
  async #checkSymlinks(real: string, base: string, path: string): Promise<void> {
    const inside = (p: string, dir: string) => p === dir || p.startsWith(dir.endsWith(sep) ? dir : dir + sep);
    let probe = real;
    while (inside(probe, base)) {
      let resolved: string;
      try {
        resolved = await (await fs()).realpath(probe);
      } catch (error) {
        const code = (error as { code?: string }).code;
        if (code !== "ENOENT" && code !== "ENOTDIR") throw error;
        probe = resolve(probe, "..");
        continue;
      }
      // Compare against the base as the filesystem sees it (the root itself may sit behind a symlink).
      const baseReal = await (await fs()).realpath(base);
      if (!inside(resolved, baseReal)) {
        throw new SessionFsProviderError("UNKNOWN", `path ${JSON.stringify(path)} leads out of the session filesystem through a symbolic link`);
      }
      return;
    }
  }

  async #ensureParent(real: string, _context: SessionFsContext): Promise<void> {
    await (await fs()).mkdir(resolve(real, ".."), { recursive: true });
  }
}
