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
import { emitLanguageFiles, emitLanguageTypes, topLevelTypes } from "../src/emit-lang/quicktype.js";
import { main } from "../src/cli.js";
import { REPO, tempDir } from "./helpers.js";

const RECORDINGS = join(REPO, "schemas/recordings/runtime-1.0.85");
const RECORDINGS_CLI = join(REPO, "schemas/recordings/cli-1.0.102");
let ir: CodegenIr;
let dir: string;
let python: string;

/** Every `session.event` notification the runtime sent in the recordings. */
function recordedEvents(folder = RECORDINGS): { type: string; data: unknown }[] {
  const out: { type: string; data: unknown }[] = [];
  for (const f of readdirSync(folder).sort()) {
    for (const line of readFileSync(join(folder, f), "utf8").split("\n")) {
      if (!line.trim()) continue;
      const { msg } = JSON.parse(line) as { msg: { method?: string; params?: { event: { type: string; data: unknown } } } };
      if (msg.method === "session.event" && msg.params) out.push(msg.params.event);
    }
  }
  return out;
}

// Exact comparison (`same`): key order, explicit nulls, absent keys, unknown keys and values all count.
const ROUND_TRIP = `
import json, sys
sys.path.insert(0, sys.argv[1])
import protocol_types as pt
spec = json.load(open(sys.argv[2]))
classes = {n.lower(): c for n, c in vars(pt).items() if isinstance(c, type)}
def same(a, b):
    # Same keys in the same order, same values; a JSON number may come back as 1.0 for 1 (float fields).
    if isinstance(a, dict) and isinstance(b, dict): return list(a) == list(b) and all(same(a[k], b[k]) for k in a)
    if isinstance(a, list) and isinstance(b, list): return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b))
    if isinstance(a, bool) or isinstance(b, bool): return a is b
    if isinstance(a, (int, float)) and isinstance(b, (int, float)): return a == b
    return type(a) == type(b) and a == b
ok, failures = 0, []
for ev in spec["events"]:
    try:
        back = classes[spec["map"][ev["type"]].lower()].from_dict(ev["data"]).to_dict()
        if same(back, ev["data"]): ok += 1
        else: failures.append([ev["type"], "differs", json.dumps(back)[:300]])
    except Exception as e:
        failures.append([ev["type"], "raised", repr(e)[:300]])
print(json.dumps({"ok": ok, "failures": failures}))
`;

beforeAll(async () => {
  ir = buildIr(loadSchemas(join(REPO, "schemas")));
  dir = tempDir();
  python = (await emitLanguageFiles(ir, "python")).get("protocol.py")!;
  writeFileSync(join(dir, "protocol_types.py"), python);
}, 60_000);

describe("python", () => {
  it("starts with the TypeScript output's provenance and compiles", () => {
    const header = python.split("\n").slice(0, headerLines(ir).length);
    expect(header.slice(1)).toEqual(
      headerLines(ir)
        .slice(1)
        .map((l) => `# ${l}`),
    );
    expect(header[0]).toContain("Regenerate with `flightdeck-codegen types --lang python --out <file>`");
    execFileSync("python3", ["-m", "py_compile", join(dir, "protocol_types.py")], { stdio: "pipe" });
    // A class per event data type (quicktype spells acronyms its way: McpOauthRequiredData → MCPOauthRequiredData).
    const classes = new Set([...python.matchAll(/^class (\w+)/gm)].map((m) => m[1]!.toLowerCase()));
    expect(ir.events.map((e) => e.dataTypeName).filter((n) => !classes.has(n.toLowerCase()))).toEqual([]);
    expect(topLevelTypes(ir).length).toBeGreaterThan(400);
  });

  it("round-trips every recorded event of a type the schema has, exactly (numbers by value), including fields and enum values the schema lacks", () => {
    const all = [...recordedEvents(), ...recordedEvents(RECORDINGS_CLI)];
    const map = Object.fromEntries(ir.events.map((e) => [e.type, e.dataTypeName]));
    // Event types the schema lacks have no data class; every other recorded event must round-trip,
    // the ones that break the strict validator (newer fields, shutdownType "destroy") included.
    const valid = all.filter((e) => e.type in map);
    const drifted = valid.filter((e) => !validateSessionEvent(e, "strict").ok);
    expect(all.length).toBeGreaterThan(200);
    expect(valid.length).toBeGreaterThan(150);
    expect(drifted.length).toBeGreaterThan(3);
    writeFileSync(join(dir, "spec.json"), JSON.stringify({ map, events: valid }));
    writeFileSync(join(dir, "round_trip.py"), ROUND_TRIP);
    const out = JSON.parse(execFileSync("python3", [join(dir, "round_trip.py"), dir, join(dir, "spec.json")], { encoding: "utf8" })) as {
      ok: number;
      failures: string[][];
    };
    console.log(
      `python round-trip: ${out.ok} of ${valid.length} recorded events of known types (${drifted.length} of them not strictly schema-valid; ${all.length} recorded, ${all.filter((e) => !(e.type in map)).length} of types the schema lacks)`,
    );
    expect(out.failures).toEqual([]);
    expect(out.ok).toBe(valid.length);
  });

  it("tolerates an unknown enum value and unknown fields, and keeps absent optional fields absent", () => {
    const script = `
import json, sys
sys.path.insert(0, sys.argv[1])
import protocol_types as pt
data = {"shutdownType": "destroy", "totalPremiumRequests": 0, "totalApiDurationMs": 1, "sessionStartTime": 2, "codeChanges": {"linesAdded": 0, "linesRemoved": 0, "filesModified": []}, "modelMetrics": {}, "brandNewField": {"x": [1, None]}}
d = pt.ShutdownData.from_dict(data)
print(json.dumps({"value": d.shutdown_type.value, "back": d.to_dict() == data, "order": list(d.to_dict().keys()) == list(data.keys()), "absent": "errorReason" in d.to_dict()}))
`;
    writeFileSync(join(dir, "tolerant.py"), script);
    const out = JSON.parse(execFileSync("python3", [join(dir, "tolerant.py"), dir], { encoding: "utf8" })) as Record<string, unknown>;
    expect(out).toEqual({ value: "destroy", back: true, order: true, absent: false });
  });

  it("is deterministic", async () => {
    const tops = ["AssistantMessageData", "StartData", "ToolExecutionStartData"];
    expect(await emitLanguageTypes(ir, "python", { topLevels: tops })).toBe(await emitLanguageTypes(ir, "python", { topLevels: tops }));
  });

  it("the CLI writes the file and refuses an unknown language", async () => {
    expect(await main(["types", "--lang", "cobol", "--out", join(dir, "x")])).toBe(2);
  });
});
