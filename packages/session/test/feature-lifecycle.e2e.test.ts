/**
 * Session lifecycle on the client: `session.lifecycle` notifications through `client.onLifecycle`
 * on both pinned runtimes (created, updated, deleted), the foreground-session calls, which a
 * headless runtime refuses, and, at the wire level, foreground/background notifications (only a
 * runtime in TUI+server mode sends those, so they are replayed over TCP by a fake runtime after
 * the lifecycle traffic recorded from runtime 1.0.85).
 */
import { readFileSync } from "node:fs";
import { createServer, type Server } from "node:net";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { CopilotClient, RuntimeConnection, type SessionLifecycleEvent } from "@flightdeck/copilot-client";
import { JsonRpcConnection } from "@flightdeck/copilot-core";
import { TcpTransport } from "@flightdeck/copilot-core/node";
import { RUNTIMES, defer, gate, setup, useE2eTeardown } from "../../../test-support/e2e.js";

useE2eTeardown();

describe.each(RUNTIMES)("$name", (runtime) => {
  it("onLifecycle sees a session created, updated by a turn, and deleted; a type filter sees only its type", async () => {
    const t = await setup(runtime, { model: { script: [{ text: "hello" }] } });
    const all: SessionLifecycleEvent[] = [];
    const deleted: SessionLifecycleEvent[] = [];
    const gone = gate();
    t.client.onLifecycle((e) => all.push(e));
    t.client.onLifecycle("session.deleted", (e) => {
      deleted.push(e);
      gone.open();
    });
    const session = await t.client.createSession({ model: "gpt-4.1", provider: t.model.provider() });
    await session.sendAndWait("hi", { timeoutMs: 20_000 });
    await session.disconnect();
    await t.client.deleteSession(session.sessionId);
    await gone.promise;

    const mine = all.filter((e) => e.sessionId === session.sessionId).map((e) => e.type);
    expect(mine).toContain("session.created");
    expect(mine).toContain("session.updated");
    expect(mine.at(-1)).toBe("session.deleted");
    expect(mine.indexOf("session.created")).toBeLessThan(mine.lastIndexOf("session.updated"));
    const created = all.find((e) => e.type === "session.created" && e.sessionId === session.sessionId) as { metadata?: { startTime?: string } };
    expect(typeof created.metadata?.startTime).toBe("string");
    // The 1.0.102 CLI announces creation and deletion twice each; 1.0.85 once.
    expect(deleted.length).toBeGreaterThanOrEqual(1);
    for (const e of deleted) expect(e).toEqual({ type: "session.deleted", sessionId: session.sessionId });
  });

  it("foreground sessions need a TUI+server runtime: a headless one has none and refuses, naming the session", async () => {
    const t = await setup(runtime);
    const session = await t.client.createSession({ model: "gpt-4.1", provider: t.model.provider() });
    expect(await t.client.getForegroundSessionId()).toBeUndefined();
    await expect(t.client.setForegroundSessionId(session.sessionId)).rejects.toThrow(new RegExp(`${session.sessionId}.*TUI\\+server mode`, "s"));
  });
});

/** The `session.lifecycle` notifications recorded from runtime 1.0.85 (created, updated, deleted). */
function recordedLifecycle(): Array<Record<string, unknown>> {
  const file = fileURLToPath(new URL("../../../schemas/recordings/runtime-1.0.85/lifecycle.jsonl", import.meta.url));
  return readFileSync(file, "utf8")
    .split("\n")
    .filter((line) => line.trim() !== "")
    .map((line) => JSON.parse(line) as { dir: string; msg: { method?: string; params?: Record<string, unknown> } })
    .filter((frame) => frame.dir === "in" && frame.msg.method === "session.lifecycle")
    .map((frame) => frame.msg.params!);
}

describe("wire level: recorded lifecycle traffic plus foreground/background, replayed by a fake TCP runtime", () => {
  it("onLifecycle delivers every notification in order, foreground and background included", async () => {
    const sessionId = "00000000-0000-4000-8000-000000000001";
    const notifications = [
      ...recordedLifecycle(),
      { type: "session.foreground", sessionId, metadata: { startTime: "2000-01-01T00:00:00.000Z", modifiedTime: "2000-01-01T00:00:00.000Z" } },
      { type: "session.background", sessionId, metadata: { startTime: "2000-01-01T00:00:00.000Z", modifiedTime: "2000-01-01T00:00:00.000Z" } },
    ];
    const peers: JsonRpcConnection[] = [];
    const server: Server = createServer((socket) => {
      socket.setNoDelay(true);
      const peer = new JsonRpcConnection(new TcpTransport(socket));
      peers.push(peer);
      peer.onRequest("connect", () => ({ ok: true, protocolVersion: 3, version: "1.0.85", taskKinds: ["agent", "client", "shell"] }));
      // The test's ping (after start() resolved, so the client listens) starts the replay.
      peer.onRequest("ping", () => {
        setImmediate(() => {
          void (async () => {
            for (const params of notifications) await peer.notify("session.lifecycle", params);
          })();
        });
        return { message: "pong", timestamp: 0, protocolVersion: 3 };
      });
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    defer(
      () =>
        new Promise<void>((resolve) => {
          for (const peer of peers) void peer.close();
          server.close(() => resolve());
        }),
    );
    const port = (server.address() as { port: number }).port;
    const client = new CopilotClient({ connection: RuntimeConnection.forUri(`127.0.0.1:${port}`), onError: () => {} });
    defer(() => client.forceStop());
    const all: string[] = [];
    const foreground: string[] = [];
    const done = gate();
    client.onLifecycle((e) => {
      all.push(e.type);
      if (all.length === notifications.length) done.open();
    });
    client.onLifecycle("session.foreground", (e) => foreground.push(e.sessionId));
    await client.start();
    await client.ping();
    await done.promise;

    expect(all).toEqual(notifications.map((n) => n.type));
    expect(all.slice(-2)).toEqual(["session.foreground", "session.background"]);
    expect(foreground).toEqual([sessionId]);
  });
});
