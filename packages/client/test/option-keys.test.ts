/**
 * Every options object of the client refuses what it does not understand: unknown keys get a
 * did-you-mean (or the replacement of an older SDK's option), wrong types name the option; every
 * key the incumbent `@github/copilot-sdk` accepts is accepted here too, and the ones it added
 * (`builtinPluginDirectories`, `enableRemoteSessions`, `onGitHubTelemetry`) work.
 */
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterEach, describe, expect, it } from "vitest";
import { isSdkError } from "@flightdeck/copilot-core";
import { CopilotClient, RuntimeConnection, type CopilotClientOptions } from "@flightdeck/copilot-client";
import { buildRuntimeLaunch } from "../src/client-options.js";
import { RUNTIMES, isolatedClient } from "../../../test-support/e2e.js";

function optionError(fn: () => unknown): Error & { details?: { option?: string } } {
  try {
    fn();
  } catch (error) {
    expect(isSdkError(error, "INVALID_OPTION"), String(error)).toBe(true);
    return error as Error;
  }
  throw new Error("expected an INVALID_OPTION error");
}

const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0)) await c();
});

describe("unknown option keys are refused with a did-you-mean", () => {
  it("CopilotClient: an older SDK's cliPath names its replacement; typos get the closest key", () => {
    expect(optionError(() => new CopilotClient({ cliPath: "/usr/bin/copilot" } as never)).message).toMatch(
      /unknown option "cliPath".*RuntimeConnection\.forStdio\(\{ path \}\)/,
    );
    expect(optionError(() => new CopilotClient({ cliUrl: "localhost:4321" } as never)).message).toMatch(/forUri/);
    expect(optionError(() => new CopilotClient({ autoRestrat: true } as never)).message).toMatch(/unknown option "autoRestrat"\. Did you mean "autoRestart"\?/);
    expect(optionError(() => new CopilotClient({ githubToken: "x" } as never)).message).toMatch(/Did you mean "gitHubToken"\?/);
    expect(optionError(() => new CopilotClient({ logleve: "info" } as never)).message).toMatch(/Did you mean "logLevel"\?/);
    const far = optionError(() => new CopilotClient({ zzzzqqq: 1 } as never));
    expect(far.message).toMatch(/unknown option "zzzzqqq"\. Known options: connection, mode/);
    expect(far.details?.option).toBe("zzzzqqq");
  });

  it("RuntimeConnection factories", () => {
    expect(optionError(() => RuntimeConnection.forStdio({ cliPath: "/x" } as never)).message).toMatch(
      /forStdio\(\): unknown option "cliPath"\. Did you mean "path"\?/,
    );
    expect(optionError(() => RuntimeConnection.forTcp({ prot: 4000 } as never)).message).toMatch(/forTcp\(\): unknown option "prot"\. Did you mean "port"\?/);
    expect(optionError(() => RuntimeConnection.forUri("4000", { conectionToken: "t" } as never)).message).toMatch(
      /unknown option "conectionToken"\. Did you mean "connectionToken"\?/,
    );
    expect(optionError(() => RuntimeConnection.forStdio("copilot" as never)).message).toMatch(/forStdio\(\).*options object/);
  });

  it("autoRestart's own options", () => {
    expect(optionError(() => new CopilotClient({ autoRestart: { maxAttempt: 3 } as never })).message).toMatch(/autoRestart\.maxAttempt: not an option/);
    expect(optionError(() => new CopilotClient({ autoRestart: { maxAttempts: 0 } })).message).toMatch(/autoRestart\.maxAttempts: 0 is not a whole number ≥ 1/);
    expect(optionError(() => new CopilotClient({ autoRestart: "yes" as never })).message).toMatch(/^autoRestart: must be true, false or/);
  });
});

describe("wrong types are refused, naming the option", () => {
  it.each<[Partial<Record<keyof CopilotClientOptions, unknown>>, RegExp]>([
    [{ useLoggedInUser: "false" }, /^useLoggedInUser: must be true or false, got "false" \(string\)/],
    [{ enableRemoteSessions: 1 }, /^enableRemoteSessions: must be true or false/],
    [{ autoStart: "no" }, /^autoStart: must be true or false/],
    [{ onError: "console" }, /^onError: must be a function/],
    [{ onStderr: 1 }, /^onStderr: must be a function/],
    [{ onGitHubTelemetry: {} }, /^onGitHubTelemetry: must be a function/],
    [{ requestTimeoutMs: -1 }, /^requestTimeoutMs: -1 is not a duration/],
    [{ builtinPluginDirectories: "plugins" }, /^builtinPluginDirectories: must be an array/],
    [{ builtinPluginDirectories: ["relative/dir"] }, /^builtinPluginDirectories: must contain only absolute paths/],
  ])("%j", (options, message) => {
    expect(optionError(() => new CopilotClient(options as CopilotClientOptions)).message).toMatch(message);
  });

  it("a workingDirectory that does not exist names workingDirectory, at construction", () => {
    const missing = join(tmpdir(), "fd-no-such-dir-for-sure", "x");
    const error = optionError(() => new CopilotClient({ workingDirectory: missing }));
    expect(error.message).toMatch(/^workingDirectory: ".*" does not exist or is not a folder/);
    expect(error.details?.option).toBe("workingDirectory");
  });

  it("a workingDirectory removed after construction is still reported as workingDirectory, not a missing runtime", async () => {
    const dir = mkdtempSync(join(tmpdir(), "fd-wd-"));
    const { client, cleanup } = isolatedClient(RUNTIMES[0]!, { workingDirectory: dir });
    cleanups.push(cleanup);
    rmSync(dir, { recursive: true, force: true });
    const error = await client.start().catch((e: unknown) => e);
    expect(isSdkError(error, "INVALID_OPTION")).toBe(true);
    expect((error as Error).message).toMatch(/^workingDirectory: .* does not exist/);
  });
});

describe("the incumbent's options", () => {
  const incumbentTypes = fileURLToPath(new URL("../../../bench/node_modules/@github/copilot-sdk/dist/types.d.ts", import.meta.url));

  it("every key of @github/copilot-sdk's CopilotClientOptions is accepted", () => {
    const source = readFileSync(incumbentTypes, "utf8");
    const body = /export interface CopilotClientOptions \{([\s\S]*?)\n\}/.exec(source)?.[1] ?? "";
    const keys = [...body.matchAll(/^ {4}(\w+)\??:/gm)].map((m) => m[1]!);
    expect(keys.length).toBeGreaterThanOrEqual(18);
    expect(keys).toEqual(expect.arrayContaining(["onGitHubTelemetry", "builtinPluginDirectories", "enableRemoteSessions", "connection"]));
    for (const key of keys) expect(() => new CopilotClient({ [key]: undefined } as CopilotClientOptions), key).not.toThrow();
  });

  it("enableRemoteSessions lowers to --remote", () => {
    expect(buildRuntimeLaunch({ enableRemoteSessions: true }, RuntimeConnection.forStdio()).args).toContain("--remote");
    expect(buildRuntimeLaunch({}, RuntimeConnection.forStdio()).args).not.toContain("--remote");
  });

  it.each(RUNTIMES.map((r) => [r.name, r] as const))(
    "on %s: onGitHubTelemetry and builtinPluginDirectories are accepted by the runtime at start",
    async (_name, runtime) => {
      const plugins = mkdtempSync(join(tmpdir(), "fd-plugins-"));
      cleanups.push(() => rmSync(plugins, { recursive: true, force: true }));
      const { client, cleanup } = isolatedClient(runtime, { onGitHubTelemetry: () => {}, builtinPluginDirectories: [plugins] });
      cleanups.push(cleanup);
      await client.start();
      expect((await client.ping()).protocolVersion).toBe(3);
    },
  );
});
