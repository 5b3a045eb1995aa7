/**
 * API reports: every export of every published entry point, with its kind and its declaration as
 * the built `.d.ts` states it (comments removed), read with the TypeScript compiler API. The
 * generated protocol surface of core is summarized: names and kinds, plus the keys of generated
 * method/event tables read from the built module, so an added or removed method shows in the diff.
 */
import { existsSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { pathToFileURL } from "node:url";
import ts from "typescript";
import { codeSubpaths, importTarget, readManifest, repoRoot, specifier, type PublishedPackage } from "./published-packages.js";

const printer = ts.createPrinter({ removeComments: true, newLine: ts.NewLineKind.LineFeed });

/** Names written by the generator (core's `src/generated/*index.ts`): summarized, not printed in full. */
export function generatedExportNames(): Set<string> {
  const names = new Set<string>();
  for (const file of ["packages/core/src/generated/index.ts", "packages/core/src/generated/internal-index.ts"]) {
    const path = join(repoRoot, file);
    if (!existsSync(path)) continue;
    const source = ts.createSourceFile(path, readFileSync(path, "utf8"), ts.ScriptTarget.ES2022, false);
    for (const statement of source.statements) {
      if (ts.isExportDeclaration(statement) && statement.exportClause && ts.isNamedExports(statement.exportClause)) {
        for (const element of statement.exportClause.elements) names.add(element.name.text);
      }
    }
  }
  return names;
}

function kindOf(declaration: ts.Declaration): string {
  if (ts.isClassDeclaration(declaration)) return "class";
  if (ts.isInterfaceDeclaration(declaration)) return "interface";
  if (ts.isTypeAliasDeclaration(declaration)) return "type";
  if (ts.isFunctionDeclaration(declaration)) return "function";
  if (ts.isVariableDeclaration(declaration)) return (declaration.parent.flags & ts.NodeFlags.Const) !== 0 ? "const" : "let";
  if (ts.isEnumDeclaration(declaration)) return "enum";
  if (ts.isModuleDeclaration(declaration)) return "namespace";
  return ts.SyntaxKind[declaration.kind];
}

function packageNameOf(file: string): string | undefined {
  let dir = dirname(file);
  for (;;) {
    const manifest = join(dir, "package.json");
    if (existsSync(manifest)) {
      const name = (JSON.parse(readFileSync(manifest, "utf8")) as { name?: string }).name;
      if (name !== undefined) return name;
    }
    const parent = dirname(dir);
    if (parent === dir) return undefined;
    dir = parent;
  }
}

/**
 * Name → the workspace package a package's `src/index.ts` re-exports it from. The sdk bundles
 * those packages (code and declarations) into its own dist, so its built `.d.ts` no longer says
 * where a name comes from; its report still lists them as re-exports, not twice in full.
 */
function workspaceOrigins(pkg: PublishedPackage): Map<string, string> {
  const origins = new Map<string, string>();
  const path = join(repoRoot, pkg.dir, "src/index.ts");
  if (!existsSync(path)) return origins;
  const source = ts.createSourceFile(path, readFileSync(path, "utf8"), ts.ScriptTarget.ES2022, false);
  for (const statement of source.statements) {
    if (!ts.isExportDeclaration(statement) || !statement.moduleSpecifier || !ts.isStringLiteral(statement.moduleSpecifier)) continue;
    const from = statement.moduleSpecifier.text;
    if (!from.startsWith("@flightdeck/") || !statement.exportClause || !ts.isNamedExports(statement.exportClause)) continue;
    for (const element of statement.exportClause.elements) origins.set(element.name.text, from.split("/").slice(0, 2).join("/"));
  }
  return origins;
}

/** Code-unit order: the same on every machine, unlike `localeCompare`. */
export function byCodeUnit(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function isPrivate(member: ts.ClassElement): boolean {
  if (member.name !== undefined && ts.isPrivateIdentifier(member.name)) return true;
  return !!(ts.getCombinedModifierFlags(member as ts.Declaration) & ts.ModifierFlags.Private);
}

function printDeclaration(declaration: ts.Declaration): string {
  let node: ts.Node = ts.isVariableDeclaration(declaration) ? declaration.parent.parent : declaration;
  // Private members are not API: leave them out so refactoring them does not churn the report.
  if (ts.isClassDeclaration(node) && node.members.some(isPrivate)) {
    const sourceFile = node.getSourceFile();
    const kept = node.members.filter((member) => !isPrivate(member));
    node = ts.factory.updateClassDeclaration(node, node.modifiers, node.name, node.typeParameters, node.heritageClauses, kept);
    return printer
      .printNode(ts.EmitHint.Unspecified, node, sourceFile)
      .replace(/^(export )?declare /, "")
      .trimEnd();
  }
  return printer
    .printNode(ts.EmitHint.Unspecified, node, node.getSourceFile())
    .replace(/^(export )?declare /, "")
    .trimEnd();
}

/** A runtime value's shape for the summary: keys of a plain object, items of a string array. */
function summarizeValue(value: unknown): string[] | undefined {
  if (Array.isArray(value) && value.every((v) => typeof v === "string")) return [...(value as string[])].sort(byCodeUnit);
  if (value !== null && typeof value === "object" && Object.getPrototypeOf(value) === Object.prototype) return Object.keys(value).sort(byCodeUnit);
  return undefined;
}

export interface EntryReport {
  readonly subpath: string;
  readonly exports: readonly string[];
  readonly text: string;
}

/** The report of one package as Markdown. Needs the package to be built. */
export async function buildApiReport(pkg: PublishedPackage): Promise<string> {
  const manifest = readManifest(pkg);
  const generated = pkg.name === "@flightdeck/copilot-core" ? generatedExportNames() : new Set<string>();
  const origins = workspaceOrigins(pkg);
  const lines: string[] = [
    `# API report: ${pkg.name}`,
    "",
    "<!-- Generated by `pnpm api:report` from the built .d.ts files; do not edit. `pnpm api:check` fails when it differs. -->",
    "",
  ];
  for (const subpath of codeSubpaths(manifest)) {
    const target = importTarget(manifest, subpath);
    const typesFile = join(repoRoot, pkg.dir, target.types);
    const jsFile = join(repoRoot, pkg.dir, target.default);
    if (!existsSync(typesFile)) throw new Error(`${pkg.name}: ${target.types} is missing; run \`pnpm build\` first.`);
    const program = ts.createProgram([typesFile], {
      module: ts.ModuleKind.NodeNext,
      moduleResolution: ts.ModuleResolutionKind.NodeNext,
      target: ts.ScriptTarget.ES2022,
      strict: true,
      noEmit: true,
      skipLibCheck: true,
      types: ["node"],
      typeRoots: [join(repoRoot, "node_modules/@types")],
    });
    const checker = program.getTypeChecker();
    const sourceFile = program.getSourceFile(typesFile);
    const moduleSymbol = sourceFile && checker.getSymbolAtLocation(sourceFile);
    if (!moduleSymbol) throw new Error(`${pkg.name}: cannot read ${target.types}`);
    const runtime = (await import(pathToFileURL(jsFile).href)) as Record<string, unknown>;
    const symbols = checker.getExportsOfModule(moduleSymbol).sort((a, b) => byCodeUnit(a.name, b.name));

    const own: string[] = [];
    const summary: string[] = [];
    const reexports: string[] = [];
    for (const symbol of symbols) {
      const resolved = symbol.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(symbol) : symbol;
      const declarations = resolved.declarations ?? [];
      const kinds = [...new Set(declarations.map(kindOf))].join(" + ") || "unknown";
      const declaredIn = declarations[0] && packageNameOf(declarations[0].getSourceFile().fileName);
      const from = declaredIn === pkg.name ? (origins.get(symbol.name) ?? declaredIn) : declaredIn;
      if (generated.has(symbol.name)) {
        const keys = summarizeValue(runtime[symbol.name]);
        summary.push(`- ${symbol.name}: ${kinds}${keys ? ` (${keys.length} entries)` : ""}`);
        if (keys) summary.push(...keys.map((key) => `  - ${key}`));
      } else if (from !== undefined && from !== pkg.name) {
        reexports.push(`- ${symbol.name}: ${kinds}, from ${from}`);
      } else {
        const body = declarations.map(printDeclaration).join("\n");
        own.push(`### ${symbol.name} (${kinds})`, "", "```ts", body, "```", "");
      }
    }
    const runtimeNames = Object.keys(runtime)
      .filter((name) => name !== "default" && name !== "module.exports")
      .sort(byCodeUnit);
    lines.push(`## ${specifier(pkg.name, subpath)}`, "", `${symbols.length} exports (${runtimeNames.length} at run time): ${target.types}`, "");
    lines.push(...own);
    if (reexports.length > 0) lines.push("### Re-exported", "", ...reexports, "");
    if (summary.length > 0) lines.push("### Generated protocol surface (summary)", "", ...summary, "");
  }
  return `${lines.join("\n").trimEnd()}\n`;
}
