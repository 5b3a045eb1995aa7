/**
 * Forward compatibility, measured: events valid against a NEWER runtime's schema
 * (1.0.15-preview.4, from the compressed fixture) go through the CURRENT bindings
 * (`isKnownSessionEvent`, lenient `validateSessionEvent`). Instances come from a small generator
 * that walks each event's schema (several per type: optional fields absent/present, union and
 * enum branches rotated); each one is checked against the newer schema with ajv first.
 */
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { gunzipSync } from "node:zlib";
import Ajv from "ajv";
import addFormats from "ajv-formats";
import { describe, expect, it } from "vitest";
import { isKnownSessionEvent } from "@flightdeck/copilot-core";
import { validateSessionEvent } from "@flightdeck/copilot-core/validators";

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };
type S = Record<string, any>;
const VARIANTS = 4;

const events = JSON.parse(
  gunzipSync(readFileSync(fileURLToPath(new URL("./fixtures/upstream/1.0.15-preview.4/session-events.schema.json.gz", import.meta.url)))).toString("utf8"),
) as S;
const defs = events["definitions"] as Record<string, S>;

/** A value valid against `schema`; `v` picks optional fields (odd: all, even: none) and branches. */
function instance(schema: S | boolean | undefined, v: number, depth: number, seq: { n: number }): Json {
  if (schema === undefined || schema === true || (typeof schema === "object" && Object.keys(schema).length === 0)) return { opaque: v };
  if (schema === false) throw new Error("false schema");
  if (typeof schema["$ref"] === "string") return instance(defs[schema["$ref"].split("/").pop()!], v, depth + 1, seq);
  if (schema["x-opaque-json"] === true) return { any: [v, "json"] };
  if ("const" in schema) return schema["const"] as Json;
  if (Array.isArray(schema["enum"])) return schema["enum"][v % schema["enum"].length] as Json;
  const branches = (schema["anyOf"] ?? schema["oneOf"]) as S[] | undefined;
  if (branches) {
    // Deep in recursive types, prefer a branch that ends the recursion.
    const terminal = branches.findIndex((b) => b["type"] === "null" || (b["type"] && b["type"] !== "object" && b["type"] !== "array"));
    const pick = depth > 6 && terminal >= 0 ? terminal : (v + seq.n++) % branches.length;
    const { anyOf: _a, oneOf: _o, ...outer } = schema;
    return instance({ ...outer, ...branches[pick] }, v, depth + 1, seq);
  }
  const types = Array.isArray(schema["type"]) ? (schema["type"] as string[]) : [schema["type"] ?? (schema["properties"] ? "object" : "string")];
  const type = types[v % types.length];
  switch (type) {
    case "null":
      return null;
    case "boolean":
      return v % 2 === 1;
    case "integer":
    case "number": {
      const min = schema["exclusiveMinimum"] !== undefined ? Number(schema["exclusiveMinimum"]) + 1 : Number(schema["minimum"] ?? 0);
      const max = schema["exclusiveMaximum"] !== undefined ? Number(schema["exclusiveMaximum"]) - 1 : Number(schema["maximum"] ?? min + 100);
      return Math.min(max, min + v);
    }
    case "string": {
      const n = seq.n++;
      if (schema["format"] === "uuid") return `00000000-0000-4000-8000-${String(n).padStart(12, "0")}`;
      if (schema["format"] === "date-time") return `2025-01-0${1 + (v % 9)}T10:00:00.${String(n % 1000).padStart(3, "0")}Z`;
      if (schema["format"] === "duration") return `PT${1 + v}S`;
      const s = `text-${v}-${n}`;
      const minLength = Number(schema["minLength"] ?? 0);
      const maxLength = Number(schema["maxLength"] ?? 1000);
      return s.padEnd(minLength, "x").slice(0, Math.max(minLength, Math.min(maxLength, s.length)));
    }
    case "array": {
      const count = Math.max(Number(schema["minItems"] ?? 0), v % 2 === 1 && depth < 6 ? 2 : 0);
      return Array.from({ length: count }, (_, i) => instance(schema["items"], v + i, depth + 1, seq));
    }
    default: {
      const out: { [k: string]: Json } = {};
      const required = new Set<string>((schema["required"] as string[]) ?? []);
      for (const [k, p] of Object.entries((schema["properties"] ?? {}) as Record<string, S>)) {
        if (required.has(k) || (v % 2 === 1 && depth < 6)) out[k] = instance(p, v, depth + 1, seq);
      }
      const ap = schema["additionalProperties"];
      if (typeof ap === "object" && v % 2 === 1 && depth < 6) out["extraKey"] = instance(ap, v, depth + 1, seq);
      return out;
    }
  }
}

describe("forward compatibility: 1.0.15-preview.4 events through the current bindings", () => {
  it("never crashes, accepts ≥ 95% of known-type events, delivers the rest of the new types as UnknownSessionEvent", () => {
    const ajv = new Ajv({ strict: false, allErrors: false });
    addFormats(ajv);
    ajv.addSchema(events, "events");
    const members = (defs["SessionEvent"]!["anyOf"] as S[]).map((m) => m["$ref"].split("/").pop() as string);
    const figures = { generated: 0, invalidForNewSchema: 0, accepted: 0, unknown: 0, rejected: 0, crashed: 0 };
    const rejectedTypes = new Map<string, string>();
    for (const name of members) {
      const validNew = ajv.getSchema(`events#/definitions/${name}`)!;
      for (let v = 0; v < VARIANTS; v++) {
        const event = instance(defs[name], v, 0, { n: 0 }) as { type: string };
        figures.generated++;
        if (!validNew(event)) {
          figures.invalidForNewSchema++;
          continue;
        }
        try {
          if (!isKnownSessionEvent(event as never)) figures.unknown++;
          else {
            const r = validateSessionEvent(event, "lenient");
            if (r.ok) figures.accepted++;
            else {
              figures.rejected++;
              rejectedTypes.set(
                event.type,
                r.errors
                  .map((e) => `${e.path} ${e.message}`)
                  .join("; ")
                  .slice(0, 200),
              );
            }
          }
        } catch {
          figures.crashed++;
        }
      }
    }
    const known = figures.accepted + figures.rejected;
    const acceptedPct = (100 * figures.accepted) / known;
    // The figures in codegen/README.md come from this line.
    console.log(
      `forward-compat: ${JSON.stringify(figures)}; accepted ${acceptedPct.toFixed(1)}% of known-type events; rejected types: ${JSON.stringify(Object.fromEntries(rejectedTypes))}`,
    );
    expect(figures.invalidForNewSchema).toBe(0);
    expect(figures.generated).toBe(members.length * VARIANTS);
    expect(figures.crashed).toBe(0);
    expect(figures.unknown).toBeGreaterThan(0);
    expect(acceptedPct).toBeGreaterThanOrEqual(95);
  });
});
