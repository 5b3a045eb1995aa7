/**
 * Agent workflows on both pinned runtimes. Neither runs a workflow offline: runtime 1.0.85 knows
 * `session.factory.*` and refuses every call ("Agent factories are not available for this session";
 * its registrations must come from an extension connection), the 1.0.102 CLI knows
 * `session.workflow.*`, lists runs, and refuses to run or resume (code `dynamic_workflows_unavailable`:
 * an entitlement of the signed-in Copilot account). What is checked here on the real runtimes: the
 * spelling each one speaks is found, reads work where the runtime allows them, a refusal is a typed
 * error naming the method, and the session goes on. The run / pause / resume /
 * journal mapping is tested against an in-memory peer in workflows.test.ts.
 */
import { describe, expect, it } from "vitest";
import { WorkflowsUnavailableError, defineWorkflow } from "@flightdeck/copilot-session";
import { RUNTIMES, setup, useE2eTeardown } from "../../../test-support/e2e.js";
import { z } from "./fixtures/zod.js";

useE2eTeardown();

describe.each(RUNTIMES)("$name", (runtime) => {
  it("finds the runtime's spelling; a workflow call without a registering extension is a typed error; the session goes on", async () => {
    const t = await setup(runtime, { model: { script: [{ text: "still here" }] } });
    const session = await t.client.createSession({ model: "gpt-4.1", provider: t.model.provider() });
    const expected = runtime.version === "1.0.85" ? "factory" : "workflow";

    if (expected === "factory") {
      const error = await session.workflows.listRuns().catch((e: unknown) => e);
      expect(error).toBeInstanceOf(WorkflowsUnavailableError);
      expect((error as WorkflowsUnavailableError).method).toBe("session.factory.listRuns");
      expect((error as Error).message).toMatch(/not available for this session/);
      expect((error as Error).message).toContain("joinSession({ workflows })");
    } else {
      expect(await session.workflows.listRuns()).toMatchObject({ runs: [], hasMoreNewer: false });
      const refused = await session.workflows.resume("no-such-run").catch((e: unknown) => e);
      expect(refused).toBeInstanceOf(WorkflowsUnavailableError);
      expect(refused).toMatchObject({ method: "session.workflow.resume", runtimeCode: "dynamic_workflows_unavailable" });
    }
    expect(session.workflows.namespace).toBe(expected);

    // Input is checked before anything is sent: a bad input never reaches the runtime.
    const triage = defineWorkflow({ name: "triage", description: "Triage", input: z.object({ repo: z.string() }), run: () => null });
    await expect(session.workflows.run(triage, { input: { repo: 1 } as never })).rejects.toMatchObject({ name: "WorkflowInputError", what: "input" });
    await expect(session.workflows.run(triage, { input: { repo: "octo/hello" } })).rejects.toBeInstanceOf(WorkflowsUnavailableError);

    expect((await session.sendAndWait("Hi", { timeoutMs: 30_000 }))?.data.content).toBe("still here");
    expect(t.problems()).toEqual([]);
  });
});
