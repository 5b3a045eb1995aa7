/**
 * The validators' two boolean checks: the function generated from the schema data with
 * `new Function` (`schema-function.ts`) and, where code generation from strings is refused, the
 * closures (`schema-compiled.ts`). codegen/test/validators-parity.test.ts pins both to ajv value by
 * value; these tests pin the switch between them and what a user sees on each path.
 */
import { execFile } from "node:child_process";
import { readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { validateSessionEvent } from "@flightdeck/copilot-core/validators";
import { DEFINITIONS } from "../src/generated/validators/definitions.js";
import { EVENT_SCHEMAS } from "../src/generated/validators/index.js";
import { compiledRef } from "../src/schema-compiled.js";
import { schemaFunction, schemaFunctionSource } from "../src/schema-function.js";

const repo = fileURLToPath(new URL("../../..", import.meta.url));
const validatorsEntry = join(repo, "packages/core/src/validators.ts");
const functionEntry = join(repo, "packages/core/src/schema-function.ts");
const definitionsEntry = join(repo, "packages/core/src/generated/validators/definitions.ts");

/** The recorded events, and for each a copy with one field broken (so both verdicts occur). */
function recordedEvents(): unknown[] {
  const out: unknown[] = [];
  const dir = join(repo, "schemas/recordings/runtime-1.0.85");
  for (const file of readdirSync(dir).sort()) {
    for (const line of readFileSync(join(dir, file), "utf8").split("\n").filter(Boolean)) {
      const { dir: io, msg } = JSON.parse(line) as { dir: string; msg: { method?: string; params?: { event: Record<string, unknown> } } };
      if (io !== "in" || msg.method !== "session.event") continue;
      const event = msg.params!.event;
      out.push(event, { ...event, id: "not-a-uuid" }, { ...event, data: { ...(event["data"] as object), zzExtra: 1 } }, { ...event, data: null });
    }
  }
  return out;
}

/** Every recorded event (and its broken copies) through `validateSessionEvent`, both modes. */
const RESULTS_SCRIPT = `
import { readFileSync } from "node:fs";
const { validateSessionEvent } = await import(process.env.FD_VALIDATORS);
const { schemaFunction } = await import(process.env.FD_FUNCTION);
const { DEFINITIONS } = await import(process.env.FD_DEFINITIONS);
const events = JSON.parse(readFileSync(0, "utf8"));
const results = events.map((e) => [validateSessionEvent(e, "lenient"), validateSessionEvent(e, "strict")]);
console.log(JSON.stringify({ generated: schemaFunction(DEFINITIONS, "d_AbortEvent", false) !== undefined, results }));
`;

function resultsInChild(nodeFlags: string[], events: unknown[]): Promise<{ generated: boolean; results: unknown[] }> {
  return new Promise((resolve, reject) => {
    const child = execFile(
      process.execPath,
      [...nodeFlags, "--import", "tsx", "--input-type=module", "-e", RESULTS_SCRIPT],
      {
        cwd: repo,
        env: { ...process.env, FD_VALIDATORS: validatorsEntry, FD_FUNCTION: functionEntry, FD_DEFINITIONS: definitionsEntry },
        timeout: 60_000,
        maxBuffer: 64 * 1024 * 1024,
      },
      (error, stdout, stderr) =>
        error ? reject(new Error(`${error.message}\n${stderr}`)) : resolve(JSON.parse(stdout) as { generated: boolean; results: unknown[] }),
    );
    child.stdin!.end(JSON.stringify(events));
  });
}

describe("the generated check", () => {
  it("is used where code generation is allowed, once per definition and mode", () => {
    const lenient = schemaFunction(DEFINITIONS, "d_AbortEvent", false);
    expect(lenient).toBeTypeOf("function");
    expect(schemaFunction(DEFINITIONS, "d_AbortEvent", false)).toBe(lenient);
    expect(schemaFunction(DEFINITIONS, "d_AbortEvent", true)).not.toBe(lenient);
  });

  it("compiles every shipped definition in both modes and agrees with the closures on every recorded event", () => {
    const events = recordedEvents();
    const disagreements: string[] = [];
    for (const strict of [false, true]) {
      for (const key of Object.keys(DEFINITIONS)) expect(schemaFunction(DEFINITIONS, key, strict), key).toBeTypeOf("function");
      for (const event of events) {
        const type = (event as { type: string }).type;
        const key = EVENT_SCHEMAS[type];
        if (key === undefined) continue;
        const [generated, closures] = [schemaFunction(DEFINITIONS, key, strict)!(event), compiledRef(DEFINITIONS, key, strict)(event)];
        if (generated !== closures) disagreements.push(`${strict ? "strict" : "lenient"} ${type}: generated ${generated}, closures ${closures}`);
      }
    }
    expect(events.length).toBeGreaterThan(900);
    expect(disagreements).toEqual([]);
  });

  it("writes property names and constants as literals (no text of the schema runs as code)", () => {
    const name = 'a"];throw 1;//\n\u2028${x}`';
    const defs = {
      d_T: {
        type: "object",
        properties: { [name]: { const: name }, k: { enum: ["x", name, 1, null] } },
        required: [name],
        additionalProperties: false,
      },
    };
    const { source } = schemaFunctionSource(defs, "d_T", true);
    expect(source).toContain(JSON.stringify(name));
    const check = schemaFunction(defs, "d_T", true)!;
    expect(check({ [name]: name })).toBe(true);
    expect(check({ [name]: name, k: name })).toBe(true);
    expect(check({ [name]: "other" })).toBe(false);
    expect(check({ [name]: name, extra: 1 })).toBe(false);
    expect(check({ [name]: name, k: "y" })).toBe(false);
    expect(check({})).toBe(false);
  });

  it("keeps a reference cycle finite and a missing definition an error when first followed", () => {
    const defs = {
      d_Tree: { type: "object", properties: { children: { type: "array", items: { $ref: "d_Tree" } }, other: { $ref: "d_Missing" } } },
    };
    const check = schemaFunction(defs, "d_Tree", false)!;
    expect(check({ children: [{ children: [{ children: [] }] }] })).toBe(true);
    expect(check({ children: [{ children: [{ children: 1 }] }] })).toBe(false);
    expect(() => check({ other: 1 })).toThrow(/validator data has no schema "d_Missing"/);
  });
});

describe("where code generation from strings is refused", () => {
  it("node --disallow-code-generation-from-strings: the closures check, with the very same results", async () => {
    const events = recordedEvents();
    const [refused, allowed] = await Promise.all([resultsInChild(["--disallow-code-generation-from-strings"], events), resultsInChild([], events)]);
    expect(refused.generated).toBe(false);
    expect(allowed.generated).toBe(true);
    expect(refused.results).toHaveLength(events.length);
    expect(refused.results).toEqual(allowed.results);
    // And this process (code generation allowed) agrees with both.
    expect(events.map((e) => [validateSessionEvent(e, "lenient"), validateSessionEvent(e, "strict")])).toEqual(allowed.results);
    // Sanity: both verdicts occur, so equal lists cannot pass by all being valid.
    const verdicts = new Set((allowed.results as [{ ok: boolean }, { ok: boolean }][]).flatMap(([l, s]) => [l.ok, s.ok]));
    expect(verdicts).toEqual(new Set([true, false]));
  }, 90_000);
});
