/** Bad input stops the generator with a message naming the file, the JSON pointer and the fix. */
import { existsSync, readFileSync, readdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { CodegenError } from "../src/errors.js";
import { generate } from "../src/generate.js";
import { FIXTURE, failure, fixtureWith, tempDir } from "./helpers.js";

describe("bad input", () => {
  it("a real conflict between same-named definitions names both schema paths", () => {
    const e = failure(fixtureWith(({ events }) => (events.definitions.Model.properties.id.type = "number")));
    expect(e.message).toContain("session-events.schema.json#/definitions/Model");
    expect(e.message).toContain("api.schema.json#/definitions/Model");
    expect(e.message).toMatch(/never invents "Model1"/);
  });
  it("a keyword the generator cannot express fails at its pointer", () => {
    const e = failure(fixtureWith(({ api }) => (api.definitions.SendResult.unevaluatedProperties = false)));
    expect(e).toMatchObject({ file: "api.schema.json", pointer: "#/definitions/SendResult/unevaluatedProperties" });
    expect(e.message).toMatch(/keyword "unevaluatedProperties" is not handled[\s\S]*Fix:/);
  });
  it("an unknown keyword fails (typos are not silently ignored)", () => {
    const e = failure(fixtureWith(({ api }) => (api.definitions.SendResult.properites = {})));
    expect(e.message).toContain('api.schema.json#/definitions/SendResult/properites: unknown keyword "properites"');
  });
  it("a non-empty not fails", () => {
    const e = failure(fixtureWith(({ api }) => (api.definitions.Kind.not = { const: "x" })));
    expect(e.pointer).toBe("#/definitions/Kind/not");
  });
  it("a dangling $ref fails naming the reference", () => {
    const e = failure(fixtureWith(({ api }) => (api.definitions.SendResult.properties.messageId = { $ref: "#/definitions/Nope" })));
    expect(e.message).toContain('"#/definitions/Nope" points at a definition that does not exist');
    expect(e.pointer).toBe("#/definitions/SendResult/properties/messageId/$ref");
  });
  it("a synthesized name that collides with a different definition fails instead of renaming", () => {
    const e = failure(
      fixtureWith(
        ({ api }) => (api.definitions.SessionToolsHandlePendingToolCallParams = { type: "string", title: "SessionToolsHandlePendingToolCallParams" }),
      ),
    );
    expect(e.message).toMatch(/would name the params of session.tools.handlePendingToolCall "SessionToolsHandlePendingToolCallParams"/);
  });
  it("a method defined twice (overlay repeating upstream) fails naming both places", () => {
    const e = failure(fixtureWith(({ overlay, api }) => (overlay.server.ping = api.server.ping)));
    expect(e.message).toMatch(/method "ping" is defined twice \(first at api.schema.json#\/server\/ping\)/);
  });
  it("a method at the wrong tree position fails", () => {
    const e = failure(fixtureWith(({ api }) => (api.server.ping.rpcMethod = "pong")));
    expect(e.message).toContain('rpcMethod "pong" does not match its tree position (expected "ping")');
  });
  it("a session method without inline sessionId fails", () => {
    const e = failure(fixtureWith(({ api }) => delete api.session.send.params.properties.sessionId));
    expect(e.pointer).toBe("#/session/send/params");
  });
  it("invalid JSON fails naming the file", () => {
    const dir = fixtureWith(() => {});
    writeFileSync(join(dir, "overlay/lifecycle.json"), "{ nope");
    expect(failure(dir).message).toMatch(/^overlay\/lifecycle.json#: not valid JSON/);
  });
  it("a missing schema file fails with what to pass", () => {
    expect(failure(tempDir()).message).toMatch(/api.schema.json: schema file not found[\s\S]*--schemas/);
  });
  it("a protocol.lock.json that does not match the upstream files fails", () => {
    const dir = fixtureWith(() => {});
    writeFileSync(join(dir, "protocol.lock.json"), JSON.stringify({ files: { "api.schema.json": { sha256: "0".repeat(64) } } }));
    expect(failure(dir).message).toMatch(
      /protocol.lock.json#\/files\/api.schema.json\/sha256: api.schema.json has sha256 [0-9a-f]{64}, but protocol.lock.json pins 0{64}/,
    );
  });
  it("a failing run leaves the existing output folder untouched (atomic swap)", async () => {
    const out = join(tempDir(), "generated");
    await generate({ schemasDir: FIXTURE, outDir: out });
    const before = readFileSync(join(out, "types.ts"), "utf8");
    const bad = fixtureWith(({ api }) => (api.definitions.SendResult.dependentSchemas = {}));
    await expect(generate({ schemasDir: bad, outDir: out })).rejects.toThrow(CodegenError);
    expect(readFileSync(join(out, "types.ts"), "utf8")).toBe(before);
    expect(readdirSync(join(out, "..")).filter((n) => n.includes(".tmp-") || n.includes(".old-"))).toEqual([]);
    expect(existsSync(join(out, "README.md"))).toBe(true);
  });
});
