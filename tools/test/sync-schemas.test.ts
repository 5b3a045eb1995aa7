/**
 * tools/sync-schemas: offline tests on small tarballs built here (the real package is ~50 MB).
 */
import { execFile, execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import { chmodSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { LOCK_FILE, parseSyncArgs, syncSchemas, SyncSchemasError, writeFilesAtomically, type ProtocolLock } from "../sync-schemas.js";

const root = fileURLToPath(new URL("../..", import.meta.url));
const PKG = "@github/copilot-sdk-linux-x64";

// Schema files with bytes a re-serializer would change (key order, spacing, no final newline, non-ASCII).
const API_TEXT =
  '{"title":"CopilotApi",  "server":{"ping":{"rpcMethod":"ping","params":null,"result":{"type":"null"}}},"session":{},"clientSession":{},"clientGlobal":{},"definitions":{"Ünïcode":{"type":"string"}}}';
const EVENTS_TEXT =
  '{\n  "$ref": "#/definitions/SessionEvent",\n  "definitions": {"SessionEvent": {"anyOf": [{"$ref": "#/definitions/AbortEvent"}]}, "AbortEvent": {"type": "object"}}\n}\n';

let work: string;

beforeEach(() => {
  work = mkdtempSync(join(tmpdir(), "fd-sync-test-"));
});
afterEach(() => {
  rmSync(work, { recursive: true, force: true });
});

interface TarballSpec {
  version?: string;
  name?: string;
  api?: string | null;
  events?: string | null;
  runtimeMarker?: string | null;
  protocol?: number | null;
}

/** Builds a package tarball shaped like the real one, with only the files the sync reads. */
function makeTarball(spec: TarballSpec = {}): string {
  const version = spec.version ?? "1.2.3";
  const dir = mkdtempSync(join(work, "pkg-"));
  const pkg = join(dir, "package");
  mkdirSync(join(pkg, "schemas"), { recursive: true });
  mkdirSync(join(pkg, "sdk"));
  mkdirSync(join(pkg, "copilot-sdk"));
  writeFileSync(join(pkg, "package.json"), JSON.stringify({ name: spec.name ?? PKG, version }));
  if (spec.api !== null) writeFileSync(join(pkg, "schemas/api.schema.json"), spec.api ?? API_TEXT);
  if (spec.events !== null) writeFileSync(join(pkg, "schemas/session-events.schema.json"), spec.events ?? EVENTS_TEXT);
  if (spec.runtimeMarker !== null) writeFileSync(join(pkg, "sdk/index.js"), `function hr(){return c.supportCliVersion("${spec.runtimeMarker ?? "9.8.7"}")}`);
  if (spec.protocol !== null)
    writeFileSync(join(pkg, "copilot-sdk/sdkProtocolVersion.d.ts"), `export declare const SDK_PROTOCOL_VERSION = ${spec.protocol ?? 3};\n`);
  const tarball = join(work, `pkg-${version}-${Math.random().toString(16).slice(2)}.tgz`);
  execFileSync("tar", ["-czf", tarball, "-C", dir, "package"]);
  return tarball;
}

/** Every file under `dir` with its bytes, to prove a failed sync changed nothing. */
function snapshot(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (d: string, prefix: string) => {
    for (const name of readdirSync(d).sort()) {
      const full = join(d, name);
      if (statSync(full).isDirectory()) {
        out[`${prefix}${name}/`] = "<dir>";
        walk(full, `${prefix}${name}/`);
      } else out[`${prefix}${name}`] = readFileSync(full).toString("base64");
    }
  };
  walk(dir, "");
  return out;
}

function existingPin(): string {
  const out = join(work, "schemas");
  mkdirSync(join(out, "overlay"), { recursive: true });
  writeFileSync(join(out, "api.schema.json"), "OLD API");
  writeFileSync(join(out, "session-events.schema.json"), "OLD EVENTS");
  writeFileSync(join(out, LOCK_FILE), "OLD LOCK");
  writeFileSync(join(out, "overlay/lifecycle.schema.json"), "{}");
  return out;
}

async function failure(p: Promise<unknown>): Promise<SyncSchemasError> {
  const e = await p.then(
    () => undefined,
    (err: unknown) => err,
  );
  expect(e).toBeInstanceOf(SyncSchemasError);
  return e as SyncSchemasError;
}

const sha = (b: string | Buffer) => createHash("sha256").update(b).digest("hex");

describe("syncSchemas", () => {
  it("writes both schemas byte-exact and a lock with their sha256 and the versions the package names", async () => {
    const out = join(work, "fresh");
    const result = await syncSchemas({ version: "1.2.3", tarball: makeTarball(), outDir: out });
    expect(readFileSync(join(out, "api.schema.json")).equals(Buffer.from(API_TEXT))).toBe(true);
    expect(readFileSync(join(out, "session-events.schema.json")).equals(Buffer.from(EVENTS_TEXT))).toBe(true);
    const lock = JSON.parse(readFileSync(join(out, LOCK_FILE), "utf8")) as ProtocolLock;
    expect(lock).toEqual({
      package: PKG,
      version: "1.2.3",
      runtimeVersion: "9.8.7",
      protocolVersion: 3,
      files: { "api.schema.json": { sha256: sha(API_TEXT) }, "session-events.schema.json": { sha256: sha(EVENTS_TEXT) } },
    });
    expect(result.lock).toEqual(lock);
    expect(readdirSync(out).sort()).toEqual(["api.schema.json", LOCK_FILE, "session-events.schema.json"]);
  });

  it("replaces an existing pin and leaves the rest of the folder and no staging files behind", async () => {
    const out = existingPin();
    await syncSchemas({ version: "2.0.0-preview.1", tarball: makeTarball({ version: "2.0.0-preview.1", protocol: 4 }), outDir: out });
    expect(readFileSync(join(out, "api.schema.json"), "utf8")).toBe(API_TEXT);
    expect((JSON.parse(readFileSync(join(out, LOCK_FILE), "utf8")) as ProtocolLock).protocolVersion).toBe(4);
    expect(readdirSync(out).sort()).toEqual(["api.schema.json", "overlay", LOCK_FILE, "session-events.schema.json"]);
    expect(readFileSync(join(out, "overlay/lifecycle.schema.json"), "utf8")).toBe("{}");
  });

  it("fails on a version without schemas, naming the version, and changes nothing", async () => {
    const out = existingPin();
    const before = snapshot(out);
    const e = await failure(syncSchemas({ version: "1.0.5", tarball: makeTarball({ version: "1.0.5", api: null, events: null }), outDir: out }));
    expect(e.code).toBe("NO_SCHEMAS");
    expect(e.message).toContain(`${PKG}@1.0.5 does not ship the protocol schemas`);
    expect(snapshot(out)).toEqual(before);
  });

  it("fails on broken JSON, naming the file, and changes nothing", async () => {
    const out = existingPin();
    const before = snapshot(out);
    const e = await failure(syncSchemas({ version: "1.2.3", tarball: makeTarball({ events: '{"definitions": {' }), outDir: out }));
    expect(e.code).toBe("INVALID_SCHEMA");
    expect(e.message).toMatch(/session-events\.schema\.json of .*@1\.2\.3 is not valid JSON/);
    expect(snapshot(out)).toEqual(before);
  });

  it("fails when a schema lacks the expected roots", async () => {
    const out = existingPin();
    const before = snapshot(out);
    const noGlobal = await failure(
      syncSchemas({ version: "1.2.3", tarball: makeTarball({ api: '{"server":{},"session":{},"clientSession":{},"definitions":{}}' }), outDir: out }),
    );
    expect(noGlobal.code).toBe("INVALID_SCHEMA");
    expect(noGlobal.message).toContain("`clientGlobal`");
    const noUnion = await failure(
      syncSchemas({ version: "1.2.3", tarball: makeTarball({ events: '{"definitions":{"SessionEvent":{"type":"object"}}}' }), outDir: out }),
    );
    expect(noUnion.message).toContain("definitions.SessionEvent.anyOf");
    expect(snapshot(out)).toEqual(before);
  });

  it("refuses a tarball of another version or package", async () => {
    const e = await failure(syncSchemas({ version: "1.2.3", tarball: makeTarball({ version: "1.2.4" }), outDir: join(work, "o") }));
    expect(e.code).toBe("VERSION_MISMATCH");
    expect(e.message).toContain(`holds ${PKG}@1.2.4, not ${PKG}@1.2.3`);
  });

  it("fails clearly when the package names no runtime version, and accepts --runtime-version", async () => {
    const out = existingPin();
    const before = snapshot(out);
    const tarball = makeTarball({ runtimeMarker: null });
    const e = await failure(syncSchemas({ version: "1.2.3", tarball, outDir: out }));
    expect(e.code).toBe("NO_RUNTIME_VERSION");
    expect(e.message).toContain("--runtime-version");
    expect(snapshot(out)).toEqual(before);
    const ok = await syncSchemas({ version: "1.2.3", tarball, outDir: out, runtimeVersion: "1.0.99" });
    expect(ok.lock.runtimeVersion).toBe("1.0.99");
  });

  it("reports a version the registry does not have, naming it, and changes nothing", async () => {
    // A stand-in npm that answers like the registry does for a missing version (offline).
    const fakeNpm = join(work, "npm");
    writeFileSync(fakeNpm, '#!/bin/sh\necho "npm error code ETARGET" >&2\necho "npm error notarget No matching version found for $2." >&2\nexit 1\n');
    chmodSync(fakeNpm, 0o755);
    const out = existingPin();
    const before = snapshot(out);
    const e = await failure(syncSchemas({ version: "9.9.9", outDir: out, npmCommand: fakeNpm }));
    expect(e.code).toBe("PACKAGE_NOT_FOUND");
    expect(e.message).toContain(`version 9.9.9 of ${PKG} does not exist on the npm registry`);
    expect(snapshot(out)).toEqual(before);
  });

  it("rejects something that is not a version before touching npm", async () => {
    const e = await failure(syncSchemas({ version: "latest", outDir: join(work, "o"), npmCommand: "/nonexistent/npm" }));
    expect(e.code).toBe("BAD_ARGUMENT");
    expect(e.message).toContain('"latest" is not a package version');
  });
});

describe("writeFilesAtomically", () => {
  it("puts every earlier file back when a later rename fails", () => {
    const out = existingPin();
    rmSync(join(out, LOCK_FILE));
    mkdirSync(join(out, LOCK_FILE)); // a directory where the lock goes: the last rename fails
    const before = snapshot(out);
    let caught: unknown;
    try {
      writeFilesAtomically(out, { "api.schema.json": "NEW", "session-events.schema.json": "NEW", [LOCK_FILE]: "{}" });
    } catch (e) {
      caught = e;
    }
    expect(caught).toBeInstanceOf(SyncSchemasError);
    expect((caught as SyncSchemasError).code).toBe("WRITE_FAILED");
    expect(snapshot(out)).toEqual(before);
  });
});

describe("command line", () => {
  it("parses the documented flags", () => {
    expect(parseSyncArgs(["1.0.14", "--package", "p", "--tarball", "t.tgz", "--out", "o", "--runtime-version", "1.0.85"])).toEqual({
      version: "1.0.14",
      packageName: "p",
      tarball: "t.tgz",
      outDir: "o",
      runtimeVersion: "1.0.85",
    });
    expect(() => parseSyncArgs([])).toThrow(/missing <version>/);
    expect(() => parseSyncArgs(["1.0.14", "--tarball"])).toThrow(/--tarball needs a value/);
    expect(() => parseSyncArgs(["1.0.14", "--bogus"])).toThrow(/unknown option --bogus/);
  });

  it("runs as a script: pins from --tarball and exits 0; exits 2 on a usage error", async () => {
    const out = join(work, "cli-out");
    const script = join(root, "tools/sync-schemas.ts");
    const tsx = join(root, "node_modules/.bin/tsx");
    const run = (args: string[]) =>
      new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
        execFile(tsx, [script, ...args], { cwd: root }, (err, stdout, stderr) =>
          resolve({ code: err ? Number((err as { code?: number }).code) : 0, stdout, stderr }),
        );
      });
    const ok = await run(["1.2.3", "--tarball", makeTarball(), "--out", out]);
    expect(ok.stderr).toBe("");
    expect(ok.code).toBe(0);
    expect(ok.stdout).toContain(`pinned ${PKG}@1.2.3 (runtime 9.8.7, protocol 3)`);
    expect(readFileSync(join(out, "api.schema.json"), "utf8")).toBe(API_TEXT);
    const bad = await run([]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain("missing <version>");
  });
});
