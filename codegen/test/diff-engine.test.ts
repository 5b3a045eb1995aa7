/**
 * The diff engine on small hand-made schemas: rename rules (name AND shape), field-level effects,
 * the verdict, inputs (schema folders, IR files, bad paths).
 */
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { describe, expect, it } from "vitest";
import { CodegenError, buildIr, diffIr, loadIrForDiff, nameSubstitution } from "../src/index.js";
import { loadSchemasForDiff } from "../src/diff/load.js";
import { main } from "../src/cli.js";
import { tempDir } from "./helpers.js";

type Json = Record<string, unknown>;
const sid = { sessionId: { type: "string" } };
/** A session method leaf with inline params `{sessionId, ...props}`. */
const sessionMethod = (name: string, props: Json = {}, required: string[] = [], result: Json = { type: "null" }): Json => ({
  rpcMethod: name,
  params: { type: "object", properties: { ...sid, ...props }, required: ["sessionId", ...required], additionalProperties: false },
  result,
});
const event = (type: string, data: Json) => ({
  type: "object",
  properties: {
    id: { type: "string" },
    timestamp: { type: "string" },
    parentId: { anyOf: [{ type: "string" }, { type: "null" }] },
    type: { type: "string", const: type },
    data,
  },
  required: ["id", "timestamp", "parentId", "type", "data"],
  additionalProperties: false,
});

/** Writes a schemas folder: `session` tree from dotted method names, definitions, events. */
function schemas(spec: { methods?: Json[]; definitions?: Json; events?: Record<string, Json>; gz?: boolean }): string {
  const dir = tempDir();
  const session: Json = {};
  for (const m of spec.methods ?? []) {
    const path = (m["rpcMethod"] as string).split(".").slice(1);
    let node = session;
    for (const p of path.slice(0, -1)) node = (node[p] ??= {}) as Json;
    node[path.at(-1)!] = m;
  }
  const evDefs: Json = { Base: { type: "object", properties: { n: { type: "number" } } } };
  const members: Json[] = [];
  for (const [type, data] of Object.entries(spec.events ?? { "session.idle": { type: "object", properties: {} } })) {
    const name = type.replace(/(^|[._])(\w)/g, (_m, _s, c: string) => c.toUpperCase());
    evDefs[`${name}Event`] = event(type, { $ref: `#/definitions/${name}Data` });
    evDefs[`${name}Data`] = data;
    members.push({ $ref: `#/definitions/${name}Event` });
  }
  evDefs["SessionEvent"] = { anyOf: members };
  const api = JSON.stringify({ server: {}, session, clientSession: {}, clientGlobal: {}, definitions: spec.definitions ?? {} });
  const events = JSON.stringify({ $ref: "#/definitions/SessionEvent", definitions: evDefs });
  if (spec.gz) {
    writeFileSync(join(dir, "api.schema.json.gz"), gzipSync(api));
    writeFileSync(join(dir, "session-events.schema.json.gz"), gzipSync(events));
  } else {
    writeFileSync(join(dir, "api.schema.json"), api);
    writeFileSync(join(dir, "session-events.schema.json"), events);
  }
  return dir;
}
const diffDirs = (a: string, b: string) => diffIr(loadIrForDiff(a), loadIrForDiff(b));
const run = { runId: { type: "string" }, label: { type: "string" } };

describe("rename detection", () => {
  it("splits names into tokens and finds the substitution", () => {
    expect(nameSubstitution("session.factory.getRunDetail", "session.workflow.getRunDetail")).toBe("factory → workflow");
    expect(nameSubstitution("FactoryRunSettledEvent", "WorkflowRunSettledEvent")).toBe("factory → workflow");
    expect(nameSubstitution("RunOptions", "WorkflowRunOptions")).toBe("∅ → workflow");
    expect(nameSubstitution("FooCancelRequest", "BarPauseRequest")).toBeNull();
    expect(nameSubstitution("session.x.list", "session.x.list")).toBeNull();
  });

  it("pairs a namespace renamed consistently (two witnesses)", () => {
    const a = schemas({
      methods: [sessionMethod("session.alpha.start", run, ["runId"]), sessionMethod("session.alpha.stop", { runId: run.runId }, ["runId"])],
    });
    const b = schemas({ methods: [sessionMethod("session.beta.start", run, ["runId"]), sessionMethod("session.beta.stop", { runId: run.runId }, ["runId"])] });
    const d = diffDirs(a, b);
    expect(d.methods.renamed.map((r) => [r.from, r.to, r.substitution])).toEqual([
      ["session.alpha.start", "session.beta.start", "alpha → beta"],
      ["session.alpha.stop", "session.beta.stop", "alpha → beta"],
    ]);
    expect(d.methods.added).toEqual([]);
    expect(d.verdict.level).toBe("major");
  });

  it("does not pair a lone rename of a tiny shape (only sessionId)", () => {
    const d = diffDirs(schemas({ methods: [sessionMethod("session.foo.list")] }), schemas({ methods: [sessionMethod("session.bar.list")] }));
    expect(d.methods.renamed).toEqual([]);
    expect(d.methods.removed.map((m) => m.name)).toEqual(["session.foo.list"]);
    expect(d.methods.added.map((m) => m.name)).toEqual(["session.bar.list"]);
  });

  it("never pairs structurally identical small types whose names are unrelated", () => {
    const small = { type: "object", properties: { id: { type: "string" } }, required: ["id"] };
    const d = diffDirs(schemas({ definitions: { CancelJobRequest: small } }), schemas({ definitions: { PauseTaskRequest: small } }));
    expect(d.types.renamed).toEqual([]);
    expect(d.types.removed.map((t) => t.name)).toEqual(["CancelJobRequest"]);
    expect(d.types.added.map((t) => t.name)).toEqual(["PauseTaskRequest"]);
  });

  it("does not pair similar names whose shapes differ", () => {
    const a = schemas({ definitions: { JobSpecA: { type: "object", properties: { a: { type: "string" }, b: { type: "number" }, c: { type: "boolean" } } } } });
    const b = schemas({
      definitions: { JobSpecB: { type: "object", properties: { x: { type: "array", items: { type: "string" } }, y: { type: "null" }, z: { enum: ["q"] } } } },
    });
    expect(diffDirs(a, b).types.renamed).toEqual([]);
  });
});

describe("field-level effects", () => {
  const base = (props: Json, required: string[] = []) => schemas({ methods: [sessionMethod("session.job.start", props, required)] });
  const changes = (a: string, b: string) => diffDirs(a, b).methods.changed.flatMap((c) => c.changes.map((x) => `${x.path} ${x.kind} ${x.effect}`));

  it("an optional param is additive (minor), a required one breaking (major)", () => {
    const a = base({});
    const opt = diffDirs(a, base({ dryRun: { type: "boolean" } }));
    expect(opt.methods.changed[0]!.changes).toEqual([{ path: "params.dryRun", kind: "property-added", effect: "additive", detail: "optional boolean" }]);
    expect(opt.verdict.level).toBe("minor");
    const req = diffDirs(a, base({ dryRun: { type: "boolean" } }, ["dryRun"]));
    expect(req.verdict.level).toBe("major");
  });

  it("enum values: removing is breaking, adding is additive; widening a param is additive", () => {
    const a = base({ mode: { enum: ["a", "b"] }, effort: { type: "string" } });
    expect(changes(a, base({ mode: { enum: ["a", "b", "c"] }, effort: { type: "string" } }))).toEqual(["params.mode enum-values-added additive"]);
    expect(changes(a, base({ mode: { enum: ["a"] }, effort: { type: "string" } }))).toEqual(["params.mode enum-values-removed breaking"]);
    expect(changes(a, base({ mode: { enum: ["a", "b"] }, effort: { anyOf: [{ type: "string" }, { type: "null" }] } }))).toEqual([
      "params.effort type-widened additive",
    ]);
  });

  it("in received data, a field turning optional or nullable is breaking", () => {
    const ev = (data: Json) => schemas({ events: { "job.done": data } });
    const a = ev({ type: "object", properties: { code: { type: "number" } }, required: ["code"] });
    const d1 = diffDirs(a, ev({ type: "object", properties: { code: { type: "number" } } }));
    expect(d1.events.changed[0]!.changes.map((c) => `${c.path} ${c.kind} ${c.effect}`)).toEqual(["data.code required-removed breaking"]);
    const d2 = diffDirs(a, ev({ type: "object", properties: { code: { type: ["number", "null"] } }, required: ["code"] }));
    expect(d2.events.changed[0]!.changes.map((c) => `${c.path} ${c.kind} ${c.effect}`)).toEqual(["data.code type-widened breaking"]);
  });

  it("descriptions only → patch", () => {
    const d = diffDirs(base({ mode: { type: "string", description: "old" } }), base({ mode: { type: "string", description: "new" } }));
    expect(d.methods.changed[0]!.changes).toEqual([{ path: "params.mode", kind: "description-changed", effect: "docs", detail: "description reworded" }]);
    expect(d.verdict.level).toBe("patch");
  });
});

describe("inputs", () => {
  it("reads .json.gz schema folders and IR JSON files alike", () => {
    const dir = schemas({ methods: [sessionMethod("session.job.start", run)], gz: true });
    const ir = buildIr(loadSchemasForDiff(dir));
    const file = join(tempDir(), "ir.json.gz");
    writeFileSync(file, gzipSync(JSON.stringify(ir)));
    const d = diffIr(loadIrForDiff(dir), loadIrForDiff(file));
    expect(d.verdict.level).toBe("none");
  });

  it("carries keywords the generator refuses (if/then) as opaque text, so their changes still show", () => {
    const withIf = (v: string) => ({ Tags: { type: "array", items: { type: "string" }, allOf: [{ if: { contains: { const: v } }, then: { minItems: 2 } }] } });
    const d = diffDirs(schemas({ definitions: withIf("a") }), schemas({ definitions: withIf("b") }));
    expect(d.types.changed.map((c) => c.name)).toEqual(["Tags"]);
  });

  it("names the bad path and what to pass", () => {
    expect(() => loadIrForDiff("/nonexistent/dir")).toThrow(CodegenError);
    const notIr = join(tempDir(), "x.json");
    writeFileSync(notIr, JSON.stringify({ irVersion: 99 }));
    expect(() => loadIrForDiff(notIr)).toThrow(/not an IR file with irVersion 2[\s\S]*flightdeck-codegen ir --json/);
    const empty = tempDir();
    mkdirSync(join(empty, "overlay"));
    expect(() => loadIrForDiff(empty)).toThrow(/api\.schema\.json: schema file not found/);
  });
});

describe("flightdeck-codegen diff", () => {
  it("writes the same diff as the API, as JSON or Markdown, and exits 2 on bad usage", async () => {
    const a = schemas({ methods: [sessionMethod("session.job.start", run)] });
    const b = schemas({ methods: [sessionMethod("session.job.start", run), sessionMethod("session.job.stop", run)] });
    const out = join(tempDir(), "d.json");
    expect(await main(["diff", a, b, "--json", "--out", out])).toBe(0);
    expect(JSON.parse(readFileSync(out, "utf8"))).toEqual(JSON.parse(JSON.stringify(diffDirs(a, b))));
    const md = join(tempDir(), "d.md");
    expect(await main(["diff", a, b, "--out", md])).toBe(0);
    expect(readFileSync(md, "utf8")).toContain("**Verdict: minor**");
    expect(await main(["diff", a])).toBe(2);
    expect(await main(["diff", a, "/nonexistent"])).toBe(1);
  });
});
