/** One test per normalization rule (protocol-notes "Traps"), on the small fixture schemas. */
import { describe, expect, it } from "vitest";
import { buildIr } from "../src/ir.js";
import { loadSchemas } from "../src/load.js";
import { emitTypes } from "../src/emit/types.js";
import { FIXTURE, fixtureWith } from "./helpers.js";

const ir = buildIr(loadSchemas(FIXTURE));
const method = (name: string) => {
  const m = ir.methods.find((x) => x.name === name);
  if (!m) throw new Error(`no method ${name}`);
  return m;
};
const emitted = emitTypes(ir);
const typesText = emitted.then((t) => t.file);
const decl = async (name: string) => {
  const d = (await emitted).declarations.get(name);
  if (!d) throw new Error(`no declaration ${name}`);
  return d;
};

describe("IR shape", () => {
  it("takes direction and scope from the tree and kind from notification", () => {
    expect(method("ping")).toMatchObject({ direction: "clientToServer", scope: "server", kind: "request", path: ["ping"] });
    expect(method("session.send")).toMatchObject({ scope: "session", sessionScoped: true, path: ["send"] });
    expect(method("sessionFs.readFile")).toMatchObject({ direction: "serverToClient", scope: "clientSession" });
    expect(method("telemetry.event")).toMatchObject({ direction: "serverToClient", scope: "clientGlobal", kind: "notification", result: null });
    expect(method("runtime.shutdown")).toMatchObject({ visibility: "internal", params: null, result: null });
  });
  it("sorts methods, events and types explicitly (Trap 7: definitions arrive unsorted)", () => {
    const sorted = (xs: string[]) => [...xs].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
    expect(ir.methods.map((m) => m.name)).toEqual(sorted(ir.methods.map((m) => m.name)));
    expect(ir.types.map((m) => m.name)).toEqual(sorted(ir.types.map((m) => m.name)));
    expect(ir.events.map((m) => m.type)).toEqual(["assistant.message_delta", "session.idle"]);
  });
});

describe("session params", () => {
  it("uses the titled definition equal to the inline params minus sessionId as the public type", () => {
    expect(method("session.send").params).toMatchObject({
      tsType: "SendRequest",
      tsWireType: "WithSessionId<SendRequest>",
      stripsSessionId: true,
      optional: false,
    });
  });
  it("gives a no-argument stub when sessionId is the only param (inline or overlay $ref)", () => {
    expect(method("session.suspend").params).toMatchObject({ tsType: null, tsWireType: "{ sessionId: string }" });
    expect(method("session.detach").params).toMatchObject({ tsType: null });
  });
  it("names untitled inline params from rpcMethod", () => {
    expect(method("session.tools.handlePendingToolCall").params?.tsType).toBe("SessionToolsHandlePendingToolCallParams");
    expect(ir.types.find((t) => t.name === "SessionToolsHandlePendingToolCallParams")).toMatchObject({ origin: "synthesized" });
  });
  it('treats a {"not":{}} branch as optional params (Trap 2)', () => {
    expect(method("session.model.list").params).toMatchObject({ tsType: "ModelListRequest", optional: true });
  });
  it("keeps sessionId in client-session handler params", () => {
    expect(method("sessionFs.readFile").params).toMatchObject({ tsType: "ReadFileRequest", tsWireType: "WithSessionId<ReadFileRequest>" });
  });
  it('maps result {type:"null"} to void, inline results to inline types, optional results', () => {
    expect(method("session.suspend").result).toBeNull();
    expect(method("models.list").result?.tsType).toBe("Model[]");
    expect(method("session.tools.handlePendingToolCall").result?.tsType).toBe("boolean");
    expect(method("sessionFs.readFile").result).toMatchObject({ tsType: "ReadFileResult", optional: true });
  });
});

describe("definitions", () => {
  it("merges a definition present in both files when only descriptions differ (Trap 5)", () => {
    const model = ir.types.find((t) => t.name === "Model")!;
    expect(model.source.file).toBe("api.schema.json");
    expect(model.alsoDefinedIn).toEqual([{ file: "session-events.schema.json", pointer: "#/definitions/Model" }]);
  });
  it("resolves $refs from the api file into the events file and from overlays into upstream", () => {
    expect(method("session.model.list").result?.tsType).toBe("Model");
    const created = ir.types.find((t) => t.name === "SessionCreateResult")!;
    expect(JSON.stringify(created.schema)).toContain('"$ref":"#/definitions/Model"');
  });
  it("records events with type, data type and ephemeral flag", () => {
    expect(ir.events).toEqual([
      expect.objectContaining({ type: "assistant.message_delta", typeName: "MessageDeltaEvent", dataTypeName: "MessageDeltaData", ephemeral: true }),
      expect.objectContaining({ type: "session.idle", typeName: "IdleEvent", dataTypeName: "IdleData", ephemeral: false }),
    ]);
  });
});

describe("type emission", () => {
  it("strips annotation siblings of $ref: one declaration per definition, no numbered copies (Trap 1)", async () => {
    const text = await typesText;
    expect(text).not.toMatch(/export (?:interface|type) \w+\d+\b/);
    expect(text.match(/export type Tier\b/g)).toHaveLength(1);
    expect(await decl("PingResult")).toMatch(/tier\?: Tier;[\s\S]*tier2\?: Tier;/);
  });
  it("narrows a $ref with a const sibling to the literal", async () => {
    expect(await decl("PingResult")).toContain('kind: "pong";');
  });
  it("emits string-literal unions with enum-member docs, never TS enum (Trap 4)", async () => {
    const tier = await decl("Tier");
    expect(tier).toContain('export type Tier = "fast" | "long-context" | "balanced";');
    expect(tier).toContain('- `"long-context"`: A value that is not an identifier.');
    expect(await typesText).not.toMatch(/\benum\s+\w+\s*{/);
  });
  it("types x-opaque-json and x-opaque-in-process as unknown and honours x-typescript-type", async () => {
    expect(await decl("SessionToolsHandlePendingToolCallParams")).toContain("result?: unknown;");
    const ping = await decl("PingResult");
    expect(ping).toContain("instance?: unknown;");
    expect(ping).toContain("In-process type `InProcessThing`");
    expect(ping).toContain("config?: Tier;");
  });
  it("carries @deprecated and @experimental into JSDoc", async () => {
    expect(await decl("SendResult")).toMatch(/@deprecated[\s\S]*legacy\?: string/);
    expect(await decl("PingResult")).toContain("@experimental");
  });
  it("types a required-only anyOf as base & (alternatives) (Trap 2)", async () => {
    const t = await decl("LogoutRequest");
    expect(t).toMatch(/selectionId\?: string;[\s\S]*\} & \(\s*\|\s*\{\s*selectionId: string;/);
  });
  it("drops the {not:{}} branch from a definition's union", async () => {
    expect(await decl("ModelListRequest")).toContain("skipCache?: boolean;");
  });
  it("walkers skip value positions: enum/const/default values that look like schemas stay data (Trap 6)", async () => {
    const dir = fixtureWith(({ api }) => {
      api.definitions.Weird = {
        type: "object",
        properties: { v: { enum: [{ $ref: "#/definitions/DoesNotExist" }], default: { not: { type: "string" } } } },
        "x-enumDescriptions": { $ref: "also data" },
        title: "Weird",
      };
    });
    const weird = buildIr(loadSchemas(dir)).types.find((t) => t.name === "Weird")!;
    expect(JSON.stringify(weird.schema)).toContain('"enum":[{"$ref":"#/definitions/DoesNotExist"}]');
  });
});
