/**
 * The two spellings of the workflow protocol. Runtime 1.0.85 (schemas of @github/copilot-sdk 1.0.14)
 * names the methods `session.factory.*` / `factory.execute`, runtimes from 1.0.89 (1.0.15-preview.4
 * onward, e.g. the 1.0.102 CLI) name them `session.workflow.*` / `workflow.execute`, with the same
 * shapes apart from the agent call's `factoryRunId` / `workflowRunId` and the registration key
 * (`factories` / `workflows`). {@link WORKFLOW_PROTOCOLS} holds that mapping; the spelling is chosen
 * from the runtime version when known, else learnt from the runtime's "Unhandled method" answer.
 */
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
