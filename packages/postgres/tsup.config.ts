import { defineConfig } from "tsup";

export default defineConfig([
  {
    entry: { index: "src/index.ts" },
    format: ["esm", "cjs"],
    dts: true,
    sourcemap: false,
    clean: true,
    target: "node20",
    splitting: false,
    treeshake: true,
  },
  {
    // The `flightdeck-postgres` command (ESM only, with a shebang).
    entry: { cli: "src/cli.ts" },
    format: ["esm"],
    dts: false,
    sourcemap: false,
    clean: false,
    target: "node20",
    splitting: false,
    banner: { js: "#!/usr/bin/env node" },
  },
]);
