/**
 * Long functions in hand-written code: a function (declaration, method, arrow, accessor) longer
 * than {@link MAX_FUNCTION_LINES} lines needs a reason, written as a line comment
 * `// long: <reason>` right above it (or above the declaration that holds it: the `const`, the
 * object property, the class member). `pnpm check` fails on a long function without one;
 * `code-metrics.ts` lists them all.
 */
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative } from "node:path";
import ts from "typescript";

export const MAX_FUNCTION_LINES = 80;
/** The marker of a deliberate long function; the reason must not be empty. */
const MARKER = /^\/\/\s*long:\s*\S/;

export interface LongFunction {
  /** `path:line name`, the path relative to the root given. */
  readonly where: string;
  readonly lines: number;
  /** The text after `// long:`, or undefined when there is no reason. */
  readonly reason: string | undefined;
}

/** The hand-written TypeScript sources below `dir` (no generated code, fixtures, tests, builds). */
export function handWrittenSources(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir)) {
    if (name === "node_modules" || name === "dist" || name === "generated" || name === "fixtures" || name === "test") continue;
    const full = join(dir, name);
    if (statSync(full).isDirectory()) out.push(...handWrittenSources(full));
    else if (/\.ts$/.test(name) && !name.endsWith(".d.ts")) out.push(full);
  }
  return out;
}

/** The `// long:` reason in the comments leading `node`, if any. */
function reasonBefore(node: ts.Node, text: string): string | undefined {
  for (const range of ts.getLeadingCommentRanges(text, node.getFullStart()) ?? []) {
    const comment = text.slice(range.pos, range.end);
    if (MARKER.test(comment)) return comment.replace(/^\/\/\s*long:\s*/, "").trim();
  }
  return undefined;
}

/** The function and the declarations that hold it, innermost first, up to the statement or member. */
function holders(node: ts.Node): ts.Node[] {
  const out: ts.Node[] = [node];
  let current = node.parent;
  while (current && !ts.isSourceFile(current) && !ts.isBlock(current)) {
    out.push(current);
    if (ts.isStatement(current) || ts.isClassElement(current) || ts.isPropertyAssignment(current)) break;
    current = current.parent;
  }
  return out;
}

/** A function's name, or for an arrow or function expression the name of the variable or property holding it. */
function nameOf(node: ts.Node): ts.Node | undefined {
  const own = (node as { name?: ts.Node }).name;
  if (own) return own;
  const parent = node.parent;
  if (parent && (ts.isVariableDeclaration(parent) || ts.isPropertyAssignment(parent) || ts.isPropertyDeclaration(parent))) return parent.name;
  return undefined;
}

/** The functions of one source text longer than {@link MAX_FUNCTION_LINES} lines, with their reasons. */
export function longFunctionsIn(fileName: string, text: string, label = fileName): LongFunction[] {
  const source = ts.createSourceFile(fileName, text, ts.ScriptTarget.Latest, true);
  const out: LongFunction[] = [];
  const visit = (node: ts.Node): void => {
    if (ts.isFunctionLike(node) && "body" in node && node.body) {
      const start = source.getLineAndCharacterOfPosition(node.getStart(source)).line;
      const end = source.getLineAndCharacterOfPosition(node.getEnd()).line;
      const lines = end - start + 1;
      if (lines > MAX_FUNCTION_LINES) {
        const name = nameOf(node)?.getText(source) ?? "(anonymous)";
        const reason = holders(node)
          .map((n) => reasonBefore(n, text))
          .find((r) => r !== undefined);
        out.push({ where: `${label}:${start + 1} ${name}`, lines, reason });
      }
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return out;
}

/** The long functions of the given files, longest first. */
export function longFunctions(files: readonly string[], root: string): LongFunction[] {
  return files.flatMap((file) => longFunctionsIn(file, readFileSync(file, "utf8"), relative(root, file))).sort((a, b) => b.lines - a.lines);
}

/** The folders whose sources the rule covers: every package's src, the generator, the repo tooling. */
export function handWrittenDirs(root: string): string[] {
  return [...readdirSync(join(root, "packages")).map((p) => join(root, "packages", p, "src")), join(root, "codegen/src"), join(root, "tools")];
}
