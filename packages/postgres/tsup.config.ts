import { defineConfig } from "tsup";
import { libraryConfig } from "../../tools/build/library-config.js";

export default defineConfig([
  libraryConfig(),
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
