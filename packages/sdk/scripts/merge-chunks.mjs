// After tsup, before finish-build.mjs: the ES modules in dist/ are re-chunked by Rollup so that
// `import "@flightdeck/copilot-sdk"` loads two files (the entry and one chunk) rather than one per
// esbuild chunk.
//
// esbuild gives each set of entry points (the two entries and every `import()`: validators,
// connecting steps, session host, joinSession) that reach a module a chunk of its own, so the
// code an import loads was spread over up to eight files; Node's ESM loader costs ~0.2 ms of CPU
// per module (resolve, read, compile, link), as much as compiling ~10 KB. Rollup knows that a
// module already loaded by the importer of an `import()` is there when that import runs, and puts
// what the entries load into one chunk. The code is esbuild's output unchanged but for the names
// of imports and exports between chunks (no tree-shaking, no minifying: Rollup's `treeshake` is off).
//
// `mergeChunks(dir)` also rewrites dir/metafile-esm.json, when there is one (the import-graph test
// asks tsup for it), so that its outputs name the new files and the sources bundled into each.
import { readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { basename, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { rollup } from "rollup";

const ENTRIES = ["index", "extension"];

/** Re-chunks the ESM build in `dir` (its .js files); returns the new .js file names. */
export async function mergeChunks(dir) {
  const before = readdirSync(dir).filter((f) => f.endsWith(".js"));
  for (const entry of ENTRIES) {
    if (!before.includes(`${entry}.js`)) throw new Error(`merge-chunks: ${dir} has no ${entry}.js; run tsup first`);
  }
  const bundle = await rollup({
    input: Object.fromEntries(ENTRIES.map((entry) => [entry, join(dir, `${entry}.js`)])),
    // Node built-ins and optional peers (koffi) stay imports.
    external: (id) => !id.startsWith(".") && !id.startsWith("/") && !/^[A-Za-z]:[\\/]/.test(id),
    preserveEntrySignatures: "exports-only",
    treeshake: false,
    onwarn(warning) {
      throw new Error(`merge-chunks: ${warning.message}`);
    },
  });
  // Read before the old files are removed: which esbuild files went into which output.
  const { output } = await bundle.generate({
    format: "es",
    entryFileNames: "[name].js",
    // A lazy chunk keeps the name of the esbuild chunk it comes from (runtime-connect-<hash>.js, …).
    chunkFileNames: "[name].js",
    minifyInternalExports: false,
    generatedCode: "es2015",
  });
  await bundle.close();
  for (const file of before) rmSync(join(dir, file));
  const merged = {};
  for (const chunk of output) {
    if (chunk.type !== "chunk") throw new Error(`merge-chunks: unexpected asset ${chunk.fileName}`);
    writeFileSync(join(dir, chunk.fileName), chunk.code);
    merged[chunk.fileName] = Object.keys(chunk.modules).map((id) => basename(id));
  }
  rewriteMetafile(dir, merged);
  return Object.keys(merged);
}

/** Points dir/metafile-esm.json's `outputs` at the merged files (inputs: the union of their parts'). */
function rewriteMetafile(dir, merged) {
  const path = join(dir, "metafile-esm.json");
  let meta;
  try {
    meta = JSON.parse(readFileSync(path, "utf8"));
  } catch {
    return;
  }
  const byFile = new Map(Object.entries(meta.outputs).map(([key, value]) => [basename(key), { key, value }]));
  const outputs = {};
  for (const [file, parts] of Object.entries(merged)) {
    const inputs = {};
    let bytes = 0;
    for (const part of parts) {
      const old = byFile.get(part);
      if (!old) throw new Error(`merge-chunks: ${part} is not in ${path}`);
      Object.assign(inputs, old.value.inputs);
      bytes += old.value.bytes;
    }
    const someKey = byFile.get(parts[0]).key;
    outputs[someKey.slice(0, someKey.length - parts[0].length) + file] = { bytes, inputs };
  }
  meta.outputs = outputs;
  writeFileSync(path, JSON.stringify(meta));
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  const files = await mergeChunks(fileURLToPath(new URL("../dist", import.meta.url)));
  console.log(`merge-chunks: dist/ has ${files.length} ES modules: ${files.join(", ")}`);
}
