/**
 * `pnpm exec tsx tools/code-metrics.ts`: the figures issue reviews ask for, over hand-written
 * sources (packages/*\/src without src/generated, codegen/src, tools): import cycles, the largest
 * files, and functions longer than 80 lines with their `// long:` reasons. Prints a small report;
 * exits 0 (a measure, not a gate: `pnpm check` is the gate for cycles and for long functions
 * without a reason).
 */
import { readFileSync } from "node:fs";
import { relative } from "node:path";
import { fileURLToPath } from "node:url";
import { handWrittenDirs, handWrittenSources, longFunctions, MAX_FUNCTION_LINES } from "./function-length.js";
import { findCycles, importGraph } from "./import-cycles.js";

const root = fileURLToPath(new URL("..", import.meta.url));
const LONG_FILE = 500;

const dirs = handWrittenDirs(root);
const files = dirs.flatMap((d) => handWrittenSources(d));

const sizes = files.map((f) => ({ file: relative(root, f), lines: readFileSync(f, "utf8").split("\n").length })).sort((a, b) => b.lines - a.lines);
const long = longFunctions(files, root);

let cycles = 0;
for (const dir of dirs) {
  const graph = importGraph(dir);
  for (const key of [...graph.keys()]) if (key.includes("/generated/") || key.includes("/test/")) graph.delete(key);
  cycles += findCycles(graph).length;
}

console.log(`import cycles (hand-written): ${cycles}`);
console.log(`largest hand-written files (over ${LONG_FILE} lines: ${sizes.filter((s) => s.lines > LONG_FILE).length}):`);
for (const s of sizes.slice(0, 5)) console.log(`  ${s.lines}  ${s.file}`);
console.log(
  `functions over ${MAX_FUNCTION_LINES} lines: ${long.length} (${long.filter((l) => l.reason === undefined).length} without a \`// long: <reason>\` comment)`,
);
for (const l of long) console.log(`  ${l.lines}  ${l.where}${l.reason === undefined ? "  (no reason given)" : `  (long: ${l.reason})`}`);
