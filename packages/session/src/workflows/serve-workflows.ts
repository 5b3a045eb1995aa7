/**
 * The executing side of agent workflows, {@link serveWorkflows}: answers `<ns>.execute` /
 * `<ns>.abort` for the workflows a connection registered, giving each run a
 * {@link WorkflowContext} (run-context.ts).
 */
import { RpcError, RpcErrorCode, SdkError, type RpcCaller, type RpcHandlerRegistry, type Unsubscribe } from "@flightdeck/copilot-core";
import type { Workflow } from "./define-workflow.js";
import { WorkflowInputError } from "./errors.js";
import type { WorkflowProtocol } from "./protocol.js";
import { createRunContext } from "./run-context.js";
import { checkStandardSchema } from "./standard-schema.js";

/** Where {@link serveWorkflows} answers and calls back. */
export interface WorkflowHost {
  readonly sessionId: string;
  readonly registry: RpcHandlerRegistry;
  readonly caller: RpcCaller;
  readonly protocol: WorkflowProtocol;
  /** Receives failures that belong to no call (e.g. a progress line that could not be sent). */
  onError(error: unknown): void;
}

interface ExecuteParams {
  sessionId: string;
  name: string;
  runId: string;
  executionToken: string;
  args: unknown;
}

/**
 * Answers `<ns>.execute` / `<ns>.abort` for `workflows` on one connection: validates the input
 * against the workflow's input schema (a mismatch fails the run with the issues, the session goes
 * on), runs it with a {@link WorkflowContext}, checks its result against the result schema.
 */
export function serveWorkflows(host: WorkflowHost, workflows: readonly Workflow[]): Unsubscribe {
  const byName = indexByName(workflows);
  const running = new Map<string, AbortController>();
  const { protocol: p, caller, sessionId } = host;
  const runKey = (params: { runId: string; executionToken: string }) => `${params.runId}\u0000${params.executionToken}`;

  const offExecute = host.registry.onRequest(p.execute, async (raw: unknown) => {
    const params = raw as ExecuteParams;
    if (params.sessionId !== sessionId) throw new RpcError(RpcErrorCode.InvalidParams, `${p.execute}: session ${params.sessionId} is not served here.`);
    const workflow = byName.get(params.name);
    if (!workflow)
      throw new RpcError(
        RpcErrorCode.InvalidParams,
        `No workflow named "${params.name}" is registered by this connection (registered: ${[...byName.keys()].join(", ") || "none"}).`,
        { data: { code: "factory_not_found" } },
      );
    const input = await parseInput(workflow, params.args);
    const controller = new AbortController();
    const key = runKey(params);
    running.set(key, controller);
    try {
      return await executeRun(workflow, createRunContext(caller, p, params, input, controller), controller);
    } finally {
      running.delete(key);
    }
  });
  const offAbort = host.registry.onRequest(p.abort, (raw: unknown) => {
    const params = raw as { runId: string; executionToken: string };
    running.get(runKey(params))?.abort(new SdkError("ABORTED", `Workflow run ${params.runId} was aborted by the runtime.`));
    return {};
  });
  return () => {
    offExecute();
    offAbort();
    for (const controller of running.values()) controller.abort(new SdkError("ABORTED", "The workflow host went away."));
  };
}

function indexByName(workflows: readonly Workflow[]): Map<string, Workflow> {
  const byName = new Map<string, Workflow>();
  for (const w of workflows) {
    if (byName.has(w.name))
      throw new SdkError("INVALID_OPTION", `workflows: the name "${w.name}" is registered twice. Give each workflow its own name.`, {
        details: { option: "workflows" },
      });
    byName.set(w.name, w);
  }
  return byName;
}

/** The run's input as the workflow's input schema parses it; a mismatch fails the execute request. */
async function parseInput(workflow: Workflow, args: unknown): Promise<unknown> {
  if (!workflow.inputSchema) return args;
  const checked = await checkStandardSchema(workflow.inputSchema, args);
  if (!checked.ok)
    throw new RpcError(RpcErrorCode.InvalidParams, new WorkflowInputError(workflow.name, "input", checked.issues).message, {
      data: { code: "invalid_args" },
    });
  return checked.value;
}

/** Runs the workflow and answers with its (checked) result, or an RpcError the runtime records in the run. */
async function executeRun(workflow: Workflow, context: Parameters<Workflow["execute"]>[0], controller: AbortController): Promise<{ result?: unknown }> {
  try {
    const result = await workflow.execute(context);
    if (workflow.resultSchema) {
      const checked = await checkStandardSchema(workflow.resultSchema, result);
      if (!checked.ok) throw new WorkflowInputError(workflow.name, "result", checked.issues);
      return { result: checked.value };
    }
    return result === undefined ? {} : { result };
  } catch (error) {
    // The runtime records the failure in the run's envelope (status paused / cancelled / error
    // with this message): an RpcError keeps it from being reported a second time as a handler bug.
    if (error instanceof RpcError) throw error;
    const paused = controller.signal.aborted;
    throw new RpcError(RpcErrorCode.InternalError, error instanceof Error ? error.message : String(error), {
      data: { code: paused ? "aborted" : "workflow_failed", workflow: workflow.name },
      cause: error,
    });
  }
}
