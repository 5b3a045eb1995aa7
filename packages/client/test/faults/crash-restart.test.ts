/**
 * Crashes of the real runtimes (both pinned ones): a runtime killed mid-request, forceStop, and
 * autoRestart bringing the runtime back (with a live session resumed on the new one).
 */
import { afterEach, describe, expect, it } from "vitest";
import { isSdkError } from "@flightdeck/copilot-core";
import { startScriptedModel } from "@flightdeck/copilot-testing";
import { RUNTIMES, isAlive, isolatedClient, runtimeTree } from "../../../../test-support/e2e.js";

const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

describe.each(RUNTIMES)("$name", (runtime) => {
  it("a runtime killed mid-request rejects the pending call at once with the exit signal; the next call says the runtime exited", async () => {
    const { client, cleanup } = isolatedClient(runtime);
    cleanups.push(cleanup);
    await client.start();
    const pid = client.runtimePid!;
    const tree = runtimeTree(pid);
    // Freeze the runtime so the request is certainly pending, then kill it.
    process.kill(pid, "SIGSTOP");
    const pending = client.ping().catch((e: unknown) => e);
    await new Promise((r) => setTimeout(r, 50));
    process.kill(pid, "SIGKILL");
    const error = await pending;
    expect(isSdkError(error, "CONNECTION_CLOSED")).toBe(true);
    expect((error as Error).message).toMatch(/SIGKILL/);
    await new Promise((r) => setTimeout(r, 20));
    expect(client.state).toBe("failed");
    const next = await client.ping().catch((e: unknown) => e);
    expect(isSdkError(next, "RUNTIME_EXITED")).toBe(true);
    expect((next as Error).message).toMatch(/closed unexpectedly.*SIGKILL.*start\(\)/s);
    expect(tree()).toEqual([]);
  });

  it("autoRestart starts a new runtime after a crash and keeps serving", async () => {
    const { client, cleanup } = isolatedClient(runtime, { autoRestart: true });
    cleanups.push(cleanup);
    await client.start();
    const firstPid = client.runtimePid!;
    const states: string[] = [];
    client.onStateChange((s) => states.push(s));
    process.kill(firstPid, "SIGKILL");
    await new Promise<void>((resolve) => client.onStateChange((s) => s === "connected" && resolve()));
    expect(states).toEqual(["restarting", "connected"]);
    expect(client.runtimePid).not.toBe(firstPid);
    expect((await client.ping()).protocolVersion).toBe(3);
  });

  it("forceStop kills the runtime and everything it started at once", async () => {
    const { client, cleanup } = isolatedClient(runtime);
    cleanups.push(cleanup);
    await client.start();
    const pid = client.runtimePid!;
    const tree = runtimeTree(pid);
    await client.forceStop();
    expect(isAlive(pid)).toBe(false);
    expect(tree()).toEqual([]);
    expect(client.state).toBe("stopped");
  });
});

describe("autoRestart with a live session", () => {
  it("resumes the session on the new runtime, emits session.resumed, and the next turn works", async () => {
    const [runtime] = RUNTIMES;
    const model = await startScriptedModel({ script: [{ text: "first answer" }, { text: "second answer" }] });
    const { client, cleanup } = isolatedClient(runtime!, { autoRestart: true });
    cleanups.push(async () => {
      await cleanup();
      await model.close();
    });
    const session = await client.createSession({ model: "scripted", provider: model.provider() });
    expect((await session.sendAndWait("one", { timeoutMs: 30_000 }))?.data.content).toBe("first answer");
    const lifecycle: Array<{ type: string; sessionId: string }> = [];
    const resumed = new Promise<void>((resolve) =>
      client.onLifecycle((e) => {
        lifecycle.push({ type: e.type, sessionId: e.sessionId });
        if (e.type === "session.resumed") resolve();
      }),
    );
    const firstPid = client.runtimePid!;
    process.kill(firstPid, "SIGKILL");
    await resumed;
    expect(client.runtimePid).not.toBe(firstPid);
    expect(lifecycle).toContainEqual({ type: "session.resumed", sessionId: session.sessionId });
    expect((await session.sendAndWait("two", { timeoutMs: 30_000 }))?.data.content).toBe("second answer");
  });
});

describe("start() after a crash, without autoRestart", () => {
  it("brings up a new runtime, and the session is resumed by id with its history", async () => {
    const [runtime] = RUNTIMES;
    const model = await startScriptedModel({ script: [{ text: "first answer" }, { text: "after the crash" }] });
    const { client, cleanup } = isolatedClient(runtime!);
    cleanups.push(async () => {
      await cleanup();
      await model.close();
    });
    const session = await client.createSession({ model: "scripted", provider: model.provider() });
    expect((await session.sendAndWait("one", { timeoutMs: 30_000 }))?.data.content).toBe("first answer");
    process.kill(client.runtimePid!, "SIGKILL");
    await new Promise<void>((resolve) => client.onStateChange((s) => s === "failed" && resolve()));
    // Before this fix: CONNECTION_CLOSED "rebind: …" on every start().
    await client.start();
    expect(client.state).toBe("connected");
    const resumed = await client.resumeSession(session.sessionId, { model: "scripted", provider: model.provider() });
    expect((await resumed.sendAndWait("two", { timeoutMs: 30_000 }))?.data.content).toBe("after the crash");
    const history = await resumed.getEvents();
    expect(history.filter((e) => e.type === "user.message").length).toBe(2);
  });
});
