/**
 * Finds import cycles between the files of one folder tree: the graph is every relative import
 * (`import … from "./x.js"`, `export … from`, `import type`, `import("./x.js")`), and a cycle is a
 * strongly connected component of more than one file (or a file importing itself). Type-only
 * imports count: a circle of types is still a circle a reader has to untangle.
 */
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";

const SOURCE = /\.(ts|mts|cts)$/;
const IMPORT =
  /(?:^|[\s;])(?:import|export)\s[^;"'`]*?from\s+["'](\.{1,2}\/[^"']+)["']|import\(\s*["'](\.{1,2}\/[^"']+)["']\s*\)|^\s*import\s+["'](\.{1,2}\/[^"']+)["']/gm;

/** The relative import specifiers of a source text. */
export function relativeImports(text: string): string[] {
  const out: string[] = [];
  for (const m of text.matchAll(IMPORT)) out.push((m[1] ?? m[2] ?? m[3])!);
  return out;
}

function sourceFiles(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir)) {
    if (name === "node_modules" || name === "dist") continue;
    const full = join(dir, name);
    if (statSync(full).isDirectory()) out.push(...sourceFiles(full));
    else if (SOURCE.test(name) && !name.endsWith(".d.ts")) out.push(full);
  }
  return out;
}

/** Maps `./x.js` (as written in ESM TypeScript) to the file it means, if it is in `files`. */
function resolveImport(from: string, specifier: string, files: ReadonlySet<string>): string | undefined {
  const base = resolve(dirname(from), specifier);
  const stem = base.replace(/\.(js|mjs|cjs|ts|mts|cts)$/, "");
  for (const candidate of [base, `${stem}.ts`, `${stem}.mts`, `${stem}.cts`, join(base, "index.ts")]) {
    if (files.has(candidate)) return candidate;
  }
  return undefined;
}

/** The import graph of a folder tree: file → files it imports (absolute paths). */
export function importGraph(dir: string): Map<string, string[]> {
  const files = existsSync(dir) ? sourceFiles(resolve(dir)) : [];
  const known = new Set(files);
  const graph = new Map<string, string[]>();
  for (const file of files) {
    const targets = relativeImports(readFileSync(file, "utf8"))
      .map((spec) => resolveImport(file, spec, known))
      .filter((t): t is string => t !== undefined);
    graph.set(file, [...new Set(targets)]);
  }
  return graph;
}

/**
 * The cycles of a graph: each strongly connected component with more than one node, or a node
 * with an edge to itself, as a sorted list of nodes (Tarjan's algorithm, iterative).
 */
export function findCycles(graph: ReadonlyMap<string, readonly string[]>): string[][] {
  let counter = 0;
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const onStack = new Set<string>();
  const stack: string[] = [];
  const cycles: string[][] = [];
  for (const root of [...graph.keys()].sort()) {
    if (index.has(root)) continue;
    const work: Array<{ node: string; next: number }> = [{ node: root, next: 0 }];
    index.set(root, counter);
    low.set(root, counter++);
    stack.push(root);
    onStack.add(root);
    while (work.length > 0) {
      const frame = work[work.length - 1]!;
      const edges = graph.get(frame.node) ?? [];
      if (frame.next < edges.length) {
        const to = edges[frame.next++]!;
        if (!index.has(to)) {
          index.set(to, counter);
          low.set(to, counter++);
          stack.push(to);
          onStack.add(to);
          work.push({ node: to, next: 0 });
        } else if (onStack.has(to)) {
          low.set(frame.node, Math.min(low.get(frame.node)!, index.get(to)!));
        }
        continue;
      }
      work.pop();
      const parent = work[work.length - 1];
      if (parent) low.set(parent.node, Math.min(low.get(parent.node)!, low.get(frame.node)!));
      if (low.get(frame.node) !== index.get(frame.node)) continue;
      const component: string[] = [];
      let member: string;
      do {
        member = stack.pop()!;
        onStack.delete(member);
        component.push(member);
      } while (member !== frame.node);
      const selfLoop = component.length === 1 && (graph.get(frame.node) ?? []).includes(frame.node);
      if (component.length > 1 || selfLoop) cycles.push(component.sort());
    }
  }
  return cycles.sort((a, b) => (a[0]! < b[0]! ? -1 : 1));
}

/** The import cycles of a folder tree, each as file paths relative to `root`. */
export function importCycles(dir: string, root: string = dir): string[][] {
  return findCycles(importGraph(dir)).map((cycle) => cycle.map((file) => relative(root, file)));
}
