/**
 * Agent workflows (the incumbent's "factories"): durable, resumable multi-agent programs that an
 * extension registers with a session and that the session (or the model, through its
 * `run_factory` / `run_workflow` tool) runs.
 *
 * One API over both protocol spellings: runtime 1.0.85 (schemas of @github/copilot-sdk 1.0.14)
 * names the methods `session.factory.*` / `factory.execute`, runtimes from 1.0.89 (1.0.15-preview.4
 * onward, e.g. the 1.0.102 CLI) name them `session.workflow.*` / `workflow.execute`, with the same
 * shapes apart from the agent call's `factoryRunId` / `workflowRunId` and the registration key
 * (`factories` / `workflows`). {@link WORKFLOW_PROTOCOLS} holds that mapping; the spelling is chosen
 * from the runtime version when known, else learnt from the runtime's "Unhandled method" answer.
 *
 * This module has two halves:
 * - the caller's side, {@link SessionWorkflows}: run, resume, list runs, progress, pause, cancel,
 *   wait, with inputs and results checked against the workflow's Standard Schemas;
 * - the executing side, {@link serveWorkflows}: answers `<ns>.execute` / `<ns>.abort` for the
 *   workflows a connection registered, giving each run a {@link WorkflowContext} (agents, durable
 *   steps through the run's journal, checkpoints, progress lines).
 */
import { FlightdeckError, RpcError, RpcErrorCode, SdkError, type RpcCaller, type RpcHandlerRegistry, type Unsubscribe } from "@flightdeck/copilot-core";

/** The two spellings of the protocol. */
export type WorkflowNamespace = "factory" | "workflow";

/** What differs between the spellings; everything else is the same shape. */
export interface WorkflowProtocol {
  readonly namespace: WorkflowNamespace;
  /** Session methods: `session.<ns>.run`, … */
  method(
    name:
      | "run"
      | "resume"
      | "getRun"
      | "listRuns"
      | "getRunDetail"
      | "getRunProgress"
      | "cancel"
      | "pause"
      | "pauseAtCheckpoint"
      | "log"
      | "agent"
      | "journal.get"
      | "journal.put",
  ): string;
  /** Server → client requests: `<ns>.execute`, `<ns>.abort`. */
  readonly execute: string;
  readonly abort: string;
  /** The agent call's run id parameter. */
  readonly agentRunIdKey: "factoryRunId" | "workflowRunId";
  /** The session.create / session.resume key that registers workflows. */
  readonly registrationKey: "factories" | "workflows";
  /** Event types. */
  readonly events: { readonly started: string; readonly updated: string; readonly settled: string };
}

function protocol(ns: WorkflowNamespace): WorkflowProtocol {
  return {
    namespace: ns,
    method: (name) => `session.${ns}.${name}`,
    execute: `${ns}.execute`,
    abort: `${ns}.abort`,
    agentRunIdKey: ns === "factory" ? "factoryRunId" : "workflowRunId",
    registrationKey: ns === "factory" ? "factories" : "workflows",
    events: { started: `${ns}.run_started`, updated: `${ns}.run_updated`, settled: `${ns}.run_settled` },
  };
}

/** The mapping of both spellings. */
export const WORKFLOW_PROTOCOLS: Readonly<Record<WorkflowNamespace, WorkflowProtocol>> = { factory: protocol("factory"), workflow: protocol("workflow") };

/**
 * The spelling a runtime version speaks: `workflow` from 1.0.89 (the 1.0.15-preview.4 schemas)
 * onward, `factory` before; undefined when the version is unknown or unparsable.
 */
export function workflowNamespaceFor(runtimeVersion: string | undefined): WorkflowNamespace | undefined {
  const m = /^(\d+)\.(\d+)\.(\d+)/.exec(runtimeVersion ?? "");
  if (!m) return undefined;
  const [major, minor, patch] = [Number(m[1]), Number(m[2]), Number(m[3])];
  if (major !== 1) return major > 1 ? "workflow" : "factory";
  if (minor !== 0) return minor > 0 ? "workflow" : "factory";
  return patch >= 89 ? "workflow" : "factory";
}

// ---------------------------------------------------------------------------------------------
// Standard Schema (https://standardschema.dev): the interface is meant to be copied, not imported.

/** Any Standard Schema v1 (zod, valibot, arktype, …). */
export interface StandardSchema<Input = unknown, Output = Input> {
  readonly "~standard": {
    readonly version: 1;
    readonly vendor: string;
    readonly validate: (value: unknown) => StandardResult<Output> | Promise<StandardResult<Output>>;
    readonly types?: { readonly input: Input; readonly output: Output } | undefined;
    readonly jsonSchema?: { readonly input: (options: { target: string }) => Record<string, unknown> };
  };
}
type StandardResult<Output> =
  | { readonly value: Output; readonly issues?: undefined }
  | { readonly issues: ReadonlyArray<{ readonly message: string; readonly path?: ReadonlyArray<PropertyKey | { readonly key: PropertyKey }> | undefined }> };
type InferOutput<S> = S extends StandardSchema<unknown, infer O> ? O : unknown;
type InferInput<S> = S extends StandardSchema<infer I, unknown> ? I : unknown;

function isStandardSchema(value: unknown): value is StandardSchema {
  if ((typeof value !== "object" && typeof value !== "function") || value === null) return false;
  const props = (value as { "~standard"?: { version?: unknown; validate?: unknown } })["~standard"];
  return typeof props === "object" && props !== null && props.version === 1 && typeof props.validate === "function";
}

async function check<T>(schema: StandardSchema<unknown, T>, value: unknown): Promise<{ ok: true; value: T } | { ok: false; issues: string[] }> {
  const result = await schema["~standard"].validate(value);
  if (result.issues === undefined) return { ok: true, value: result.value };
  return {
    ok: false,
    issues: result.issues.map((i) => {
      const path = (i.path ?? []).map((p) => String(typeof p === "object" && p !== null ? p.key : p)).join(".");
      return path ? `${path}: ${i.message}` : i.message;
    }),
  };
}

// ---------------------------------------------------------------------------------------------
// Errors

/** Codes of a resume that fails before the run executes (the runtime's `error.data.code`). */
export type WorkflowResumeErrorCode =
  | "not_found"
  | "non_resumable"
  | "already_active"
  | "factory_already_running"
  | "factory_limits_invalid"
  | "factory_session_disposed"
  | "factory_storage_unavailable"
  | "factory_storage_corrupt"
  | "workflow_already_running"
  | "workflow_limits_invalid"
  | "workflow_session_disposed"
  | "workflow_storage_unavailable"
  | "workflow_storage_corrupt";

const RESUME_CODES: ReadonlySet<string> = new Set<WorkflowResumeErrorCode>([
  "not_found",
  "non_resumable",
  "already_active",
  "factory_already_running",
  "factory_limits_invalid",
  "factory_session_disposed",
  "factory_storage_unavailable",
  "factory_storage_corrupt",
  "workflow_already_running",
  "workflow_limits_invalid",
  "workflow_session_disposed",
  "workflow_storage_unavailable",
  "workflow_storage_corrupt",
]);

/** A workflow run could not be resumed; `code` says why (the incumbent's `FactoryResumeError`). */
export class WorkflowResumeError extends FlightdeckError {
  static override readonly errorClass: string = "WorkflowResumeError";
  readonly code: WorkflowResumeErrorCode;
  readonly runId: string;
  constructor(code: WorkflowResumeErrorCode, runId: string, message: string, options?: { cause?: unknown }) {
    super(`Workflow run ${runId} cannot be resumed (${code}): ${message}`, options);
    this.code = code;
    this.runId = runId;
  }
}

/** The incumbent's name for {@link WorkflowResumeError}. */
export { WorkflowResumeError as FactoryResumeError };

/** A workflow's input (or a run's result) failed the workflow's schema. Nothing was sent; the session goes on. */
export class WorkflowInputError extends FlightdeckError {
  static override readonly errorClass: string = "WorkflowInputError";
  readonly workflow: string;
  /** `"input"` (before the run) or `"result"` (a completed run's result). */
  readonly what: "input" | "result";
  readonly issues: readonly string[];
  constructor(workflow: string, what: "input" | "result", issues: readonly string[]) {
    super(
      what === "input"
        ? `Workflow "${workflow}": the input does not match its input schema: ${issues.join("; ")}. Fix the input passed to run(); no run was started.`
        : `Workflow "${workflow}": the run completed, but its result does not match the workflow's result schema: ${issues.join("; ")}. Fix the workflow's run() to return the declared shape.`,
    );
    this.workflow = workflow;
    this.what = what;
    this.issues = issues;
  }
}

/** The runtime offers no workflows for this session (or at all); the message says what to do. */
export class WorkflowsUnavailableError extends FlightdeckError {
  static override readonly errorClass: string = "WorkflowsUnavailableError";
  /** The wire method that was refused, in the runtime's spelling. */
  readonly method: string;
  /** The runtime's own code, when it gave one (e.g. `dynamic_workflows_unavailable` on the 1.0.102 CLI). */
  readonly runtimeCode: string | undefined;
  constructor(method: string, detail: string, options?: { cause?: unknown }) {
    const data = options?.cause instanceof RpcError ? (options.cause.data as { code?: unknown } | undefined) : undefined;
    const runtimeCode = typeof data?.code === "string" ? data.code : undefined;
    super(
      `${method}: agent workflows are not available for this session (${detail}${runtimeCode ? `, code ${runtimeCode}` : ""}). The runtime runs workflows only where they are enabled: registered by an extension connection (joinSession({ workflows }) of the extension entry point) and allowed for the signed-in Copilot account.`,
      options,
    );
    this.method = method;
    this.runtimeCode = runtimeCode;
  }
}

// ---------------------------------------------------------------------------------------------
// Definitions

/** A run's status; `completed`, `halted`, `paused`, `cancelled` and `error` end an attempt. */
export type WorkflowRunStatus = "pending" | "running" | "completed" | "halted" | "paused" | "cancelled" | "error";
const TERMINAL: ReadonlySet<string> = new Set(["completed", "halted", "paused", "cancelled", "error"]);
/** True for the statuses that end an attempt. */
export function isWorkflowRunTerminal(status: string): boolean {
  return TERMINAL.has(status);
}

/** Resource ceilings of a run (`null` = unlimited). */
export interface WorkflowLimits {
  maxConcurrentSubagents?: number | null;
  maxTotalSubagents?: number | null;
  maxAiCredits?: number | null;
  timeoutSeconds?: number | null;
}

/** Options of one subagent call inside a workflow. */
export interface WorkflowAgentOptions {
  /** Distinguishes otherwise identical memoized agent calls. */
  label?: string;
  /** JSON Schema of a structured answer. */
  schema?: Record<string, unknown>;
  model?: string;
  reasoningEffort?: string;
  /** A built-in or custom agent whose definition configures the subagent. */
  agent?: string;
}

/** What a workflow's `run` receives. */
export interface WorkflowContext<TInput> {
  readonly runId: string;
  /** The validated input (the output of the input schema). */
  readonly input: TInput;
  /** Aborted when the run is cancelled or paused by the runtime. */
  readonly signal: AbortSignal;
  /** Runs one subagent and resolves with its result. */
  agent(prompt: string, options?: WorkflowAgentOptions): Promise<unknown>;
  /** Memoizes `producer` under `key` in the run's journal: a resumed run gets the stored value back. */
  step<T>(key: string, producer: () => T | Promise<T>): Promise<T>;
  /** A durable checkpoint: the first attempt to reach `key` pauses the run; a resumed attempt continues. */
  pause(key: string): Promise<void>;
  /** Starts a progress phase (a line of kind `phase`). */
  phase(title: string): Promise<void>;
  /** A progress line. */
  log(message: string): Promise<void>;
}

/** What {@link defineWorkflow} takes. */
export interface WorkflowDefinition<SIn extends StandardSchema | undefined, SOut extends StandardSchema | undefined, TResult> {
  /** Stable name the workflow is run by. */
  name: string;
  description: string;
  /** Progress phases shown to the user. */
  phases?: Array<{ title: string; detail?: string }>;
  /** Standard Schema of the input; checked before a run is started and again before `run` gets it. */
  input?: SIn;
  /** Standard Schema of the result; a completed run's result is checked against it. */
  result?: SOut;
  /** JSON Schema of the input sent to the runtime (the model's tool). Default: from `input` when it can describe itself. */
  inputJsonSchema?: Record<string, unknown>;
  limits?: WorkflowLimits;
  run(context: WorkflowContext<SIn extends StandardSchema ? InferOutput<SIn> : unknown>): Promise<TResult> | TResult;
}

/** The registration the runtime gets (`factories` / `workflows` of session.resume). */
export interface WorkflowMeta {
  name: string;
  description: string;
  phases: Array<{ title: string; detail?: string }>;
  argsSchema?: Record<string, unknown>;
  limits?: WorkflowLimits;
}

/** A defined workflow: register it with `joinSession({ workflows })`, run it with `session.workflows.run(handle, …)`. */
export interface Workflow<TInput = unknown, TResult = unknown> {
  readonly name: string;
  readonly meta: Readonly<WorkflowMeta>;
  /** @internal */ readonly inputSchema: StandardSchema | undefined;
  /** @internal */ readonly resultSchema: StandardSchema | undefined;
  /** @internal */ readonly execute: (context: WorkflowContext<unknown>) => Promise<unknown>;
  /** Type-only: what `run` takes and returns. */
  readonly types?: { readonly input: TInput; readonly result: TResult };
}

const NAME = /^[A-Za-z0-9_.-]{1,64}$/;

function fail(option: string, message: string): SdkError {
  return new SdkError("INVALID_OPTION", `defineWorkflow: ${option}: ${message}`, { details: { option } });
}

/**
 * Defines a workflow with typed input and result (any Standard Schema).
 *
 * @example
 * ```ts
 * const triage = defineWorkflow({
 *   name: "triage",
 *   description: "Triage the issues of a repository",
 *   input: z.object({ repo: z.string() }),
 *   result: z.object({ triaged: z.number() }),
 *   async run(ctx) {
 *     const issues = await ctx.step("list", () => listIssues(ctx.input.repo));
 *     for (const issue of issues) await ctx.agent(`Label issue ${issue}`);
 *     return { triaged: issues.length };
 *   },
 * });
 * ```
 */
export function defineWorkflow<
  SIn extends StandardSchema | undefined = undefined,
  SOut extends StandardSchema | undefined = undefined,
  TResult = SOut extends StandardSchema ? InferOutput<SOut> : unknown,
>(
  definition: WorkflowDefinition<SIn, SOut, TResult>,
): Workflow<SIn extends StandardSchema ? InferInput<SIn> : unknown, SOut extends StandardSchema ? InferOutput<SOut> : TResult> {
  if (typeof definition !== "object" || definition === null) throw fail("definition", "pass { name, description, run }.");
  const { name, description, phases = [], input, result, limits } = definition;
  if (typeof name !== "string" || !NAME.test(name))
    throw fail("name", `${JSON.stringify(name)} is not a workflow name: use 1-64 letters, digits, "_", "-" or ".".`);
  if (typeof description !== "string" || description.trim() === "") throw fail("description", "must be a non-empty string (the model reads it).");
  if (typeof definition.run !== "function") throw fail("run", "must be a function (context) => result.");
  if (input !== undefined && !isStandardSchema(input)) throw fail("input", "must be a Standard Schema (zod, valibot, arktype, …).");
  if (result !== undefined && !isStandardSchema(result)) throw fail("result", "must be a Standard Schema (zod, valibot, arktype, …).");
  const titles = new Set<string>();
  for (const phase of phases) {
    if (typeof phase?.title !== "string" || phase.title.trim() === "") throw fail("phases", "every phase needs a non-empty title.");
    if (titles.has(phase.title)) throw fail("phases", `the title "${phase.title}" is declared twice.`);
    titles.add(phase.title);
  }
  for (const key of ["maxConcurrentSubagents", "maxTotalSubagents"] as const) {
    const v = limits?.[key];
    if (v !== undefined && v !== null && (!Number.isInteger(v) || v <= 0)) throw fail(`limits.${key}`, "must be a positive integer (or null for no limit).");
  }
  for (const key of ["maxAiCredits", "timeoutSeconds"] as const) {
    const v = limits?.[key];
    if (v !== undefined && v !== null && (!Number.isFinite(v) || v <= 0)) throw fail(`limits.${key}`, "must be a positive number (or null for no limit).");
  }
  let argsSchema = definition.inputJsonSchema;
  if (argsSchema === undefined && input !== undefined && typeof input["~standard"].jsonSchema?.input === "function") {
    const { $schema: _drop, ...rest } = input["~standard"].jsonSchema.input({ target: "draft-2020-12" });
    argsSchema = rest;
  }
  const meta: WorkflowMeta = {
    name,
    description,
    phases: phases.map((p) => ({ ...p })),
    ...(argsSchema && { argsSchema }),
    ...(limits && { limits: { ...limits } }),
  };
  const run = definition.run as (context: WorkflowContext<unknown>) => Promise<unknown> | unknown;
  return Object.freeze({
    name,
    meta: Object.freeze(meta),
    inputSchema: input,
    resultSchema: result,
    execute: async (context: WorkflowContext<unknown>) => run(context),
  }) as Workflow<never, never>;
}

/**
 * The incumbent's `defineFactory({ meta, run })`, for programs moving over: the same workflow
 * without schemas (`context.args` is `context.input`).
 */
export function defineFactory(definition: {
  meta: {
    name: string;
    description: string;
    phases?: Array<{ title: string; detail?: string }>;
    argsSchema?: Record<string, unknown>;
    limits?: WorkflowLimits;
  };
  run(context: WorkflowContext<unknown> & { args: unknown }): Promise<unknown>;
}): Workflow {
  const { meta, run } = definition;
  return defineWorkflow({
    name: meta.name,
    description: meta.description,
    ...(meta.phases && { phases: meta.phases }),
    ...(meta.argsSchema && { inputJsonSchema: meta.argsSchema }),
    ...(meta.limits && { limits: meta.limits }),
    run: (context) => run(Object.assign(Object.create(context) as WorkflowContext<unknown>, { args: context.input })),
  });
}

// ---------------------------------------------------------------------------------------------
// The caller's side

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
      const checked = await check(handle.inputSchema, options.input);
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
    const checked = await check(handle.resultSchema, run.result);
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

// ---------------------------------------------------------------------------------------------
// The executing side

/** Where {@link serveWorkflows} answers and calls back. */
export interface WorkflowHost {
  readonly sessionId: string;
  readonly registry: RpcHandlerRegistry;
  readonly caller: RpcCaller;
  readonly protocol: WorkflowProtocol;
  /** Receives failures that belong to no call (e.g. a progress line that could not be sent). */
  onError(error: unknown): void;
}

/**
 * Answers `<ns>.execute` / `<ns>.abort` for `workflows` on one connection: validates the input
 * against the workflow's input schema (a mismatch fails the run with the issues, the session goes
 * on), runs it with a {@link WorkflowContext}, checks its result against the result schema.
 */
export function serveWorkflows(host: WorkflowHost, workflows: readonly Workflow[]): Unsubscribe {
  const byName = new Map<string, Workflow>();
  for (const w of workflows) {
    if (byName.has(w.name))
      throw new SdkError("INVALID_OPTION", `workflows: the name "${w.name}" is registered twice. Give each workflow its own name.`, {
        details: { option: "workflows" },
      });
    byName.set(w.name, w);
  }
  const running = new Map<string, AbortController>();
  const { protocol: p, caller, sessionId } = host;
  const call = (method: Parameters<WorkflowProtocol["method"]>[0], params: Record<string, unknown>) =>
    caller.request(p.method(method), { sessionId, ...params });

  const offExecute = host.registry.onRequest(p.execute, async (raw: unknown) => {
    const params = raw as { sessionId: string; name: string; runId: string; executionToken: string; args: unknown };
    if (params.sessionId !== sessionId) throw new RpcError(RpcErrorCode.InvalidParams, `${p.execute}: session ${params.sessionId} is not served here.`);
    const workflow = byName.get(params.name);
    if (!workflow)
      throw new RpcError(
        RpcErrorCode.InvalidParams,
        `No workflow named "${params.name}" is registered by this connection (registered: ${[...byName.keys()].join(", ") || "none"}).`,
        { data: { code: "factory_not_found" } },
      );
    let input: unknown = params.args;
    if (workflow.inputSchema) {
      const checked = await check(workflow.inputSchema, params.args);
      if (!checked.ok)
        throw new RpcError(RpcErrorCode.InvalidParams, new WorkflowInputError(workflow.name, "input", checked.issues).message, {
          data: { code: "invalid_args" },
        });
      input = checked.value;
    }
    const controller = new AbortController();
    const key = `${params.runId}\u0000${params.executionToken}`;
    running.set(key, controller);
    let seq = 0;
    const token = { runId: params.runId, executionToken: params.executionToken };
    const line = (kind: "phase" | "log", text: string) => call("log", { ...token, lines: [{ seq: seq++, kind, text }] }).then(() => undefined);
    const context: WorkflowContext<unknown> = {
      runId: params.runId,
      input,
      signal: controller.signal,
      agent: async (prompt, options = {}) =>
        ((await call("agent", { [p.agentRunIdKey]: params.runId, executionToken: params.executionToken, prompt, opts: options })) as { result?: unknown })
          .result,
      step: async (stepKey, producer) => {
        const hit = (await call("journal.get", { ...token, key: stepKey })) as { hit: boolean; resultJson?: unknown };
        if (hit.hit) return hit.resultJson as never;
        const value = await producer();
        await call("journal.put", { ...token, key: stepKey, resultJson: value === undefined ? null : value });
        return value;
      },
      pause: async (pauseKey) => {
        const { action } = (await call("pauseAtCheckpoint", { ...token, key: pauseKey })) as { action: "continue" | "pause" };
        if (action === "pause") {
          controller.abort(new SdkError("ABORTED", `Workflow run ${params.runId} paused at checkpoint "${pauseKey}".`));
          throw controller.signal.reason;
        }
      },
      phase: (title) => line("phase", title),
      log: (message) => line("log", message),
    };
    try {
      const result = await workflow.execute(context);
      if (workflow.resultSchema) {
        const checked = await check(workflow.resultSchema, result);
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
    } finally {
      running.delete(key);
    }
  });
  const offAbort = host.registry.onRequest(p.abort, (raw: unknown) => {
    const params = raw as { runId: string; executionToken: string };
    running.get(`${params.runId}\u0000${params.executionToken}`)?.abort(new SdkError("ABORTED", `Workflow run ${params.runId} was aborted by the runtime.`));
    return {};
  });
  return () => {
    offExecute();
    offAbort();
    for (const controller of running.values()) controller.abort(new SdkError("ABORTED", "The workflow host went away."));
  };
}
