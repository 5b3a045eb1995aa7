import { chmodSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { isSdkError } from "@flightdeck/copilot-core";
import { CopilotClient, RuntimeConnection, SUPPORTED_PROTOCOL_VERSIONS, checkProtocolVersion, resolveRuntime } from "@flightdeck/copilot-client";
import { buildRuntimeLaunch } from "../src/client-options.js";

function expectOptionError(fn: () => unknown, option: RegExp) {
  try {
    fn();
  } catch (error) {
    expect(isSdkError(error, "INVALID_OPTION")).toBe(true);
    expect((error as Error).message).toMatch(option);
    return;
  }
  throw new Error("expected an INVALID_OPTION error");
}

describe("bad options fail at construction, naming the option", () => {
  it("TCP port out of range", () => {
    expectOptionError(() => RuntimeConnection.forTcp({ port: 70000 }), /forTcp\(\{ port \}\).*0 to 65535/);
    expectOptionError(() => RuntimeConnection.forTcp({ port: -1 }), /port/);
    expectOptionError(() => RuntimeConnection.forTcp({ port: 1.5 }), /port/);
  });
  it("forUri with gitHubToken or useLoggedInUser throws, in @github/copilot-sdk's words", () => {
    expectOptionError(
      () => new CopilotClient({ connection: RuntimeConnection.forUri("127.0.0.1:4000"), gitHubToken: "ghp_x" }),
      /^gitHubToken: gitHubToken and useLoggedInUser cannot be used with RuntimeConnection.forUri/,
    );
    expectOptionError(
      () => new CopilotClient({ connection: RuntimeConnection.forUri("127.0.0.1:4000"), useLoggedInUser: false }),
      /^useLoggedInUser: .*external server manages its own auth/,
    );
  });
  it("forUri with process options (env, baseDirectory, …) warns once through the debug log and onError, and does not throw", () => {
    const errors: unknown[] = [];
    const lines: string[] = [];
    const client = new CopilotClient({
      connection: RuntimeConnection.forUri("4000"),
      env: { A: "1" },
      baseDirectory: "/srv/copilot",
      onError: (e) => errors.push(e),
      debug: (line) => lines.push(line),
    });
    expect(client.state).toBe("idle");
    expect(errors.map((e) => (isSdkError(e, "INVALID_OPTION") ? (e as Error).message : String(e)))).toEqual([
      expect.stringMatching(/^baseDirectory: is ignored with RuntimeConnection.forUri\(\)/),
      expect.stringMatching(/^env: is ignored with RuntimeConnection.forUri\(\)/),
    ]);
    expect(lines.filter((l) => l.includes("client: warning:"))).toHaveLength(2);
  });
  it("an empty connection token", () => {
    expectOptionError(() => RuntimeConnection.forTcp({ connectionToken: "" }), /connectionToken.*empty/);
    expectOptionError(() => RuntimeConnection.forUri("127.0.0.1:1", { connectionToken: "  " }), /connectionToken.*empty/);
  });
  it("ownProcessGroup takes true or false, on forStdio and forTcp", () => {
    expectOptionError(
      () => RuntimeConnection.forStdio({ ownProcessGroup: "yes" as unknown as boolean }),
      /forStdio\(\{ ownProcessGroup \}\).*true or false.*"yes"/,
    );
    expectOptionError(() => RuntimeConnection.forTcp({ ownProcessGroup: 1 as unknown as boolean }), /forTcp\(\{ ownProcessGroup \}\).*true or false/);
    expect(RuntimeConnection.forStdio({ ownProcessGroup: true })).toEqual({ kind: "stdio", ownProcessGroup: true });
    expect(RuntimeConnection.forTcp({ ownProcessGroup: false })).toMatchObject({ kind: "tcp", ownProcessGroup: false });
    expect(RuntimeConnection.forStdio()).toEqual({ kind: "stdio" });
  });
  it("a runtime path that is not executable, or missing", () => {
    const dir = mkdtempSync(join(tmpdir(), "fd-client-"));
    try {
      const file = join(dir, "runtime");
      writeFileSync(file, "#!/bin/sh\n");
      chmodSync(file, 0o644);
      expectOptionError(
        () => new CopilotClient({ connection: RuntimeConnection.forStdio({ path: file }) }),
        /forStdio\(\{ path \}\).*not executable.*chmod \+x/,
      );
      expectOptionError(() => new CopilotClient({ connection: RuntimeConnection.forStdio({ path: join(dir, "nope") }) }), /no file at/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
  it("bad URIs, log levels, timeouts", () => {
    expectOptionError(() => RuntimeConnection.forUri("ftp://x:1"), /scheme/);
    expectOptionError(() => RuntimeConnection.forUri("localhost"), /^RuntimeConnection.forUri\(url\): Invalid runtime URI "localhost": the port is missing/);
    expectOptionError(() => RuntimeConnection.forUri(""), /empty/);
    expectOptionError(() => new CopilotClient({ logLevel: "loud" as never }), /^logLevel/);
    expectOptionError(() => new CopilotClient({ sessionIdleTimeoutSeconds: -5 }), /^sessionIdleTimeoutSeconds/);
    expectOptionError(() => new CopilotClient({ stopGraceMs: Number.NaN }), /^stopGraceMs/);
  });
  it('mode: "empty" needs per-client storage, and an unknown mode is refused', () => {
    expectOptionError(() => new CopilotClient({ mode: "empty" }), /^mode: "empty" needs per-client session storage.*baseDirectory.*sessionFs/);
    expectOptionError(() => new CopilotClient({ mode: "multi" as never }), /^mode: "multi" is not a mode/);
    expect(new CopilotClient({ mode: "empty", baseDirectory: "/projects/tenant-a" }).state).toBe("idle");
  });
  it("accepts the URI forms the runtime prints", () => {
    expect(RuntimeConnection.forUri("4321")).toMatchObject({ host: "127.0.0.1", port: 4321 });
    expect(RuntimeConnection.forUri("localhost:4321")).toMatchObject({ host: "localhost", port: 4321 });
    expect(RuntimeConnection.forUri("http://127.0.0.1:4321")).toMatchObject({ host: "127.0.0.1", port: 4321 });
    expect(RuntimeConnection.forUri("tcp://[::1]:4321")).toMatchObject({ host: "::1", port: 4321 });
  });
});

describe("argv and env", () => {
  it("puts the GitHub token in the env only, never in argv", () => {
    const launch = buildRuntimeLaunch({ gitHubToken: "ghp_secret123", env: { PATH: "/bin" } }, RuntimeConnection.forStdio());
    expect(launch.env.PATH).toBe("/bin");
    expect(launch.args.join(" ")).not.toContain("ghp_secret123");
    expect(launch.args).toEqual(["--headless", "--no-auto-update", "--stdio", "--auth-token-env", "COPILOT_SDK_AUTH_TOKEN", "--no-auto-login"]);
    expect(launch.env.COPILOT_SDK_AUTH_TOKEN).toBe("ghp_secret123");
  });
  it("generates a TCP connection token when none is given, and keeps a given one", () => {
    const a = buildRuntimeLaunch({ env: {} }, RuntimeConnection.forTcp());
    const b = buildRuntimeLaunch({ env: {} }, RuntimeConnection.forTcp());
    expect(a.connectionToken).toMatch(/^[0-9a-f-]{36}$/);
    expect(a.connectionToken).not.toBe(b.connectionToken);
    expect(a.env.COPILOT_CONNECTION_TOKEN).toBe(a.connectionToken);
    expect(a.args).toContain("--port");
    const c = buildRuntimeLaunch({ env: {} }, RuntimeConnection.forTcp({ connectionToken: "given", port: 4555 }));
    expect(c.env.COPILOT_CONNECTION_TOKEN).toBe("given");
    expect(c.args).toEqual(expect.arrayContaining(["--port", "4555"]));
  });
  it("maps baseDirectory, logLevel, sessionIdleTimeoutSeconds, useLoggedInUser", () => {
    const launch = buildRuntimeLaunch(
      { env: { A: "1", NODE_OPTIONS: "--inspect" }, baseDirectory: "/data/copilot", logLevel: "debug", sessionIdleTimeoutSeconds: 60, useLoggedInUser: true },
      RuntimeConnection.forStdio({ env: { B: "2", A: undefined } }),
    );
    expect(launch.args).toEqual(["--headless", "--no-auto-update", "--log-level", "debug", "--stdio", "--session-idle-timeout", "60"]);
    expect(launch.env).toEqual({ B: "2", COPILOT_HOME: "/data/copilot" });
  });
});

describe("runtime resolution", () => {
  it("finds the pinned SDK runtime package from the workspace", () => {
    const found = resolveRuntime({ env: { PATH: "" } });
    expect(found.source).toBe("@github/copilot-sdk");
    expect(found.path).toMatch(/copilot-sdk-linux-x64.*copilot-runtime$/);
  });
  it("prefers COPILOT_CLI_PATH over installed packages, and checks it", () => {
    const dir = mkdtempSync(join(tmpdir(), "fd-client-"));
    try {
      const exe = join(dir, "copilot");
      writeFileSync(exe, "#!/bin/sh\n");
      chmodSync(exe, 0o755);
      expect(resolveRuntime({ env: { COPILOT_CLI_PATH: exe } })).toMatchObject({ source: "COPILOT_CLI_PATH", path: exe });
      expectOptionError(() => resolveRuntime({ env: { COPILOT_CLI_PATH: join(dir, "missing") } }), /^COPILOT_CLI_PATH/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
  it("falls back to @github/copilot's platform binary, then PATH, and lists what it tried", () => {
    const cli = resolveRuntime({ env: { PATH: "" }, sources: ["@github/copilot", "PATH"] });
    expect(cli.source).toBe("@github/copilot");
    expect(cli.path).toMatch(/copilot-linux-x64\/copilot$/);
    const empty = mkdtempSync(join(tmpdir(), "fd-empty-"));
    try {
      // (pnpm puts its store on NODE_PATH for scripts, so packages stay findable from anywhere: search PATH only.)
      resolveRuntime({ env: { PATH: empty }, searchFrom: [empty], sources: ["PATH"] });
      throw new Error("expected RUNTIME_NOT_FOUND");
    } catch (error) {
      expect(isSdkError(error, "RUNTIME_NOT_FOUND")).toBe(true);
      expect((error as Error).message).toMatch(
        /Tried: .*connection.path.*COPILOT_CLI_PATH.*`copilot` on PATH.*npm install @github\/copilot-sdk-.*npm install @github\/copilot/,
      );
    } finally {
      rmSync(empty, { recursive: true, force: true });
    }
  });
});

describe("protocol range", () => {
  it("accepts the supported range and names both versions and the side to update otherwise", () => {
    expect(checkProtocolVersion(SUPPORTED_PROTOCOL_VERSIONS.max, "1.0.85")).toBe(3);
    expect(() => checkProtocolVersion(2, "0.9.0")).toThrow(/runtime 0.9.0 speaks protocol 2.*needs protocol 3.*Update the runtime/);
    expect(() => checkProtocolVersion(4, "2.0.0")).toThrow(/speaks protocol 4, newer than this SDK supports \(3–3\)\. Update @flightdeck\/copilot-sdk/);
  });
});
