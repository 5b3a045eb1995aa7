import { readFile } from "node:fs/promises";
import { basename, dirname, resolve } from "node:path";
import { isDeepStrictEqual } from "node:util";
import { brotliCompressSync, constants } from "node:zlib";
import { transform } from "esbuild";
import { defineConfig, type Options } from "tsup";

type EsbuildPlugin = NonNullable<Options["esbuildPlugins"]>[number];

/**
 * The sdk ships one self-contained bundle: the code of core, tools, session and client is built
 * into dist/ (`noExternal`), so `import "@flightdeck/copilot-sdk"` loads two module files instead of
 * five packages' worth, and an install is this package alone (its declarations are bundled too, by
 * `dts.resolve`). The other packages stay published on their own for users who want one layer.
 *
 * ESM only here; `scripts/finish-build.mjs` then adds the CommonJS entry (a `require()` of the ESM
 * build, Node >= 20.19) and the declaration pair (one full `.d.cts`, a re-exporting `.d.ts`).
 */

/** Core's Node-version guard runs for its side effect; its package says `sideEffects: false`. */
const keepNodeGuard: EsbuildPlugin = {
  name: "keep-node-guard",
  setup(build) {
    build.onResolve({ filter: /[/\\]node-version\.js$/ }, (args) => ({
      path: resolve(args.resolveDir, args.path.replace(/\.js$/, ".ts")),
      sideEffects: true,
    }));
  },
};

/**
 * The generated validator data (the protocol's JSON Schemas, ~380 KB of JSON, and the event and
 * method tables naming them, ~40 KB) is only read when the first session event is validated, from
 * a lazily imported chunk. It is stored there brotli-compressed (~10× smaller on disk) and inflated
 * once on load (~2 ms, node:zlib). Only plain-data tables are packed (checked by a round trip).
 */
const compressValidatorData: EsbuildPlugin = {
  name: "compress-validator-data",
  setup(build) {
    const packedFiles = new Set<string>();
    build.onLoad({ filter: /[/\\]generated[/\\]validators[/\\](definitions|index)\.[jt]s$/ }, async (args) => {
      const { code } = await transform(await readFile(args.path, "utf8"), { loader: "ts", format: "esm" });
      let out = code;
      const tables = /^const (\w+) = (\/\* @__PURE__ \*\/ JSON\.parse\(.*\)|\{\n[\s\S]*?\n\});$/gm;
      for (const match of code.matchAll(tables)) {
        const value: unknown = new Function(`return (${match[2]});`)();
        const json = JSON.stringify(value);
        if (json === undefined || !isDeepStrictEqual(JSON.parse(json), value)) continue;
        const packed = brotliCompressSync(json, { params: { [constants.BROTLI_PARAM_QUALITY]: 11 } }).toString("base64");
        out = out.replace(match[0], `const ${match[1]} = /* @__PURE__ */ inflate(${JSON.stringify(packed)});`);
      }
      if (out === code) throw new Error(`compress-validator-data: no plain-data table found in ${args.path}; update packages/sdk/tsup.config.ts`);
      packedFiles.add(basename(args.path).replace(/\.[jt]s$/, ""));
      const inflate =
        'import { brotliDecompressSync } from "node:zlib";\nconst inflate = (data) => JSON.parse(brotliDecompressSync(Buffer.from(data, "base64")).toString("utf8"));\n';
      return { contents: inflate + out, loader: "js", resolveDir: dirname(args.path) };
    });
    // A renamed generated file once made this plugin match nothing, shipping ~370 KB of raw JSON.
    build.onEnd((result) => {
      if (packedFiles.size < 2 && result.errors.length === 0) {
        throw new Error(
          "compress-validator-data: the generated validator tables (definitions, index) were not all found; update the filter in packages/sdk/tsup.config.ts",
        );
      }
    });
  },
};

/**
 * The generated method tables (~100 KB of object literals, read on every import) are emitted as
 * `JSON.parse("…")`: V8 scans a JSON string several times faster than it parses and compiles the
 * same object literal. Only plain-data tables are rewritten (checked by a round trip); anything
 * else is left as the generator wrote it.
 */
const methodTablesAsJson: EsbuildPlugin = {
  name: "method-tables-as-json",
  setup(build) {
    build.onLoad({ filter: /[/\\]generated[/\\](internal-)?methods\.ts$/ }, async (args) => {
      const { code } = await transform(await readFile(args.path, "utf8"), { loader: "ts", format: "esm" });
      let out = code;
      for (const match of code.matchAll(/^(export )?const (\w+) = \{\n[\s\S]*?\n\};$/gm)) {
        const literal = match[0].slice(match[0].indexOf("{"), -1);
        const value: unknown = new Function(`return (${literal});`)();
        const json = JSON.stringify(value);
        if (json === undefined || !isDeepStrictEqual(JSON.parse(json), value)) continue;
        out = out.replace(match[0], `${match[1] ?? ""}const ${match[2]} = /* @__PURE__ */ JSON.parse(${JSON.stringify(json)});`);
      }
      if (out === code) console.warn(`method-tables-as-json: no plain-data table found in ${args.path}; left as is`);
      return { contents: out, loader: "js", resolveDir: dirname(args.path) };
    });
  },
};

export default defineConfig({
  entry: { index: "src/index.ts", extension: "src/extension.ts" },
  format: ["esm"],
  // Declarations of the bundled workspace packages are inlined (only what the sdk's exports reach),
  // and so are the Standard Schema interfaces (types only, MIT, made to be copied; notice in
  // dist/THIRD-PARTY-NOTICES.md): an install needs no @standard-schema/spec package.
  dts: { resolve: [/^@flightdeck\//, /^@standard-schema\/spec$/] },
  sourcemap: false, // the JS is shipped unminified and readable; maps would double the install size
  clean: true,
  target: "node20",
  // The validators (and the data above) stay in their own chunk, loaded by a dynamic import.
  splitting: true,
  treeshake: true,
  noExternal: [/^@flightdeck\//],
  esbuildPlugins: [keepNodeGuard, compressValidatorData, methodTablesAsJson],
});
