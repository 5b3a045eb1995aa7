import { defineConfig } from "vitest/config";
import base from "./vitest.config.js";

/**
 * The in-process cell: the end-to-end suite with the runtime loaded into the test process
 * (`RuntimeConnection.forInProcess()`) instead of spawned. `FLIGHTDECK_TEST_CONNECTION=inprocess`
 * makes the testing kit's `createTestClient` use that connection and limits the runtimes to the one
 * with an in-process library (copilot-runtime 1.0.85). Tests about the runtime being a child process
 * are marked `skipIf(IN_PROCESS)` and listed with the reason in docs/in-process.md.
 */
export default defineConfig({
  ...base,
  test: {
    ...base.test,
    include: ["packages/*/test/**/e2e*.test.ts", "packages/*/test/**/*.e2e.test.ts", "packages/testing/test/*.test.ts"],
    env: { FLIGHTDECK_TEST_CONNECTION: "inprocess" },
    typecheck: { enabled: false },
  },
});
