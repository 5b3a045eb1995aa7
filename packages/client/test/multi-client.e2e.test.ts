/**
 * Several clients on one runtime, over TCP, on both pinned runtimes: the runtime broadcasts
 * `external_tool.requested` and `permission.requested` to every client attached to a session and
 * takes the first answer. Each client here owns different tools and a permission handler that
 * decides only for its own tools (`no-result` otherwise), so every request must be answered by
 * its owner: a client never answers for a tool it does not own, and a `no-result` never becomes a
 * decision. One client disconnects mid-session; the others carry on.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { createServer } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import {
  createIsolatedEnvironment,
  runtimeArgs,
  startScriptedModel,
  toolResults,
  type ScriptedModelServer,
  type ScriptedTurn,
} from "@flightdeck/copilot-testing";
import { defineTool, type AnyTool, type PermissionHandler } from "@flightdeck/copilot-tools";
import { CopilotClient, RuntimeConnection } from "@flightdeck/copilot-client";
import { RUNTIMES } from "../../../test-support/e2e.js";

const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as { port: number }).port;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** One runtime listening on TCP with a connection token; the test's clients attach with forUri. */
async function startSharedRuntime(runtime: (typeof RUNTIMES)[number]): Promise<{ url: string; token: string }> {
  const iso = createIsolatedEnvironment();
  const port = await freePort();
  const token = `token-${process.pid}-${port}`;
  const child: ChildProcess = spawn(runtime.path, [...runtime.args, ...runtimeArgs({ port })], {
    cwd: iso.workingDirectory,
    env: { ...iso.env, COPILOT_CONNECTION_TOKEN: token },
    stdio: ["ignore", "pipe", "pipe"],
  });
  cleanups.push(async () => {
    if (child.exitCode === null) {
      const exited = new Promise((resolve) => child.once("exit", resolve));
      child.kill("SIGTERM");
      const timer = setTimeout(() => child.kill("SIGKILL"), 3_000);
      await exited;
      clearTimeout(timer);
    }
    iso.cleanup();
  });
  let output = "";
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`runtime did not listen within 30 s: ${output}`)), 30_000);
    const onData = (d: Buffer) => {
      output += d.toString();
      if (output.includes(`port ${port}`)) {
        clearTimeout(timer);
        resolve();
      }
    };
    child.stdout!.on("data", onData);
    child.stderr!.on("data", (d: Buffer) => (output += d.toString()));
    child.once("exit", (code) => reject(new Error(`runtime exited (${code}): ${output}`)));
  });
  return { url: `127.0.0.1:${port}`, token };
}

interface Participant {
  name: string;
  client: CopilotClient;
  toolRuns: string[];
  /** Every permission request this client's handler saw, with what it returned. */
  permissions: Array<{ tool: string; answer: string }>;
  errors: unknown[];
}

function participant(
  name: string,
  shared: { url: string; token: string },
  toolNames: string[],
): Participant & { tools: AnyTool[]; onPermissionRequest: PermissionHandler } {
  const errors: unknown[] = [];
  const client = new CopilotClient({ connection: RuntimeConnection.forUri(shared.url, { connectionToken: shared.token }), onError: (e) => errors.push(e) });
  cleanups.push(() => client.forceStop().then(() => undefined));
  const toolRuns: string[] = [];
  const permissions: Participant["permissions"] = [];
  const tools = toolNames.map((tool) =>
    defineTool(tool, {
      description: `The ${tool} tool (owned by client ${name})`,
      parameters: { type: "object", properties: { n: { type: "number" } }, required: ["n"] },
      handler: ({ n }: { n: number }) => {
        toolRuns.push(`${tool}(${n})`);
        return `${tool} ran on ${name} with ${n}`;
      },
    }),
  );
  // Decides only for this client's own tools; anything else is left to the client that owns it.
  const onPermissionRequest: PermissionHandler = (request) => {
    const tool = request.kind === "custom-tool" ? request.toolName : request.kind;
    const answer = toolNames.includes(tool) ? "approve-once" : "no-result";
    permissions.push({ tool, answer });
    return { kind: answer } as { kind: "approve-once" } | { kind: "no-result" };
  };
  return { name, client, toolRuns, permissions, errors, tools, onPermissionRequest };
}

const call = (name: string, n: number) => ({ name, arguments: { n } });
/** The results of the last `count` tool calls, sorted. */
const resultsText = (req: Parameters<typeof toolResults>[0], count: number) =>
  toolResults(req)
    .slice(-count)
    .map((r) => r.content)
    .sort()
    .join(" | ");

describe.each(RUNTIMES)("$name: several clients on one runtime over TCP", { timeout: 120_000 }, (runtime) => {
  let model: ScriptedModelServer;

  async function open(script: ScriptedTurn[]) {
    model = await startScriptedModel({ script });
    cleanups.push(() => model.close());
    return startSharedRuntime(runtime);
  }

  it("two clients with different tools: each call runs on its owner, each permission is decided by its owner", async () => {
    const shared = await open([{ toolCalls: [call("alpha", 1), call("beta", 2)] }, (req) => ({ text: `results: ${resultsText(req, 2)}` })]);
    const a = participant("A", shared, ["alpha"]);
    const b = participant("B", shared, ["beta"]);
    const session = await a.client.createSession({ model: "gpt-4.1", provider: model.provider(), tools: a.tools, onPermissionRequest: a.onPermissionRequest });
    const joined = await b.client.resumeSession(session.sessionId, {
      model: "gpt-4.1",
      provider: model.provider(),
      tools: b.tools,
      onPermissionRequest: b.onPermissionRequest,
    });
    expect(joined.sessionId).toBe(session.sessionId);

    const reply = await session.sendAndWait("Use alpha and beta", { timeoutMs: 60_000 });
    expect(reply?.data.content).toBe("results: alpha ran on A with 1 | beta ran on B with 2");
    expect(a.toolRuns).toEqual(["alpha(1)"]);
    expect(b.toolRuns).toEqual(["beta(2)"]);
    // Each client's handler saw both requests and decided only its own.
    expect(a.permissions.filter((p) => p.answer === "approve-once").map((p) => p.tool)).toEqual(["alpha"]);
    expect(b.permissions.filter((p) => p.answer === "approve-once").map((p) => p.tool)).toEqual(["beta"]);
    expect([...a.errors, ...b.errors]).toEqual([]);
  });

  it("three clients, one disconnecting mid-session: the others' tools keep working and nothing hangs", async () => {
    const shared = await open([
      { toolCalls: [call("alpha", 1), call("beta", 2), call("gamma", 3)] },
      (req) => ({ text: `turn 1: ${resultsText(req, 3)}` }),
      { toolCalls: [call("alpha", 4), call("gamma", 5)] },
      (req) => ({ text: `turn 2: ${resultsText(req, 2)}` }),
    ]);
    const a = participant("A", shared, ["alpha"]);
    const b = participant("B", shared, ["beta"]);
    const c = participant("C", shared, ["gamma"]);
    const session = await a.client.createSession({ model: "gpt-4.1", provider: model.provider(), tools: a.tools, onPermissionRequest: a.onPermissionRequest });
    for (const p of [b, c])
      await p.client.resumeSession(session.sessionId, {
        model: "gpt-4.1",
        provider: model.provider(),
        tools: p.tools,
        onPermissionRequest: p.onPermissionRequest,
      });

    const first = await session.sendAndWait("Use all three", { timeoutMs: 60_000 });
    expect(first?.data.content).toBe("turn 1: alpha ran on A with 1 | beta ran on B with 2 | gamma ran on C with 3");

    await b.client.stop(); // B leaves mid-session
    const second = await session.sendAndWait("Again, without beta", { timeoutMs: 60_000 });
    expect(second?.data.content).toBe("turn 2: alpha ran on A with 4 | gamma ran on C with 5");
    expect(a.toolRuns).toEqual(["alpha(1)", "alpha(4)"]);
    expect(b.toolRuns).toEqual(["beta(2)"]);
    expect(c.toolRuns).toEqual(["gamma(3)", "gamma(5)"]);
    expect(c.permissions.filter((p) => p.answer === "approve-once").map((p) => p.tool)).toEqual(["gamma", "gamma"]);
    expect([...a.errors, ...b.errors, ...c.errors]).toEqual([]);
  });
});
