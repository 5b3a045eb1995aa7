/**
 * Reads the pinned schemas and the committed output: every method (upstream + overlay) and every
 * event is in the generated bindings. (`pnpm codegen:check` separately proves the output is current.)
 */
import { readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { REPO } from "./helpers.js";

const schemas = join(REPO, "schemas");
const gen = join(REPO, "packages/core/src/generated");
const read = (f: string) => readFileSync(join(gen, f), "utf8");
type Json = Record<string, any>;

function leaves(node: Json, out: { method: string; internal: boolean; notification: boolean }[] = []) {
  if (node && typeof node === "object" && "rpcMethod" in node)
    out.push({ method: node.rpcMethod, internal: node.visibility === "internal", notification: node.notification === true });
  else if (node && typeof node === "object") for (const v of Object.values(node)) leaves(v as Json, out);
  return out;
}

const files = [JSON.parse(readFileSync(join(schemas, "api.schema.json"), "utf8")) as Json];
for (const f of readdirSync(join(schemas, "overlay"))
  .filter((n) => n.endsWith(".json"))
  .sort())
  files.push(JSON.parse(readFileSync(join(schemas, "overlay", f), "utf8")) as Json);
const methods = files.flatMap((f) => ["server", "session", "clientSession", "clientGlobal"].flatMap((t) => (f[t] ? leaves(f[t]) : [])));
const events = (JSON.parse(readFileSync(join(schemas, "session-events.schema.json"), "utf8")) as Json).definitions.SessionEvent.anyOf.map(
  (r: Json) => r.$ref.split("/").pop() as string,
);

describe("coverage of the pinned schemas", () => {
  it("has the 387 upstream methods plus the overlay's", () => {
    expect(
      leaves(files[0]!.server).length + leaves(files[0]!.session).length + leaves(files[0]!.clientSession).length + leaves(files[0]!.clientGlobal).length,
    ).toBe(387);
    expect(methods.length).toBeGreaterThan(387);
  });
  it("puts every public method in RPC_METHODS and every internal one in INTERNAL_RPC_METHODS, never both", () => {
    const pub = read("methods.ts");
    const internal = read("internal-methods.ts");
    const missing = methods.filter((m) => !(m.internal ? internal : pub).includes(`  ${JSON.stringify(m.method)}: { direction:`));
    expect(missing).toEqual([]);
    const leaked = methods.filter((m) => m.internal && pub.includes(`  ${JSON.stringify(m.method)}: {`));
    expect(leaked).toEqual([]);
  });
  it("has a stub or handler for every method", () => {
    const rpc = read("rpc.ts") + read("internal-rpc.ts");
    const missing = methods.filter((m) => !rpc.includes(`Wire method: \`${m.method}\``));
    expect(missing).toEqual([]);
  });
  it("has all 149 events in the SessionEvent union, the type list and the validators", () => {
    expect(events).toHaveLength(149);
    const ev = read("events.ts");
    const union = /export type SessionEvent =([\s\S]*?);\n/.exec(ev)![1]!;
    for (const e of events) expect(union, e).toMatch(new RegExp(`\\| ${e}\\b`));
    expect((/SESSION_EVENT_TYPES = \[([\s\S]*?)\] as const/.exec(ev)![1]!.match(/"/g) ?? []).length / 2).toBe(149);
    const v = read("validators/index.ts");
    for (const e of events) expect(v, e).toContain(`"d_${e}"`);
  });
  it("index.ts is an explicit, sorted list of named exports and never imports validators or internals", () => {
    const index = read("index.ts");
    expect(index).not.toMatch(/export \*/);
    expect(index).not.toMatch(/from "\.\/(validators|internal-)/);
    for (const block of index.matchAll(/export (?:type )?\{\n([\s\S]*?)\n\}/g)) {
      const names = block[1]!.split("\n").map((l) => l.trim().replace(/,$/, ""));
      expect(names).toEqual([...names].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0)));
    }
  });
  it("every generated file carries the header", () => {
    const walk = (d: string): string[] => readdirSync(d, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? walk(join(d, e.name)) : [join(d, e.name)]));
    for (const f of walk(gen)) {
      const text = readFileSync(f, "utf8").slice(0, 1200);
      expect(text, f).toContain("DO NOT EDIT");
      expect(text, f).toContain("pnpm codegen");
      expect(text, f).toMatch(/@github\/copilot-sdk-linux-x64@1\.0\.14 \(runtime 1\.0\.85/);
      expect(text, f).toMatch(/sha256 [0-9a-f]{64} {2}api\.schema\.json/);
    }
  });
});
