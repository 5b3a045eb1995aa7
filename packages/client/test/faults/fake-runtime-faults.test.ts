/**
 * Faults the real runtimes cannot be made to produce on demand, from the scriptable fake runtime:
 * silence, broken framing, oversized frames, crash after the handshake, crash loops, slow answers,
 * a runtime that never answers `session.detach`, and one frozen with SIGSTOP. Each test asserts a
 * settle-time bound, the typed error, and that no process is left.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { isSdkError } from "@flightdeck/copilot-core";
import type { RuntimeLifecycleEvent } from "@flightdeck/copilot-client";
import { fakeClient, leftovers, runtimeTag, settlesWithin, waitFor } from "./fault-helpers.js";

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0)) await c();
});

describe("a runtime that misbehaves on the wire", () => {
  it("silence: start() fails with TIMEOUT after startTimeoutMs and kills the runtime", async () => {
    const client = fakeClient(cleanups, { FAKE_SILENT: "1", FAKE_ORPHAN: "1" }, { startTimeoutMs: 300 });
    const { error } = await settlesWithin(client.start(), 1_500);
    expect(isSdkError(error, "TIMEOUT")).toBe(true);
    expect((error as Error).message).toMatch(/connect: no response within 300 ms/);
    expect(client.state).toBe("failed");
  });

  it("broken framing: the pending call rejects at once with the frame error; the client is failed, not hung", async () => {
    const client = fakeClient(cleanups, { FAKE_GARBAGE_ON: "ping" });
    await client.start();
    const pid = client.runtimePid!;
    const tag = runtimeTag(pid);
    const { error } = await settlesWithin(client.ping(), 1_000);
    expect(isSdkError(error, "CONNECTION_CLOSED")).toBe(true);
    expect((error as Error).message).toMatch(/corrupt frame/);
    await waitFor(() => client.state === "failed", 2_000, "state failed");
    await waitFor(() => leftovers(tag, pid).length === 0, 3_000, "no leftover process");
  });

  it("an oversized frame is refused without buffering it; the call rejects at once", async () => {
    const client = fakeClient(cleanups, { FAKE_OVERSIZED_ON: "ping" });
    await client.start();
    const tag = runtimeTag(client.runtimePid!);
    const { error } = await settlesWithin(client.ping(), 1_000);
    expect(isSdkError(error, "CONNECTION_CLOSED")).toBe(true);
    expect(String((error as Error).message)).toMatch(/corrupt frame/);
    await waitFor(() => leftovers(tag).length === 0, 3_000, "no leftover process");
  });

  it("slow answers: a per-call deadline rejects with TIMEOUT; the default deadline (requestTimeoutMs) applies to calls without one", async () => {
    const client = fakeClient(cleanups, { FAKE_SLOW_MS: "400" }, { requestTimeoutMs: 150, startTimeoutMs: 2_000 });
    await client.start();
    const perCall = await settlesWithin(client.ping(undefined, { timeoutMs: 50 }), 300);
    expect(isSdkError(perCall.error, "TIMEOUT")).toBe(true);
    expect((perCall.error as Error).message).toMatch(/ping: no response within 50 ms/);
    const byDefault = await settlesWithin(client.getStatus(), 500);
    expect(isSdkError(byDefault.error, "TIMEOUT")).toBe(true);
    expect((byDefault.error as Error).message).toMatch(/within 150 ms/);
    // A longer per-call deadline overrides the default.
    expect((await client.ping(undefined, { timeoutMs: 2_000 })).message).toBe("pong");
  });
});

describe("stop() settles in bounded time whatever the runtime does", () => {
  it("a runtime that never answers session.detach: stop() kills it after stopGraceMs and reports what it could not do; start() works again", async () => {
    const client = fakeClient(cleanups, { FAKE_NO_DETACH: "1", FAKE_ORPHAN: "1" }, { stopGraceMs: 300 });
    await client.createSession({ onPermissionRequest: () => ({ kind: "approve-once" }) });
    const pid = client.runtimePid!;
    const tag = runtimeTag(pid);
    const { value: errors } = await settlesWithin(client.stop(), 1_500);
    expect(errors!.some((e) => isSdkError(e, "TIMEOUT") && /session\.detach.*300 ms.*killed/.test(e.message))).toBe(true);
    expect(client.state).toBe("stopped");
    expect(leftovers(tag, pid)).toEqual([]);
    // The orphan in its own session was found through the environment tag and ended too.
    await settlesWithin(client.start(), 2_000);
    expect(client.state).toBe("connected");
  });

  it("a frozen runtime (SIGSTOP) with a session open: stop() settles after the grace period and no process survives", async () => {
    const client = fakeClient(cleanups, { FAKE_ORPHAN: "1" }, { stopGraceMs: 300 });
    await client.createSession({ onPermissionRequest: () => ({ kind: "approve-once" }) });
    const pid = client.runtimePid!;
    const tag = runtimeTag(pid);
    process.kill(pid, "SIGSTOP");
    const pending = client.ping().catch((e: unknown) => e);
    const { value: errors } = await settlesWithin(client.stop(), 1_500);
    expect(errors!.some((e) => isSdkError(e, "TIMEOUT"))).toBe(true);
    expect(isSdkError(await pending, "CONNECTION_CLOSED")).toBe(true);
    expect(leftovers(tag, pid)).toEqual([]);
  });

  it("stop() during a start() that hangs in the handshake cancels it after stopGraceMs", async () => {
    const client = fakeClient(cleanups, { FAKE_SILENT: "1" }, { stopGraceMs: 200, startTimeoutMs: 30_000 });
    const starting = client.start().catch((e: unknown) => e);
    await waitFor(() => client.runtimePid !== undefined || client.state === "starting", 2_000);
    const { value: errors } = await settlesWithin(client.stop(), 1_000);
    expect(errors).toEqual([]);
    expect(isSdkError(await starting, "ABORTED")).toBe(true);
    expect(client.state).toBe("stopped");
  });
});

describe("crashes and autoRestart", () => {
  it("a crash after the handshake: calls fail with RUNTIME_EXITED, and start() brings up a new runtime", async () => {
    const dir = mkdtempSync(join(tmpdir(), "fd-faults-"));
    try {
      const errors: unknown[] = [];
      const client = fakeClient(cleanups, { FAKE_CRASH_AFTER_HANDSHAKE: "100", FAKE_CRASH_ONCE: join(dir, "crashed") }, { onError: (e) => errors.push(e) });
      await client.start();
      await waitFor(() => client.state === "failed", 3_000, "state failed");
      const next = await client.ping().catch((e: unknown) => e);
      expect(isSdkError(next, "RUNTIME_EXITED")).toBe(true);
      expect((next as Error).message).toMatch(/exit code 3.*start\(\)/s);
      expect(errors.some((e) => isSdkError(e, "RUNTIME_EXITED"))).toBe(true);
      await settlesWithin(client.start(), 2_000);
      expect(client.state).toBe("connected");
      expect((await client.ping()).message).toBe("pong");
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("a crash loop: restarts back off with jitter, stop at maxAttempts, each attempt and the give-up are reported, pending calls fail with the reason", async () => {
    const errors: unknown[] = [];
    const states: string[] = [];
    const client = fakeClient(
      cleanups,
      { FAKE_CRASH_AFTER_HANDSHAKE: "20" },
      { autoRestart: { maxAttempts: 3, initialDelayMs: 100, maxDelayMs: 1_000, windowMs: 10_000 }, onError: (e) => errors.push(e) },
    );
    client.onStateChange((s) => states.push(s));
    const restarting: Array<Extract<RuntimeLifecycleEvent, { type: "runtime.restarting" }>> = [];
    const restarted: number[] = [];
    let gaveUp: Extract<RuntimeLifecycleEvent, { type: "runtime.restartFailed" }> | undefined;
    client.onLifecycle("runtime.restarting", (e) => restarting.push(e));
    client.onLifecycle("runtime.restarted", (e) => restarted.push(e.attempt));
    client.onLifecycle("runtime.restartFailed", (e) => (gaveUp = e));
    const sessionLevel: string[] = [];
    client.onLifecycle((e) => sessionLevel.push(e.type));
    const session = await client.createSession({ onPermissionRequest: () => ({ kind: "approve-once" }) });
    const waiting = session.sendAndWait("hello", { timeoutMs: 20_000 }).catch((e: unknown) => e);
    const started = Date.now();
    await waitFor(() => gaveUp !== undefined, 10_000, "give-up");
    // Backoff: 50–100 ms, 100–200 ms, 200–400 ms before attempts 1..3, then the give-up.
    expect(restarting.map((e) => e.attempt)).toEqual([1, 2, 3]);
    for (const [i, e] of restarting.entries()) {
      expect(e.delayMs).toBeGreaterThanOrEqual(50 * 2 ** i);
      expect(e.delayMs).toBeLessThanOrEqual(100 * 2 ** i);
      expect(e.maxAttempts).toBe(3);
    }
    expect(Date.now() - started).toBeGreaterThanOrEqual(350);
    expect(isSdkError(gaveUp!.error, "RESTART_FAILED")).toBe(true);
    expect(gaveUp!.attempts).toBe(3);
    expect(client.state).toBe("failed");
    expect(states).toContain("restarting");
    expect(errors.some((e) => isSdkError(e, "RESTART_FAILED"))).toBe(true);
    // The turn in flight failed with the crash, not a hang.
    const waited = await waiting;
    expect(waited).toBeInstanceOf(Error);
    expect(isSdkError(waited, "RUNTIME_EXITED") || isSdkError(waited, "CONNECTION_CLOSED") || isSdkError(waited, "RESTART_FAILED"), String(waited)).toBe(true);
    // Calls after the give-up say so; catch-all lifecycle handlers never saw runtime.* events.
    expect(isSdkError(await client.ping().catch((e: unknown) => e), "RESTART_FAILED")).toBe(true);
    expect(sessionLevel.some((t) => t.startsWith("runtime."))).toBe(false);
  });

  it("autoRestart recovers from a single crash and reports the attempt", async () => {
    const dir = mkdtempSync(join(tmpdir(), "fd-faults-"));
    try {
      const client = fakeClient(cleanups, { FAKE_CRASH_AFTER_HANDSHAKE: "50", FAKE_CRASH_ONCE: join(dir, "crashed") }, { autoRestart: { initialDelayMs: 20 } });
      const restarted: number[] = [];
      client.onLifecycle("runtime.restarted", (e) => restarted.push(e.attempt));
      await client.start();
      const firstPid = client.runtimePid!;
      await waitFor(() => restarted.length === 1, 5_000, "restart");
      expect(client.state).toBe("connected");
      expect(client.runtimePid).not.toBe(firstPid);
      expect((await client.ping()).message).toBe("pong");
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("after autoRestart gave up, start() brings up a new runtime once the cause is fixed", async () => {
    const dir = mkdtempSync(join(tmpdir(), "fd-faults-"));
    try {
      const broken = join(dir, "broken");
      const client = fakeClient(cleanups, { FAKE_CRASH_WHILE: broken }, { autoRestart: { maxAttempts: 2, initialDelayMs: 10 } });
      await client.start();
      writeFileSync(broken, "yes");
      // Any crash: the next runtimes die right after their handshake until the file goes.
      process.kill(client.runtimePid!, "SIGKILL");
      await waitFor(() => client.state === "failed", 5_000, "give-up");
      expect(isSdkError(await client.ping().catch((e: unknown) => e), "RESTART_FAILED")).toBe(true);
      rmSync(broken);
      await settlesWithin(client.start(), 2_000);
      expect(client.state).toBe("connected");
      expect((await client.ping()).message).toBe("pong");
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("stop() during the backoff cancels the restart at once", async () => {
    const client = fakeClient(cleanups, { FAKE_CRASH_AFTER_HANDSHAKE: "20" }, { autoRestart: { initialDelayMs: 5_000 } });
    await client.start();
    await waitFor(() => client.state === "restarting", 3_000, "restarting");
    const { value } = await settlesWithin(client.stop(), 500);
    expect(value).toEqual([]);
    expect(client.state).toBe("stopped");
  });
});
