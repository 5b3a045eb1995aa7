import { defineConfig } from "tsup";

export default defineConfig({
  entry: {"index": "src/index.ts", "validators": "src/validators.ts", "node": "src/node.ts", "internal": "src/internal.ts"},
  format: ["esm", "cjs"],
  dts: true,
  sourcemap: true,
  clean: true,
  target: "node20",
  splitting: false,
  treeshake: true,
});
