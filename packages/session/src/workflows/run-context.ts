/**
 * The {@link WorkflowContext} one run of a served workflow gets: subagent calls, durable steps
 * through the run's journal (`journal.get` / `journal.put`), checkpoints and progress lines, each a
 * call back to the runtime for this run's id and execution token.
 */
import { SdkError, type RpcCaller } from "@flightdeck/copilot-core";
import type { WorkflowContext } from "./define-workflow.js";
import type { WorkflowProtocol } from "./protocol.js";

/** One run as `<ns>.execute` names it. */
export interface RunTicket {
  readonly sessionId: string;
  readonly runId: string;
  readonly executionToken: string;
}

/** Builds the context of one run; `controller` aborts it (a checkpoint that pauses aborts it too). */
export function createRunContext(
  caller: RpcCaller,
  protocol: WorkflowProtocol,
  ticket: RunTicket,
  input: unknown,
  controller: AbortController,
): WorkflowContext<unknown> {
  const { sessionId, runId, executionToken } = ticket;
  const call = (method: Parameters<WorkflowProtocol["method"]>[0], params: Record<string, unknown>) =>
    caller.request(protocol.method(method), { sessionId, ...params });
  const token = { runId, executionToken };
  let seq = 0;
  const line = (kind: "phase" | "log", text: string) => call("log", { ...token, lines: [{ seq: seq++, kind, text }] }).then(() => undefined);
  return {
    runId,
    input,
    signal: controller.signal,
    agent: async (prompt, options = {}) =>
      ((await call("agent", { [protocol.agentRunIdKey]: runId, executionToken, prompt, opts: options })) as { result?: unknown }).result,
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
        controller.abort(new SdkError("ABORTED", `Workflow run ${runId} paused at checkpoint "${pauseKey}".`));
        throw controller.signal.reason;
      }
    },
    phase: (title) => line("phase", title),
    log: (message) => line("log", message),
  };
}
