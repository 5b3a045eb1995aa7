// After tsup (ESM + one index.d.ts): the CommonJS entry and the declaration pair.
//
// - dist/index.cjs  `require()`s the ESM build (Node >= 20.19 / 22.12, this package's floor), so
//                   CommonJS and ESM users share one copy of the code and of every class.
// - dist/index.d.cts the full declarations (CommonJS format: a CommonJS file importing them gets
//                   no TS1479, and ESM files may import CommonJS declarations), tab-indented.
// - dist/index.d.ts  re-exports every name of index.d.cts: the ESM condition has ESM types, and
//                   the declarations are on disk once.
import { readdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";

const dist = new URL("../dist/", import.meta.url);

/**
 * Whitespace only, same declarations and docs: indentation by tabs instead of groups of four spaces
 * (~90 KB less on disk), and a one-line JSDoc block on one line (`/** text *\/`, ~40 KB less). The
 * declarations hold no multi-line template literal whose text that could change.
 */
function slim(text) {
  return text.replace(/^(?: {4})+/gm, (indent) => "\t".repeat(indent.length / 4)).replace(/^(\t*)\/\*\*\n\t* \* ([^\n]*\S)\n\t* \*\/$/gm, "$1/** $2 */");
}
const esmTypes = new URL("index.d.ts", dist);
const cjsTypes = new URL("index.d.cts", dist);

// Declarations shared by several entries (index, extension) land in chunk files next to them. They
// become `.d.cts` (CommonJS format, like index.d.cts, so no CommonJS consumer hits TS1479), and
// every reference to them is rewritten.
const entryTypes = new Set(["index.d.ts", "extension.d.ts"]);
const chunks = readdirSync(dist).filter((f) => f.endsWith(".d.ts") && !entryTypes.has(f));
for (const chunk of chunks) renameSync(new URL(chunk, dist), new URL(chunk.replace(/\.d\.ts$/, ".d.cts"), dist));
const retarget = (text) => chunks.reduce((t, chunk) => t.replaceAll(`./${chunk.replace(/\.d\.ts$/, ".js")}`, `./${chunk.replace(/\.d\.ts$/, ".cjs")}`), text);
for (const file of [...chunks.map((c) => c.replace(/\.d\.ts$/, ".d.cts")), "extension.d.ts"]) {
  const url = new URL(file, dist);
  writeFileSync(url, slim(retarget(readFileSync(url, "utf8"))));
}
// The extension entry gets a CommonJS pair too (same require(esm) bridge as index.cjs below).
writeFileSync(new URL("extension.d.cts", dist), readFileSync(new URL("extension.d.ts", dist), "utf8"));
writeFileSync(
  new URL("extension.cjs", dist),
  `"use strict";\n// ES module; CommonJS gets it through require(esm) (Node >= 20.19 / 22.12).\nmodule.exports = require("./extension.js");\n`,
);

const declarations = retarget(readFileSync(esmTypes, "utf8"));
const names = [];
// The entry's own `export { … };` list and its `export { … } from "./<chunk>";` re-exports.
for (const match of declarations.matchAll(/^export (?:type )?\{([^}]*)\}(?: from ['"][^'"]+['"])?;?\s*$/gm)) {
  for (const part of match[1].split(",")) {
    const spec = part.trim().replace(/^type\s+/, "");
    if (spec) names.push(spec.split(/\s+as\s+/).at(-1));
  }
}
if (names.length === 0 || /^export (?:declare |default )/m.test(declarations)) {
  throw new Error("finish-build: dist/index.d.ts is not a rollup'd declaration file ending in one `export { … }` list; update scripts/finish-build.mjs");
}
writeFileSync(esmTypes, slim(declarations));
renameSync(esmTypes, cjsTypes);
writeFileSync(
  esmTypes,
  `// The declarations are in index.d.cts (shared by the import and require conditions).\nexport { ${names.join(", ")} } from "./index.cjs";\n`,
);

writeFileSync(
  new URL("index.cjs", dist),
  `"use strict";
// @flightdeck/copilot-sdk is an ES module; CommonJS gets it through require(esm) (Node >= 20.19 / 22.12).
try {
  module.exports = require("./index.js");
} catch (error) {
  if (error && error.code === "ERR_REQUIRE_ESM") {
    throw Object.assign(new Error(\`Flightdeck (@flightdeck/copilot-*) needs Node.js ^20.19.0 || >=22.12.0, but this is Node.js \${process.versions.node}, which cannot require() ES modules. Upgrade Node.js (e.g. \\\`nvm install 22\\\`).\`, { cause: error }), { code: "UNSUPPORTED_NODE" });
  }
  throw error;
}
`,
);
console.log(`finish-build: dist/index.cjs, dist/index.d.cts (${names.length} exports) and dist/index.d.ts written`);
