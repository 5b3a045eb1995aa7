/** What the rename detector compares: a schema's structural facts as strings, and their similarity. */
import { isObject } from "../util.js";
import { literal, refName, typeSet } from "./schema-diff.js";

/**
 * Shape features for rename detection: one string per structural fact (`.mode:enum="a"`,
 * `.items!`), ref names masked so a type renamed along with its users still matches.
 */
export function shapeFeatures(schema: unknown, prefix = "", out: Set<string> = new Set()): Set<string> {
  if (!isObject(schema)) {
    if (schema !== undefined) out.add(`${prefix}:${String(schema)}`);
    return out;
  }
  if (refName(schema)) {
    out.add(`${prefix}:ref`);
    return out;
  }
  const t = typeSet(schema);
  if (t) out.add(`${prefix}:type=${t.join("|")}`);
  if (Array.isArray(schema["enum"])) for (const v of schema["enum"]) out.add(`${prefix}:enum=${literal(v)}`);
  if ("const" in schema) out.add(`${prefix}:const=${literal(schema["const"])}`);
  if (schema["x-opaque-json"] === true) out.add(`${prefix}:opaque`);
  const props = isObject(schema["properties"]) ? schema["properties"] : {};
  const req = new Set(Array.isArray(schema["required"]) ? (schema["required"] as string[]) : []);
  for (const k of Object.keys(props)) {
    out.add(`${prefix}.${k}${req.has(k) ? "!" : ""}`);
    shapeFeatures(props[k], `${prefix}.${k}`, out);
  }
  if (schema["items"] !== undefined) shapeFeatures(schema["items"], `${prefix}[]`, out);
  for (const k of ["anyOf", "oneOf", "allOf"]) {
    const v = schema[k];
    if (Array.isArray(v)) for (const s of v) shapeFeatures(s, `${prefix}|`, out);
  }
  const ap = schema["additionalProperties"];
  if (isObject(ap)) shapeFeatures(ap, `${prefix}{*}`, out);
  else if (ap !== undefined) out.add(`${prefix}:ap=${String(ap)}`);
  return out;
}

/** Jaccard similarity of two feature sets (1 when both are empty). */
export function similarity(a: ReadonlySet<string>, b: ReadonlySet<string>): number {
  if (a.size === 0 && b.size === 0) return 1;
  let common = 0;
  for (const f of a) if (b.has(f)) common++;
  return common / (a.size + b.size - common);
}
