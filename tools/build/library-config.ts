/**
 * The tsup settings every published library package builds with (core and sdk add their own
 * entries and steps on top): ESM and CommonJS, declarations, Node 20, one file per entry.
 */
import type { Options } from "tsup";

export function libraryConfig(options: Options = {}): Options {
  return {
    entry: { index: "src/index.ts" },
    format: ["esm", "cjs"],
    dts: true,
    sourcemap: false, // the JS is shipped unminified and readable; maps would double the install size
    clean: true,
    target: "node20",
    splitting: false,
    treeshake: true,
    ...options,
  };
}
