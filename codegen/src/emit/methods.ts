/**
 * methods.ts / internal-methods.ts: the method table as data (`as const`), plus type maps from a
 * wire name to its params and result types. Hand-written code and the generated stub builder
 * read this table; nothing here has behaviour.
 */
import type { CodegenIr, IrMethod } from "../ir.js";
import { importTypes, internalMethods, publicMethods, referencedTypes, resultType, runtimeModuleFrom } from "./common.js";
import { tsHeader } from "./header.js";

function tableEntry(m: IrMethod): string {
  const e = {
    direction: m.direction,
    scope: m.scope,
    kind: m.kind,
    visibility: m.visibility,
    stability: m.stability,
    deprecated: m.deprecated,
    params: m.params?.tsType ?? null,
    paramsOptional: m.params?.optional ?? false,
    result: m.result ? resultType(m) : null,
    sessionScoped: m.sessionScoped,
  };
  const body = Object.entries(e)
    .map(([k, v]) => `${k}: ${JSON.stringify(v)}`)
    .join(", ");
  return `  ${JSON.stringify(m.name)}: { ${body} },`;
}

function typesEntry(m: IrMethod): string {
  const params = m.params?.tsType ? (m.params.optional ? `${m.params.tsType} | undefined` : m.params.tsType) : "void";
  const wire = m.params ? m.params.tsWireType : "void";
  return `  ${JSON.stringify(m.name)}: { params: ${params}; wireParams: ${wire}; result: ${resultType(m)} };`;
}

/**
 * Top-level property names of a method's wire params, when they are one object schema (directly
 * or through one `$ref`) with listed properties; `undefined` otherwise.
 */
function paramKeys(m: IrMethod, ir: CodegenIr): string[] | undefined {
  let schema = m.params?.schema as Record<string, unknown> | undefined;
  const ref = typeof schema?.["$ref"] === "string" ? /^#\/definitions\/(.+)$/.exec(schema["$ref"]) : null;
  if (ref) schema = ir.types.find((t) => t.name === ref[1])?.schema as Record<string, unknown> | undefined;
  const props = schema?.["properties"];
  if (typeof props !== "object" || props === null || Object.keys(props).length === 0) return undefined;
  return Object.keys(props).sort();
}

export function emitMethods(ir: CodegenIr, which: "public" | "internal", runtimeModule: string): string {
  const methods = which === "public" ? publicMethods(ir) : internalMethods(ir);
  const known = new Set(ir.types.map((t) => t.name));
  const used = referencedTypes(
    methods.flatMap((m) => [m.params?.tsType, m.params?.tsWireType, m.result?.tsType]),
    known,
  );
  const P = which === "public" ? "" : "Internal";
  const C = which === "public" ? "" : "INTERNAL_";
  const lines: string[] = [tsHeader(ir)];
  lines.push(importTypes(used, "./types.js"));
  const usesWith = methods.some((m) => m.params?.tsWireType.includes("WithSessionId<"));
  lines.push(`import type { RpcMethodInfo${usesWith ? ", WithSessionId" : ""} } from "${runtimeModuleFrom(runtimeModule, 0)}";\n`);
  lines.push(`/** Every ${which} JSON-RPC method of the protocol, by wire name (sorted). */
export const ${C}RPC_METHODS = {
${methods.map(tableEntry).join("\n")}
} as const satisfies Readonly<Record<string, RpcMethodInfo>>;

/** Wire name of a ${which} method. */
export type ${P}RpcMethodName = keyof typeof ${C}RPC_METHODS;

/** Params (as the stub takes them), wire params and result type of each ${which} method. */
export interface ${P}RpcMethodTypes {
${methods.map(typesEntry).join("\n")}
}

/**
 * Top-level keys of the wire params of each client→server request whose params are one object:
 * hand-written option checks read these instead of keeping their own lists.
 */
export const ${C}RPC_PARAM_KEYS: { readonly [M in ${P}RpcMethodName]?: readonly string[] } = {
${methods
  .filter((m) => m.direction === "clientToServer" && m.kind === "request")
  .flatMap((m) => {
    const keys = paramKeys(m, ir);
    return keys ? [`  ${JSON.stringify(m.name)}: ${JSON.stringify(keys)},`] : [];
  })
  .join("\n")}
};

/** The argument a stub of method \`M\` takes (\`void\` when it takes none). */
export type ${P}RpcParamsOf<M extends ${P}RpcMethodName> = ${P}RpcMethodTypes[M]["params"];
/** The params of method \`M\` on the wire (with \`sessionId\` for session-scoped methods). */
export type ${P}RpcWireParamsOf<M extends ${P}RpcMethodName> = ${P}RpcMethodTypes[M]["wireParams"];
/** The result of method \`M\` (\`void\` when the method returns nothing). */
export type ${P}RpcResultOf<M extends ${P}RpcMethodName> = ${P}RpcMethodTypes[M]["result"];
`);
  return lines.filter((l) => l !== "").join("\n");
}
