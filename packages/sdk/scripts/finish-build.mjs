// After tsup (ESM + index.d.ts, extension.d.ts and their shared declaration chunk): the CommonJS
// entries and the declaration pairs, for each entry (index, extension):
//
// - dist/<entry>.cjs   `require()`s the ESM build (Node >= 20.19 / 22.12, this package's floor), so
//                      CommonJS and ESM users share one copy of the code and of every class.
// - dist/<entry>.d.cts the full declarations (CommonJS format: a CommonJS file importing them gets
//                      no TS1479, and ESM files may import CommonJS declarations), tab-indented.
// - dist/<entry>.d.ts  re-exports every name of <entry>.d.cts: the ESM condition has ESM types, and
//                      the declarations are on disk once.
import { readdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { pathToFileURL } from "node:url";

const dist = new URL("../dist/", import.meta.url);

/**
 * Whitespace only, same declarations and docs: indentation by tabs instead of groups of four spaces
 * (~90 KB less on disk), and a one-line JSDoc block on one line (`/** text *\/`, ~40 KB less). The
 * declarations hold no multi-line template literal whose text that could change.
 */
function slim(text) {
  return text.replace(/^(?: {4})+/gm, (indent) => "\t".repeat(indent.length / 4)).replace(/^(\t*)\/\*\*\n\t* \* ([^\n]*\S)\n\t* \*\/$/gm, "$1/** $2 */");
}

// Declarations shared by several entries (index, extension) land in chunk files next to them. They
// become `.d.cts` (CommonJS format, like index.d.cts, so no CommonJS consumer hits TS1479), and
// every reference to them is rewritten.
const entryTypes = new Set(["index.d.ts", "extension.d.ts"]);
const chunks = readdirSync(dist).filter((f) => f.endsWith(".d.ts") && !entryTypes.has(f));
for (const chunk of chunks) renameSync(new URL(chunk, dist), new URL(chunk.replace(/\.d\.ts$/, ".d.cts"), dist));
const retarget = (text) => chunks.reduce((t, chunk) => t.replaceAll(`./${chunk.replace(/\.d\.ts$/, ".js")}`, `./${chunk.replace(/\.d\.ts$/, ".cjs")}`), text);
for (const file of chunks.map((c) => c.replace(/\.d\.ts$/, ".d.cts"))) {
  const url = new URL(file, dist);
  writeFileSync(url, slim(retarget(readFileSync(url, "utf8"))));
}

/**
 * `<entry>.d.ts` (rollup'd by tsup) becomes `<entry>.d.cts`, and a new `<entry>.d.ts` re-exports
 * every name of it: the import condition has ESM types, the require condition CommonJS ones, and
 * the declarations are on disk once. Returns the number of names.
 */
function pairDeclarations(entry) {
  const esmTypes = new URL(`${entry}.d.ts`, dist);
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
    throw new Error(`finish-build: dist/${entry}.d.ts is not a rollup'd declaration file ending in \`export { … }\` lists; update scripts/finish-build.mjs`);
  }
  writeFileSync(new URL(`${entry}.d.cts`, dist), slim(declarations));
  writeFileSync(
    esmTypes,
    `// The declarations are in ${entry}.d.cts (shared by the import and require conditions).\nexport { ${names.join(", ")} } from "./${entry}.cjs";\n`,
  );
  return names.length;
}
const names = { index: pairDeclarations("index"), extension: pairDeclarations("extension") };

// The Standard Schema interfaces are inlined into the declarations (tsup.config.ts `dts.resolve`);
// the package is no dependency, so nothing may still import it. Its MIT notice ships alongside.
for (const file of readdirSync(dist).filter((f) => /\.d\.c?ts$/.test(f))) {
  if (/from ['"]@standard-schema\/spec['"]|import ['"]@standard-schema\/spec['"]/.test(readFileSync(new URL(file, dist), "utf8"))) {
    throw new Error(`finish-build: dist/${file} imports @standard-schema/spec, which is not a dependency; inline it (dts.resolve in tsup.config.ts)`);
  }
}
const specLicense = readFileSync(new URL("../LICENSE", pathToFileURL(createRequire(import.meta.url).resolve("@standard-schema/spec"))), "utf8");
writeFileSync(
  new URL("THIRD-PARTY-NOTICES.md", dist),
  `# Third-party notices\n\nThe declaration files include the Standard Schema interfaces (\`StandardSchemaV1\` and the types it\nuses) from [@standard-schema/spec](https://github.com/standard-schema/standard-schema), under this license:\n\n\`\`\`\n${specLicense.trim()}\n\`\`\`\n`,
);

// The extension entry gets a CommonJS bridge too (the same require(esm) as index.cjs below).
writeFileSync(
  new URL("extension.cjs", dist),
  `"use strict";\n// ES module; CommonJS gets it through require(esm) (Node >= 20.19 / 22.12).\nmodule.exports = require("./extension.js");\n`,
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
console.log(`finish-build: dist/{index,extension}.cjs, .d.cts (${names.index} and ${names.extension} exports) and .d.ts written`);
