/** Workflow definitions: {@link defineWorkflow} (typed by Standard Schemas) and the incumbent's {@link defineFactory}. */
import { SdkError } from "@flightdeck/copilot-core";
import { isStandardSchema, type InferInput, type InferOutput, type StandardSchema } from "./standard-schema.js";

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
