import { defineConfig } from "tsup";
import { libraryConfig } from "../../tools/build/library-config.js";

export default defineConfig(
  libraryConfig({
    entry: { index: "src/index.ts", cli: "src/cli.ts" },
    // The CJS build resolves the runtimes with createRequire(import.meta.url): shim it.
    shims: true,
  }),
);
