import { rmSync, writeFileSync } from "node:fs";
import { defineConfig, type Options } from "tsup";

// Two builds share dist/, so clean it once here rather than racing `clean: true` in each.
rmSync(new URL("./dist", import.meta.url), { recursive: true, force: true });

const common: Options = {
  format: ["esm", "cjs"],
  dts: true,
  clean: false,
  target: "node20",
  splitting: false,
  treeshake: true,
};

export default defineConfig([
  {
    ...common,
    entry: { index: "src/index.ts", node: "src/node.ts", internal: "src/internal.ts", runtime: "src/runtime.ts" },
    sourcemap: false, // the JS is shipped unminified and readable; maps would double the install size
  },
  {
    ...common,
    // The validators entry is mostly generated schema data: minified, and without a source map
    // (a map of generated data would be larger than the code and nobody steps through it).
    entry: { validators: "src/validators.ts" },
    sourcemap: false,
    minify: true,
    // CommonJS gets a one-line shim over the ESM build (require(esm) works from Node 20.19, our
    // floor) instead of a second copy of the schema data.
    onSuccess: async () => {
      writeFileSync(
        new URL("./dist/validators.cjs", import.meta.url),
        '"use strict";\n// The validators are ESM only; Node >= 20.19 can require() them.\nmodule.exports = require("./validators.js");\n',
      );
    },
  },
]);
