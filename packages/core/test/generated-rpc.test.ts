/** Generated stubs and handler registration, driven through fake RpcCaller/RpcHandlerRegistry peers. */
import { describe, expect, it } from "vitest";
import type { NotificationHandler, RequestHandler, RequestOptions, RpcCaller, RpcHandlerRegistry } from "../src/rpc-types.js";
import { SdkError } from "../src/errors.js";
import {
  RPC_METHODS,
  createServerRpc,
  createSessionRpc,
  registerClientGlobalHandlers,
  registerClientNotificationHandlers,
  registerClientSessionHandlers,
} from "../src/generated/index.js";
import { INTERNAL_RPC_METHODS, createInternalServerRpc, createInternalSessionRpc } from "../src/internal.js";

function recorder() {
  const calls: { kind: "request" | "notify"; method: string; params: unknown; options?: RequestOptions }[] = [];
  const conn: RpcCaller = {
    request: async (method, params, options) => {
      calls.push({ kind: "request", method, params, ...(options ? { options } : {}) });
      return { echoed: method } as never;
    },
    notify: async (method, params) => {
      calls.push({ kind: "notify", method, params });
    },
  };
  return { conn, calls };
}

function registry() {
  const requests = new Map<string, RequestHandler>();
  const notes = new Map<string, Set<NotificationHandler>>();
  const reg: RpcHandlerRegistry = {
    onRequest: (m, h) => (requests.set(m, h), () => requests.delete(m)),
    onNotification: (m, h) => {
      const set = notes.get(m) ?? new Set();
      notes.set(m, set.add(h));
      return () => set.delete(h);
    },
  };
  return { reg, requests, notes };
}

describe("createServerRpc", () => {
  it("nests stubs along the schema tree and sends params and options through", async () => {
    const { conn, calls } = recorder();
    const rpc = createServerRpc(conn);
    const ac = new AbortController();
    await expect(rpc.ping({ message: "hi" }, { timeoutMs: 50, signal: ac.signal })).resolves.toEqual({ echoed: "ping" });
    await rpc.account.getAllUsers();
    await rpc.models.list({});
    expect(calls).toEqual([
      { kind: "request", method: "ping", params: { message: "hi" }, options: { timeoutMs: 50, signal: ac.signal } },
      { kind: "request", method: "account.getAllUsers", params: {} },
      { kind: "request", method: "models.list", params: {} },
    ]);
  });
  it("refuses params passed where only RequestOptions go, naming the method (nothing is sent)", async () => {
    const { conn, calls } = recorder();
    const rpc = createServerRpc(conn);
    // account.getAllUsers takes no params: its one argument is RequestOptions.
    const noParams = rpc.account.getAllUsers as unknown as (a?: unknown, b?: unknown) => Promise<unknown>;
    await expect(noParams({ login: "octocat" })).rejects.toMatchObject({
      code: "INVALID_OPTION",
      message: expect.stringContaining(
        'account.getAllUsers takes no params; its only argument is RequestOptions ({ timeoutMs?, signal? }), got an object with "login"',
      ),
    });
    await expect(noParams({}, { timeoutMs: 5 })).rejects.toThrow(/at most one argument/);
    await expect(noParams("x")).rejects.toBeInstanceOf(SdkError);
    // A stub with params: the second slot is checked the same way.
    const ping = rpc.ping as unknown as (a?: unknown, b?: unknown) => Promise<unknown>;
    await expect(ping({ message: "hi" }, { message: "again" })).rejects.toThrow(/the second argument of ping is RequestOptions/);
    expect(calls).toEqual([]);
    // Empty and real options still go through.
    await noParams({});
    await noParams({ timeoutMs: 5 });
    expect(calls.map((c) => [c.method, c.options])).toEqual([
      ["account.getAllUsers", {}],
      ["account.getAllUsers", { timeoutMs: 5 }],
    ]);
  });
  it("has no internal methods on the public surface", () => {
    const rpc = createServerRpc(recorder().conn) as unknown as Record<string, unknown>;
    expect(rpc["connect"]).toBeUndefined();
    expect((rpc["session"] as Record<string, unknown> | undefined)?.["create"]).toBeUndefined();
    expect(Object.keys(RPC_METHODS)).not.toContain("connect");
    expect(Object.keys(INTERNAL_RPC_METHODS)).toContain("connect");
  });
});

describe("createSessionRpc", () => {
  it("injects sessionId, including into no-argument stubs", async () => {
    const { conn, calls } = recorder();
    const rpc = createSessionRpc(conn, "s-1");
    await rpc.tools.handlePendingToolCall({ requestId: "r-1", result: "done" });
    await rpc.suspend();
    await rpc.model.list();
    await rpc.send({ prompt: "hello", sessionId: "spoofed" } as never);
    expect(calls.map((c) => [c.method, c.params])).toEqual([
      ["session.tools.handlePendingToolCall", { requestId: "r-1", result: "done", sessionId: "s-1" }],
      ["session.suspend", { sessionId: "s-1" }],
      ["session.model.list", { sessionId: "s-1" }],
      ["session.send", { prompt: "hello", sessionId: "s-1" }],
    ]);
  });
  it("makes namespaces and stubs on first use, per session, and keeps them (an open session holds one small object)", async () => {
    const { conn, calls } = recorder();
    const a = createSessionRpc(conn, "s-a");
    const b = createSessionRpc(conn, "s-b");
    // Nothing made yet: no own members, but every namespace and method is reachable.
    expect(Object.getOwnPropertyNames(a)).toEqual([]);
    expect("tools" in a && "send" in a && typeof a.model.list).toBeTruthy();
    expect(Object.getOwnPropertyNames(a)).toEqual(["model"]);
    // Made once: the same stub and namespace on every access; another session gets its own.
    expect(a.tools).toBe(a.tools);
    expect(a.tools.handlePendingToolCall).toBe(a.tools.handlePendingToolCall);
    expect(b.tools.handlePendingToolCall).not.toBe(a.tools.handlePendingToolCall);
    expect(Object.getPrototypeOf(a)).toBe(Object.getPrototypeOf(b));
    await b.tools.handlePendingToolCall({ requestId: "r", result: "x" });
    await a.tools.handlePendingToolCall({ requestId: "r", result: "y" });
    expect(calls.map((c) => (c.params as { sessionId: string }).sessionId)).toEqual(["s-b", "s-a"]);
    // A stub can still be replaced on one session (tests spy on them) without touching the others.
    const replaced = async () => ({});
    (a.tools as { handlePendingToolCall: unknown }).handlePendingToolCall = replaced;
    expect(a.tools.handlePendingToolCall).toBe(replaced);
    expect(b.tools.handlePendingToolCall).not.toBe(replaced);
  });
  it("rejects a missing session id with an INVALID_OPTION SdkError naming the fix", () => {
    expect(() => createSessionRpc(recorder().conn, "")).toThrow(/createSessionRpc: sessionId must be a non-empty string.*session.create/);
    expect(() => createSessionRpc(recorder().conn, undefined as never)).toThrow(expect.objectContaining({ name: "SdkError", code: "INVALID_OPTION" }));
  });
  it("internal stubs reach overlay lifecycle methods", async () => {
    const { conn, calls } = recorder();
    await createInternalServerRpc(conn).session.create({ model: "m" } as never);
    await createInternalSessionRpc(conn, "s-2").detach();
    expect(calls.map((c) => [c.method, c.params])).toEqual([
      ["session.create", { model: "m" }],
      ["session.detach", { sessionId: "s-2" }],
    ]);
  });
});

describe("handler registration", () => {
  it("registers client-session request handlers by wire name and removes them all at once", async () => {
    const { reg, requests } = registry();
    const off = registerClientSessionHandlers(reg, { "sessionFs.readFile": async (p) => ({ content: `read ${p.path} for ${p.sessionId}` }) });
    const ctx = { method: "sessionFs.readFile", id: 1, signal: new AbortController().signal };
    await expect(requests.get("sessionFs.readFile")!({ sessionId: "s-1", path: "/a" }, ctx)).resolves.toEqual({ content: "read /a for s-1" });
    off();
    off();
    expect(requests.size).toBe(0);
  });
  it("registers notification listeners", () => {
    const { reg, notes } = registry();
    const seen: unknown[] = [];
    const off = registerClientNotificationHandlers(reg, { "session.lifecycle": (p) => void seen.push(p.type) });
    for (const h of notes.get("session.lifecycle")!) void h({ type: "created", sessionId: "s" });
    expect(seen).toEqual(["created"]);
    off();
    expect(notes.get("session.lifecycle")!.size).toBe(0);
  });
  it("throws on an unknown or wrong-kind key and registers nothing", () => {
    const { reg, requests, notes } = registry();
    expect(() => registerClientGlobalHandlers(reg, { "no.such": () => null } as never)).toThrow(/"no.such" is not a server→client request/);
    expect(() => registerClientSessionHandlers(reg, { "session.lifecycle": () => null } as never)).toThrow(
      expect.objectContaining({ name: "SdkError", code: "INVALID_OPTION" }),
    );
    expect(() => registerClientSessionHandlers(reg, { "sessionFs.readFile": "nope" } as never)).toThrow(/must be a function/);
    expect(requests.size + notes.size).toBe(0);
  });
});
