/**
 * tools/protocol-bump: the whole bump on a small temp repo (the basic codegen fixture as the
 * pinned schemas, small tarballs built here), including every failure path: each must leave the
 * repo byte-for-byte as it was.
 */
import { execFileSync, spawn } from "node:child_process";
import { chmodSync, cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
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
  writeJson(
    join(s, "protocol.lock.json"),
    buildLock(
      { package: PKG, version: "1.0.0", runtimeVersion: "2.0.0", protocolVersion: 3 },
      { "api.schema.json": apiText, "session-events.schema.json": EVENTS_TEXT },
    ),
  );
  writeJson(join(template, "packages/core/package.json"), { name: "@flightdeck/copilot-core", version: "0.1.0" });
  writeJson(join(template, "packages/session/package.json"), {
    name: "@flightdeck/copilot-session",
    version: "0.1.0",
    dependencies: { "@flightdeck/copilot-core": "workspace:*" },
  });
  mkdirSync(join(template, "packages/session/src"), { recursive: true });
  writeFileSync(join(template, "packages/session/src/index.ts"), 'export { type SessionEvent, type SessionEventType } from "@flightdeck/copilot-core";\n');
  writeJson(join(template, "packages/tools/package.json"), {
    name: "@flightdeck/copilot-tools",
    version: "0.1.0",
    dependencies: { "@flightdeck/copilot-core": "workspace:*" },
  });
  mkdirSync(join(template, "packages/tools/src"), { recursive: true });
  writeFileSync(join(template, "packages/tools/src/index.ts"), 'export { defineTool } from "./define-tool.js";\n');
  mkdirSync(join(template, "packages/client/src"), { recursive: true });
  writeFileSync(join(template, "packages/client/src/protocol-range.ts"), "export const SUPPORTED_PROTOCOL_VERSIONS = { min: 3, max: 3 } as const;\n");
  writeJson(join(template, "codegen/package.json"), { name: "@flightdeck/copilot-codegen", version: "0.1.0" });
  writeJson(join(template, ".changeset/config.json"), { fixed: [] });
  // The runtime the end-to-end suite runs on, pinned like the real root package.json does.
  writeFileSync(
    join(template, "package.json"),
    `{\n  "name": "fixture-root",\n  "private": true,\n  "devDependencies": {\n    "${PKG}": "1.0.0",\n    "typescript": "5.9.3"\n  }\n}\n`,
  );
  writeFileSync(join(template, "pnpm-lock.yaml"), "lockfileVersion: '9.0'\n");
  // The SDK pins the runtime for every platform (private here so it gets no verdict of its own).
  writeJson(join(template, "packages/sdk/package.json"), {
    name: "@flightdeck/copilot-sdk",
    version: "0.1.0",
    private: true,
    optionalDependencies: { "@github/copilot-sdk-darwin-arm64": "1.0.0", [PKG]: "1.0.0", "left-alone": "1.0.0" },
  });
  await generate({ schemasDir: s, outDir: join(template, "packages/core/src/generated"), runtimeModule: "../runtime.js" });
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
/** A stand-in for `pnpm install --lockfile-only`: marks the lockfile. */
const FAKE_INSTALL = { command: process.execPath, args: ["-e", 'require("fs").appendFileSync("pnpm-lock.yaml", "# refreshed by the fake install\\n")'] };

describe("a successful bump", () => {
  it("syncs, regenerates, writes the diff report, the changeset and the lock, and lists broken call sites", async () => {
    const root = repo();
    const lines: string[] = [];
    const r = await protocolBump({
      version: "1.1.0",
      repoRoot: root,
      tarball: makeTarball({ version: "1.1.0", api: nextApi(), protocol: 4 }),
      typecheck: fakeTypecheck(
        [PREEXISTING],
        [
          PREEXISTING,
          "packages/session/src/use.ts(3,7): error TS2339: Property 'models' does not exist on type 'ServerRpc'.",
          "packages/core/src/generated/rpc.ts(1,1): error TS1005: ignored, generated",
        ],
      ),
      install: FAKE_INSTALL,
      log: (l) => lines.push(l),
    });
    // The runtime devDependency moved with the schemas (only that line), and the lockfile was refreshed.
    expect(readFileSync(join(root, "package.json"), "utf8")).toContain(`"${PKG}": "1.1.0",\n    "typescript": "5.9.3"`);
    expect(readFileSync(join(root, "pnpm-lock.yaml"), "utf8")).toContain("refreshed by the fake install");
    expect(JSON.parse(readFileSync(join(root, "packages/sdk/package.json"), "utf8")).optionalDependencies).toEqual({
      "@github/copilot-sdk-darwin-arm64": "1.1.0",
      [PKG]: "1.1.0",
      "left-alone": "1.0.0",
    });
    expect(r.runtimeChange).toEqual({ from: "2.0.0", to: "2.1.0", packageFrom: "1.0.0" });
    expect(r.oldLock?.version).toBe("1.0.0");
    expect(JSON.parse(readFileSync(join(root, "schemas/protocol.lock.json"), "utf8")).version).toBe("1.1.0");
    expect(r.diff.methods.added.map((m) => m.name)).toEqual(["tools.list"]);
    expect(r.diff.methods.removed.map((m) => m.name)).toEqual(["models.list"]);
    expect(r.diff.verdict.level).toBe("major");
    expect(readFileSync(join(root, "packages/core/src/generated/methods.ts"), "utf8")).toContain('"tools.list"');
    expect(readFileSync(join(root, "packages/core/src/generated/methods.ts"), "utf8")).not.toContain('"models.list"');

    const md = readFileSync(join(root, "schemas/diffs/1.0.0..1.1.0.md"), "utf8");
    expect(md).toContain("**Verdict: major**");
    expect(md).toContain(
      "## Call sites broken in this repo (1)\n\n- packages/session/src/use.ts:3:7 TS2339 Property 'models' does not exist on type 'ServerRpc'.\n\n(1 error(s) that existed before the bump are not listed)",
    );
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

    expect(r.protocolWarning).toBe(
      "the new schemas speak protocol 4, outside SUPPORTED_PROTOCOL_VERSIONS (3–3): update packages/client/src/protocol-range.ts (and the handshake code that depends on it) before releasing",
    );
    expect(r.brokenCallSites).toEqual([
      { file: "packages/session/src/use.ts", line: 3, column: 7, code: "TS2339", message: "Property 'models' does not exist on type 'ServerRpc'." },
    ]);
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
    const ran = join(mkdtempSync(join(work, "tc-")), "ran");
    const typecheck = { command: process.execPath, args: ["-e", `require("fs").writeFileSync(${JSON.stringify(ran)}, "1")`] };
    const e = await failure(protocolBump({ version: "9.9.9", repoRoot: root, npmCommand: npm, typecheck }));
    expect(e.code).toBe("NO_SUCH_VERSION");
    // Checked first: the (slow) baseline typecheck never ran.
    expect(existsSync(ran)).toBe(false);
    expect(e.message).toContain(`version 9.9.9 of ${PKG} does not exist on the npm registry`);
    expect(e.message).toContain("Nothing in the repo was changed.");
    expect(snapshot(root)).toEqual(before);
  });

  it("a version without schemas", async () => {
    const root = repo();
    const before = snapshot(root);
    const e = await failure(protocolBump({ version: "1.0.5", repoRoot: root, tarball: makeTarball({ version: "1.0.5", schemas: false }), typecheck: false }));
    expect(e.message).toMatch(/does not ship the protocol schemas/);
    expect(snapshot(root)).toEqual(before);
  });

  it("a network failure halfway through the download", async () => {
    const root = repo();
    const before = snapshot(root);
    const npm = join(work, "npm-reset");
    // Leaves a truncated tarball behind, then fails like npm does on a dropped connection.
    writeFileSync(
      npm,
      '#!/bin/sh\nif [ "$1" = view ]; then echo \'"1.2.0"\'; exit 0; fi\nprintf "\\037\\213partial" > "$5/pkg.tgz"\necho "npm error code ECONNRESET" >&2\necho "npm error network aborted" >&2\nexit 1\n',
    );
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

describe("runtime-only changes and downgrades", () => {
  it("same schemas, new runtime: the devDependency moves and a report and changeset say it is runtime-only", async () => {
    const root = repo();
    const r = await protocolBump({
      version: "1.0.1",
      repoRoot: root,
      tarball: makeTarball({ version: "1.0.1" }),
      runtimeVersion: "2.0.7",
      typecheck: false,
      install: FAKE_INSTALL,
    });
    expect(r.diff.verdict.level).toBe("none");
    expect(r.runtimeChange).toEqual({ from: "2.0.0", to: "2.0.7", packageFrom: "1.0.0" });
    const cs = readFileSync(r.changeset!, "utf8");
    expect(cs).toMatch(/^---\n"@flightdeck\/copilot-core": patch\n/);
    expect(cs).toContain(
      "Runtime update: the end-to-end suite now runs on runtime 2.0.7 (@github/copilot-sdk-linux-x64 1.0.1), up from 2.0.0 (1.0.0). The protocol schemas are byte for byte the same",
    );
    expect(readFileSync(join(root, "schemas/diffs/1.0.0..1.0.1.md"), "utf8")).toContain(
      "**Runtime**: 2.0.0 → 2.0.7 (runtime-only change: the schemas are byte for byte the same)",
    );
    expect(readFileSync(join(root, "package.json"), "utf8")).toContain(`"${PKG}": "1.0.1"`);
    expect(JSON.parse(readFileSync(join(root, "schemas/protocol.lock.json"), "utf8"))).toMatchObject({ version: "1.0.1", runtimeVersion: "2.0.7" });
  });

  it("an older version is refused as a downgrade, before anything runs; --allow-downgrade names it in the changeset", async () => {
    const root = repo();
    const before = snapshot(root);
    const e = await failure(protocolBump({ version: "0.9.0", repoRoot: root, tarball: makeTarball({ version: "0.9.0" }), typecheck: false }));
    expect(e.code).toBe("DOWNGRADE");
    expect(e.message).toContain(
      "0.9.0 is older than the pinned @github/copilot-sdk-linux-x64@1.0.0: this would be a downgrade. Pass --allow-downgrade if you mean it",
    );
    expect(snapshot(root)).toEqual(before);
    const r = await protocolBump({
      version: "0.9.0",
      repoRoot: root,
      tarball: makeTarball({ version: "0.9.0", api: nextApi() }),
      runtimeVersion: "1.9.0",
      typecheck: false,
      install: false,
      allowDowngrade: true,
    });
    expect(r.downgrade).toBe(true);
    expect(readFileSync(r.changeset!, "utf8")).toContain("Protocol downgrade: the generated bindings now follow @github/copilot-sdk-linux-x64 0.9.0");
    expect(readFileSync(join(root, "schemas/diffs/1.0.0..0.9.0.md"), "utf8")).toContain("**Downgrade**: from @github/copilot-sdk-linux-x64 1.0.0 to 0.9.0.");
  });

  it("no network: the registry check fails fast with the reason, nothing changed", async () => {
    const root = repo();
    const before = snapshot(root);
    const saved = process.env["npm_config_registry"];
    // A closed port on this machine: the real npm fails the way it does offline.
    process.env["npm_config_registry"] = "http://127.0.0.1:9/";
    try {
      const e = await failure(protocolBump({ version: "1.0.20", repoRoot: root, typecheck: false }));
      expect(e.code).toBe("NETWORK_FAILED");
      expect(e.message).toMatch(
        /could not reach the npm registry to check that @github\/copilot-sdk-linux-x64@1\.0\.20 exists \(E[A-Z]+\); check the network \(or pass --tarball <file> to bump offline\)/,
      );
    } finally {
      if (saved === undefined) delete process.env["npm_config_registry"];
      else process.env["npm_config_registry"] = saved;
    }
    expect(snapshot(root)).toEqual(before);
  });

  it("a generator failure's fix never asks to edit the upstream schemas", async () => {
    const root = repo();
    const api = nextApi();
    api.definitions.PluginTags = { type: "object", properties: { a: { type: "string", format: "email" } } };
    api.server.tags = { get: { rpcMethod: "tags.get", params: null, result: { $ref: "#/definitions/PluginTags" } } };
    const e = await failure(
      protocolBump({ version: "1.4.0", repoRoot: root, tarball: makeTarball({ version: "1.4.0", api }), typecheck: false, install: false }),
    );
    expect(e.code).toBe("GENERATE_FAILED");
    expect(e.message).toContain(
      "is the runtime team's file, pinned byte for byte: do not edit it. Add or override what the generator needs in schemas/overlay/",
    );
    expect(e.message).not.toMatch(/Fix: fix the schema/);
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
    expect(parseTscOutput(out, "/repo").map((s) => `${s.file}:${s.line} ${s.code}`)).toEqual([
      "examples/demo/src/main.ts:5 TS2305",
      "packages/client/src/copilot-client.ts:200 TS2551",
    ]);
  });

  it("reads the supported protocol range from its one declaration", async () => {
    const real = await readSupportedRange(fileURLToPath(new URL("../..", import.meta.url)));
    expect(real && { min: real.min, max: real.max }).toEqual({ min: 3, max: 3 });
  });

  it("rejects bad arguments with the usage", () => {
    expect(() => parseBumpArgs([])).toThrow(/missing <version>; usage: pnpm protocol:bump <version>/);
    expect(() => parseBumpArgs(["1.0.0", "--frobnicate"])).toThrow(/unknown option --frobnicate/);
    expect(parseBumpArgs(["1.0.15", "--tarball", "x.tgz", "--no-typecheck"])).toEqual({ version: "1.0.15", tarball: "x.tgz", typecheck: false });
  });
});

describe("an interrupted bump (the CLI in a child process) puts the tree back byte for byte", () => {
  const BUMP = fileURLToPath(new URL("../protocol-bump.ts", import.meta.url));
  const REPO_ROOT = fileURLToPath(new URL("../..", import.meta.url));

  /** Starts `node --import tsx tools/protocol-bump.ts` on a temp repo; `tmp` is its TMPDIR (checked for leftovers). */
  function startBump(root: string, tarball: string, typecheckScript: string, env: Record<string, string>, tmp: string) {
    const args = [
      "--import",
      "tsx",
      BUMP,
      "1.1.0",
      "--repo",
      root,
      "--tarball",
      tarball,
      "--no-install",
      "--typecheck-command",
      `${process.execPath} ${typecheckScript}`,
    ];
    // cwd: this checkout, where `--import tsx` resolves (the temp repo has no node_modules).
    const child = spawn(process.execPath, args, { cwd: REPO_ROOT, env: { ...process.env, ...env, TMPDIR: tmp }, stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    child.stdout.on("data", (d: Buffer) => (out += d.toString()));
    child.stderr.on("data", (d: Buffer) => (out += d.toString()));
    const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((r) => child.once("exit", (code, signal) => r({ code, signal })));
    const waitFor = async (text: string) => {
      for (let i = 0; i < 600 && !out.includes(text); i++) await new Promise((r) => setTimeout(r, 100));
      if (!out.includes(text)) throw new Error(`never saw ${JSON.stringify(text)}; output:\n${out}`);
    };
    return { child, exited, waitFor, output: () => out };
  }

  /** A typecheck stand-in that passes at once the first time and hangs the second (the post-bump run). */
  function hangingTypecheck(): { script: string; pidFile: string } {
    const dir = mkdtempSync(join(work, "tc-hang-"));
    const script = join(dir, "tc.cjs");
    const pidFile = join(dir, "pid");
    writeFileSync(
      script,
      `const fs=require("fs");const state=${JSON.stringify(join(dir, "ran"))};if(fs.existsSync(state)){fs.writeFileSync(${JSON.stringify(pidFile)},String(process.pid));setInterval(()=>{},1000)}else fs.writeFileSync(state,"1");`,
    );
    return { script, pidFile };
  }

  /** Running (an exited process that nobody reaped yet, a zombie, counts as gone). */
  const alive = (pid: number): boolean => {
    try {
      process.kill(pid, 0);
    } catch {
      return false;
    }
    const stat = existsSync(`/proc/${pid}/stat`) ? readFileSync(`/proc/${pid}/stat`, "utf8") : "";
    return !/^\d+ \(.*\) Z/.test(stat);
  };

  const leftovers = (tmp: string, root: string) => [
    ...readdirSync(tmp).filter((f) => f.startsWith("fd-")), // tsx keeps its cache here too
    ...readdirSync(join(root, "packages/core/src")).filter((f) => f.startsWith(".")),
    ...readdirSync(join(root, "schemas")).filter((f) => f.startsWith(".")),
  ];

  it.each([
    ["sync", "SIGINT", 130],
    ["generate", "SIGTERM", 143],
    ["report", "SIGINT", 130],
  ] as const)(
    "after the %s step, %s: restored, no backup left, exit %i",
    async (step, signal, exitCode) => {
      const root = repo();
      const before = snapshot(root);
      const tmp = mkdtempSync(join(work, "tmp-"));
      const tc = hangingTypecheck();
      const bump = startBump(root, makeTarball({ version: "1.1.0", api: nextApi() }), tc.script, { FLIGHTDECK_BUMP_PAUSE_AFTER: step }, tmp);
      await bump.waitFor(`paused after ${step}`);
      // The bump really was part-way: its backup exists, and from generate on the tree has changed.
      expect(readdirSync(tmp).some((f) => f.startsWith("fd-protocol-bump-"))).toBe(true);
      if (step !== "sync") expect(snapshot(root)).not.toEqual(before);
      if (step === "report") expect(existsSync(join(root, ".changeset/protocol-1.1.0.md"))).toBe(true);
      bump.child.kill(signal);
      expect(await bump.exited).toEqual({ code: exitCode, signal: null });
      expect(bump.output()).toContain(`interrupted (${signal}); the tree was restored exactly as it was`);
      expect(snapshot(root)).toEqual(before);
      expect(leftovers(tmp, root)).toEqual([]);
    },
    120_000,
  );

  it("during the typecheck after the bump: the running typecheck is killed and the tree restored (the lock was never written)", async () => {
    const root = repo();
    const before = snapshot(root);
    const tmp = mkdtempSync(join(work, "tmp-"));
    const tc = hangingTypecheck();
    const bump = startBump(root, makeTarball({ version: "1.1.0", api: nextApi() }), tc.script, {}, tmp);
    await bump.waitFor("after the bump");
    for (let i = 0; i < 100 && !existsSync(tc.pidFile); i++) await new Promise((r) => setTimeout(r, 100));
    const tcPid = Number(readFileSync(tc.pidFile, "utf8"));
    expect(JSON.parse(readFileSync(join(root, "schemas/protocol.lock.json"), "utf8")).version).toBe("1.0.0");
    expect(readFileSync(join(root, "schemas/api.schema.json"), "utf8")).toContain("tools.list");
    bump.child.kill("SIGTERM");
    expect((await bump.exited).code).toBe(143);
    expect(snapshot(root)).toEqual(before);
    expect(leftovers(tmp, root)).toEqual([]);
    for (let i = 0; i < 50 && alive(tcPid); i++) await new Promise((r) => setTimeout(r, 100));
    expect(alive(tcPid)).toBe(false);
  }, 120_000);

  it("when the process that started it dies (pnpm killed), the orphaned bump restores the tree and exits", async () => {
    const root = repo();
    const before = snapshot(root);
    const tmp = mkdtempSync(join(work, "tmp-"));
    const tc = hangingTypecheck();
    const args = [
      "--import",
      "tsx",
      BUMP,
      "1.1.0",
      "--repo",
      root,
      "--tarball",
      makeTarball({ version: "1.1.0", api: nextApi() }),
      "--no-install",
      "--typecheck-command",
      `${process.execPath} ${tc.script}`,
    ];
    // The stand-in for `pnpm protocol:bump`: starts the bump, reports its pid, and waits.
    const parentScript = `const c=require("child_process").spawn(process.execPath, ${JSON.stringify(args)}, { stdio: "inherit" }); console.log("bump pid " + c.pid); setInterval(() => {}, 1000);`;
    const parent = spawn(process.execPath, ["-e", parentScript], {
      cwd: REPO_ROOT,
      env: { ...process.env, FLIGHTDECK_BUMP_PAUSE_AFTER: "generate", TMPDIR: tmp },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let out = "";
    parent.stdout.on("data", (d: Buffer) => (out += d.toString()));
    parent.stderr.on("data", (d: Buffer) => (out += d.toString()));
    for (let i = 0; i < 600 && !out.includes("paused after generate"); i++) await new Promise((r) => setTimeout(r, 100));
    expect(out).toContain("paused after generate");
    const bumpPid = Number(/bump pid (\d+)/.exec(out)![1]);
    expect(snapshot(root)).not.toEqual(before);
    parent.kill("SIGKILL");
    for (let i = 0; i < 100 && alive(bumpPid); i++) await new Promise((r) => setTimeout(r, 100));
    expect(alive(bumpPid)).toBe(false);
    expect(out).toContain("the parent process");
    expect(snapshot(root)).toEqual(before);
    expect(leftovers(tmp, root)).toEqual([]);
  }, 120_000);
});
