/**
 * enums.ts: the values of every string enum and of every union's discriminator, as `as const`
 * data, so hand-written code lists them from the schema instead of keeping its own copy (a bump
 * that renames a value then changes the list and the types together).
 */
import type { CodegenIr, IrNamedType } from "../ir.js";
import { byString, isObject, type Schema } from "../util.js";
import { tsHeader } from "./header.js";

const REF = "#/definitions/";

/** The string values of a named enum type, or null. */
function enumValues(t: IrNamedType): string[] | null {
  const e = t.schema["enum"];
  return Array.isArray(e) && e.length > 0 && e.every((v) => typeof v === "string") ? (e as string[]) : null;
}

/**
 * For a union of `$ref`s to object definitions: every property that holds a string `const` in
 * each branch (the discriminator), with the branches' values in schema order.
 */
function discriminators(t: IrNamedType, byName: ReadonlyMap<string, IrNamedType>): Map<string, string[]> | null {
  const branches = (t.schema["anyOf"] ?? t.schema["oneOf"]) as unknown;
  if (!Array.isArray(branches) || branches.length < 2) return null;
  const props: Schema[] = [];
  for (const b of branches) {
    const ref = isObject(b) && typeof b["$ref"] === "string" && b["$ref"].startsWith(REF) ? byName.get(b["$ref"].slice(REF.length)) : undefined;
    const p = ref?.schema["properties"];
    if (!isObject(p)) return null;
    props.push(p);
  }
  const out = new Map<string, string[]>();
  for (const key of Object.keys(props[0]!).sort(byString)) {
    const values = props.map((p) => (isObject(p[key]) && typeof (p[key] as Schema)["const"] === "string" ? ((p[key] as Schema)["const"] as string) : null));
    if (values.every((v): v is string => v !== null) && new Set(values).size === values.length) out.set(key, values);
  }
  return out.size > 0 ? out : null;
}

export function emitEnums(ir: CodegenIr): string {
  const byName = new Map(ir.types.map((t) => [t.name, t]));
  const enums: string[] = [];
  const unions: string[] = [];
  for (const t of [...ir.types].sort((a, b) => byString(a.name, b.name))) {
    const values = enumValues(t);
    if (values) enums.push(`  ${t.name}: [${values.map((v) => JSON.stringify(v)).join(", ")}],`);
    const d = discriminators(t, byName);
    if (d) unions.push(`  ${t.name}: { ${[...d].map(([k, v]) => `${JSON.stringify(k)}: [${v.map((x) => JSON.stringify(x)).join(", ")}]`).join(", ")} },`);
  }
  return `${tsHeader(ir)}
/** The values of every named string enum type, in schema order (\`ENUM_VALUES.ToolResultType\`). */
export const ENUM_VALUES = {
${enums.join("\n")}
} as const;

/**
 * For every named union of object types: each property that discriminates it (a string \`const\`
 * in every branch, distinct per branch) with the branches' values in schema order
 * (\`UNION_DISCRIMINATORS.WirePermissionRequest.kind\`).
 */
export const UNION_DISCRIMINATORS = {
${unions.join("\n")}
} as const;
`;
}
