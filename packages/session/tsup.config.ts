import { defineConfig } from "tsup";

export default defineConfig({
  entry: { index: "src/index.ts" },
  format: ["esm", "cjs"],
  dts: true,
  sourcemap: false, // the JS is shipped unminified and readable; maps would double the install size
  clean: true,
  target: "node20",
  splitting: false,
  treeshake: true,
});
