/**
 * Process hygiene with the fake runtime that misbehaves on purpose (ignores SIGTERM and stdin
 * EOF, leaves a grandchild behind), and handshake edge cases the real runtimes cannot produce.
 */
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { isSdkError } from "@flightdeck/copilot-core";
import { isAlive, isolatedClient, runtimeTree } from "../../../../test-support/e2e.js";
import { FAKE_RUNTIME } from "../helpers.js";

const fake = { path: FAKE_RUNTIME, args: [] };
const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0)) await c();
});

describe("stop() and forceStop() leave no process behind", () => {
  it("a runtime that ignores SIGTERM and stdin EOF, with a grandchild, is killed after the grace period", async () => {
    const stderr: string[] = [];
    const { client, cleanup } = isolatedClient(fake, {
      extraEnv: { FAKE_IGNORE_TERM: "1", FAKE_GRANDCHILD: "1" },
      stopGraceMs: 150,
      onStderr: (l) => stderr.push(l),
    });
    cleanups.push(cleanup);
    await client.start();
    const pid = client.runtimePid!;
    const tree = runtimeTree(pid);
    await new Promise((r) => setTimeout(r, 100));
    expect(tree().length).toBe(2);
    const errors = await client.stop();
    // It could not stop politely, and says so.
    expect(errors).toHaveLength(1);
    expect(isSdkError(errors[0], "TIMEOUT")).toBe(true);
    expect(errors[0]!.message).toMatch(/SIGKILL/);
    expect(isAlive(pid)).toBe(false);
    expect(tree()).toEqual([]);
    // It got the polite path first: shutdown, stdin EOF, SIGTERM, and only then SIGKILL.
    expect(stderr).toEqual(expect.arrayContaining(["fake-runtime: stdin closed, staying alive", "fake-runtime: ignoring SIGTERM"]));
  });

  it("forceStop kills the same stubborn tree at once", async () => {
    // With a 60 s grace, a forceStop that waited for it would time the test out.
    const { client, cleanup } = isolatedClient(fake, { extraEnv: { FAKE_IGNORE_TERM: "1", FAKE_GRANDCHILD: "1" }, stopGraceMs: 60_000 });
    cleanups.push(cleanup);
    await client.start();
    const pid = client.runtimePid!;
    const tree = runtimeTree(pid);
    await new Promise((r) => setTimeout(r, 100));
    expect(tree().length).toBe(2);
    await client.forceStop();
    expect(isAlive(pid)).toBe(false);
    expect(tree()).toEqual([]);
  });

  it("a polite runtime exits on shutdown without any signal", async () => {
    // With a 60 s grace, a stop() that needed a signal would time the test out.
    const { client, cleanup } = isolatedClient(fake, { stopGraceMs: 60_000 });
    cleanups.push(cleanup);
    await client.start();
    const tree = runtimeTree(client.runtimePid!);
    expect(await client.stop()).toEqual([]);
    expect(tree()).toEqual([]);
  });
});

describe("handshake", () => {
  it("falls back to ping when the runtime has no connect method", async () => {
    const { client, cleanup } = isolatedClient(fake, { extraEnv: { FAKE_NO_CONNECT: "1" } });
    cleanups.push(cleanup);
    await client.start();
    expect(client.protocolVersion).toBe(3);
  });

  it("a protocol mismatch names both versions and which side to update, and leaves no process", async () => {
    const { client, cleanup } = isolatedClient(fake, { extraEnv: { FAKE_PROTOCOL: "7" } });
    cleanups.push(cleanup);
    const error = await client.start().catch((e: unknown) => e);
    expect(isSdkError(error, "PROTOCOL_MISMATCH")).toBe(true);
    expect((error as Error).message).toMatch(/0\.0\.0-fake speaks protocol 7.*\(3–3\).*Update @flightdeck\/copilot-sdk/);
    expect(client.state).toBe("failed");
  });

  it("the GitHub token reaches the runtime through the env only", async () => {
    const recordDir = mkdtempSync(join(tmpdir(), "fd-record-"));
    const record = join(recordDir, "launch.json");
    const { client, cleanup } = isolatedClient(fake, { gitHubToken: "ghp_supersecret", useLoggedInUser: undefined, extraEnv: { FAKE_RECORD: record } });
    cleanups.push(cleanup, async () => rmSync(recordDir, { recursive: true, force: true }));
    await client.start();
    const launch = JSON.parse(readFileSync(record, "utf8")) as { argv: string[]; env: Record<string, string> };
    expect(launch.argv.join(" ")).not.toContain("ghp_supersecret");
    expect(launch.argv).toEqual(expect.arrayContaining(["--auth-token-env", "COPILOT_SDK_AUTH_TOKEN", "--stdio", "--headless"]));
    // A token turns off the stored-credentials login unless useLoggedInUser says otherwise.
    expect(launch.argv).toContain("--no-auto-login");
    expect(launch.env.COPILOT_SDK_AUTH_TOKEN).toBe("ghp_supersecret");
  });
});
