/**
 * `pnpm exec tsx tools/code-metrics.ts`: the figures issue reviews ask for, over hand-written
 * sources (packages/*\/src without src/generated, codegen/src, tools): import cycles, the largest
 * files, and functions longer than 80 lines. Prints a small report; exits 0 (a measure, not a gate:
 * `pnpm check` is the gate for cycles).
 */
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import ts from "typescript";
import { findCycles, importGraph } from "./import-cycles.js";

const root = fileURLToPath(new URL("..", import.meta.url));
const LONG = 80;

function handWritten(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir)) {
    if (name === "node_modules" || name === "dist" || name === "generated" || name === "fixtures" || name === "test") continue;
    const full = join(dir, name);
    if (statSync(full).isDirectory()) out.push(...handWritten(full));
    else if (/\.ts$/.test(name) && !name.endsWith(".d.ts")) out.push(full);
  }
  return out;
}

const dirs = [...readdirSync(join(root, "packages")).map((p) => join(root, "packages", p, "src")), join(root, "codegen/src"), join(root, "tools")];
const files = dirs.flatMap((d) => handWritten(d));

const sizes = files.map((f) => ({ file: relative(root, f), lines: readFileSync(f, "utf8").split("\n").length })).sort((a, b) => b.lines - a.lines);

const long: Array<{ where: string; lines: number }> = [];
for (const file of files) {
  const text = readFileSync(file, "utf8");
  const source = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true);
  const visit = (node: ts.Node): void => {
    if (ts.isFunctionLike(node) && "body" in node && node.body) {
      const start = source.getLineAndCharacterOfPosition(node.getStart(source)).line;
      const end = source.getLineAndCharacterOfPosition(node.getEnd()).line;
      const lines = end - start + 1;
      if (lines > LONG) {
        const name = (node as { name?: ts.Node }).name?.getText(source) ?? "(anonymous)";
        long.push({ where: `${relative(root, file)}:${start + 1} ${name}`, lines });
      }
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
}

let cycles = 0;
for (const dir of dirs) {
  const graph = importGraph(dir);
  for (const key of [...graph.keys()]) if (key.includes("/generated/") || key.includes("/test/")) graph.delete(key);
  cycles += findCycles(graph).length;
}

console.log(`import cycles (hand-written): ${cycles}`);
console.log(`largest hand-written files:`);
for (const s of sizes.slice(0, 5)) console.log(`  ${s.lines}  ${s.file}`);
console.log(`functions over ${LONG} lines: ${long.length}`);
for (const l of long.sort((a, b) => b.lines - a.lines)) console.log(`  ${l.lines}  ${l.where}`);
