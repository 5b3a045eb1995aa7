/** createSessionFsAdapter: a provider written for @github/copilot-sdk served through Flightdeck's sessionFs handlers. */
import { describe, expect, it } from "vitest";
import { isSdkError } from "@flightdeck/copilot-core";
import {
  SessionFsSqliteTransactionFailure,
  createSessionFsAdapter,
  createSessionFsHandlers,
  type PositionalSessionFsProvider,
} from "@flightdeck/copilot-client";

function positional(): PositionalSessionFsProvider & { files: Map<string, string>; calls: unknown[][] } {
  const files = new Map<string, string>();
  const calls: unknown[][] = [];
  const notFound = (path: string) => Object.assign(new Error(`ENOENT: ${path}`), { code: "ENOENT" });
  return {
    files,
    calls,
    readFile: async (path) => {
      const content = files.get(path);
      if (content === undefined) throw notFound(path);
      return content;
    },
    writeFile: async (path, content, mode) => void (calls.push(["writeFile", path, mode]), files.set(path, content)),
    appendFile: async (path, content) => void files.set(path, (files.get(path) ?? "") + content),
    exists: async (path) => files.has(path),
    stat: async (path) => {
      if (!files.has(path)) throw notFound(path);
      return { isFile: true, isDirectory: false, size: files.get(path)!.length, mtime: new Date(0).toISOString(), birthtime: new Date(0).toISOString() };
    },
    mkdir: async (path, recursive, mode) => void calls.push(["mkdir", path, recursive, mode]),
    readdir: async () => [...files.keys()],
    readdirWithTypes: async () => [...files.keys()].map((name) => ({ name, type: "file" as const })),
    rm: async (path, recursive, force) => void (calls.push(["rm", path, recursive, force]), files.delete(path)),
    rename: async (src, dest) => void (files.set(dest, files.get(src) ?? ""), files.delete(src)),
    sqlite: {
      query: async (queryType, query, params) => (calls.push(["query", queryType, query, params]), { rows: [{ n: 1 }], columns: ["n"], rowsAffected: 0 }),
      transaction: async () => {
        throw new SessionFsSqliteTransactionFailure("database is locked", "busyOrLocked");
      },
      exists: async () => true,
    },
  };
}

const ctx = { signal: new AbortController().signal, requestId: "1" } as never;

describe("createSessionFsAdapter", () => {
  it("maps the runtime's requests onto the positional provider, ENOENT included", async () => {
    const provider = positional();
    const h = createSessionFsHandlers({ provider: createSessionFsAdapter(provider) });
    expect(await h["sessionFs.writeFile"]({ sessionId: "s", path: "/a", content: "x", mode: 0o600 }, ctx)).toBeUndefined();
    expect(await h["sessionFs.appendFile"]({ sessionId: "s", path: "/a", content: "y" }, ctx)).toBeUndefined();
    expect(await h["sessionFs.readFile"]({ sessionId: "s", path: "/a" }, ctx)).toEqual({ content: "xy" });
    expect((await h["sessionFs.readFile"]({ sessionId: "s", path: "/missing" }, ctx)).error?.code).toBe("ENOENT");
    await h["sessionFs.mkdir"]({ sessionId: "s", path: "/d", recursive: true }, ctx);
    await h["sessionFs.rm"]({ sessionId: "s", path: "/a", recursive: false, force: true }, ctx);
    expect(provider.calls.slice(0, 3)).toEqual([
      ["writeFile", "/a", 0o600],
      ["mkdir", "/d", true, undefined],
      ["rm", "/a", false, true],
    ]);
  });

  it("passes the optional sqlite capability through, undefined params dropped, and keeps a transaction failure's class", async () => {
    const provider = positional();
    const h = createSessionFsHandlers({ provider: createSessionFsAdapter(provider) });
    expect(
      await h["sessionFs.sqliteQuery"]({ sessionId: "s", queryType: "query", query: "select 1 as n", params: { a: 1, b: undefined } as never }, ctx),
    ).toEqual({ rows: [{ n: 1 }], columns: ["n"], rowsAffected: 0 });
    expect(provider.calls.at(-1)).toEqual(["query", "query", "select 1 as n", { a: 1 }]);
    expect(await h["sessionFs.sqliteExists"]({ sessionId: "s" }, ctx)).toEqual({ exists: true });
    const tx = await h["sessionFs.sqliteTransaction"]({ sessionId: "s", statements: [{ queryType: "run", query: "insert" }] }, ctx);
    expect(tx.error).toMatchObject({ errorClass: "busyOrLocked" });
  });

  it("refuses a provider that lacks methods, naming them", () => {
    let error: unknown;
    try {
      createSessionFsAdapter({ readFile: async () => "" } as never);
    } catch (e) {
      error = e;
    }
    expect(isSdkError(error, "INVALID_OPTION")).toBe(true);
    expect((error as Error).message).toContain("writeFile, appendFile");
  });
});
