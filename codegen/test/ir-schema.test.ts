/** The IR's JSON Schema (shipped as ir.schema.json) describes what `buildIr` / `ir --json` produce, field by field. */
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { buildIr, IR_VERSION } from "../src/ir.js";
import { loadSchemas } from "../src/load.js";
import { REPO } from "./helpers.js";

const require = createRequire(import.meta.url);
const schema = JSON.parse(readFileSync(join(REPO, "codegen/ir.schema.json"), "utf8")) as Record<string, any>;

function validator() {
  const Ajv2020 = require("ajv/dist/2020").default as new (o: object) => import("ajv").default;
  return new Ajv2020({ strict: false, allErrors: true }).compile(schema);
}

describe("ir.schema.json", () => {
  it("accepts the IR of the pinned schemas, and pins the IR version", () => {
    const ir = buildIr(loadSchemas(join(REPO, "schemas")));
    const validate = validator();
    expect(validate(JSON.parse(JSON.stringify(ir))), JSON.stringify(validate.errors?.slice(0, 3))).toBe(true);
    expect(schema["properties"].irVersion.const).toBe(IR_VERSION);
  });

  it("rejects an IR with a field it does not document (so a new field needs a schema entry)", () => {
    const ir = JSON.parse(JSON.stringify(buildIr(loadSchemas(join(REPO, "codegen/test/fixtures/basic"))))) as Record<string, any>;
    const validate = validator();
    expect(validate(ir)).toBe(true);
    ir["methods"][0].undocumented = 1;
    expect(validate(ir)).toBe(false);
  });

  it("documents every field (a description on each property)", () => {
    const missing: string[] = [];
    const walk = (s: unknown, at: string) => {
      if (!s || typeof s !== "object") return;
      const o = s as Record<string, any>;
      if (o["properties"]) {
        for (const [k, v] of Object.entries(o["properties"] as Record<string, any>)) {
          if (typeof v.description !== "string" && typeof v.$ref !== "string" && !["deprecated", "description", "source"].includes(k))
            missing.push(`${at}.${k}`);
          walk(v, `${at}.${k}`);
        }
      }
      for (const key of ["items", "oneOf", "$defs"]) if (o[key]) for (const [k, v] of Object.entries(o[key] as object)) walk(v, `${at}.${key}.${k}`);
    };
    walk(schema, "#");
    expect(missing).toEqual([]);
  });

  it("keeps TypeScript text to fields named for TypeScript", () => {
    const ir = buildIr(loadSchemas(join(REPO, "schemas")));
    const tsLike = /[<>[\]|]/;
    for (const m of ir.methods) {
      expect(m.params?.typeName ?? "", m.name).not.toMatch(tsLike);
      expect(m.result?.typeName ?? "", m.name).not.toMatch(tsLike);
      if (m.params?.typeName) expect(ir.types.some((t) => t.name === m.params!.typeName)).toBe(true);
    }
    expect(ir.methods.some((m) => m.result && m.result.typeName === null && tsLike.test(m.result.tsType))).toBe(true);
  });
});
