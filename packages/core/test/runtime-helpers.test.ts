/** The hand-written behaviour over generated tables (`@flightdeck/copilot-core/runtime`), on small hand-made tables. */
import { describe, expect, it } from "vitest";
import { createEventGuards, createValidators, type ValidationTables } from "../src/runtime.js";
import { SESSION_EVENT_TYPES, isKnownSessionEvent, isKnownSessionEventType, isSessionEventOfType } from "../src/index.js";

const tables: ValidationTables = {
  definitions: {
    d_Ping: {
      type: "object",
      required: ["type", "data"],
      additionalProperties: false,
      properties: { type: { const: "ping" }, data: { type: "object", required: ["n"], additionalProperties: false, properties: { n: { type: "integer" } } } },
    },
    d_Result: { type: "object", required: ["ok"], properties: { ok: { type: "boolean" } } },
  },
  events: { ping: "d_Ping" },
  methods: { "a.get": [false, false, "d_Result", false], "a.notify": [null, true, false, true] },
};

describe("createValidators over generated tables", () => {
  const v = createValidators(tables);
  it("validates events by type, strictly or leniently", () => {
    expect(v.validateSessionEvent({ type: "ping", data: { n: 1 } }, "strict")).toEqual({ ok: true });
    expect(v.validateSessionEvent({ type: "ping", data: { n: 1, extra: true } }, "lenient")).toEqual({ ok: true });
    const strict = v.validateSessionEvent({ type: "ping", data: { n: 1, extra: true } }, "strict");
    expect(strict).toMatchObject({ ok: false, known: true, errors: [{ keyword: "additionalProperties", path: "/data" }] });
    expect(v.validateSessionEvent({ type: "pong", data: {} }, "lenient")).toMatchObject({ ok: false, known: false });
    expect(v.validatedEventTypes).toEqual(["ping"]);
  });
  it("validates results and params by method, and refuses a bad mode with a typed error", () => {
    expect(v.validateRpcResult("a.get", { ok: true })).toEqual({ ok: true });
    expect(v.validateRpcResult("a.get", { ok: 1 })).toMatchObject({ ok: false, known: true });
    expect(v.validateRpcParams("a.notify", { x: 1 })).toMatchObject({ ok: false, errors: [{ message: "a.notify takes no params" }] });
    expect(v.validateRpcParams("a.get", {})).toMatchObject({ ok: false, known: false });
    expect(() => v.validateRpcResult("a.get", {}, "loose" as never)).toThrow(expect.objectContaining({ code: "INVALID_OPTION" }));
  });
});

describe("createEventGuards", () => {
  type E = { type: "a"; data: { x: number } } | { type: "b"; data: { y: string } };
  const g = createEventGuards<E>(["a", "b"]);
  it("narrows on the generated list of types", () => {
    const e: { type: string; data: unknown } = { type: "a", data: { x: 1 } };
    expect(g.isKnownType("a")).toBe(true);
    expect(g.isKnownType("c")).toBe(false);
    expect(g.isKnown(e)).toBe(true);
    expect(g.isOfType(e, "a") && e.data.x).toBe(1);
    expect(g.isOfType(e, "b")).toBe(false);
  });
  it("backs the session event guards of this build", () => {
    const type = SESSION_EVENT_TYPES[0];
    expect(isKnownSessionEventType(type)).toBe(true);
    expect(isKnownSessionEventType("not.an.event")).toBe(false);
    const ev = { id: "1", timestamp: "2026-01-01T00:00:00Z", parentId: null, type: "not.an.event", data: {} };
    expect(isKnownSessionEvent(ev)).toBe(false);
    expect(isSessionEventOfType({ ...ev, type }, type)).toBe(true);
  });
});
