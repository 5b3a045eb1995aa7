/** The errors of agent workflows: a resume refused, an input or result off its schema, workflows unavailable. */
import { FlightdeckError, RpcError } from "@flightdeck/copilot-core";

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

export const RESUME_CODES: ReadonlySet<string> = new Set<WorkflowResumeErrorCode>([
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
