/**
 * Agent workflows against an in-memory peer that speaks the runtime's wire for workflows, in both
 * spellings (`factory.*` as runtime 1.0.85's schemas, `workflow.*` as 1.0.15-preview.4 / the 1.0.102
 * CLI). The peer is a unit-test stand-in: neither pinned runtime runs a workflow for a plain client
 * (they accept registrations only from an extension connection); workflows.e2e.test.ts checks the
 * real runtimes' answers and the spelling chosen for each.
 */
import { describe, expect, it } from "vitest";
import { JsonRpcConnection, RpcError, RpcErrorCode, createInMemoryTransportPair } from "@flightdeck/copilot-core";
import {
  SessionWorkflows,
  WORKFLOW_PROTOCOLS,
  WorkflowInputError,
  WorkflowResumeError,
  WorkflowsUnavailableError,
  defineFactory,
  defineWorkflow,
  serveWorkflows,
  workflowNamespaceFor,
  type WorkflowNamespace,
} from "../src/index.js";
import { z } from "./fixtures/zod.js";

const SESSION = "0b6f3a52-2f55-4bb5-8f5b-6f7f3c1e9d11";

interface Run {
  runId: string;
  name: string;
  args: unknown;
  status: string;
  attempt: number;
  result?: unknown;
  error?: string;
}

/** A peer that implements the workflow methods of one spelling and answers "Unhandled method" for the other. */
function fakeRuntime(ns: WorkflowNamespace, options: { unavailable?: boolean } = {}) {
  const [clientSide, serverSide] = createInMemoryTransportPair();
  const client = new JsonRpcConnection(clientSide);
  const server = new JsonRpcConnection(serverSide);
  const p = WORKFLOW_PROTOCOLS[ns];
  const calls: Array<{ method: string; params: Record<string, unknown> }> = [];
  const runs = new Map<string, Run>();
  const journal = new Map<string, unknown>();
  const checkpoints = new Set<string>();
  const listeners = new Set<(event: { type: string; data: Record<string, unknown> }) => void>();
  let tokens = 0;
  const envelope = (run: Run) => ({
    runId: run.runId,
    status: run.status,
    attempt: run.attempt,
    ...(run.result !== undefined && { result: run.result }),
    ...(run.error && { error: run.error }),
  });
  const updated = (run: Run) => {
    for (const l of listeners) l({ type: p.events.updated, data: { runId: run.runId } });
  };
  const attempt = (run: Run) => {
    run.status = "running";
    run.attempt++;
    const executionToken = `tok-${++tokens}`;
    void server.request(p.execute, { sessionId: SESSION, name: run.name, runId: run.runId, executionToken, args: run.args }).then(
      (r) => {
        run.status = "completed";
        run.result = (r as { result?: unknown }).result;
        updated(run);
      },
      (e: Error) => {
        run.status = run.status === "cancelled" ? "cancelled" : checkpoints.has(`paused:${run.runId}`) ? "paused" : "error";
        checkpoints.delete(`paused:${run.runId}`);
        run.error = e.message;
        updated(run);
      },
    );
    return executionToken;
  };
  for (const other of ["factory", "workflow"] as const) {
    for (const name of ["run", "resume", "getRun", "listRuns", "cancel", "pause", "pauseAtCheckpoint", "log", "agent", "journal.get", "journal.put"] as const) {
      const method = WORKFLOW_PROTOCOLS[other].method(name);
      server.onRequest(method, (raw) => {
        const params = raw as Record<string, unknown>;
        calls.push({ method, params });
        if (other !== ns) throw new RpcError(RpcErrorCode.MethodNotFound, `Unhandled method ${method}`);
        if (options.unavailable)
          throw new RpcError(RpcErrorCode.MethodNotFound, `Agent ${ns === "factory" ? "factories" : "workflows"} are not available for this session`);
        const run = runs.get(params.runId as string);
        switch (name) {
          case "run": {
            const r: Run = { runId: `run-${runs.size + 1}`, name: params.name as string, args: params.args, status: "pending", attempt: 0 };
            runs.set(r.runId, r);
            attempt(r);
            return envelope(r);
          }
          case "resume":
            if (!run) throw new RpcError(RpcErrorCode.InternalError, "no such run", { data: { code: "not_found" } });
            if (run.status !== "paused") throw new RpcError(RpcErrorCode.InternalError, `run is ${run.status}`, { data: { code: "non_resumable" } });
            attempt(run);
            return { run: envelope(run) };
          case "getRun":
            return envelope(run!);
          case "listRuns":
            return { runs: [...runs.values()].map(envelope) };
          case "cancel":
            run!.status = "cancelled";
            void server.request(p.abort, { sessionId: SESSION, runId: run!.runId, executionToken: `tok-${tokens}` });
            return envelope(run!);
          case "pauseAtCheckpoint": {
            const key = `${params.runId}:${params.key}`;
            if (checkpoints.has(key)) return { action: "continue" };
            checkpoints.add(key);
            checkpoints.add(`paused:${params.runId}`);
            return { action: "pause" };
          }
          case "log":
            return {};
          case "agent":
            return { result: `agent says: ${params.prompt}` };
          case "journal.get": {
            const key = `${params.runId}:${params.key}`;
            return journal.has(key) ? { hit: true, resultJson: journal.get(key) } : { hit: false };
          }
          case "journal.put":
            journal.set(`${params.runId}:${params.key}`, params.resultJson);
            return {};
          default:
            return {};
        }
      });
    }
  }
  const workflows = new SessionWorkflows({
    sessionId: SESSION,
    caller: () => client,
    on: (type, handler) => {
      const l = (e: { type: string; data: Record<string, unknown> }) => void (e.type === type && handler(e));
      listeners.add(l);
      return () => void listeners.delete(l);
    },
  });
  const errors: unknown[] = [];
  return {
    workflows,
    calls,
    runs,
    serve: (list: Parameters<typeof serveWorkflows>[1]) =>
      serveWorkflows({ sessionId: SESSION, registry: client, caller: client, protocol: p, onError: (e) => errors.push(e) }, list),
    close: () => Promise.all([client.close(), server.close()]),
  };
}

function triage(counter: { producer: number; seen: unknown[] }) {
  return defineWorkflow({
    name: "triage",
    description: "Triage the issues of a repository",
    phases: [{ title: "List" }, { title: "Label" }],
    input: z.object({ repo: z.string().min(3), limit: z.number().int().default(2) }),
    result: z.object({ triaged: z.number(), labels: z.array(z.string()) }),
    async run(ctx) {
      counter.seen.push(ctx.input);
      await ctx.phase("List");
      const issues = await ctx.step("list", () => {
        counter.producer++;
        return Array.from({ length: ctx.input.limit }, (_, i) => `#${i + 1}`);
      });
      await ctx.pause("after-list");
      await ctx.log(`labelling ${issues.length}`);
      const labels: string[] = [];
      for (const issue of issues) labels.push(String(await ctx.agent(`Label ${issue} of ${ctx.input.repo}`, { label: issue })));
      return { triaged: issues.length, labels };
    },
  });
}

describe.each(["factory", "workflow"] as const)("workflows over the %s spelling (in-memory peer)", (ns) => {
  it("run → paused at a checkpoint → resume → completed; the journal memoizes the step; input and result are typed and checked", async () => {
    const peer = fakeRuntime(ns);
    const counter = { producer: 0, seen: [] as unknown[] };
    const workflow = triage(counter);
    peer.serve([workflow]);
    const paused = await peer.workflows.run(workflow, { input: { repo: "octo/hello" } });
    expect(paused.status).toBe("paused");
    expect(peer.workflows.namespace).toBe(ns);

    const done = await peer.workflows.resume(paused.runId, { workflow });
    expect(done.status).toBe("completed");
    expect(done.result).toEqual({ triaged: 2, labels: ["agent says: Label #1 of octo/hello", "agent says: Label #2 of octo/hello"] });
    const triaged: number | undefined = done.result?.triaged; // typed from the result schema
    expect(triaged).toBe(2);
    expect(counter.producer).toBe(1); // the resumed attempt read the step from the journal
    expect(counter.seen).toEqual([
      { repo: "octo/hello", limit: 2 },
      { repo: "octo/hello", limit: 2 },
    ]); // defaults applied by the input schema

    const methods = peer.calls.map((c) => c.method);
    const spelled = methods.filter((m) => m.startsWith(`session.${ns}.`));
    expect(spelled).toContain(`session.${ns}.run`);
    expect(spelled).toContain(`session.${ns}.journal.put`);
    const agent = peer.calls.find((c) => c.method === `session.${ns}.agent`)!;
    expect(agent.params[WORKFLOW_PROTOCOLS[ns].agentRunIdKey]).toBe(paused.runId);
    // The first call probed the newer spelling; the old runtime said "Unhandled method" once, then never again.
    expect(methods.filter((m) => !m.startsWith(`session.${ns}.`))).toEqual(ns === "factory" ? ["session.workflow.run"] : []);
    expect((await peer.workflows.listRuns()).runs).toHaveLength(1);
    await peer.close();
  });

  it("input failing its schema: WorkflowInputError naming the workflow and the field, nothing sent, the next run works", async () => {
    const peer = fakeRuntime(ns);
    const workflow = triage({ producer: 0, seen: [] });
    peer.serve([workflow]);
    const error = await peer.workflows.run(workflow, { input: { repo: 42 } as never }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(WorkflowInputError);
    expect((error as WorkflowInputError).what).toBe("input");
    expect((error as Error).message).toMatch(/Workflow "triage": the input does not match its input schema: repo: /);
    expect(peer.calls).toEqual([]);
    const ok = await peer.workflows.run(workflow, { input: { repo: "octo/hello", limit: 1 } });
    expect(ok.status).toBe("paused");
    await peer.close();
  });

  it("input from the wire failing the schema fails the run with the issues (the executing side checks too)", async () => {
    const peer = fakeRuntime(ns);
    peer.serve([triage({ producer: 0, seen: [] })]);
    const run = await peer.workflows.run("triage", { input: { repo: "x" } }); // by name: no client-side check
    expect(run.status).toBe("error");
    expect(String(run.error)).toMatch(/repo: .*3/);
    await peer.close();
  });

  it("a result that does not match the result schema is a typed error", async () => {
    const peer = fakeRuntime(ns);
    const liar = defineWorkflow({
      name: "liar",
      description: "Returns the wrong shape",
      result: z.object({ n: z.number() }),
      run: () => ({ n: "one" }) as never,
    });
    const server = defineWorkflow({ name: "liar", description: "Returns the wrong shape", run: () => ({ n: "one" }) });
    peer.serve([server]);
    const error = await peer.workflows.run(liar).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(WorkflowInputError);
    expect((error as WorkflowInputError).what).toBe("result");
    await peer.close();
  });

  it("resume refused before execution: WorkflowResumeError with the runtime's code", async () => {
    const peer = fakeRuntime(ns);
    peer.serve([defineWorkflow({ name: "quick", description: "Done at once", run: () => "ok" })]);
    const run = await peer.workflows.run("quick");
    expect(run).toMatchObject({ status: "completed", result: "ok" });
    const error = await peer.workflows.resume(run.runId).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(WorkflowResumeError);
    expect((error as WorkflowResumeError).code).toBe("non_resumable");
    const missing = await peer.workflows.resume("run-404").catch((e: unknown) => e);
    expect((missing as WorkflowResumeError).code).toBe("not_found");
    await peer.close();
  });

  it("cancel aborts the running body through its signal", async () => {
    const peer = fakeRuntime(ns);
    let aborted: unknown;
    let started!: () => void;
    const running = new Promise<void>((resolve) => (started = resolve));
    peer.serve([
      defineWorkflow({
        name: "slow",
        description: "Waits until aborted",
        run: (ctx) =>
          new Promise((_, reject) => {
            started();
            ctx.signal.addEventListener("abort", () => reject((aborted = ctx.signal.reason)));
          }),
      }),
    ]);
    const pending = peer.workflows.run("slow");
    await running;
    const runId = [...peer.runs.keys()][0]!;
    expect((await peer.workflows.cancel(runId)).status).toBe("cancelled");
    expect((await pending).status).toBe("cancelled");
    expect(String((aborted as Error).message)).toMatch(/aborted by the runtime/);
    await peer.close();
  });

  it("a runtime that offers no workflows for the session: WorkflowsUnavailableError naming the method and the fix", async () => {
    const peer = fakeRuntime(ns, { unavailable: true });
    const error = await peer.workflows.listRuns().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(WorkflowsUnavailableError);
    expect((error as Error).message).toContain(`session.${ns}.listRuns: agent workflows are not available for this session`);
    expect((error as Error).message).toContain("joinSession({ workflows })");
    await peer.close();
  });
});

describe("workflow definitions", () => {
  it("picks the spelling from the runtime version", () => {
    expect(workflowNamespaceFor("1.0.85")).toBe("factory");
    expect(workflowNamespaceFor("1.0.89-7")).toBe("workflow");
    expect(workflowNamespaceFor("1.0.102")).toBe("workflow");
    expect(workflowNamespaceFor(undefined)).toBeUndefined();
  });

  it("registers the input's JSON Schema as argsSchema, and refuses bad definitions naming the option", () => {
    const w = defineWorkflow({ name: "w", description: "d", input: z.object({ repo: z.string() }), run: () => null });
    expect(w.meta.argsSchema).toMatchObject({ type: "object", properties: { repo: { type: "string" } }, required: ["repo"] });
    expect(() => defineWorkflow({ name: "bad name!", description: "d", run: () => null })).toThrow(/defineWorkflow: name: "bad name!" is not a workflow name/);
    expect(() => defineWorkflow({ name: "w", description: "", run: () => null })).toThrow(/description: must be a non-empty string/);
    expect(() => defineWorkflow({ name: "w", description: "d", phases: [{ title: "a" }, { title: "a" }], run: () => null })).toThrow(
      /phases: the title "a" is declared twice/,
    );
    expect(() => defineWorkflow({ name: "w", description: "d", limits: { maxTotalSubagents: 0 }, run: () => null })).toThrow(
      /limits.maxTotalSubagents: must be a positive integer/,
    );
    expect(() => defineWorkflow({ name: "w", description: "d", input: {} as never, run: () => null })).toThrow(/input: must be a Standard Schema/);
  });

  it("defineFactory (the incumbent's shape) gives a workflow whose body sees context.args", async () => {
    const peer = fakeRuntime("factory");
    const f = defineFactory({ meta: { name: "legacy", description: "Old style", phases: [] }, run: async (ctx) => ({ echoed: ctx.args }) });
    expect(f.meta).toMatchObject({ name: "legacy", description: "Old style", phases: [] });
    peer.serve([f]);
    expect(await peer.workflows.run("legacy", { input: { a: 1 } })).toMatchObject({ status: "completed", result: { echoed: { a: 1 } } });
    await peer.close();
  });

  it("two workflows with one name are refused", () => {
    const peer = fakeRuntime("workflow");
    const w = defineWorkflow({ name: "dup", description: "d", run: () => null });
    expect(() => peer.serve([w, w])).toThrow(/workflows: the name "dup" is registered twice/);
  });
});
