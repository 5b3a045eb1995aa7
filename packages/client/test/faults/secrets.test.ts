/**
 * Secrets never leak, by value or by name. Distinct secrets are planted in every slot the SDK is
 * given (GitHub token, provider API key and bearer token, every provider header, MCP server
 * headers and env entries, a password inside a URL) and in the runtime's stderr (`apikey=…`,
 * `Authorization: Basic …`); then every output channel is grepped: the debug log, onStderr,
 * onError, console warnings, and every thrown error's message, stack, details and causes.
 */
import { randomBytes } from "node:crypto";
import { afterEach, describe, expect, it, vi } from "vitest";
import { FlightdeckError, RpcError, SdkError } from "@flightdeck/copilot-core";
import { CopilotClient, RuntimeConnection } from "@flightdeck/copilot-client";
import { approveAll } from "@flightdeck/copilot-sdk";
import { createIsolatedEnvironment, resolveTestRuntimes, startScriptedModel } from "@flightdeck/copilot-testing";
import { FAKE } from "./fault-helpers.js";

const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
  vi.restoreAllMocks();
});

const planted = (label: string) => `${label}${randomBytes(9).toString("hex")}`;

function secretsFor() {
  return {
    gitHubToken: planted("ghp_plantedGithubTok"),
    apiKey: planted("planted-provider-key-"),
    bearerToken: planted("planted-bearer-"),
    customAuth: planted("planted-x-custom-auth-"),
    subscriptionKey: planted("planted-ocp-apim-"),
    mcpHeader: planted("planted-mcp-header-"),
    mcpEnv: planted("planted-mcp-env-"),
    dbPassword: planted("plantedDbPass"),
    stderrApiKey: planted("plantedStderrKey"),
    stderrBasic: Buffer.from(`user:${planted("pw")}`).toString("base64"),
  };
}

/** Everything an error carries, its cause chain included. */
function dumpError(error: unknown, depth = 0): string {
  if (depth > 10 || error === null || error === undefined) return "";
  if (typeof error !== "object") return String(error);
  const e = error as Error & { details?: unknown; data?: unknown; rpcMessage?: unknown };
  const parts = [e.message, e.stack, JSON.stringify(e.details ?? null), JSON.stringify(e.data ?? null), String(e.rpcMessage ?? "")];
  try {
    parts.push(JSON.stringify(error));
  } catch {
    // cycles
  }
  return parts.join("\n") + "\n" + dumpError(e.cause, depth + 1);
}

function expectClean(channel: string, text: string, secrets: Record<string, string>): void {
  for (const [slot, value] of Object.entries(secrets)) {
    expect(text.includes(value), `${slot} leaked into ${channel}`).toBe(false);
  }
}

describe("secrets never leak", () => {
  it.each(resolveTestRuntimes().map((r) => [r.name, r] as const))(
    "on %s: a turn, a failing MCP server and a bad request, with every slot planted",
    async (_name, runtime) => {
      const s = secretsFor();
      const model = await startScriptedModel({ script: [{ text: "hello" }, { text: "again" }] });
      cleanups.push(() => model.close());
      const iso = createIsolatedEnvironment();
      cleanups.push(() => iso.cleanup());
      const debug: string[] = [];
      const stderr: string[] = [];
      const reported: unknown[] = [];
      const warned: string[] = [];
      vi.spyOn(console, "warn").mockImplementation((...args: unknown[]) => void warned.push(args.map(String).join(" ")));
      const client = new CopilotClient({
        connection: RuntimeConnection.forStdio({ path: runtime.path, args: runtime.args }),
        env: iso.env,
        workingDirectory: iso.workingDirectory,
        gitHubToken: s.gitHubToken,
        useLoggedInUser: false,
        logLevel: "all",
        debug: (line) => debug.push(line),
        onStderr: (line) => stderr.push(line),
        onError: (e) => reported.push(e),
      });
      cleanups.push(async () => void (await client.forceStop()));
      const provider = { ...model.provider(), apiKey: s.apiKey, headers: { "X-Custom-Auth": s.customAuth, "Ocp-Apim-Subscription-Key": s.subscriptionKey } };
      const mcpServers = {
        db: {
          type: "stdio",
          command: "/nonexistent/mcp-server",
          args: [],
          env: { DATABASE_URL: `postgres://app:${s.dbPassword}@127.0.0.1:1/db`, MCP_TOKEN: s.mcpEnv },
          tools: ["*"],
        },
        web: { type: "http", url: "http://127.0.0.1:1/mcp", headers: { "X-Api-Token": s.mcpHeader }, tools: ["*"] },
      };
      const thrown: unknown[] = [];
      const session = await client.createSession({ model: "gpt-4.1", provider, mcpServers, onPermissionRequest: approveAll } as Parameters<
        CopilotClient["createSession"]
      >[0]);
      await session.sendAndWait("hi", { timeoutMs: 20_000 }).catch((e: unknown) => thrown.push(e));
      // A second session with a bearer token instead of a key.
      const bearer = await client.createSession({
        model: "gpt-4.1",
        provider: { ...model.provider(), bearerToken: s.bearerToken },
        onPermissionRequest: approveAll,
      });
      await bearer.sendAndWait("hi", { timeoutMs: 20_000 }).catch((e: unknown) => thrown.push(e));
      // A request the runtime refuses, carrying secrets in its params.
      await client.rpc.session.list({ filter: { repository: s.dbPassword } } as never).catch((e: unknown) => thrown.push(e));
      await client.stop();

      expect(debug.length).toBeGreaterThan(10);
      expectClean("the debug log", debug.join("\n"), s);
      expectClean("onStderr", stderr.join("\n"), s);
      expectClean("onError", reported.map((e) => dumpError(e)).join("\n"), s);
      expectClean("console.warn", warned.join("\n"), s);
      expectClean("thrown errors", thrown.map((e) => dumpError(e)).join("\n"), s);
      // The frames did carry the values (masked): the test looks where the secrets would be.
      expect(debug.join("\n")).toContain("X-Custom-Auth");
    },
    60_000,
  );

  it("credential patterns in the runtime's stderr and secrets echoed back in wire errors are masked in every channel", async () => {
    const s = secretsFor();
    const debug: string[] = [];
    const stderr: string[] = [];
    const reported: unknown[] = [];
    const iso = createIsolatedEnvironment();
    cleanups.push(() => iso.cleanup());
    const client = new CopilotClient({
      connection: RuntimeConnection.forStdio({ path: FAKE.path }),
      env: {
        ...iso.env,
        FAKE_ECHO_ERRORS: "1",
        FAKE_STDERR: `loading provider apikey=${s.stderrApiKey} from config\nGET /v1/models Authorization: Basic ${s.stderrBasic}\nconnecting to postgres://app:${s.dbPassword}@db/x`,
        FAKE_CRASH_ON: "status.get",
      },
      gitHubToken: s.gitHubToken,
      debug: (line) => debug.push(line),
      onStderr: (line) => stderr.push(line),
      onError: (e) => reported.push(e),
    });
    cleanups.push(async () => void (await client.forceStop()));
    await client.start();
    const session = await client.createSession({
      model: "gpt-4.1",
      provider: {
        type: "openai",
        baseUrl: "http://127.0.0.1:1/v1",
        apiKey: s.apiKey,
        headers: { "X-Custom-Auth": s.customAuth, "Ocp-Apim-Subscription-Key": s.subscriptionKey },
      },
      mcpServers: {
        db: { type: "stdio", command: "mcp", args: [], env: { DATABASE_URL: `postgres://app:${s.dbPassword}@db/x`, MCP_TOKEN: s.mcpEnv }, tools: ["*"] },
      },
      onPermissionRequest: approveAll,
    } as Parameters<CopilotClient["createSession"]>[0]);
    const thrown: unknown[] = [];
    // The fake echoes these params back in its error message and data.
    for (const params of [
      { note: `key ${s.apiKey}`, header: s.customAuth },
      { url: `postgres://app:${s.dbPassword}@db/x`, sub: s.subscriptionKey, env: s.mcpEnv, token: s.gitHubToken },
    ]) {
      await client.rpc.models.list(params as never).catch((e: unknown) => thrown.push(e));
    }
    // And a crash: its errors carry the stderr tail.
    await client.getStatus().catch((e: unknown) => thrown.push(e));
    await new Promise((r) => setTimeout(r, 50));
    await client.ping().catch((e: unknown) => thrown.push(e));
    await session.disconnect();
    expect(thrown.length).toBe(4);
    expect(thrown.slice(0, 2).every((e) => e instanceof RpcError)).toBe(true);
    expect(dumpError(thrown[3])).toMatch(/stderr/i);
    // The wire error did echo the secrets: they were masked, not absent.
    expect(String((thrown[0] as Error).message)).toContain("[REDACTED]");
    expect(stderr.join("\n")).toContain("apikey=[REDACTED]");
    expect(stderr.join("\n")).toMatch(/Authorization: Basic \[REDACTED\]/);
    expectClean("the debug log", debug.join("\n"), s);
    expectClean("onStderr", stderr.join("\n"), s);
    expectClean("onError", reported.map((e) => dumpError(e)).join("\n"), s);
    expectClean("thrown errors", thrown.map((e) => dumpError(e)).join("\n"), s);
  });

  it("errors mask registered values in message, details and a foreign cause", () => {
    const s = secretsFor();
    const client = new CopilotClient({ gitHubToken: s.gitHubToken, env: { MY_SERVICE_PASSWORD: s.dbPassword, PATH: "/usr/bin" }, onError: () => {} });
    void client;
    const cause = new Error(`upstream said ${s.dbPassword}`, { cause: new Error(`token ${s.gitHubToken}`) });
    const error = new SdkError("CONNECT_FAILED", `failed with ${s.dbPassword}`, {
      cause,
      details: { note: s.gitHubToken, nested: { v: `x ${s.dbPassword} y` } },
    });
    expect(error).toBeInstanceOf(FlightdeckError);
    expectClean("SdkError", dumpError(error), s);
    expect(error.message).toBe("failed with [REDACTED]");
    // Non-secret env values are not masked (PATH stays readable).
    expect(new SdkError("VALIDATION", "path is /usr/bin").message).toBe("path is /usr/bin");
  });
});
