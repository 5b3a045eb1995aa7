/**
 * `flightdeck-codegen types --lang python`: the module compiles (`python3 -m py_compile`) and
 * recorded runtime events round-trip through its `from_dict` / `to_dict`.
 */
import { execFileSync } from "node:child_process";
import { readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { validateSessionEvent } from "@flightdeck/copilot-core/validators";
import { buildIr, loadSchemas, type CodegenIr } from "../src/index.js";
import { headerLines } from "../src/emit/header.js";
import { emitLanguageTypes, topLevelTypes } from "../src/emit-lang/quicktype.js";
import { main } from "../src/cli.js";
import { REPO, tempDir } from "./helpers.js";

const RECORDINGS = join(REPO, "schemas/recordings/runtime-1.0.85");
let ir: CodegenIr;
let dir: string;
let python: string;

/** Every `session.event` notification the runtime sent in the recordings. */
function recordedEvents(): { type: string; data: unknown }[] {
  const out: { type: string; data: unknown }[] = [];
  for (const f of readdirSync(RECORDINGS).sort()) {
    for (const line of readFileSync(join(RECORDINGS, f), "utf8").split("\n")) {
      if (!line.trim()) continue;
      const { msg } = JSON.parse(line) as { msg: { method?: string; params?: { event: { type: string; data: unknown } } } };
      if (msg.method === "session.event" && msg.params) out.push(msg.params.event);
    }
  }
  return out;
}

// Compares after dropping null-valued keys: quicktype's to_dict omits optional fields set to None.
const ROUND_TRIP = `
import json, sys
sys.path.insert(0, sys.argv[1])
import protocol_types as pt
spec = json.load(open(sys.argv[2]))
classes = {n.lower(): c for n, c in vars(pt).items() if isinstance(c, type)}
def strip_nulls(x):
    if isinstance(x, dict): return {k: strip_nulls(v) for k, v in x.items() if v is not None}
    if isinstance(x, list): return [strip_nulls(v) for v in x]
    return x
ok, failures = 0, []
for ev in spec["events"]:
    try:
        back = classes[spec["map"][ev["type"]].lower()].from_dict(ev["data"]).to_dict()
        if strip_nulls(back) == strip_nulls(ev["data"]): ok += 1
        else: failures.append([ev["type"], "differs", json.dumps(back)[:300]])
    except Exception as e:
        failures.append([ev["type"], "raised", repr(e)[:300]])
print(json.dumps({"ok": ok, "failures": failures}))
`;

beforeAll(async () => {
  ir = buildIr(loadSchemas(join(REPO, "schemas")));
  dir = tempDir();
  python = await emitLanguageTypes(ir, "python");
  writeFileSync(join(dir, "protocol_types.py"), python);
}, 60_000);

describe("python", () => {
  it("starts with the TypeScript output's provenance and compiles", () => {
    const header = python.split("\n").slice(0, headerLines(ir).length);
    expect(header.slice(1)).toEqual(headerLines(ir).slice(1).map((l) => `# ${l}`));
    expect(header[0]).toContain("Regenerate with `flightdeck-codegen types --lang python --out <file>`");
    execFileSync("python3", ["-m", "py_compile", join(dir, "protocol_types.py")], { stdio: "pipe" });
    // A class per event data type (quicktype spells acronyms its way: McpOauthRequiredData → MCPOauthRequiredData).
    const classes = new Set([...python.matchAll(/^class (\w+)/gm)].map((m) => m[1]!.toLowerCase()));
    expect(ir.events.map((e) => e.dataTypeName).filter((n) => !classes.has(n.toLowerCase()))).toEqual([]);
    expect(topLevelTypes(ir).length).toBeGreaterThan(400);
  });

  it("round-trips every recorded event that the pinned schema describes", () => {
    const all = recordedEvents();
    const map = Object.fromEntries(ir.events.map((e) => [e.type, e.dataTypeName]));
    // Runtime 1.0.85 also sends events and fields its own 1.0.14 schema lacks; only schema-valid ones can round-trip.
    const valid = all.filter((e) => e.type in map && validateSessionEvent(e, "strict").ok);
    expect(all.length).toBeGreaterThan(200);
    expect(valid.length).toBeGreaterThan(150);
    writeFileSync(join(dir, "spec.json"), JSON.stringify({ map, events: valid }));
    writeFileSync(join(dir, "round_trip.py"), ROUND_TRIP);
    const out = JSON.parse(execFileSync("python3", [join(dir, "round_trip.py"), dir, join(dir, "spec.json")], { encoding: "utf8" })) as { ok: number; failures: string[][] };
    console.log(`python round-trip: ${out.ok} of ${valid.length} schema-valid recorded events (of ${all.length} recorded; ${all.filter((e) => !(e.type in map)).length} of types the schema lacks)`);
    expect(out.failures).toEqual([]);
    expect(out.ok).toBe(valid.length);
  });

  it("is deterministic", async () => {
    const tops = ["AssistantMessageData", "StartData", "ToolExecutionStartData"];
    expect(await emitLanguageTypes(ir, "python", { topLevels: tops })).toBe(await emitLanguageTypes(ir, "python", { topLevels: tops }));
  });

  it("the CLI writes the file and refuses an unknown language", async () => {
    expect(await main(["types", "--lang", "cobol", "--out", join(dir, "x")])).toBe(2);
  });
});
