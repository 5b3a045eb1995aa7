import type { CodegenIr, IrMethod } from "../ir.js";
import { byString } from "../util.js";

/** Named types mentioned in TS type expressions, sorted (for `import type { … }`). */
export function referencedTypes(exprs: Iterable<string | null | undefined>, known: ReadonlySet<string>): string[] {
  const out = new Set<string>();
  for (const e of exprs) if (e) for (const m of e.matchAll(/[A-Za-z_$][\w$]*/g)) if (known.has(m[0])) out.add(m[0]);
  return [...out].sort(byString);
}

export function importTypes(names: readonly string[], from: string): string {
  if (names.length === 0) return "";
  return `import type {\n${[...names]
    .sort(byString)
    .map((n) => `  ${n},`)
    .join("\n")}\n} from "${from}";\n`;
}

export const isIdentifier = (s: string): boolean => /^[A-Za-z_$][\w$]*$/.test(s);
export const propName = (s: string): string => (isIdentifier(s) ? s : JSON.stringify(s));

export const publicMethods = (ir: CodegenIr): IrMethod[] => ir.methods.filter((m) => m.visibility === "public");
export const internalMethods = (ir: CodegenIr): IrMethod[] => ir.methods.filter((m) => m.visibility === "internal");

/** Result type as the caller sees it. */
export function resultType(m: IrMethod): string {
  if (!m.result) return "void";
  return m.result.optional ? `${m.result.tsType} | undefined` : m.result.tsType;
}

/** The default module generated code imports its hand-written behaviour and shared types from. */
export const DEFAULT_RUNTIME_MODULE = "@flightdeck/copilot-core/runtime";

/**
 * The runtime module as seen from a generated file `depth` folders below the output root: a
 * package name as is, a relative specifier (given relative to the output root) re-based.
 */
export function runtimeModuleFrom(runtimeModule: string, depth: number): string {
  if (!runtimeModule.startsWith(".")) return runtimeModule;
  const rel = runtimeModule.startsWith("./") ? runtimeModule.slice(2) : runtimeModule;
  return depth === 0 ? (rel.startsWith("../") ? rel : `./${rel}`) : `${"../".repeat(depth)}${rel}`;
}
