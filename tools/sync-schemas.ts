/**
 * Pins the Copilot runtime's protocol schemas (repo tooling, never published).
 *
 *   pnpm exec tsx tools/sync-schemas.ts <version> [--package <name>] [--tarball <file>]
 *                                       [--out <dir>] [--runtime-version <v>]
 *
 * Packs `<package>@<version>` from npm into a temp dir (never into the repo), extracts only
 * `package/schemas/api.schema.json` and `package/schemas/session-events.schema.json` (plus the
 * small files that carry the runtime and protocol versions), checks both schemas, and writes them
 * byte-exact with `protocol.lock.json` into `<out>` (default: schemas/). All files are replaced
 * together or not at all. The functions are exported for `protocol:bump`.
 */
import { execFile } from "node:child_process";
import { createHash, randomBytes } from "node:crypto";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { encodeFrame, FrameDecoder } from "./record-traffic/framing.js";

export const DEFAULT_PACKAGE = "@github/copilot-sdk-linux-x64";
export const SCHEMA_FILES = ["api.schema.json", "session-events.schema.json"] as const;
export type SchemaFile = (typeof SCHEMA_FILES)[number];
export const LOCK_FILE = "protocol.lock.json";

export interface ProtocolLock {
  package: string;
  version: string;
  runtimeVersion: string;
  protocolVersion: number;
  files: Record<SchemaFile, { sha256: string }>;
}

export type SyncSchemasErrorCode =
  | "BAD_ARGUMENT"
  | "PACKAGE_NOT_FOUND"
  | "NPM_FAILED"
  | "TAR_FAILED"
  | "VERSION_MISMATCH"
  | "NO_SCHEMAS"
  | "INVALID_SCHEMA"
  | "NO_RUNTIME_VERSION"
  | "NO_PROTOCOL_VERSION"
  | "WRITE_FAILED";

/** Every failure of the sync, with a message that names the input and the fix. */
export class SyncSchemasError extends Error {
  override readonly name = "SyncSchemasError";
  constructor(
    readonly code: SyncSchemasErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(`sync-schemas: ${message}`, options);
  }
}

export interface SyncOptions {
  /** Package version to pin, e.g. "1.0.14". */
  version: string;
  /** npm package carrying `schemas/`. Defaults to @github/copilot-sdk-linux-x64. */
  packageName?: string;
  /** Use this local tarball instead of `npm pack` (offline; tests use it). */
  tarball?: string;
  /** Folder that receives the schemas and the lock. Defaults to the repo's schemas/. */
  outDir?: string;
  /** Runtime version to record when the package does not say (skips detection). */
  runtimeVersion?: string;
  /** npm executable (tests point it at a fake). Defaults to `npm`. */
  npmCommand?: string;
}

export interface SyncResult {
  lock: ProtocolLock;
  outDir: string;
  written: string[];
}

const repoRoot = fileURLToPath(new URL("..", import.meta.url));

function run(command: string, args: string[], cwd: string, timeoutMs = 180_000): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolvePromise, reject) => {
    execFile(command, args, { cwd, timeout: timeoutMs, maxBuffer: 64 * 1024 * 1024 }, (error, stdout, stderr) => {
      if (error && typeof (error as { code?: unknown }).code !== "number") {
        reject(error);
        return;
      }
      resolvePromise({ code: error ? Number((error as { code?: unknown }).code) : 0, stdout: String(stdout), stderr: String(stderr) });
    });
  });
}

/** `npm pack <pkg>@<version>` into `dir`; returns the tarball path. */
export async function packFromRegistry(packageName: string, version: string, dir: string, npmCommand = "npm"): Promise<string> {
  const spec = `${packageName}@${version}`;
  let out: { code: number; stdout: string; stderr: string };
  try {
    out = await run(npmCommand, ["pack", spec, "--json", "--pack-destination", dir], dir);
  } catch (e) {
    throw new SyncSchemasError("NPM_FAILED", `could not run ${npmCommand} to fetch ${spec}: ${(e as Error).message}`, { cause: e });
  }
  const text = `${out.stdout}\n${out.stderr}`;
  if (out.code !== 0) {
    if (/\bETARGET\b|No matching version/i.test(text)) {
      throw new SyncSchemasError(
        "PACKAGE_NOT_FOUND",
        `version ${version} of ${packageName} does not exist on the npm registry; list the versions with \`npm view ${packageName} versions\``,
      );
    }
    if (/\bE404\b|404 Not Found|could not be found/i.test(text)) {
      throw new SyncSchemasError("PACKAGE_NOT_FOUND", `${spec} was not found on the npm registry (is the package name right? pass --package <name>)`);
    }
    throw new SyncSchemasError("NPM_FAILED", `npm pack ${spec} failed (exit ${out.code}): ${text.trim().split("\n").slice(-3).join(" ")}`);
  }
  const tgz = readdirSync(dir).find((f) => f.endsWith(".tgz"));
  if (!tgz) throw new SyncSchemasError("NPM_FAILED", `npm pack ${spec} succeeded but left no .tgz in ${dir}`);
  return join(dir, tgz);
}

/** Lists the members of a gzipped tarball. */
export async function listTarball(tarball: string): Promise<Set<string>> {
  const out = await run("tar", ["-tzf", tarball], dirname(tarball)).catch((e: unknown) => {
    throw new SyncSchemasError("TAR_FAILED", `could not run tar on ${tarball}: ${(e as Error).message}`, { cause: e });
  });
  if (out.code !== 0) throw new SyncSchemasError("TAR_FAILED", `${tarball} is not a readable .tgz: ${out.stderr.trim()}`);
  return new Set(
    out.stdout
      .split("\n")
      .filter(Boolean)
      .map((m) => m.replace(/^\.\//, "")),
  );
}

/** Extracts only `members` of `tarball` into `dir`. */
export async function extractMembers(tarball: string, members: string[], dir: string): Promise<void> {
  if (members.length === 0) return;
  const out = await run("tar", ["-xzf", tarball, "-C", dir, ...members], dir);
  if (out.code !== 0) throw new SyncSchemasError("TAR_FAILED", `extracting ${members.join(", ")} from ${tarball} failed: ${out.stderr.trim()}`);
}

/** Parses and checks both schema texts; throws INVALID_SCHEMA naming the file and what is wrong. */
export function checkSchemas(texts: Record<SchemaFile, string>, label: string): void {
  const parse = (file: SchemaFile): Record<string, unknown> => {
    try {
      const value: unknown = JSON.parse(texts[file]);
      if (!value || typeof value !== "object" || Array.isArray(value)) throw new Error("the root is not an object");
      return value as Record<string, unknown>;
    } catch (e) {
      throw new SyncSchemasError("INVALID_SCHEMA", `${file} of ${label} is not valid JSON: ${(e as Error).message}`, { cause: e });
    }
  };
  const api = parse("api.schema.json");
  for (const key of ["server", "session", "clientSession", "clientGlobal", "definitions"]) {
    const v = api[key];
    if (!v || typeof v !== "object" || Array.isArray(v)) {
      throw new SyncSchemasError(
        "INVALID_SCHEMA",
        `api.schema.json of ${label} has no object \`${key}\` at its root; expected the trees server/session/clientSession/clientGlobal and definitions`,
      );
    }
  }
  const events = parse("session-events.schema.json");
  const defs = events.definitions as Record<string, { anyOf?: unknown }> | undefined;
  if (!defs || !Array.isArray(defs.SessionEvent?.anyOf) || defs.SessionEvent.anyOf.length === 0) {
    throw new SyncSchemasError(
      "INVALID_SCHEMA",
      `session-events.schema.json of ${label} has no definitions.SessionEvent.anyOf; expected the union of all session events`,
    );
  }
}

const RUNTIME_VERSION_MARKER = /supportCliVersion\("([^"]+)"\)/;
const PROTOCOL_VERSION_MARKER = /SDK_PROTOCOL_VERSION\s*=\s*(\d+)/;

/** Speaks `connect` to a runtime binary in a throwaway environment; returns its versions. */
export async function handshakeRuntime(binary: string, timeoutMs = 15_000): Promise<{ version: string; protocolVersion: number }> {
  const { spawn } = await import("node:child_process");
  const home = mkdtempSync(join(tmpdir(), "fd-sync-runtime-"));
  const env: Record<string, string> = { PATH: process.env.PATH ?? "/usr/bin:/bin", NO_PROXY: "127.0.0.1,localhost" };
  for (const [k, sub] of [
    ["HOME", "home"],
    ["COPILOT_HOME", "copilot"],
    ["TMPDIR", "tmp"],
    ["XDG_CONFIG_HOME", "config"],
    ["XDG_STATE_HOME", "state"],
    ["XDG_DATA_HOME", "data"],
    ["XDG_CACHE_HOME", "cache"],
  ] as const) {
    env[k] = join(home, sub);
    mkdirSync(env[k]!, { recursive: true });
  }
  const child = spawn(binary, ["--headless", "--no-auto-update", "--stdio", "--no-auto-login"], { cwd: home, env, stdio: ["pipe", "pipe", "ignore"] });
  try {
    return await new Promise((resolvePromise, reject) => {
      const timer = setTimeout(() => reject(new Error(`no connect answer within ${timeoutMs} ms`)), timeoutMs);
      const decoder = new FrameDecoder();
      child.on("error", (e) => {
        clearTimeout(timer);
        reject(e);
      });
      child.on("exit", (code) => {
        clearTimeout(timer);
        reject(new Error(`the runtime exited (code ${code}) before answering connect`));
      });
      child.stdout!.on("data", (chunk: Buffer) => {
        for (const msg of decoder.push(chunk) as { id?: number; result?: { version?: unknown; protocolVersion?: unknown } }[]) {
          if (msg.id === 1 && typeof msg.result?.version === "string" && typeof msg.result.protocolVersion === "number") {
            clearTimeout(timer);
            resolvePromise({ version: msg.result.version, protocolVersion: msg.result.protocolVersion });
          }
        }
      });
      child.stdin!.write(encodeFrame({ jsonrpc: "2.0", id: 1, method: "connect", params: { supportedTaskKinds: ["agent"] } }));
    });
  } finally {
    child.kill("SIGKILL");
    rmSync(home, { recursive: true, force: true });
  }
}

function runtimePlatform(): string {
  return `${process.platform}-${process.arch}`;
}

/**
 * Finds the runtime and protocol versions a package carries: `sdk/index.js` names the runtime it
 * supports (≤ 1.0.14) and `copilot-sdk/sdkProtocolVersion.d.ts` the protocol; newer packages
 * ship only the native runtime, which is then asked over a `connect` handshake.
 */
export async function detectVersions(
  tarball: string,
  members: Set<string>,
  workDir: string,
  label: string,
  override?: string,
): Promise<{ runtimeVersion: string; protocolVersion: number }> {
  const small = ["package/sdk/index.js", "package/copilot-sdk/sdkProtocolVersion.d.ts"].filter((m) => members.has(m));
  await extractMembers(tarball, small, workDir);
  const read = (m: string) => (existsSync(join(workDir, m)) ? readFileSync(join(workDir, m), "utf8") : "");
  let runtimeVersion = override ?? RUNTIME_VERSION_MARKER.exec(read("package/sdk/index.js"))?.[1];
  const protocolText = PROTOCOL_VERSION_MARKER.exec(read("package/copilot-sdk/sdkProtocolVersion.d.ts"))?.[1];
  let protocolVersion = protocolText === undefined ? undefined : Number(protocolText);
  if (runtimeVersion === undefined || protocolVersion === undefined) {
    const prebuild = `package/prebuilds/${runtimePlatform()}/`;
    const binaryMembers = [...members].filter((m) => m.startsWith(prebuild) && !m.endsWith("/"));
    if (binaryMembers.some((m) => m.endsWith("/copilot-runtime"))) {
      await extractMembers(tarball, binaryMembers, workDir);
      try {
        const hs = await handshakeRuntime(join(workDir, prebuild, "copilot-runtime"));
        runtimeVersion ??= hs.version;
        protocolVersion ??= hs.protocolVersion;
      } catch (e) {
        if (runtimeVersion === undefined) {
          throw new SyncSchemasError(
            "NO_RUNTIME_VERSION",
            `could not learn the runtime version of ${label}: asking its runtime failed (${(e as Error).message}); pass --runtime-version <v>`,
            { cause: e },
          );
        }
      }
    }
  }
  if (runtimeVersion === undefined) {
    throw new SyncSchemasError(
      "NO_RUNTIME_VERSION",
      `${label} names no runtime version (no supportCliVersion in sdk/index.js, no ${runtimePlatform()} runtime to ask); pass --runtime-version <v>`,
    );
  }
  if (protocolVersion === undefined || !Number.isInteger(protocolVersion) || protocolVersion < 1) {
    throw new SyncSchemasError(
      "NO_PROTOCOL_VERSION",
      `${label} names no protocol version (no SDK_PROTOCOL_VERSION in copilot-sdk/sdkProtocolVersion.d.ts and no runtime to ask)`,
    );
  }
  return { runtimeVersion, protocolVersion };
}

export function sha256(text: string | Buffer): string {
  return createHash("sha256").update(text).digest("hex");
}

export function buildLock(fields: Omit<ProtocolLock, "files">, contents: Record<SchemaFile, string | Buffer>): ProtocolLock {
  return {
    package: fields.package,
    version: fields.version,
    runtimeVersion: fields.runtimeVersion,
    protocolVersion: fields.protocolVersion,
    files: {
      "api.schema.json": { sha256: sha256(contents["api.schema.json"]) },
      "session-events.schema.json": { sha256: sha256(contents["session-events.schema.json"]) },
    },
  };
}

/**
 * Replaces `files` in `outDir` all together: each is staged next to its target, then renamed into
 * place; if any step fails, the targets renamed so far are put back and the folder is as before.
 */
export function writeFilesAtomically(outDir: string, files: Record<string, string | Buffer>): string[] {
  const stage = join(outDir, `.sync-schemas-${process.pid}-${randomBytes(4).toString("hex")}`);
  const done: { target: string; backup?: string }[] = [];
  try {
    mkdirSync(outDir, { recursive: true });
    mkdirSync(stage);
    for (const [name, content] of Object.entries(files)) writeFileSync(join(stage, name), content);
    for (const name of Object.keys(files)) {
      const target = join(outDir, name);
      let backup: string | undefined;
      if (existsSync(target)) {
        if (!statSync(target).isFile()) throw new Error(`${target} exists and is not a file`);
        backup = join(stage, `${name}.previous`);
        renameSync(target, backup);
      }
      done.push({ target, ...(backup ? { backup } : {}) });
      renameSync(join(stage, name), target);
    }
  } catch (e) {
    for (const { target, backup } of done.reverse()) {
      if (backup) renameSync(backup, target);
      else rmSync(target, { force: true });
    }
    rmSync(stage, { recursive: true, force: true });
    throw new SyncSchemasError(
      "WRITE_FAILED",
      `could not write ${Object.keys(files).join(", ")} into ${outDir}; nothing was changed: ${(e as Error).message}`,
      { cause: e },
    );
  }
  rmSync(stage, { recursive: true, force: true });
  return Object.keys(files).map((n) => join(outDir, n));
}

/** The whole sync: fetch (or take) the tarball, extract, check, detect versions, write atomically. */
export async function syncSchemas(options: SyncOptions): Promise<SyncResult> {
  const packageName = options.packageName ?? DEFAULT_PACKAGE;
  const { version } = options;
  if (!/^\d+\.\d+\.\d+(-[0-9A-Za-z.-]+)?$/.test(version)) {
    throw new SyncSchemasError(
      "BAD_ARGUMENT",
      `${JSON.stringify(version)} is not a package version; pass one like 1.0.14 (see \`npm view ${packageName} versions\`)`,
    );
  }
  const label = `${packageName}@${version}`;
  const outDir = resolve(options.outDir ?? join(repoRoot, "schemas"));
  const work = mkdtempSync(join(tmpdir(), "fd-sync-schemas-"));
  try {
    let tarball: string;
    if (options.tarball) {
      tarball = resolve(options.tarball);
      if (!existsSync(tarball)) throw new SyncSchemasError("BAD_ARGUMENT", `--tarball ${tarball} does not exist`);
    } else {
      const packDir = join(work, "pack");
      mkdirSync(packDir);
      tarball = await packFromRegistry(packageName, version, packDir, options.npmCommand);
    }
    const members = await listTarball(tarball);
    const extractDir = join(work, "x");
    mkdirSync(extractDir);
    if (members.has("package/package.json")) {
      await extractMembers(tarball, ["package/package.json"], extractDir);
      const manifest = JSON.parse(readFileSync(join(extractDir, "package/package.json"), "utf8")) as { name?: string; version?: string };
      if (manifest.name !== packageName || manifest.version !== version) {
        throw new SyncSchemasError(
          "VERSION_MISMATCH",
          `the tarball holds ${manifest.name}@${manifest.version}, not ${label}; pass the matching <version> and --package`,
        );
      }
    }
    const wanted = SCHEMA_FILES.map((f) => `package/schemas/${f}`);
    const missing = wanted.filter((m) => !members.has(m));
    if (missing.length > 0) {
      throw new SyncSchemasError(
        "NO_SCHEMAS",
        `${label} does not ship the protocol schemas (missing ${missing.join(", ")}); pick a version that has package/schemas/ (1.0.13 and later of ${DEFAULT_PACKAGE})`,
      );
    }
    await extractMembers(tarball, wanted, extractDir);
    // Bytes as shipped: read and written as raw buffers, hashed as bytes, never re-serialized.
    const bytes = Object.fromEntries(SCHEMA_FILES.map((f) => [f, readFileSync(join(extractDir, "package/schemas", f))])) as Record<SchemaFile, Buffer>;
    checkSchemas(
      { "api.schema.json": bytes["api.schema.json"].toString("utf8"), "session-events.schema.json": bytes["session-events.schema.json"].toString("utf8") },
      label,
    );
    const { runtimeVersion, protocolVersion } = await detectVersions(tarball, members, extractDir, label, options.runtimeVersion);
    const lock = buildLock({ package: packageName, version, runtimeVersion, protocolVersion }, bytes);
    const files: Record<string, string | Buffer> = { ...bytes };
    files[LOCK_FILE] = `${JSON.stringify(lock, null, 2)}\n`;
    const written = writeFilesAtomically(outDir, files);
    return { lock, outDir, written };
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

export function parseSyncArgs(argv: string[]): SyncOptions {
  let version: string | undefined;
  const options: Partial<SyncOptions> = {};
  const flags: Record<string, keyof SyncOptions> = {
    "--package": "packageName",
    "--tarball": "tarball",
    "--out": "outDir",
    "--runtime-version": "runtimeVersion",
  };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    const key = flags[a];
    if (key) {
      const v = argv[++i];
      if (v === undefined || v.startsWith("--")) throw new SyncSchemasError("BAD_ARGUMENT", `${a} needs a value`);
      (options as Record<string, string>)[key] = v;
    } else if (a.startsWith("-")) {
      throw new SyncSchemasError(
        "BAD_ARGUMENT",
        `unknown option ${a}; usage: sync-schemas <version> [--package <name>] [--tarball <file>] [--out <dir>] [--runtime-version <v>]`,
      );
    } else if (version === undefined) version = a;
    else throw new SyncSchemasError("BAD_ARGUMENT", `unexpected argument ${JSON.stringify(a)}; give exactly one <version>`);
  }
  if (version === undefined)
    throw new SyncSchemasError("BAD_ARGUMENT", "missing <version>; usage: sync-schemas <version> [--package <name>] [--tarball <file>] [--out <dir>]");
  return { ...options, version };
}

async function main(): Promise<void> {
  try {
    const result = await syncSchemas(parseSyncArgs(process.argv.slice(2)));
    const { lock } = result;
    console.log(
      `sync-schemas: pinned ${lock.package}@${lock.version} (runtime ${lock.runtimeVersion}, protocol ${lock.protocolVersion}) into ${result.outDir}`,
    );
    for (const f of SCHEMA_FILES) console.log(`  ${f}  sha256 ${lock.files[f].sha256}`);
    console.log("Next: pnpm codegen");
  } catch (e) {
    console.error(e instanceof Error ? e.message : String(e));
    process.exitCode = e instanceof SyncSchemasError && e.code === "BAD_ARGUMENT" ? 2 : 1;
  }
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) void main();
