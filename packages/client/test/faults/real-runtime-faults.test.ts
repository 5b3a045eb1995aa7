/**
 * Faults on the real runtimes (both pinned ones), with the scripted model: the runtime killed
 * (SIGKILL) or frozen (SIGSTOP) mid-turn, mid-tool and mid-permission; the agent's own shell
 * command (`sleep 300` through the `bash` tool) left running at forceStop, at a crash and on
 * stop()'s kill path; the TCP connection closed on the server side while the runtime lives.
 * Each asserts how fast pending calls settle, the typed error, and zero leftover processes.
 */
import { readFileSync, readdirSync } from "node:fs";
import { createServer, type Server, type Socket } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { isSdkError } from "@flightdeck/copilot-core";
import { CopilotClient, RuntimeConnection } from "@flightdeck/copilot-client";
import { approveAll, defineTool } from "@flightdeck/copilot-sdk";
import { createTestClient, resolveTestRuntimes, type TestClient, type TestClientOptionsOverrides } from "@flightdeck/copilot-testing";
import { leftovers, runtimeTag, settlesWithin, waitFor } from "./fault-helpers.js";

const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

/** A pending-forever promise, for handlers that must still be running when the fault hits. */
const never = () => new Promise<never>(() => {});

async function setup(runtime: ReturnType<typeof resolveTestRuntimes>[number], client: TestClientOptionsOverrides = {}): Promise<TestClient> {
  const t = await createTestClient({ runtime, client: { onError: () => {}, stopGraceMs: 500, ...client } });
  cleanups.push(() => t.cleanup());
  return t;
}

/** Pids of `sleep <marker>` processes (the agent's shell command). */
function sleeping(marker: string): number[] {
  return leftoversByCommand(`sleep ${marker}`);
}

function leftoversByCommand(command: string): number[] {
  const pids: number[] = [];
  for (const name of readdirSync("/proc")) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, "latin1");
      if (stat.slice(stat.lastIndexOf(")") + 2).startsWith("Z")) continue;
      if (readFileSync(`/proc/${name}/cmdline`, "latin1").replace(/\0/g, " ").trim() === command) pids.push(Number(name));
    } catch {
      // gone
    }
  }
  return pids;
}

describe.each(resolveTestRuntimes())("real runtime faults on $name", (runtime) => {
  // On Linux the runtime shares the app's process group, so Ctrl-C in a terminal reaches it as it
  // reaches the app, which typically calls stop() from its SIGINT handler. The runtime shuts down
  // cleanly on SIGINT (exit code 0); stop() meets it on its way out, or after it is gone.
  it("SIGINT to the runtime (Ctrl-C), then stop() at once: no errors, nothing reported, nothing left", async () => {
    const reported: unknown[] = [];
    const t = await setup(runtime, { onError: (e) => reported.push(e), stopGraceMs: 2_000 });
    await t.client.createSession({ model: "gpt-4.1", provider: t.model.provider(), onPermissionRequest: approveAll });
    const pid = t.client.runtimePid!;
    const tag = runtimeTag(pid);
    process.kill(pid, "SIGINT");
    const { value } = await settlesWithin(t.client.stop(), 2_000);
    expect(value).toEqual([]);
    expect(reported).toEqual([]);
    expect(t.client.state).toBe("stopped");
    expect(leftovers(tag, pid)).toEqual([]);
  });

  it("SIGINT to the runtime, its exit seen before stop(): the error says why, stop() resolves with no errors", async () => {
    const reported: unknown[] = [];
    const t = await setup(runtime, { onError: (e) => reported.push(e), stopGraceMs: 2_000 });
    await t.client.createSession({ model: "gpt-4.1", provider: t.model.provider(), onPermissionRequest: approveAll });
    const pid = t.client.runtimePid!;
    const tag = runtimeTag(pid);
    process.kill(pid, "SIGINT");
    await waitFor(() => t.client.state === "failed", 5_000, "the client to see the runtime's exit");
    expect(reported).toHaveLength(1);
    expect(isSdkError(reported[0], "RUNTIME_EXITED")).toBe(true);
    expect((reported[0] as Error).message).toMatch(/exited by itself with code 0.*Ctrl-C/);
    const { value } = await settlesWithin(t.client.stop(), 1_000);
    expect(value).toEqual([]);
    expect(t.client.state).toBe("stopped");
    expect(leftovers(tag, pid)).toEqual([]);
  });

  it("SIGKILL mid-turn: the waiting turn rejects within 1 s with the exit signal; nothing is left", async () => {
    const t = await setup(runtime);
    t.model.push({ text: "too late", delayMs: 10_000 });
    const session = await t.client.createSession({ model: "gpt-4.1", provider: t.model.provider(), onPermissionRequest: approveAll });
    const pid = t.client.runtimePid!;
    const tag = runtimeTag(pid);
    const waiting = session.sendAndWait("hello", { timeoutMs: 30_000 });
    await waitFor(() => t.model.requests.length > 0, 15_000, "the model request");
    process.kill(pid, "SIGKILL");
    const { error } = await settlesWithin(waiting, 1_000);
    expect(isSdkError(error)).toBe(true);
    expect((error as Error).message).toMatch(/SIGKILL/);
    await waitFor(() => t.client.state === "failed", 2_000, "state failed");
    expect(isSdkError(await t.client.ping().catch((e: unknown) => e), "RUNTIME_EXITED")).toBe(true);
    await waitFor(() => leftovers(tag, pid).length === 0, 3_000, "no leftovers");
  });

  it("SIGSTOP mid-tool: stop() settles within stopGraceMs + 1 s, the turn and the tool's wait reject, nothing is left", async () => {
    const t = await setup(runtime);
    let handlerStarted = false;
    const slow = defineTool("slow_lookup", {
      description: "A lookup that takes forever",
      parameters: { type: "object", properties: {} } as const,
      handler: () => {
        handlerStarted = true;
        return never();
      },
    });
    t.model.push({ toolCalls: [{ name: "slow_lookup", arguments: {} }] }, { text: "done" });
    const session = await t.client.createSession({ model: "gpt-4.1", provider: t.model.provider(), tools: [slow], onPermissionRequest: approveAll });
    const pid = t.client.runtimePid!;
    const tag = runtimeTag(pid);
    const waiting = session.sendAndWait("look it up", { timeoutMs: 30_000 }).catch((e: unknown) => e);
    await waitFor(() => handlerStarted, 15_000, "the tool handler");
    process.kill(pid, "SIGSTOP");
    const { value: errors } = await settlesWithin(t.client.stop(), 1_500);
    expect(errors!.some((e) => isSdkError(e, "TIMEOUT"))).toBe(true);
    expect(isSdkError(await waiting, "CONNECTION_CLOSED")).toBe(true);
    expect(leftovers(tag, pid)).toEqual([]);
    expect(t.client.state).toBe("stopped");
  });

  it("SIGKILL mid-permission: the waiting turn rejects within 1 s; nothing is left", async () => {
    const t = await setup(runtime);
    let asked = false;
    const tool = defineTool("guarded", { description: "Needs permission", parameters: { type: "object", properties: {} } as const, handler: () => "ok" });
    t.model.push({ toolCalls: [{ name: "guarded", arguments: {} }] }, { text: "done" });
    const session = await t.client.createSession({
      model: "gpt-4.1",
      provider: t.model.provider(),
      tools: [tool],
      onPermissionRequest: () => {
        asked = true;
        return never();
      },
    });
    const pid = t.client.runtimePid!;
    const tag = runtimeTag(pid);
    const waiting = session.sendAndWait("do it", { timeoutMs: 30_000 });
    await waitFor(() => asked, 15_000, "the permission request");
    process.kill(pid, "SIGKILL");
    const { error } = await settlesWithin(waiting, 1_000);
    expect(isSdkError(error)).toBe(true);
    await waitFor(() => leftovers(tag, pid).length === 0, 3_000, "no leftovers");
  });

  describe("the agent's own shell command (sleep via the bash tool) never outlives the runtime", () => {
    async function sleepingAgent(marker: string): Promise<{ t: TestClient; pid: number; tag: string }> {
      const t = await setup(runtime);
      t.model.push({ toolCalls: [{ name: "bash", arguments: { command: `sleep ${marker}`, description: "wait" } }] }, { text: "done" });
      const session = await t.client.createSession({ model: "gpt-4.1", provider: t.model.provider(), onPermissionRequest: approveAll });
      void session.send("sleep a while").catch(() => {});
      await waitFor(() => sleeping(marker).length === 1, 20_000, `sleep ${marker}`);
      const pid = t.client.runtimePid!;
      cleanups.push(() => {
        for (const p of sleeping(marker)) process.kill(p, "SIGKILL");
      });
      return { t, pid, tag: runtimeTag(pid) };
    }

    it("forceStop()", async () => {
      const { t, pid, tag } = await sleepingAgent("300.1");
      await settlesWithin(t.client.forceStop(), 1_500);
      expect(sleeping("300.1")).toEqual([]);
      expect(leftovers(tag, pid)).toEqual([]);
    });

    it("a crash of the runtime", async () => {
      const { t, pid, tag } = await sleepingAgent("300.2");
      process.kill(pid, "SIGKILL");
      await waitFor(() => t.client.state === "failed", 3_000, "state failed");
      await waitFor(() => sleeping("300.2").length === 0, 3_000, "the shell command to be ended");
      expect(leftovers(tag, pid)).toEqual([]);
    });

    it("stop()'s kill path (a frozen runtime)", async () => {
      const { t, pid, tag } = await sleepingAgent("300.3");
      process.kill(pid, "SIGSTOP");
      await settlesWithin(t.client.stop(), 2_000);
      expect(sleeping("300.3")).toEqual([]);
      expect(leftovers(tag, pid)).toEqual([]);
    });
  });

  it("a server-side socket close while the runtime lives: pending calls reject at once; the client reports CONNECTION_LOST, not RUNTIME_EXITED; start() reconnects", async () => {
    const t = await setup(runtime, {});
    const owner = new CopilotClient({
      connection: RuntimeConnection.forTcp({ path: runtime.path, args: runtime.args }),
      env: t.iso.env,
      workingDirectory: t.iso.workingDirectory,
      useLoggedInUser: false,
      onError: () => {},
    });
    cleanups.push(async () => void (await owner.forceStop()));
    await owner.start();
    const proxy = await tcpProxy(owner.runtimePort!);
    cleanups.push(() => proxy.close());
    const client = new CopilotClient({
      connection: RuntimeConnection.forUri(`127.0.0.1:${proxy.port}`, { connectionToken: owner.connectionToken! }),
      onError: () => {},
    });
    cleanups.push(async () => void (await client.forceStop()));
    await client.start();
    // The proxy drops both sides in the same tick the request is written: it is certainly pending.
    const pending = client.ping();
    proxy.dropAll();
    const { error } = await settlesWithin(pending, 500);
    expect(isSdkError(error, "CONNECTION_CLOSED"), String(error)).toBe(true);
    await waitFor(() => client.state === "failed", 2_000, "state failed");
    const next = await client.ping().catch((e: unknown) => e);
    expect(isSdkError(next, "CONNECTION_LOST")).toBe(true);
    expect((next as Error).message).toMatch(/TCP connection .* was lost/);
    await client.start();
    expect((await client.ping()).protocolVersion).toBe(3);
    expect((await owner.ping()).protocolVersion).toBe(3);
  });
});

/** A TCP proxy to 127.0.0.1:`target` whose `dropAll()` closes every connection from the server side. */
async function tcpProxy(target: number): Promise<{ port: number; dropAll: () => void; close: () => Promise<void> }> {
  const sockets = new Set<Socket>();
  const { connect } = await import("node:net");
  const server: Server = createServer((downstream) => {
    const upstream = connect({ host: "127.0.0.1", port: target });
    for (const s of [downstream, upstream]) {
      sockets.add(s);
      s.on("error", () => {});
      s.on("close", () => sockets.delete(s));
    }
    downstream.pipe(upstream);
    upstream.pipe(downstream);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as { port: number }).port;
  return {
    port,
    dropAll: () => {
      for (const s of sockets) s.destroy();
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}
