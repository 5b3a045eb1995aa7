/**
 * The one end-to-end transport test: the real runtime (1.0.85) over stdio, in an isolated env.
 * Raw method strings are used on purpose here; product code goes through the generated stubs.
 */
import { existsSync, mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { JsonRpcConnection, PROTOCOL_SCHEMA_SOURCE, type FrameLogEntry } from "@flightdeck/copilot-core";
import { spawnStdioTransport, type StdioTransport } from "@flightdeck/copilot-core/node";

// The workspace's pinned runtime package (a root devDependency), never an absolute path of one machine.
const platform = `${process.platform}-${process.arch}`;
const RUNTIME = join(dirname(createRequire(import.meta.url).resolve(`@github/copilot-sdk-${platform}/package.json`)), "prebuilds", platform, "copilot-runtime");
const root = mkdtempSync(join(tmpdir(), "fd-core-rt-"));
let transport: StdioTransport | undefined;

function isolatedEnv(): Record<string, string> {
  const dirs = {
    HOME: "home",
    COPILOT_HOME: "copilot",
    TMPDIR: "tmp",
    XDG_CONFIG_HOME: "config",
    XDG_STATE_HOME: "state",
    XDG_DATA_HOME: "data",
    XDG_CACHE_HOME: "cache",
  };
  const env: Record<string, string> = { PATH: process.env.PATH ?? "/usr/bin:/bin", NO_PROXY: "127.0.0.1,localhost" };
  for (const [name, dir] of Object.entries(dirs)) {
    env[name] = join(root, dir);
    mkdirSync(env[name]!, { recursive: true });
  }
  return env;
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

afterAll(() => {
  if (transport?.pid !== undefined && isAlive(transport.pid)) transport.kill("SIGKILL");
  rmSync(root, { recursive: true, force: true });
});

describe("real runtime over stdio", () => {
  it("connects, pings, shuts down, and the process is gone", async () => {
    expect(existsSync(RUNTIME), `runtime missing at ${RUNTIME}; run pnpm install at the repo root`).toBe(true);
    transport = await spawnStdioTransport({
      command: RUNTIME,
      args: ["--headless", "--no-auto-update", "--stdio", "--no-auto-login"],
      env: isolatedEnv(),
      cwd: join(root, "tmp"),
      killGraceMs: 3000,
    });
    const frames: FrameLogEntry[] = [];
    const connection = new JsonRpcConnection(transport, { onFrame: (f) => frames.push(f), requestTimeoutMs: 15_000 });

    const connected = await connection.request<{ ok: boolean; protocolVersion: number; version: string }>("connect", {
      supportedTaskKinds: ["agent", "client", "shell"],
    });
    expect(connected.ok).toBe(true);
    expect(connected.protocolVersion).toBe(3);
    expect(connected.version).toBe(PROTOCOL_SCHEMA_SOURCE.runtimeVersion);

    const pong = await connection.request<{ message: string; protocolVersion: number }>("ping", {});
    expect(pong.protocolVersion).toBe(3);

    await expect(connection.request("runtime.shutdown", {})).resolves.toEqual({});
    const pid = transport.pid!;
    await connection.close(); // ends stdin; escalates to signals only if the runtime lingers
    const info = await transport.closed;
    expect(isAlive(pid)).toBe(false);
    expect(info.signal).toBeNull();
    expect(frames.map((f) => f.direction)).toEqual(["out", "in", "out", "in", "out", "in"]);
    await expect(connection.request("ping", {})).rejects.toMatchObject({ code: "CONNECTION_CLOSED" });
  });
});
