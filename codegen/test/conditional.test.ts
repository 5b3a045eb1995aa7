/** `if`/`then`/`else` and structured `x-*` annotations (first used upstream by 1.0.15-preview.4), on the small fixture. */
import { describe, expect, it } from "vitest";
import { buildIr } from "../src/ir.js";
import { loadSchemas } from "../src/load.js";
import { emitTypes } from "../src/emit/types.js";
import { fixtureWith } from "./helpers.js";

describe("if/then/else and structured annotations in the type emitter", () => {
  const dir = fixtureWith(({ api }) => {
    api.definitions.Tags = {
      type: "array",
      items: { $ref: "#/definitions/Tier" },
      allOf: [{ if: { contains: { const: "a" } }, then: { minItems: 2 } }],
      "x-typescript-type": "Tier[]",
      "x-legacy-parameters": ["a", { nested: { not: { type: "string" } } }],
    };
    api.definitions.Picked = { type: "object", properties: { n: { type: "number" } }, if: { required: ["n"] }, else: { required: ["m"] } };
  });
  const ir = buildIr(loadSchemas(dir));
  const emitted = emitTypes(ir);
  it("keeps the base type (an x-typescript-type array of a definition included) and documents the rule", async () => {
    const tags = (await emitted).declarations.get("Tags")!;
    expect(tags).toContain("export type Tags = Tier[];");
    expect(tags).toContain('if the value matches `{"contains":{"const":"a"}}`, it must also match `{"minItems":2}`.');
    const picked = (await emitted).declarations.get("Picked")!;
    expect(picked).toContain('if the value does not match `{"required":["n"]}`, it must match `{"required":["m"]}`.');
    expect(picked).toMatch(/export interface Picked \{\n\s+n\?: number;\n\}/);
  });
  it("keeps structured x-* annotations verbatim in the IR (never walked as schemas) and out of the types", async () => {
    expect(ir.types.find((t) => t.name === "Tags")!.schema["x-legacy-parameters"]).toEqual(["a", { nested: { not: { type: "string" } } }]);
    expect((await emitted).file).not.toContain("legacy-parameters");
    expect((await emitted).file).not.toContain("nested");
  });
});
