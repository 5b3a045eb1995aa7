import { existsSync, readdirSync, readFileSync, rmSync, statSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import {
  TestingError,
  createIsolatedEnvironment,
  resolveTestRuntimes,
  runtimeArgs,
  sharedPackageCacheDir,
  type IsolatedEnvironment,
} from "@flightdeck/copilot-testing";

const made: IsolatedEnvironment[] = [];
afterEach(() => {
  for (const iso of made.splice(0)) iso.cleanup();
});
function create(options?: Parameters<typeof createIsolatedEnvironment>[0]): IsolatedEnvironment {
  const iso = createIsolatedEnvironment(options);
  made.push(iso);
  return iso;
}

describe("createIsolatedEnvironment", () => {
  it("builds an explicit env of its own folders, PATH, NO_PROXY and the shared package cache", () => {
    process.env["FLIGHTDECK_TEST_LEAK"] = "must-not-leak";
    try {
      const iso = create();
      expect(Object.keys(iso.env).sort()).toEqual(
        [
          "COPILOT_HOME",
          "COPILOT_PKG_CACHE_HOME",
          "HOME",
          "NO_PROXY",
          "PATH",
          "TEMP",
          "TMP",
          "TMPDIR",
          "USERPROFILE",
          "XDG_CACHE_HOME",
          "XDG_CONFIG_HOME",
          "XDG_DATA_HOME",
          "XDG_STATE_HOME",
          "no_proxy",
        ].sort(),
      );
      expect(Object.values(iso.env)).not.toContain("must-not-leak");
      expect(iso.env["PATH"]).toBe(process.env["PATH"]);
      expect(iso.env["NO_PROXY"]).toBe("127.0.0.1,localhost");
      expect(iso.env["no_proxy"]).toBe("127.0.0.1,localhost");
      for (const key of ["HOME", "COPILOT_HOME", "TMPDIR", "XDG_CONFIG_HOME", "XDG_STATE_HOME", "XDG_DATA_HOME", "XDG_CACHE_HOME"]) {
        expect(iso.env[key]!.startsWith(iso.dir + "/"), key).toBe(true);
        expect(statSync(iso.env[key]!).isDirectory(), key).toBe(true);
      }
      expect(
        new Set(["HOME", "COPILOT_HOME", "TMPDIR", "XDG_CONFIG_HOME", "XDG_STATE_HOME", "XDG_DATA_HOME", "XDG_CACHE_HOME"].map((k) => iso.env[k])).size,
      ).toBe(7);
      expect(iso.workingDirectory.startsWith(iso.dir + "/")).toBe(true);
      expect(readdirSync(iso.workingDirectory)).toEqual([]);
      expect(iso.env["COPILOT_PKG_CACHE_HOME"]).toBe(sharedPackageCacheDir());
    } finally {
      delete process.env["FLIGHTDECK_TEST_LEAK"];
    }
  });
  it("keeps the package cache in the temp dir, or where FLIGHTDECK_PKG_CACHE_DIR says", () => {
    const saved = process.env["FLIGHTDECK_PKG_CACHE_DIR"];
    try {
      delete process.env["FLIGHTDECK_PKG_CACHE_DIR"];
      expect(sharedPackageCacheDir()).toBe(join(tmpdir(), "flightdeck-copilot-pkg-cache"));
      process.env["FLIGHTDECK_PKG_CACHE_DIR"] = join(tmpdir(), "elsewhere");
      expect(sharedPackageCacheDir()).toBe(join(tmpdir(), "elsewhere"));
    } finally {
      if (saved === undefined) delete process.env["FLIGHTDECK_PKG_CACHE_DIR"];
      else process.env["FLIGHTDECK_PKG_CACHE_DIR"] = saved;
    }
  });

  it("gives each environment its own folders but the same package cache", () => {
    const a = create();
    const b = create();
    expect(a.dir).not.toBe(b.dir);
    expect(a.env["HOME"]).not.toBe(b.env["HOME"]);
    expect(a.env["COPILOT_PKG_CACHE_HOME"]).toBe(b.env["COPILOT_PKG_CACHE_HOME"]);
  });

  it("cleanup() deletes the folder (idempotently) unless keep is set", () => {
    const gone = createIsolatedEnvironment();
    gone.cleanup();
    gone.cleanup();
    expect(existsSync(gone.dir)).toBe(false);
    const kept = createIsolatedEnvironment({ keep: true });
    kept.cleanup();
    expect(existsSync(kept.dir)).toBe(true);
    rmSync(kept.dir, { recursive: true, force: true });
  });

  it("adds extraEnv but refuses to let it override the isolation", () => {
    const iso = create({ extraEnv: { OTEL_SDK_DISABLED: "true" } });
    expect(iso.env["OTEL_SDK_DISABLED"]).toBe("true");
    expect(() => createIsolatedEnvironment({ extraEnv: { HOME: "/somewhere/else" } })).toThrow(/extraEnv\.HOME would break the isolation/);
  });
});

describe("runtimes", () => {
  it("resolves both pinned runtimes from the workspace install", () => {
    const runtimes = resolveTestRuntimes();
    // Versions from the runtimes themselves: the SDK runtime's is the one the schemas name (protocol.lock.json).
    const lock = JSON.parse(readFileSync(new URL("../../../schemas/protocol.lock.json", import.meta.url), "utf8")) as { runtimeVersion: string };
    const cli = JSON.parse(readFileSync(createRequire(import.meta.url).resolve("@github/copilot/package.json"), "utf8")) as { version: string };
    // The in-process cell (FLIGHTDECK_TEST_CONNECTION=inprocess) keeps only the runtime with a library to load.
    const inProcess = process.env.FLIGHTDECK_TEST_CONNECTION === "inprocess";
    expect(runtimes.map((r) => [r.name, r.kind, r.matchesSchemas])).toEqual(
      inProcess
        ? [[`copilot-runtime ${lock.runtimeVersion} in-process`, "copilot-runtime", true]]
        : [
            [`copilot-runtime ${lock.runtimeVersion}`, "copilot-runtime", true],
            [`copilot ${cli.version}`, "cli", cli.version === lock.runtimeVersion],
          ],
    );
    expect(statSync(runtimes[0]!.inProcessLibrary!).isFile()).toBe(true);
    if (!inProcess) expect(runtimes[1]!.inProcessLibrary).toBeUndefined();
    for (const runtime of runtimes) {
      expect(statSync(runtime.path).isFile(), runtime.path).toBe(true);
      expect(statSync(runtime.path).mode & 0o111, runtime.path).not.toBe(0);
    }
  });

  it("runtimeArgs builds headless, no-update, no-login argv for stdio or a port", () => {
    expect(runtimeArgs()).toEqual(["--headless", "--no-auto-update", "--no-auto-login", "--stdio"]);
    expect(runtimeArgs({ logLevel: "debug", stdio: true })).toEqual(["--headless", "--no-auto-update", "--no-auto-login", "--log-level", "debug", "--stdio"]);
    expect(runtimeArgs({ port: 4321, sessionIdleTimeoutSeconds: 60 })).toEqual([
      "--headless",
      "--no-auto-update",
      "--no-auto-login",
      "--session-idle-timeout",
      "60",
      "--port",
      "4321",
    ]);
    expect(runtimeArgs({ port: 0 })).toEqual(["--headless", "--no-auto-update", "--no-auto-login"]);
    expect(() => runtimeArgs({ stdio: true, port: 1 })).toThrow(TestingError);
    expect(() => runtimeArgs({ port: 70000 })).toThrow(/port must be an integer 0-65535/);
  });
});
