/**
 * tools/protocol-bump: the whole bump on a small temp repo (the basic codegen fixture as the
 * pinned schemas, small tarballs built here), including every failure path: each must leave the
 * repo byte-for-byte as it was.
 */
import { execFileSync } from "node:child_process";
import { chmodSync, cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { generate } from "../../codegen/src/index.js";
import { parseBumpArgs, parseTscOutput, protocolBump, ProtocolBumpError, readSupportedRange } from "../protocol-bump.js";
import { buildLock } from "../sync-schemas.js";

const FIXTURE = fileURLToPath(new URL("../../codegen/test/fixtures/basic/", import.meta.url));
const PKG = "@github/copilot-sdk-linux-x64";
type Json = Record<string, any>;

let work: string;
let template: string;
const API = JSON.parse(readFileSync(join(FIXTURE, "api.schema.json"), "utf8")) as Json;
const EVENTS_TEXT = readFileSync(join(FIXTURE, "session-events.schema.json"), "utf8");

const writeJson = (file: string, v: unknown) => {
  mkdirSync(join(file, ".."), { recursive: true });
  writeFileSync(file, `${JSON.stringify(v, null, 2)}\n`);
};

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), "fd-bump-test-"));
  template = join(work, "template");
  const s = join(template, "schemas");
  mkdirSync(join(s, "overlay"), { recursive: true });
  const apiText = readFileSync(join(FIXTURE, "api.schema.json"));
  writeFileSync(join(s, "api.schema.json"), apiText);
  writeFileSync(join(s, "session-events.schema.json"), EVENTS_TEXT);
  cpSync(join(FIXTURE, "overlay"), join(s, "overlay"), { recursive: true });
  writeJson(join(s, "protocol.lock.json"), buildLock({ package: PKG, version: "1.0.0", runtimeVersion: "2.0.0", protocolVersion: 3 }, { "api.schema.json": apiText, "session-events.schema.json": EVENTS_TEXT }));
  writeJson(join(template, "packages/core/package.json"), { name: "@flightdeck/copilot-core", version: "0.1.0" });
  writeJson(join(template, "packages/session/package.json"), { name: "@flightdeck/copilot-session", version: "0.1.0", dependencies: { "@flightdeck/copilot-core": "workspace:*" } });
  mkdirSync(join(template, "packages/session/src"), { recursive: true });
  writeFileSync(join(template, "packages/session/src/index.ts"), 'export { type SessionEvent, type SessionEventType } from "@flightdeck/copilot-core";\n');
  writeJson(join(template, "packages/tools/package.json"), { name: "@flightdeck/copilot-tools", version: "0.1.0", dependencies: { "@flightdeck/copilot-core": "workspace:*" } });
  mkdirSync(join(template, "packages/tools/src"), { recursive: true });
  writeFileSync(join(template, "packages/tools/src/index.ts"), 'export { defineTool } from "./define-tool.js";\n');
  mkdirSync(join(template, "packages/client/src"), { recursive: true });
  writeFileSync(join(template, "packages/client/src/protocol-range.ts"), "export const SUPPORTED_PROTOCOL_VERSIONS = { min: 3, max: 3 } as const;\n");
  writeJson(join(template, "codegen/package.json"), { name: "@flightdeck/copilot-codegen", version: "0.1.0" });
  writeJson(join(template, ".changeset/config.json"), { fixed: [] });
  await generate({ schemasDir: s, outDir: join(template, "packages/core/src/generated") });
});
afterAll(() => rmSync(work, { recursive: true, force: true }));

function repo(): string {
  const dir = mkdtempSync(join(work, "repo-"));
  cpSync(template, dir, { recursive: true });
  return dir;
}

/** Every file under `dir` with its bytes. */
function snapshot(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (d: string) => {
    for (const name of readdirSync(d, { withFileTypes: true })) {
      const full = join(d, name.name);
      if (name.isDirectory()) walk(full);
      else out[relative(dir, full)] = readFileSync(full).toString("base64");
    }
  };
  walk(dir);
  return out;
}

function makeTarball(spec: { version: string; api?: Json; eventsText?: string; protocol?: number; schemas?: boolean }): string {
  const dir = mkdtempSync(join(work, "pkg-"));
  const pkg = join(dir, "package");
  mkdirSync(join(pkg, "sdk"), { recursive: true });
  mkdirSync(join(pkg, "copilot-sdk"));
  writeFileSync(join(pkg, "package.json"), JSON.stringify({ name: PKG, version: spec.version }));
  if (spec.schemas !== false) {
    mkdirSync(join(pkg, "schemas"));
    writeFileSync(join(pkg, "schemas/api.schema.json"), spec.api ? JSON.stringify(spec.api) : readFileSync(join(FIXTURE, "api.schema.json")));
    writeFileSync(join(pkg, "schemas/session-events.schema.json"), spec.eventsText ?? EVENTS_TEXT);
  }
  writeFileSync(join(pkg, "sdk/index.js"), `x.supportCliVersion("2.1.0")`);
  writeFileSync(join(pkg, "copilot-sdk/sdkProtocolVersion.d.ts"), `export declare const SDK_PROTOCOL_VERSION = ${spec.protocol ?? 3};\n`);
  const tarball = join(work, `pkg-${spec.version}-${Math.random().toString(16).slice(2)}.tgz`);
  execFileSync("tar", ["-czf", tarball, "-C", dir, "package"]);
  return tarball;
}

/** The fixture API with `models.list` removed and `tools.list` added (breaking + additive). */
function nextApi(): Json {
  const api = structuredClone(API);
  delete api.server.models;
  api.server.tools = { list: { rpcMethod: "tools.list", description: "Lists tools.", params: null, result: { type: "array", items: { type: "string" } } } };
  return api;
}

async function failure(p: Promise<unknown>): Promise<ProtocolBumpError> {
  try {
    await p;
  } catch (e) {
    expect(e).toBeInstanceOf(ProtocolBumpError);
    return e as ProtocolBumpError;
  }
  throw new Error("expected the bump to fail");
}

/** A stand-in for `pnpm typecheck`: prints `before` on its first run and `after` on the next. */
function fakeTypecheck(before: string[], after: string[]): { command: string; args: string[] } {
  const state = join(mkdtempSync(join(work, "tc-")), "ran");
  const script = `const fs=require("fs");const again=fs.existsSync(${JSON.stringify(state)});fs.writeFileSync(${JSON.stringify(state)},"1");const lines=again?${JSON.stringify(after)}:${JSON.stringify(before)};for(const l of lines)console.log(l);process.exit(lines.length?2:0)`;
  return { command: process.execPath, args: ["-e", script] };
}
const PREEXISTING = "packages/session/test/old.test.ts(1,1): error TS2304: Cannot find name 'x'.";

describe("a successful bump", () => {
  it("syncs, regenerates, writes the diff report, the changeset and the lock, and lists broken call sites", async () => {
    const root = repo();
    const lines: string[] = [];
    const r = await protocolBump({
      version: "1.1.0",
      repoRoot: root,
      tarball: makeTarball({ version: "1.1.0", api: nextApi(), protocol: 4 }),
      typecheck: fakeTypecheck([PREEXISTING], [PREEXISTING, "packages/session/src/use.ts(3,7): error TS2339: Property 'models' does not exist on type 'ServerRpc'.", "packages/core/src/generated/rpc.ts(1,1): error TS1005: ignored, generated"]),
      log: (l) => lines.push(l),
    });
    expect(r.oldLock?.version).toBe("1.0.0");
    expect(JSON.parse(readFileSync(join(root, "schemas/protocol.lock.json"), "utf8")).version).toBe("1.1.0");
    expect(r.diff.methods.added.map((m) => m.name)).toEqual(["tools.list"]);
    expect(r.diff.methods.removed.map((m) => m.name)).toEqual(["models.list"]);
    expect(r.diff.verdict.level).toBe("major");
    expect(readFileSync(join(root, "packages/core/src/generated/methods.ts"), "utf8")).toContain('"tools.list"');
    expect(readFileSync(join(root, "packages/core/src/generated/methods.ts"), "utf8")).not.toContain('"models.list"');

    const md = readFileSync(join(root, "schemas/diffs/1.0.0..1.1.0.md"), "utf8");
    expect(md).toContain("**Verdict: major**");
    expect(md).toContain("## Call sites broken in this repo (1)\n\n- packages/session/src/use.ts:3:7 TS2339 Property 'models' does not exist on type 'ServerRpc'.\n\n(1 error(s) that existed before the bump are not listed)");
    const json = JSON.parse(readFileSync(join(root, "schemas/diffs/1.0.0..1.1.0.json"), "utf8"));
    expect(json.verdict.level).toBe("major");

    // 0.x: breaking → minor for packages that expose protocol types; dependents patch; unrelated none.
    expect(r.packages.map((p) => [p.name, p.level, p.bump])).toEqual([
      ["@flightdeck/copilot-codegen", "none", null],
      ["@flightdeck/copilot-core", "major", "minor"],
      ["@flightdeck/copilot-session", "major", "minor"],
      ["@flightdeck/copilot-tools", "patch", "patch"],
    ]);
    const cs = readFileSync(join(root, ".changeset/protocol-1.1.0.md"), "utf8");
    expect(cs).toMatch(/^---\n"@flightdeck\/copilot-core": minor\n"@flightdeck\/copilot-session": minor\n"@flightdeck\/copilot-tools": patch\n---\n/);
    expect(cs).toContain("now follow @github/copilot-sdk-linux-x64 1.1.0 (runtime 2.1.0, protocol 4), up from 1.0.0");
    expect(cs).toContain("**Breaking** (semver major; released as a minor bump while the packages are 0.x)");
    expect(cs).toContain("- 1 method removed: `models.list`.");
    expect(cs).toContain("Full report: `schemas/diffs/1.0.0..1.1.0.md`.");

    expect(r.protocolWarning).toBe("the new schemas speak protocol 4, outside SUPPORTED_PROTOCOL_VERSIONS (3–3): update packages/client/src/protocol-range.ts (and the handshake code that depends on it) before releasing");
    expect(r.brokenCallSites).toEqual([{ file: "packages/session/src/use.ts", line: 3, column: 7, code: "TS2339", message: "Property 'models' does not exist on type 'ServerRpc'." }]);
    expect(lines.some((l) => l.startsWith("regenerated "))).toBe(true);
    expect(readdirSync(join(root, "packages/core/src")).filter((f) => f.startsWith("."))).toEqual([]);
  });

  it("a no-op bump changes nothing and says so", async () => {
    const root = repo();
    const before = snapshot(root);
    const r = await protocolBump({ version: "1.0.0", repoRoot: root, tarball: makeTarball({ version: "1.0.0" }), runtimeVersion: "2.0.0", typecheck: false });
    expect(r.diff.verdict.level).toBe("none");
    expect(r.reports).toEqual([]);
    expect(r.changeset).toBeNull();
    expect(r.protocolWarning).toBeNull();
    expect(snapshot(root)).toEqual(before);
  });
});

describe("a failed bump leaves the repo exactly as it was", () => {
  it("a version that does not exist", async () => {
    const root = repo();
    const before = snapshot(root);
    const npm = join(work, "npm-notarget");
    writeFileSync(npm, '#!/bin/sh\necho "npm error code ETARGET" >&2\necho "npm error notarget No matching version found for $2." >&2\nexit 1\n');
    chmodSync(npm, 0o755);
    const e = await failure(protocolBump({ version: "9.9.9", repoRoot: root, npmCommand: npm, typecheck: false }));
    expect(e.code).toBe("SYNC_FAILED");
    expect(e.message).toContain(`version 9.9.9 of ${PKG} does not exist on the npm registry`);
    expect(e.message).toContain("Nothing in the repo was changed.");
    expect(snapshot(root)).toEqual(before);
  });

  it("a version without schemas", async () => {
    const root = repo();
    const before = snapshot(root);
    const e = await failure(protocolBump({ version: "0.9.0", repoRoot: root, tarball: makeTarball({ version: "0.9.0", schemas: false }), typecheck: false }));
    expect(e.message).toMatch(/does not ship the protocol schemas/);
    expect(snapshot(root)).toEqual(before);
  });

  it("a network failure halfway through the download", async () => {
    const root = repo();
    const before = snapshot(root);
    const npm = join(work, "npm-reset");
    // Leaves a truncated tarball behind, then fails like npm does on a dropped connection.
    writeFileSync(npm, '#!/bin/sh\nprintf "\\037\\213partial" > "$5/pkg.tgz"\necho "npm error code ECONNRESET" >&2\necho "npm error network aborted" >&2\nexit 1\n');
    chmodSync(npm, 0o755);
    const e = await failure(protocolBump({ version: "1.2.0", repoRoot: root, npmCommand: npm, typecheck: false }));
    expect(e.code).toBe("SYNC_FAILED");
    expect(e.message).toMatch(/ECONNRESET/);
    expect(snapshot(root)).toEqual(before);
  });

  it("schemas the generator cannot take (after they were synced): restored, report kept outside the repo", async () => {
    const root = repo();
    const before = snapshot(root);
    const api = nextApi();
    // A keyword the generator still refuses (if/then is handled since 1.0.15-preview.4 needed it).
    api.definitions.PluginTags = { type: "object", dependentSchemas: { a: { required: ["b"] } } };
    const e = await failure(protocolBump({ version: "1.3.0", repoRoot: root, tarball: makeTarball({ version: "1.3.0", api }), typecheck: false }));
    expect(e.code).toBe("GENERATE_FAILED");
    expect(e.message).toContain('keyword "dependentSchemas" is not handled by the generator');
    expect(e.reportPath).toBeDefined();
    expect(readFileSync(e.reportPath!, "utf8")).toContain("`models.list`");
    expect(snapshot(root)).toEqual(before);
    rmSync(join(e.reportPath!, ".."), { recursive: true, force: true });
  });
});

describe("helpers", () => {
  it("parses tsc output, keeping only hand-written files", () => {
    const out = [
      "packages/core/src/generated/types.ts(10,3): error TS2304: Cannot find name 'X'.",
      "packages/client/src/copilot-client.ts(200,15): error TS2551: Property 'factory' does not exist on type 'SessionRpc'. Did you mean 'workflow'?",
      "examples/demo/src/main.ts(5,1): error TS2305: Module has no exported member 'FactoryRunRequest'.",
      "some unrelated line",
    ].join("\n");
    expect(parseTscOutput(out, "/repo").map((s) => `${s.file}:${s.line} ${s.code}`)).toEqual(["examples/demo/src/main.ts:5 TS2305", "packages/client/src/copilot-client.ts:200 TS2551"]);
  });

  it("reads the supported protocol range from its one declaration", () => {
    const real = readSupportedRange(fileURLToPath(new URL("../..", import.meta.url)));
    expect(real && { min: real.min, max: real.max }).toEqual({ min: 3, max: 3 });
  });

  it("rejects bad arguments with the usage", () => {
    expect(() => parseBumpArgs([])).toThrow(/missing <version>; usage: pnpm protocol:bump <version>/);
    expect(() => parseBumpArgs(["1.0.0", "--frobnicate"])).toThrow(/unknown option --frobnicate/);
    expect(parseBumpArgs(["1.0.15", "--tarball", "x.tgz", "--no-typecheck"])).toEqual({ version: "1.0.15", tarball: "x.tgz", typecheck: false });
  });
});
