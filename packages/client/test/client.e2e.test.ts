/**
 * End to end on both pinned runtimes (copilot-runtime 1.0.85 and the copilot 1.0.102 CLI):
 * stdio and TCP, tokens, forUri, stop() and the process tree (crashes and kills: test/faults/).
 */
import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import { afterEach, describe, expect, it } from "vitest";
import { AuthenticationFailedError, isSdkError } from "@flightdeck/copilot-core";
import { createIsolatedEnvironment } from "@flightdeck/copilot-testing";
import { CopilotClient, RuntimeConnection } from "@flightdeck/copilot-client";
import { RUNTIMES, isAlive, isolatedClient, processGroupOf, runtimeTree } from "../../../test-support/e2e.js";

const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

describe.each(RUNTIMES)("$name", (runtime) => {
  it("starts over stdio, handshakes protocol 3, answers ping/status/auth, and stop() leaves no process", async () => {
    // A 60 s grace: stop() must not need any signal (it would time the test out).
    const { client, cleanup } = isolatedClient(runtime, { stopGraceMs: 60_000 });
    cleanups.push(cleanup);
    const states: string[] = [];
    client.onStateChange((s) => states.push(s));
    await client.start();
    expect(client.state).toBe("connected");
    expect(client.protocolVersion).toBe(3);
    expect(client.runtimeVersion).toBe(runtime.version);
    const pong = await client.ping("hello");
    expect(pong.protocolVersion).toBe(3);
    const status = await client.getStatus();
    expect(status).toMatchObject({ protocolVersion: 3 });
    const auth = await client.getAuthStatus();
    expect(auth.isAuthenticated).toBe(false);
    const pid = client.runtimePid!;
    const tree = runtimeTree(pid);
    expect(tree()).toContain(pid);
    // On Linux the runtime stays in the app's process group, as a plain child does (its tree is found from /proc).
    expect(processGroupOf(pid)).toBe(processGroupOf(process.pid));
    const errors = await client.stop();
    expect(errors).toEqual([]);
    expect(isAlive(pid)).toBe(false);
    expect(tree()).toEqual([]);
    expect(states).toEqual(["starting", "connected", "stopping", "stopped"]);
  });

  it.each([
    { own: false, expected: "lost", group: "the app's" },
    { own: true, expected: "alive", group: "its own" },
  ])(
    "Ctrl-C in a REPL-like app (SIGINT to its process group), ownProcessGroup: $own: the runtime, in $group group, is $expected",
    async ({ own, expected }) => {
      const iso = createIsolatedEnvironment();
      cleanups.push(() => iso.cleanup());
      const repo = fileURLToPath(new URL("../../..", import.meta.url));
      // The app gets a process group of its own, as a shell gives each job: the signal below goes to it, not to vitest.
      const app = spawn(process.execPath, ["--import", "tsx", fileURLToPath(new URL("fixtures/ctrl-c-app.ts", import.meta.url))], {
        cwd: repo,
        detached: true,
        stdio: ["ignore", "pipe", "inherit"],
        env: {
          ...process.env,
          FD_APP_RUNTIME: JSON.stringify({ path: runtime.path, args: runtime.args }),
          FD_APP_ENV: JSON.stringify(iso.env),
          FD_APP_CWD: iso.workingDirectory,
          FD_APP_OWN_GROUP: own ? "1" : "0",
        },
      });
      let out = "";
      app.stdout.setEncoding("utf8");
      const line = (pattern: RegExp) =>
        new Promise<RegExpMatchArray>((resolve, reject) => {
          const check = () => {
            const m = out.match(pattern);
            if (m) resolve(m);
          };
          app.stdout.on("data", (chunk: string) => {
            out += chunk;
            check();
          });
          app.once("exit", () => setTimeout(() => reject(new Error(`app exited; it wrote: ${out}`)), 50));
          check();
        });
      const exited = new Promise((resolve) => app.once("exit", resolve));
      cleanups.push(async () => {
        if (app.exitCode === null) process.kill(-app.pid!, "SIGKILL");
        await exited;
      });
      const ready = await line(/ready (\d+)\n/);
      const runtimePid = Number(ready[1]);
      const tree = runtimeTree(runtimePid);
      expect(processGroupOf(runtimePid) === runtimePid).toBe(own);
      process.kill(-app.pid!, "SIGINT");
      await line(/(alive|lost)\n/);
      expect(out.trim().split("\n").at(-1)).toBe(expected);
      await exited;
      expect(tree()).toEqual([]);
    },
  );

  it("auto-starts on first use", async () => {
    const { client, cleanup } = isolatedClient(runtime);
    cleanups.push(cleanup);
    expect(client.state).toBe("idle");
    const [a, b] = await Promise.all([client.ping(), client.ping()]);
    expect(a.protocolVersion).toBe(3);
    expect(b.protocolVersion).toBe(3);
    expect(client.state).toBe("connected");
  });

  it("over TCP with a generated token; a second client attaches with forUri; wrong and missing tokens are refused", async () => {
    const { client, iso, cleanup } = isolatedClient(runtime, { transport: "tcp" });
    cleanups.push(cleanup);
    await client.start();
    const port = client.runtimePort!;
    expect(port).toBeGreaterThan(0);
    expect((await client.ping()).protocolVersion).toBe(3);

    const token = client.connectionToken!;
    const second = new CopilotClient({ connection: RuntimeConnection.forUri(`127.0.0.1:${port}`, { connectionToken: token }), onError: () => {} });
    cleanups.push(async () => void (await second.forceStop()));
    expect((await second.ping()).protocolVersion).toBe(3);
    // Stopping an attached client closes its socket only: the runtime keeps serving the first.
    await second.stop();
    expect((await client.ping()).protocolVersion).toBe(3);

    for (const connectionToken of ["wrong-token", undefined]) {
      const intruder = new CopilotClient({ connection: RuntimeConnection.forUri(String(port), connectionToken ? { connectionToken } : {}), onError: () => {} });
      cleanups.push(async () => void (await intruder.forceStop()));
      const error = await intruder.start().catch((e: unknown) => e);
      expect(error).toBeInstanceOf(AuthenticationFailedError);
      expect((error as Error).message).not.toContain(token);
      expect(intruder.state).toBe("failed");
    }
    void iso;
  });

  it("forUri attaches to a runtime the test started itself", async () => {
    const iso = createIsolatedEnvironment();
    cleanups.push(() => iso.cleanup());
    const child = spawn(runtime.path, [...runtime.args, "--headless", "--no-auto-update", "--no-auto-login", "--port", "0"], {
      env: { ...iso.env, COPILOT_CONNECTION_TOKEN: "test-token-123" },
      cwd: iso.workingDirectory,
      stdio: ["pipe", "pipe", "pipe"],
    });
    cleanups.push(() => void child.kill("SIGKILL"));
    const port = await new Promise<number>((resolve, reject) => {
      let out = "";
      child.stdout.on("data", (d: Buffer) => {
        out += d;
        const m = /listening on port (\d+)/.exec(out);
        if (m) resolve(Number(m[1]));
      });
      child.once("exit", () => reject(new Error(`runtime exited early: ${out}`)));
    });
    const client = new CopilotClient({
      connection: RuntimeConnection.forUri(`tcp://127.0.0.1:${port}`, { connectionToken: "test-token-123" }),
      onError: () => {},
    });
    cleanups.push(async () => void (await client.forceStop()));
    expect((await client.ping()).protocolVersion).toBe(3);
    expect(client.runtimePid).toBeUndefined();
    expect(await client.stop()).toEqual([]);
    // Not ours to stop: the runtime is still alive after the attached client stops.
    expect(isAlive(child.pid!)).toBe(true);
  });
});

describe('mode "empty" through the client', () => {
  it("refuses a session without an explicit tool allowlist, naming the option", async () => {
    const [runtime] = RUNTIMES;
    const iso = createIsolatedEnvironment();
    const client = new CopilotClient({
      connection: RuntimeConnection.forStdio({ path: runtime!.path, args: runtime!.args }),
      env: iso.env,
      workingDirectory: iso.workingDirectory,
      baseDirectory: `${iso.dir}/tenant-a`,
      useLoggedInUser: false,
      mode: "empty",
      onError: () => {},
    });
    cleanups.push(async () => {
      await client.forceStop();
      iso.cleanup();
    });
    const error = await client.createSession({ model: "m" }).catch((e: unknown) => e);
    expect(isSdkError(error, "INVALID_OPTION")).toBe(true);
    expect((error as Error).message).toMatch(/availableTools/);
  });
});
