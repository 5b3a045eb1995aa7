import { createHash } from "node:crypto";

/** A JSON Schema node as loaded from disk (untyped on purpose: the generator checks shapes itself). */
export type Schema = { [key: string]: unknown };
export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

export const isObject = (v: unknown): v is Schema => typeof v === "object" && v !== null && !Array.isArray(v);

/** Code-unit order, independent of locale, so output never depends on the machine. */
export const byString = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

export const sha256 = (data: string | Buffer): string => createHash("sha256").update(data).digest("hex");

/** JSON with object keys sorted: the canonical form used for equality and hashing. */
export function canonical(value: unknown, dropKeys: ReadonlySet<string> = new Set()): string {
  return JSON.stringify(sortKeys(value, dropKeys));
}

function sortKeys(value: unknown, dropKeys: ReadonlySet<string>, inValue = false): unknown {
  if (Array.isArray(value)) return value.map((v) => sortKeys(v, dropKeys, inValue));
  if (!isObject(value)) return value;
  const out: Schema = {};
  for (const key of Object.keys(value).sort(byString)) {
    if (!inValue && dropKeys.has(key)) continue;
    // Values under enum/const/default are data, not schema: never drop keys inside them.
    const valuePosition = inValue || key === "enum" || key === "const" || key === "default" || key === "examples";
    out[key] = sortKeys(value[key], dropKeys, valuePosition);
  }
  return out;
}

/** `session.tools.handlePendingToolCall` → `SessionToolsHandlePendingToolCall`. */
export function pascalFromMethod(method: string): string {
  return method
    .split(/[._\-/]/)
    .filter(Boolean)
    .map((s) => s[0]!.toUpperCase() + s.slice(1))
    .join("");
}

export const deepClone = <T>(v: T): T => structuredClone(v);
