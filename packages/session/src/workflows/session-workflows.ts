/**
 * The caller's side of agent workflows, {@link SessionWorkflows} (`session.workflows`): run, resume,
 * list runs, progress, pause, cancel, wait, with inputs and results checked against the workflow's
 * Standard Schemas, on either spelling of the protocol.
 */
import { RpcError, RpcErrorCode, SdkError, type RpcCaller, type Unsubscribe } from "@flightdeck/copilot-core";
import type { Workflow, WorkflowLimits } from "./define-workflow.js";
import { RESUME_CODES, WorkflowInputError, WorkflowResumeError, WorkflowsUnavailableError, type WorkflowResumeErrorCode } from "./errors.js";
import { WORKFLOW_PROTOCOLS, workflowNamespaceFor, type WorkflowNamespace, type WorkflowProtocol } from "./protocol.js";
import { checkStandardSchema } from "./standard-schema.js";

/** A run's status; `completed`, `halted`, `paused`, `cancelled` and `error` end an attempt. */
export type WorkflowRunStatus = "pending" | "running" | "completed" | "halted" | "paused" | "cancelled" | "error";
const TERMINAL: ReadonlySet<string> = new Set(["completed", "halted", "paused", "cancelled", "error"]);
/** True for the statuses that end an attempt. */
export function isWorkflowRunTerminal(status: string): boolean {
  return TERMINAL.has(status);
}

/** A run's envelope (`session.<ns>.getRun`). */
export interface WorkflowRun<TResult = unknown> {
  runId: string;
  status: WorkflowRunStatus;
  attempt?: number;
  /** The result, when `status` is `completed` (checked against the result schema). */
  result?: TResult;
  [key: string]: unknown;
}

/** Options of {@link SessionWorkflows.run}. */
export interface RunWorkflowOptions<TInput> {
  input?: TInput;
  limits?: WorkflowLimits;
  notifyOnComplete?: boolean;
  logPhaseNames?: boolean;
  /** Stops waiting for the run (the run itself goes on: use `cancel`). */
  signal?: AbortSignal;
}

/** Where {@link SessionWorkflows} sends its calls and hears events. */
export interface WorkflowTransport {
  readonly sessionId: string;
  caller(): RpcCaller;
  on(type: string, handler: (event: { data: Record<string, unknown> }) => void): Unsubscribe;
  /** The runtime's version when known: picks the spelling without a probe. */
  runtimeVersion?(): string | undefined;
}

function isUnhandledMethod(error: unknown): boolean {
  return error instanceof RpcError && error.code === RpcErrorCode.MethodNotFound && /unhandled method/i.test(error.rpcMessage);
}

function isUnavailable(error: unknown): boolean {
  return error instanceof RpcError && error.code === RpcErrorCode.MethodNotFound && /not available/i.test(error.rpcMessage);
}

/**
 * `session.workflows`: runs and observes this session's workflows on either spelling of the protocol.
 *
 * @example
 * ```ts
 * const run = await session.workflows.run(triage, { input: { repo: "octo/hello" } });
 * if (run.status === "completed") console.log(run.result?.triaged);
 * ```
 */
export class SessionWorkflows {
  #namespace: WorkflowNamespace | undefined;
  readonly #transport: WorkflowTransport;

  constructor(transport: WorkflowTransport) {
    this.#transport = transport;
  }

  /** The spelling in use, once known. */
  get namespace(): WorkflowNamespace | undefined {
    return this.#namespace ?? workflowNamespaceFor(this.#transport.runtimeVersion?.());
  }

  async #call<T>(name: Parameters<WorkflowProtocol["method"]>[0], params: Record<string, unknown>): Promise<T> {
    const first = this.namespace ?? "workflow";
    const send = (ns: WorkflowNamespace) =>
      this.#transport.caller().request(WORKFLOW_PROTOCOLS[ns].method(name), { sessionId: this.#transport.sessionId, ...params }) as Promise<T>;
    try {
      const result = await send(first);
      this.#namespace = first;
      return result;
    } catch (error) {
      // Not learnt yet (or learnt by a concurrent call after this one was sent): try the other spelling.
      if (isUnhandledMethod(error) && this.#namespace !== first) {
        const other: WorkflowNamespace = first === "workflow" ? "factory" : "workflow";
        try {
          const result = await send(other);
          this.#namespace = other;
          return result;
        } catch (second) {
          if (isUnavailable(second)) {
            this.#namespace = other;
            throw new WorkflowsUnavailableError(WORKFLOW_PROTOCOLS[other].method(name), (second as RpcError).rpcMessage, { cause: second });
          }
          if (isUnhandledMethod(second))
            throw new WorkflowsUnavailableError(
              WORKFLOW_PROTOCOLS[first].method(name),
              "the runtime implements neither session.factory.* nor session.workflow.*",
              { cause: second },
            );
          throw second;
        }
      }
      if (isUnavailable(error)) {
        this.#namespace = first;
        throw new WorkflowsUnavailableError(WORKFLOW_PROTOCOLS[first].method(name), (error as RpcError).rpcMessage, { cause: error });
      }
      throw error;
    }
  }

  /**
   * Starts a workflow (by handle or registered name) and resolves with the run's envelope once its
   * attempt ends (`completed`, `paused`, `cancelled`, `halted` or `error`). With a handle, `input` is
   * checked against its input schema first — a mismatch throws {@link WorkflowInputError} and
   * starts nothing — and a completed run's `result` against its result schema.
   */
  async run<TInput, TResult>(workflow: Workflow<TInput, TResult> | string, options: RunWorkflowOptions<TInput> = {}): Promise<WorkflowRun<TResult>> {
    const handle = typeof workflow === "string" ? undefined : workflow;
    const name = handle?.name ?? workflow;
    if (typeof name !== "string" || name === "")
      throw new SdkError("INVALID_OPTION", "workflows.run(workflow): pass a workflow from defineWorkflow() or a registered workflow's name.");
    let input: unknown = options.input ?? {};
    if (handle?.inputSchema) {
      const checked = await checkStandardSchema(handle.inputSchema, options.input);
      if (!checked.ok) throw new WorkflowInputError(name, "input", checked.issues);
      input = options.input; // the wire gets what the caller gave; the executing side parses it again
    }
    const envelope = await this.#call<WorkflowRun>("run", {
      name,
      args: input,
      options: { limits: options.limits, notifyOnComplete: options.notifyOnComplete, logPhaseNames: options.logPhaseNames },
    });
    const settled = isWorkflowRunTerminal(envelope.status) ? envelope : await this.waitForRun(envelope.runId, { signal: options.signal });
    return this.#checkResult(handle, settled);
  }

  async #checkResult<TResult>(handle: Workflow<unknown, TResult> | undefined, run: WorkflowRun): Promise<WorkflowRun<TResult>> {
    if (run.status !== "completed" || !handle?.resultSchema) return run as WorkflowRun<TResult>;
    const checked = await checkStandardSchema(handle.resultSchema, run.result);
    if (!checked.ok) throw new WorkflowInputError(handle.name, "result", checked.issues);
    return { ...run, result: checked.value as TResult };
  }

  /**
   * Resumes a paused, halted or failed run from its journal. A resume refused before the run
   * executes throws {@link WorkflowResumeError} with the runtime's `code`.
   */
  async resume<TResult = unknown>(
    runId: string,
    options: Omit<RunWorkflowOptions<never>, "input"> & { workflow?: Workflow<unknown, TResult> } = {},
  ): Promise<WorkflowRun<TResult>> {
    if (typeof runId !== "string" || runId === "") throw new SdkError("INVALID_OPTION", "workflows.resume(runId): pass the id of a run (see listRuns()).");
    let response: { run: WorkflowRun };
    try {
      response = await this.#call<{ run: WorkflowRun }>("resume", {
        runId,
        limits: options.limits,
        notifyOnComplete: options.notifyOnComplete,
        logPhaseNames: options.logPhaseNames,
      });
    } catch (error) {
      const code = error instanceof RpcError ? (error.data as { code?: unknown } | undefined)?.code : undefined;
      if (typeof code === "string" && RESUME_CODES.has(code))
        throw new WorkflowResumeError(code as WorkflowResumeErrorCode, runId, (error as RpcError).rpcMessage, { cause: error });
      throw error;
    }
    const run = response.run;
    const settled = isWorkflowRunTerminal(run.status) ? run : await this.waitForRun(run.runId, { signal: options.signal });
    return this.#checkResult(options.workflow, settled);
  }

  /** The run's current envelope. */
  getRun(runId: string): Promise<WorkflowRun> {
    return this.#call("getRun", { runId });
  }

  /** A page of this session's runs (`afterSeq` / `beforeSeq` are exclusive cursors). */
  listRuns(options: { afterSeq?: number; beforeSeq?: number; limit?: number } = {}): Promise<{ runs: Array<Record<string, unknown>>; [key: string]: unknown }> {
    return this.#call("listRuns", { ...options });
  }

  /** Phases, direct agents and the latest progress of a run. */
  getRunDetail(runId: string): Promise<Record<string, unknown>> {
    return this.#call("getRunDetail", { runId });
  }

  /** A page of a run's progress lines. */
  getRunProgress(runId: string, options: { phaseId?: string; afterSeq?: number; beforeSeq?: number; limit?: number } = {}): Promise<Record<string, unknown>> {
    return this.#call("getRunProgress", { runId, ...options });
  }

  /** Pauses a running attempt; resolves with the paused envelope. */
  pause(runId: string): Promise<WorkflowRun> {
    return this.#call("pause", { runId });
  }

  /** Cancels a run; resolves with its terminal envelope. */
  cancel(runId: string): Promise<WorkflowRun> {
    return this.#call("cancel", { runId });
  }

  /**
   * Resolves when the run's current attempt ends. Watches the run's `*.run_updated` events and
   * re-reads every `pollMs` (default 5 s) so a missed event cannot leave it hanging. `signal`
   * stops waiting (rejects with `SdkError("ABORTED")`); the run goes on.
   */
  waitForRun(runId: string, options: { signal?: AbortSignal; pollMs?: number } = {}): Promise<WorkflowRun> {
    const { signal, pollMs = 5_000 } = options;
    if (signal?.aborted)
      return Promise.reject(
        new SdkError("ABORTED", `Stopped waiting for workflow run ${runId}: the signal was aborted. The run goes on; cancel it with workflows.cancel(runId).`),
      );
    return new Promise<WorkflowRun>((resolve, reject) => {
      let done = false;
      let reading = false;
      let again = false;
      const offs: Unsubscribe[] = [];
      const finish = (fn: () => void) => {
        if (done) return;
        done = true;
        clearInterval(timer);
        for (const off of offs) off();
        signal?.removeEventListener("abort", onAbort);
        fn();
      };
      const read = async () => {
        if (done) return;
        if (reading) {
          again = true;
          return;
        }
        reading = true;
        try {
          do {
            again = false;
            const run = await this.getRun(runId);
            if (isWorkflowRunTerminal(run.status)) return finish(() => resolve(run));
          } while (again && !done);
        } catch (error) {
          finish(() => reject(error));
        } finally {
          reading = false;
        }
      };
      const onAbort = () =>
        finish(() =>
          reject(
            new SdkError(
              "ABORTED",
              `Stopped waiting for workflow run ${runId}: the signal was aborted. The run goes on; cancel it with workflows.cancel(runId).`,
            ),
          ),
        );
      signal?.addEventListener("abort", onAbort, { once: true });
      for (const ns of ["factory", "workflow"] as const) {
        offs.push(this.#transport.on(WORKFLOW_PROTOCOLS[ns].events.updated, (event) => void (event.data.runId === runId && read())));
      }
      const timer = setInterval(() => void read(), pollMs);
      (timer as { unref?: () => void }).unref?.();
      void read();
    });
  }
}
