import { cpSync, mkdirSync, rmSync } from "node:fs";
import { defineConfig } from "tsup";

// The package ships the schemas it was built and tested with (upstream files, lock and overlay),
// so `flightdeck-codegen generate` works for someone who only installed it.
function copySchemas(): void {
  const from = new URL("../schemas/", import.meta.url);
  const to = new URL("./schemas/", import.meta.url);
  rmSync(to, { recursive: true, force: true });
  mkdirSync(to, { recursive: true });
  for (const name of ["api.schema.json", "session-events.schema.json", "protocol.lock.json", "overlay", "README.md"]) {
    cpSync(new URL(name, from), new URL(name, to), { recursive: true });
  }
}

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
  onSuccess: async () => copySchemas(),
});
