/**
 * End to end on both pinned runtimes: `session.abort()` while a tool handler runs fires the
 * handler's signal at once, and its late result never reaches the model.
 */
import { describe, expect, it } from "vitest";
import { toolResults } from "@flightdeck/copilot-testing";
import { approveAll, defineTool } from "@flightdeck/copilot-tools";
import { RUNTIMES, gate, setup, useE2eTeardown } from "../../../test-support/e2e.js";

useE2eTeardown();

describe.each(RUNTIMES)("$name", (runtime) => {
  it("abort() fires a running tool handler's signal and drops its late result", async () => {
    const t = await setup(runtime);
    const started = gate<AbortSignal>();
    const release = gate();
    let abortedAfterMs: number | undefined;
    const slow = defineTool("slow_lookup", {
      description: "Looks something up slowly",
      handler: async (_args, invocation) => {
        const signal = invocation.signal;
        const t0 = Date.now();
        signal.addEventListener("abort", () => (abortedAfterMs = Date.now() - t0), { once: true });
        started.open(signal);
        await release.promise;
        return "LATE RESULT THAT MUST NOT ARRIVE";
      },
    });
    t.model.push({ toolCalls: [{ name: "slow_lookup", arguments: {} }] }, (req) => ({ text: `after: ${toolResults(req).at(-1)?.content ?? "none"}` }));
    const session = await t.client.createSession({ model: "gpt-4.1", provider: t.model.provider(), tools: [slow], onPermissionRequest: approveAll });
    const idle = new Promise<void>((resolve) => {
      const off = session.on("session.idle", () => {
        off();
        resolve();
      });
    });
    await session.send("look it up");
    const signal = await started.promise;
    expect(signal.aborted).toBe(false);
    const before = Date.now();
    await session.abort();
    expect(signal.aborted).toBe(true);
    expect(Date.now() - before).toBeLessThan(5_000);
    await idle;
    release.open();
    await new Promise((resolve) => setTimeout(resolve, 300));
    // Only the turn's first model request happened: the late result was never sent to the runtime.
    for (const request of t.model.requests) expect(JSON.stringify(request.body)).not.toContain("LATE RESULT THAT MUST NOT ARRIVE");
    expect(abortedAfterMs).toBeDefined();
  });
});
