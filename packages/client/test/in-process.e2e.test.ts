/**
 * End to end with the runtime hosted in this process (`RuntimeConnection.forInProcess()`, runtime
 * 1.0.85's library from `@github/copilot-sdk-linux-x64`), offline with the scripted model: a full
 * turn, every client option that applies to a spawned runtime applied in process (env,
 * baseDirectory, workingDirectory, telemetry, gitHubToken), two runtimes side by side, nothing
 * left running after stop(), and the typed errors for a missing library. Runs in both test cells.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { isSdkError } from "@flightdeck/copilot-core";
import { createIsolatedEnvironment, resolveTestRuntimes, startScriptedModel, toolResults } from "@flightdeck/copilot-testing";
import { approveAll, defineTool } from "@flightdeck/copilot-tools";
import { CopilotClient, RuntimeConnection, type CopilotClientOptions } from "@flightdeck/copilot-client";
import { resolveRuntimeLibrary } from "../src/in-process-runtime.js";

const runtime = resolveTestRuntimes()[0]!;
const libraryPath = runtime.inProcessLibrary!;
const cleanups: Array<() => Promise<unknown> | unknown> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

function inProcessClient(options: Partial<CopilotClientOptions> = {}) {
  const iso = createIsolatedEnvironment();
  const errors: unknown[] = [];
  const client = new CopilotClient({
    connection: RuntimeConnection.forInProcess({ libraryPath }),
    env: iso.env,
    workingDirectory: iso.workingDirectory,
    useLoggedInUser: false,
    onError: (e) => errors.push(e),
    ...options,
  });
  cleanups.push(async () => {
    await client.forceStop();
    iso.cleanup();
  });
  return { client, iso, errors };
}

const timers = () => process.getActiveResourcesInfo().filter((r) => r === "Timeout").length;

describe("RuntimeConnection.forInProcess()", { timeout: 60_000 }, () => {
  it("handshakes, answers ping, runs a turn with a tool, and stop() leaves nothing running in the process", async () => {
    const model = await startScriptedModel({
      script: [{ toolCalls: [{ name: "add", arguments: { a: 2, b: 3 } }] }, (req) => ({ text: `sum is ${toolResults(req).at(-1)?.content}` })],
    });
    cleanups.push(() => model.close());
    const timersBefore = timers();
    const { client, errors } = inProcessClient({ stopGraceMs: 60_000 });
    const states: string[] = [];
    client.onStateChange((s) => states.push(s));
    await client.start();
    expect(client.protocolVersion).toBe(3);
    expect(client.runtimeVersion).toBe("1.0.85");
    expect(client.runtimePid).toBeUndefined(); // no child process
    expect((await client.ping("hi")).protocolVersion).toBe(3);
    const add = defineTool("add", {
      description: "Adds two numbers",
      parameters: { type: "object", properties: { a: { type: "number" }, b: { type: "number" } }, required: ["a", "b"] },
      handler: ({ a, b }: { a: number; b: number }) => String(a + b),
    });
    const session = await client.createSession({ model: "gpt-4.1", provider: model.provider(), tools: [add], onPermissionRequest: approveAll });
    expect((await session.sendAndWait("2+3?", { timeoutMs: 30_000 }))?.data.content).toBe("sum is 5");
    model.assertDone();

    expect(await client.stop()).toEqual([]);
    expect(states).toEqual(["starting", "connected", "stopping", "stopped"]);
    // The host's keep-alive timer is gone: an in-process client does not hold the process open after stop().
    expect(timers()).toBeLessThanOrEqual(timersBefore);
    expect(errors).toEqual([]);
    // And it starts again in the same process.
    await client.start();
    expect((await client.ping()).protocolVersion).toBe(3);
  });

  it("applies baseDirectory and workingDirectory: session state under baseDirectory, the session's cwd is workingDirectory; process.env is untouched", async () => {
    const homeBefore = process.env.COPILOT_HOME;
    const cwdBefore = process.cwd();
    const iso = createIsolatedEnvironment();
    cleanups.push(() => iso.cleanup());
    const baseDirectory = join(iso.dir, "state");
    const { client } = inProcessClient({ baseDirectory, workingDirectory: iso.workingDirectory });
    const session = await client.createSession({ model: "gpt-4.1" });
    expect(session.workspacePath?.startsWith(join(baseDirectory, "session-state"))).toBe(true);
    const start = (await session.getEvents()).find((e) => e.type === "session.start") as { data: { context?: { cwd?: string } } } | undefined;
    expect(start?.data.context?.cwd).toBe(iso.workingDirectory);
    // A session's own workingDirectory still wins over the client's.
    const other = await client.createSession({ model: "gpt-4.1", workingDirectory: iso.dir });
    const otherStart = (await other.getEvents()).find((e) => e.type === "session.start") as { data: { context?: { cwd?: string } } } | undefined;
    expect(otherStart?.data.context?.cwd).toBe(iso.dir);
    expect(process.env.COPILOT_HOME).toBe(homeBefore);
    expect(process.cwd()).toBe(cwdBefore);
  });

  it("applies env: COPILOT_HOME from the client's env decides where state goes; two in-process runtimes keep separate state", async () => {
    const a = inProcessClient();
    const b = inProcessClient();
    const [sa, sb] = await Promise.all([a.client.createSession({ model: "gpt-4.1" }), b.client.createSession({ model: "gpt-4.1" })]);
    expect(sa.workspacePath?.startsWith(a.iso.env.COPILOT_HOME!)).toBe(true);
    expect(sb.workspacePath?.startsWith(b.iso.env.COPILOT_HOME!)).toBe(true);
    expect(a.iso.env.COPILOT_HOME).not.toBe(b.iso.env.COPILOT_HOME);
    expect(existsSync(sa.workspacePath!)).toBe(true);
    const aSessions = (await a.client.rpc.session.list({})) as { sessions: unknown[] };
    expect(Array.isArray(aSessions.sessions)).toBe(true);
  });

  it("applies telemetry: the runtime's file exporter writes the turn's spans", async () => {
    const dir = mkdtempSync(join(tmpdir(), "flightdeck-inproc-otel-"));
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
    const filePath = join(dir, "spans.jsonl");
    const model = await startScriptedModel({ script: [{ text: "traced" }] });
    cleanups.push(() => model.close());
    const { client } = inProcessClient({ telemetry: { filePath, sourceName: "flightdeck-inproc" } });
    const session = await client.createSession({ model: "gpt-4.1", provider: model.provider() });
    await session.sendAndWait("Trace me", { timeoutMs: 30_000 });
    const read = () =>
      existsSync(filePath)
        ? readFileSync(filePath, "utf8")
            .split("\n")
            .filter(Boolean)
            .map((l) => JSON.parse(l) as { instrumentationScope?: { name?: string } })
        : [];
    for (const deadline = Date.now() + 15_000; read().length === 0 && Date.now() < deadline; ) await new Promise((r) => setTimeout(r, 100));
    const spans = read();
    expect(spans.length).toBeGreaterThan(0);
    expect(spans.every((s) => s.instrumentationScope?.name === "flightdeck-inproc")).toBe(true);
    // Per client, not per process: this process's environment was not used to carry it.
    expect(process.env.COPILOT_OTEL_FILE_EXPORTER_PATH).toBeUndefined();
  });

  it("applies gitHubToken through the runtime's environment block (never argv): the runtime authenticates with it against a local fake GitHub API", async () => {
    const seen: string[] = [];
    const server = createServer((req, res) => {
      seen.push(`${req.method} ${req.url} ${req.headers.authorization}`);
      res.writeHead(401, { "content-type": "application/json" });
      res.end("{}");
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    cleanups.push(() => new Promise((resolve) => server.close(resolve)));
    const api = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const iso = createIsolatedEnvironment({ extraEnv: { COPILOT_DEBUG_GITHUB_API_URL: api, COPILOT_API_URL: api } });
    cleanups.push(() => iso.cleanup());
    const { client } = inProcessClient({ env: iso.env, gitHubToken: "gho_inprocess_fake_token" });
    const status = (await client.getAuthStatus()) as { authType?: string; isAuthenticated?: boolean };
    expect(status).toMatchObject({ isAuthenticated: true, authType: "token" });
    expect(seen).toContain("GET /copilot_internal/user Bearer gho_inprocess_fake_token");
    expect(process.env.COPILOT_SDK_AUTH_TOKEN).toBeUndefined();
  });
});

describe("in-process bad input", () => {
  it("a libraryPath that does not exist: RUNTIME_NOT_FOUND naming the option, at start", async () => {
    const client = new CopilotClient({
      connection: RuntimeConnection.forInProcess({ libraryPath: join(tmpdir(), "no-such-dir", "runtime.node") }),
      onError: () => {},
    });
    cleanups.push(() => client.forceStop());
    const error = await client.start().catch((e: unknown) => e);
    expect(isSdkError(error, "RUNTIME_NOT_FOUND")).toBe(true);
    expect((error as Error).message).toMatch(/forInProcess\(\{ libraryPath \}\): no file at .*runtime\.node/);
  });

  it("a platform without the library: RUNTIME_NOT_FOUND naming the package to install and forStdio()", () => {
    const empty = mkdtempSync(join(tmpdir(), "flightdeck-inproc-empty-"));
    cleanups.push(() => rmSync(empty, { recursive: true, force: true }));
    let error: unknown;
    try {
      resolveRuntimeLibrary({ platform: "aix", arch: "ppc64", env: {}, searchFrom: [empty] });
    } catch (e) {
      error = e;
    }
    expect(isSdkError(error, "RUNTIME_NOT_FOUND")).toBe(true);
    expect((error as Error).message).toMatch(/no runtime library for aix-ppc64/);
    expect((error as Error).message).toMatch(/npm install @github\/copilot-sdk-aix-ppc64/);
    expect((error as Error).message).toMatch(/RuntimeConnection\.forStdio\(\)/);
  });

  it("finds the library of the installed package, and next to COPILOT_CLI_PATH", () => {
    expect(resolveRuntimeLibrary({ env: {} })).toBe(libraryPath);
    expect(resolveRuntimeLibrary({ env: { COPILOT_CLI_PATH: runtime.path } })).toBe(libraryPath);
  });

  it("bad factory options are INVALID_OPTION errors naming the option", () => {
    expect(() => RuntimeConnection.forInProcess({ libraryPath: "" })).toThrow(/forInProcess\(\{ libraryPath \}\): must be a non-empty path/);
  });

  it("a second, different library in the same process is refused with a typed error", async () => {
    const first = inProcessClient();
    await first.client.start();
    const other = new CopilotClient({ connection: RuntimeConnection.forInProcess({ libraryPath: runtime.path }), onError: () => {} });
    cleanups.push(() => other.forceStop());
    const error = await other.start().catch((e: unknown) => e);
    expect(isSdkError(error, "INVALID_OPTION")).toBe(true);
    expect((error as Error).message).toMatch(/is already loaded in this process/);
    expect((await first.client.ping()).protocolVersion).toBe(3);
  });
});
