/** `x-type-names` in an overlay: a definition generated under a name of Flightdeck's choosing, checked. */
import { describe, expect, it } from "vitest";
import { emitTypes } from "../src/emit/types.js";
import { buildIr } from "../src/ir.js";
import { loadSchemas } from "../src/load.js";
import { failure, fixtureWith } from "./helpers.js";

type Json = Record<string, any>;
const withNames = (names: unknown, edit: (files: { api: Json; events: Json; overlay: Json }) => void = () => {}) =>
  fixtureWith((files) => {
    files.overlay["x-type-names"] = names;
    edit(files);
  });

describe("x-type-names", () => {
  it("files a definition under its new name, and every $ref, title and event follows", async () => {
    // Model is defined equally in two files; SendResult is a method result by $ref with a title; IdleEvent is an event.
    const ir = buildIr(loadSchemas(withNames({ Model: "ModelInfo", SendResult: "SendOutcome", IdleEvent: "SessionIdleEvent" })));
    const names = ir.types.map((t) => t.name);
    expect(names).toEqual(expect.arrayContaining(["ModelInfo", "SendOutcome", "SessionIdleEvent"]));
    expect(names).not.toEqual(expect.arrayContaining(["Model"]));
    expect(names.filter((n) => n === "SendResult" || n === "IdleEvent")).toEqual([]);
    const model = ir.types.find((t) => t.name === "ModelInfo")!;
    // Where it came from stays the schema's own place.
    expect(model.source.pointer).toBe("#/definitions/Model");
    expect(model.alsoDefinedIn.map((s) => s.pointer)).toEqual(["#/definitions/Model"]);
    expect(model.schema["title"]).toBe("ModelInfo");
    const send = ir.methods.find((m) => m.result?.tsType === "SendOutcome");
    expect(send?.result?.typeName).toBe("SendOutcome");
    expect(ir.events.find((e) => e.type === "session.idle")?.typeName).toBe("SessionIdleEvent");
    const json = JSON.stringify(ir);
    expect(json).not.toContain('"$ref":"#/definitions/Model"');
    expect(json).not.toContain('"$ref":"#/definitions/SendResult"');
    expect(json).toContain('"$ref":"#/definitions/ModelInfo"');
    const { file } = await emitTypes(ir);
    expect(file).toMatch(/export interface ModelInfo \{/);
    expect(file).not.toMatch(/\binterface Model\b/);
    expect(file).toMatch(/model\?: ModelInfo;/);
  });

  it("renames a type named by x-typescript-type too", () => {
    const dir = withNames({ Model: "ModelInfo" }, ({ api }) => {
      api.definitions.SendResult.properties.model = { "x-opaque-in-process": true, "x-typescript-type": "Model" };
    });
    const send = buildIr(loadSchemas(dir)).types.find((t) => t.name === "SendResult")!;
    expect((send.schema["properties"] as Json)["model"]["x-typescript-type"]).toBe("ModelInfo");
  });

  it("an entry for a definition no schema has fails, saying to remove it", () => {
    const e = failure(withNames({ Nope: "Something" }));
    expect(e).toMatchObject({ file: "overlay/lifecycle.json", pointer: "#/x-type-names/Nope" });
    expect(e.message).toMatch(/no schema defines "Nope"[\s\S]*Fix: remove the entry/);
  });

  it("a new name that a definition already has fails", () => {
    const e = failure(withNames({ Model: "Tier" }));
    expect(e.message).toContain('"Model" would be renamed to "Tier", but a definition of that name exists');
  });

  it("two definitions renamed to one name fail", () => {
    const e = failure(withNames({ Model: "Same", Tier: "Same" }));
    expect(e.message).toContain('would both be named "Same"');
  });

  it("a new name that is not an identifier, or a table that is not an object, fails", () => {
    expect(failure(withNames({ Model: "Model Info" })).message).toContain('the new name of "Model" is not a TypeScript identifier');
    expect(failure(withNames(["Model"])).message).toContain('"x-type-names" must be an object');
  });
});
