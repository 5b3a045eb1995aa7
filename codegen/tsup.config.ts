import { defineConfig } from "tsup";

export default defineConfig({
  entry: { index: "src/index.ts", cli: "src/cli.ts", "validators-worker": "src/validators-worker.ts" },
  format: ["esm", "cjs"],
  dts: { entry: { index: "src/index.ts" } },
  sourcemap: false, // the JS is shipped unminified and readable; maps would double the install size
  clean: true,
  target: "node20",
  splitting: false,
  // The CJS build reads import.meta.url (to find its worker): shim it from __filename.
  shims: true,
});
