/**
 * Session filesystem, unit level: the two ready-made providers, the option checks, and the
 * adapter answering `sessionFs.*` over a real JSON-RPC connection pair (an in-memory peer plays
 * the runtime; the runtime itself is exercised in e2e-interception.test.ts).
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { JsonRpcConnection, SdkError, createInMemoryTransportPair, isSdkError } from "@flightdeck/copilot-core";
import {
  CopilotClient,
  DirectorySessionFs,
  MemorySessionFs,
  SessionFsProviderError,
  type SessionFsContext,
  type SessionFsProvider,
} from "@flightdeck/copilot-client";
import { checkSessionFsOptions, sessionFsSetProviderParams } from "../src/session-fs.js";
import { serveSessionFs } from "../src/session-fs-handlers.js";

const cleanups: Array<() => unknown> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

const ctx = (sessionId = "s1"): SessionFsContext => ({ sessionId, signal: new AbortController().signal });

function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), "flightdeck-sessionfs-unit-"));
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** A client-side connection serving `provider`, and the peer that plays the runtime. */
function wire(options: Parameters<typeof serveSessionFs>[1]) {
  const [a, b] = createInMemoryTransportPair();
  const client = new JsonRpcConnection(a);
  const runtime = new JsonRpcConnection(b);
  const errors: unknown[] = [];
  serveSessionFs(client, options, (e) => errors.push(e));
  cleanups.push(async () => {
    await client.close();
    await runtime.close();
  });
  return {
    runtime,
    errors,
    call: (method: string, params: Record<string, unknown>) => runtime.request<Record<string, unknown> | null>(`sessionFs.${method}`, params),
  };
}

describe("MemorySessionFs", () => {
  it("writes, appends, reads, stats and lists, creating parent folders like the runtime expects", () => {
    const fs = new MemorySessionFs();
    fs.writeFile("/session-state/checkpoints/index.md", "# index", {}, ctx());
    fs.appendFile("/session-state/events.jsonl", "a\n", {}, ctx());
    fs.appendFile("/session-state/events.jsonl", "b\n", {}, ctx());
    expect(fs.readFile("/session-state/events.jsonl", ctx())).toBe("a\nb\n");
    expect(fs.readdirWithTypes("/session-state", ctx())).toEqual([
      { name: "checkpoints", type: "directory" },
      { name: "events.jsonl", type: "file" },
    ]);
    expect(fs.readdir("/", ctx())).toEqual(["session-state"]);
    const stat = fs.stat("/session-state/events.jsonl", ctx());
    expect(stat).toMatchObject({ isFile: true, isDirectory: false, size: 4 });
    expect(fs.stat("/", ctx()).isDirectory).toBe(true);
    expect(fs.exists("/session-state/checkpoints", ctx())).toBe(true);
    expect(fs.exists("/nope", ctx())).toBe(false);
    expect(fs.snapshot("s1")).toEqual({ "/session-state/checkpoints/index.md": "# index", "/session-state/events.jsonl": "a\nb\n" });
  });

  it("keeps sessions apart by default, and shares one tree with scope: shared", () => {
    const fs = new MemorySessionFs();
    fs.writeFile("/session-state/x", "one", {}, ctx("s1"));
    fs.writeFile("/session-state/x", "two", {}, ctx("s2"));
    expect(fs.readFile("/session-state/x", ctx("s1"))).toBe("one");
    expect(fs.snapshot("s2")).toEqual({ "/session-state/x": "two" });
    // ".." cannot climb into another session's tree.
    expect(() => fs.readFile("/../s2/session-state/x", ctx("s1"))).toThrow(SessionFsProviderError);
    const shared = new MemorySessionFs({ scope: "shared" });
    shared.writeFile("/x", "one", {}, ctx("s1"));
    expect(shared.readFile("/x", ctx("s2"))).toBe("one");
  });

  it("fails like a filesystem: ENOENT for missing paths, UNKNOWN for the rest", () => {
    const fs = new MemorySessionFs();
    const code = (f: () => unknown) => {
      try {
        f();
      } catch (e) {
        return (e as SessionFsProviderError).code;
      }
      return "ok";
    };
    expect(code(() => fs.readFile("/missing", ctx()))).toBe("ENOENT");
    expect(code(() => fs.stat("/missing", ctx()))).toBe("ENOENT");
    expect(code(() => fs.readdir("/missing", ctx()))).toBe("ENOENT");
    expect(code(() => fs.mkdir("/a/b", { recursive: false }, ctx()))).toBe("ENOENT");
    expect(code(() => fs.rm("/missing", { recursive: false, force: false }, ctx()))).toBe("ENOENT");
    expect(code(() => fs.rm("/missing", { recursive: false, force: true }, ctx()))).toBe("ok");
    expect(code(() => fs.rename("/missing", "/x", ctx()))).toBe("ENOENT");
    fs.mkdir("/a/b", { recursive: true }, ctx());
    fs.writeFile("/a/b/f", "x", {}, ctx());
    expect(code(() => fs.mkdir("/a", { recursive: false }, ctx()))).toBe("UNKNOWN");
    expect(code(() => fs.rm("/a", { recursive: false, force: false }, ctx()))).toBe("UNKNOWN");
    expect(code(() => fs.readFile("/a", ctx()))).toBe("UNKNOWN");
    expect(code(() => fs.readdir("/a/b/f", ctx()))).toBe("UNKNOWN");
    expect(code(() => fs.writeFile("/a/b/f/g", "x", {}, ctx()))).toBe("UNKNOWN");
  });

  it("renames files (replacing the target, as the runtime's atomic write does) and whole folders", () => {
    const fs = new MemorySessionFs();
    fs.writeFile("/s/workspace.yaml", "old", {}, ctx());
    fs.writeFile("/s/workspace.yaml.tmp.1", "new", {}, ctx());
    fs.rename("/s/workspace.yaml.tmp.1", "/s/workspace.yaml", ctx());
    expect(fs.snapshot("s1")).toEqual({ "/s/workspace.yaml": "new" });
    fs.writeFile("/d/sub/f", "x", {}, ctx());
    fs.rename("/d", "/e", ctx());
    expect(fs.snapshot("s1")).toEqual({ "/e/sub/f": "x", "/s/workspace.yaml": "new" });
    fs.rm("/e", { recursive: true, force: false }, ctx());
    expect(fs.readdir("/", ctx())).toEqual(["s"]);
  });
});

describe("DirectorySessionFs", () => {
  it("maps wire paths to <root>/<sessionId>/… and serves them", async () => {
    const root = tempDir();
    const fs = new DirectorySessionFs(root);
    await fs.mkdir("/session-state", { recursive: true }, ctx());
    await fs.writeFile("/session-state/workspace.yaml", "id: s1\n", {}, ctx());
    await fs.appendFile("/session-state/events.jsonl", "{}\n", { mode: 0o600 }, ctx());
    expect(readFileSync(join(root, "s1", "session-state", "workspace.yaml"), "utf8")).toBe("id: s1\n");
    expect(await fs.readdirWithTypes("/session-state", ctx())).toEqual([
      { name: "events.jsonl", type: "file" },
      { name: "workspace.yaml", type: "file" },
    ]);
    expect((await fs.stat("/session-state", ctx())).isDirectory).toBe(true);
    await fs.rename("/session-state/workspace.yaml", "/session-state/w.yaml", ctx());
    expect(await fs.exists("/session-state/w.yaml", ctx())).toBe(true);
    expect(await fs.exists("/session-state/workspace.yaml", ctx())).toBe(false);
    await expect(fs.readFile("/session-state/missing", ctx())).rejects.toMatchObject({ code: "ENOENT" });
  });

  it("refuses paths that climb out of the root with .., and symlinks that lead out of it", async () => {
    const root = tempDir();
    const outside = tempDir();
    writeFileSync(join(outside, "secret"), "top secret");
    const fs = new DirectorySessionFs(root, { scope: "shared" });
    for (const path of ["/../secret", "../../etc/passwd", "/a/../../secret"]) {
      await expect(fs.readFile(path, ctx())).rejects.toThrow(/escapes the root of the session filesystem/);
    }
    // ".." that stays inside is fine.
    await fs.writeFile("/a/../b.txt", "ok", {}, ctx());
    expect(readFileSync(join(root, "b.txt"), "utf8")).toBe("ok");
    mkdirSync(join(root, "inner"));
    symlinkSync(outside, join(root, "inner", "link"));
    await expect(fs.readFile("/inner/link/secret", ctx())).rejects.toThrow(/leads out of the session filesystem through a symbolic link/);
    await expect(fs.writeFile("/inner/link/new", "x", {}, ctx())).rejects.toThrow(/symbolic link/);
    // Per-session scope: a session id cannot name a folder outside either.
    await expect(new DirectorySessionFs(root).readFile("/x", ctx(".."))).rejects.toThrow(/cannot name a folder/);
  });
});

describe("sessionFs over the wire", () => {
  it("answers with the results the schema describes, and ENOENT in the result (not reported as a problem)", async () => {
    const fs = new MemorySessionFs();
    const { call, errors } = wire({ provider: fs });
    expect(await call("readFile", { sessionId: "s1", path: "/session-state/workspace.yaml" })).toEqual({
      content: "",
      error: { code: "ENOENT", message: expect.stringContaining('sessionFs provider "memory" failed in readFile(/session-state/workspace.yaml)') },
    });
    expect(await call("mkdir", { sessionId: "s1", path: "/session-state", recursive: true, mode: 448 })).toBeNull();
    expect(await call("writeFile", { sessionId: "s1", path: "/session-state/a.tmp", content: "hello", mode: 384 })).toBeNull();
    expect(await call("rename", { sessionId: "s1", src: "/session-state/a.tmp", dest: "/session-state/a" })).toBeNull();
    expect(await call("appendFile", { sessionId: "s1", path: "/session-state/a", content: "!" })).toBeNull();
    expect(await call("readFile", { sessionId: "s1", path: "/session-state/a" })).toEqual({ content: "hello!" });
    expect(await call("exists", { sessionId: "s1", path: "/session-state/a" })).toEqual({ exists: true });
    const stat = await call("stat", { sessionId: "s1", path: "/session-state/a" });
    expect(stat).toMatchObject({ isFile: true, isDirectory: false, size: 6 });
    expect(Number.isNaN(Date.parse(String(stat!.mtime)))).toBe(false);
    expect(await call("readdir", { sessionId: "s1", path: "/session-state" })).toEqual({ entries: ["a"] });
    expect(await call("readdirWithTypes", { sessionId: "s1", path: "/" })).toEqual({ entries: [{ name: "session-state", type: "directory" }] });
    expect(await call("rm", { sessionId: "s1", path: "/session-state", recursive: true })).toBeNull();
    expect(await call("stat", { sessionId: "s1", path: "/session-state" })).toMatchObject({ isFile: false, isDirectory: false, error: { code: "ENOENT" } });
    expect(await call("sqliteExists", { sessionId: "s1" })).toEqual({ exists: false });
    expect(await call("sqliteQuery", { sessionId: "s1", query: "select 1", queryType: "query" })).toMatchObject({
      rows: [],
      error: { code: "UNKNOWN", message: expect.stringContaining("no SQLite support") },
    });
    expect(errors).toHaveLength(1); // only the SQLite call on a provider without SQLite
  });

  it("a provider that throws: an error result naming the provider and operation, reported to onError; later calls still work", async () => {
    const memory = new MemorySessionFs();
    const broken: SessionFsProvider = {
      name: "broken-disk",
      readFile: (p, c) => memory.readFile(p, c),
      writeFile: () => {
        throw new Error("EIO: i/o error");
      },
      appendFile: async () => {
        throw Object.assign(new Error("gone"), { code: "ENOENT" });
      },
      exists: () => {
        throw new Error("exists exploded");
      },
      stat: () => ({ isFile: true, isDirectory: false, size: 1, mtime: "not a date", birthtime: new Date() }),
      mkdir: (p, o, c) => memory.mkdir(p, o, c),
      readdir: (p, c) => memory.readdir(p, c),
      readdirWithTypes: (p, c) => memory.readdirWithTypes(p, c),
      rm: (p, o, c) => memory.rm(p, o, c),
      rename: (s, d, c) => memory.rename(s, d, c),
    };
    const { call, errors } = wire({ provider: broken });
    expect(await call("writeFile", { sessionId: "s9", path: "/x", content: "y" })).toEqual({
      code: "UNKNOWN",
      message: 'sessionFs provider "broken-disk" failed in writeFile(/x) for session s9: EIO: i/o error',
    });
    expect(errors).toHaveLength(1);
    expect(errors[0]).toBeInstanceOf(SdkError);
    expect((errors[0] as SdkError).code).toBe("HANDLER_FAILED");
    // A Node-style ENOENT from the provider is classified as such.
    expect(await call("appendFile", { sessionId: "s9", path: "/x", content: "y" })).toMatchObject({ code: "ENOENT" });
    // exists has no error field: the failure becomes a JSON-RPC error that still names the provider.
    await expect(call("exists", { sessionId: "s9", path: "/x" })).rejects.toThrow(/sessionFs provider "broken-disk" failed in exists\(\/x\)/);
    expect(await call("stat", { sessionId: "s9", path: "/x" })).toMatchObject({
      error: { code: "UNKNOWN", message: expect.stringContaining("invalid mtime") },
    });
    // The connection and the provider's working operations are unaffected.
    expect(await call("mkdir", { sessionId: "s9", path: "/ok", recursive: false })).toBeNull();
    expect(await call("readdir", { sessionId: "s9", path: "/" })).toEqual({ entries: ["ok"] });
    // Bad params from the wire are a JSON-RPC invalid-params error naming the field.
    await expect(call("readFile", { sessionId: "s9", path: 42 })).rejects.toThrow(/sessionFs.readFile: params.path must be a string/);
  });

  it("a provider factory is called once per session", async () => {
    const made: string[] = [];
    const { call } = wire({
      provider: (sessionId) => {
        made.push(sessionId);
        return new MemorySessionFs({ scope: "shared" });
      },
    });
    await call("writeFile", { sessionId: "a", path: "/f", content: "A" });
    await call("writeFile", { sessionId: "b", path: "/f", content: "B" });
    expect(await call("readFile", { sessionId: "a", path: "/f" })).toEqual({ content: "A" });
    expect(await call("readFile", { sessionId: "b", path: "/f" })).toEqual({ content: "B" });
    expect(made).toEqual(["a", "b"]);
  });

  it("sqlite: queries and classified transaction failures reach the provider's SQLite", async () => {
    const memory = new MemorySessionFs();
    const statements: unknown[] = [];
    const provider = Object.assign(Object.create(null) as object, {
      readFile: (p: string, c: SessionFsContext) => memory.readFile(p, c),
      writeFile: () => {},
      appendFile: () => {},
      exists: () => false,
      stat: () => memory.stat("/", ctx()),
      mkdir: () => {},
      readdir: () => [],
      readdirWithTypes: () => [],
      rm: () => {},
      rename: () => {},
      sqlite: {
        query: (type: string, query: string, params: unknown) => ({ rows: [{ type, query, params }], columns: ["type"], rowsAffected: 0 }),
        exists: () => true,
        transaction: (s: unknown[]) => {
          statements.push(...s);
          throw new SessionFsProviderError("UNKNOWN", "database is locked", { sqliteErrorClass: "busyOrLocked" });
        },
      },
    }) as SessionFsProvider;
    const { call } = wire({ provider });
    expect(sessionFsSetProviderParams({ provider }, "/work")).toEqual({
      initialCwd: "/work",
      sessionStatePath: "/session-state",
      conventions: "posix",
      capabilities: { sqlite: true },
    });
    expect(await call("sqliteExists", { sessionId: "s" })).toEqual({ exists: true });
    expect(await call("sqliteQuery", { sessionId: "s", query: "select :a", queryType: "query", params: { a: 1 } })).toEqual({
      rows: [{ type: "query", query: "select :a", params: { a: 1 } }],
      columns: ["type"],
      rowsAffected: 0,
    });
    expect(await call("sqliteTransaction", { sessionId: "s", statements: [{ query: "insert", queryType: "run" }] })).toEqual({
      results: [],
      error: { errorClass: "busyOrLocked", message: expect.stringContaining("database is locked") },
    });
    expect(statements).toEqual([{ query: "insert", queryType: "run" }]);
  });
});

describe("the sessionFs option", () => {
  it("is checked at construction, each error naming the field and the fix", () => {
    const bad = (sessionFs: unknown) => {
      try {
        new CopilotClient({ sessionFs: sessionFs as never, autoStart: false });
      } catch (e) {
        expect(isSdkError(e, "INVALID_OPTION")).toBe(true);
        return (e as Error).message;
      }
      return "accepted";
    };
    expect(bad(true)).toMatch(/^sessionFs: must be an object/);
    expect(bad({})).toMatch(/^sessionFs.provider: is required/);
    expect(bad({ provider: { readFile() {} } })).toMatch(
      /^sessionFs.provider: is missing writeFile, appendFile, exists, stat, mkdir, readdir, readdirWithTypes, rm, rename/,
    );
    expect(bad({ provider: new MemorySessionFs(), conventions: "dos" })).toMatch(/^sessionFs.conventions: "dos" is not "posix" or "windows"/);
    expect(bad({ provider: new MemorySessionFs(), sqlite: true })).toMatch(/^sessionFs.sqlite: is true but the provider has no `sqlite` member/);
    expect(bad({ provider: new MemorySessionFs(), sessionStatePath: "" })).toMatch(/^sessionFs.sessionStatePath: must be a non-empty path/);
    expect(bad({ provider: new MemorySessionFs(), sessionStatePath: "/state", initialCwd: "/work" })).toBe("accepted");
    expect(() => checkSessionFsOptions({ provider: () => new MemorySessionFs() })).not.toThrow();
  });

  it("lowers to sessionFs.setProvider params with the documented defaults", () => {
    expect(sessionFsSetProviderParams({ provider: new MemorySessionFs() }, "/projects/me")).toEqual({
      initialCwd: "/projects/me",
      sessionStatePath: "/session-state",
      conventions: process.platform === "win32" ? "windows" : "posix",
    });
    expect(
      sessionFsSetProviderParams(
        { provider: () => new MemorySessionFs(), initialCwd: "/w", sessionStatePath: "/s", conventions: "windows", sqlite: true },
        "/ignored",
      ),
    ).toEqual({
      initialCwd: "/w",
      sessionStatePath: "/s",
      conventions: "windows",
      capabilities: { sqlite: true },
    });
  });
});
