import { fileURLToPath } from "node:url";
import { defineConfig } from "vitest/config";

const here = (p: string) => fileURLToPath(new URL(p, import.meta.url));

// Tests run against the sources, not dist/: each workspace package maps to its src entry.
export default defineConfig({
  resolve: {
    alias: [
      { find: /^@flightdeck\/copilot-core\/validators$/, replacement: here("packages/core/src/validators.ts") },
      { find: /^@flightdeck\/copilot-core\/node$/, replacement: here("packages/core/src/node.ts") },
      { find: /^@flightdeck\/copilot-core\/internal$/, replacement: here("packages/core/src/internal.ts") },
      { find: /^@flightdeck\/copilot-core\/runtime$/, replacement: here("packages/core/src/runtime.ts") },
      { find: /^@flightdeck\/copilot-core$/, replacement: here("packages/core/src/index.ts") },
      { find: /^@flightdeck\/copilot-tools$/, replacement: here("packages/tools/src/index.ts") },
      { find: /^@flightdeck\/copilot-session$/, replacement: here("packages/session/src/index.ts") },
      { find: /^@flightdeck\/copilot-client$/, replacement: here("packages/client/src/index.ts") },
      { find: /^@flightdeck\/copilot-sdk$/, replacement: here("packages/sdk/src/index.ts") },
      { find: /^@flightdeck\/copilot-sdk\/extension$/, replacement: here("packages/sdk/src/extension.ts") },
      { find: /^@flightdeck\/copilot-testing$/, replacement: here("packages/testing/src/index.ts") },
      { find: /^@flightdeck\/copilot-postgres$/, replacement: here("packages/postgres/src/index.ts") },
      { find: /^@flightdeck\/copilot-codegen$/, replacement: here("codegen/src/index.ts") },
    ],
  },
  test: {
    include: ["{codegen,packages/*,tools,examples/*,bench}/test/**/*.test.ts"],
    exclude: ["**/node_modules/**", "**/dist/**"],
    // Each run gets its own TMPDIR; anything a test leaves there fails the run, by name.
    globalSetup: ["tools/vitest/system-packages.ts", "tools/vitest/temp-dir-guard.ts"],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    typecheck: {
      enabled: true,
      include: ["{codegen,packages/*}/test/**/*.test-d.ts"],
      tsconfig: "./tsconfig.json",
    },
  },
});
