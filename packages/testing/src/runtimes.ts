import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { PROTOCOL_SCHEMA_SOURCE } from "@flightdeck/copilot-core";
import { TestingError } from "./errors.js";

/** A runtime binary the test suite runs against. */
export interface TestRuntime {
  /** Display name with version, e.g. `"copilot-runtime 1.0.85"` or `"copilot 1.0.102"`. */
  name: string;
  /** Executable to spawn. */
  path: string;
  /** Arguments that go before {@link runtimeArgs} (none for the native binaries). */
  args: string[];
  /** The runtime's own version: what it answers in the `connect` handshake (the CLI: its package version, which is the same). */
  version: string;
  /** `copilot-runtime` (the SDK's runtime binary) or `cli` (the Copilot CLI run as a server). */
  kind: "copilot-runtime" | "cli";
  /**
   * This is the runtime the generated bindings were made from (its version is
   * `PROTOCOL_SCHEMA_SOURCE.runtimeVersion`): every event it sends should pass the strict validators.
   */
  matchesSchemas: boolean;
}

/** Options of {@link runtimeArgs}. Exactly one transport: `stdio` (default) or `port`. */
export interface RuntimeArgsOptions {
  /** JSON-RPC over stdin/stdout. Default when `port` is not given. */
  stdio?: boolean;
  /** JSON-RPC over TCP on this port (0: the runtime picks one and prints it). */
  port?: number;
  /** `--log-level`, e.g. `"error"`, `"info"`, `"debug"`. Default: the runtime's own. */
  logLevel?: "none" | "error" | "warning" | "info" | "debug" | "all";
  /** `--session-idle-timeout` in seconds. */
  sessionIdleTimeoutSeconds?: number;
}

function readVersion(packageJson: string): string {
  return (JSON.parse(readFileSync(packageJson, "utf8")) as { version: string }).version;
}

function missing(what: string, pkg: string, cause?: unknown): TestingError {
  return new TestingError(
    "RUNTIME_NOT_FOUND",
    `${what} is not installed (package ${pkg} for ${process.platform}-${process.arch}); run \`pnpm install\` at the workspace root.`,
    { cause },
  );
}

const versions = new Map<string, string>();

/**
 * Asks a runtime binary for its version over the `connect` handshake, in a throwaway home (the
 * runtime answers and exits when its stdin closes: ~50 ms). Cached per binary and modification time.
 */
export function askRuntimeVersion(path: string): string {
  const key = `${path}:${statSync(path).mtimeMs}`;
  const cached = versions.get(key);
  if (cached !== undefined) return cached;
  const home = mkdtempSync(join(tmpdir(), "fd-runtime-version-"));
  try {
    const env: Record<string, string> = { PATH: process.env["PATH"] ?? "/usr/bin:/bin" };
    for (const [name, sub] of [["HOME", "home"], ["COPILOT_HOME", "copilot"], ["XDG_CONFIG_HOME", "config"], ["XDG_STATE_HOME", "state"], ["XDG_CACHE_HOME", "cache"], ["TMPDIR", "tmp"]] as const) {
      env[name] = join(home, sub);
      mkdirSync(env[name]!, { recursive: true });
    }
    const body = JSON.stringify({ jsonrpc: "2.0", id: 1, method: "connect", params: { supportedTaskKinds: ["agent"] } });
    const r = spawnSync(path, runtimeArgs(), { cwd: home, env, input: `Content-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`, timeout: 20_000, encoding: "utf8" });
    const frame = /\{"jsonrpc":"2\.0","id":1,"result":\{[^\r\n]*?\}\}/.exec(r.stdout ?? "")?.[0];
    const version = frame === undefined ? undefined : (JSON.parse(frame) as { result?: { version?: unknown } }).result?.version;
    if (typeof version !== "string") {
      throw new TestingError("RUNTIME_NOT_FOUND", `The runtime ${path} did not answer the connect handshake with its version (exit ${r.status}, signal ${r.signal}${r.error ? `, ${r.error.message}` : ""}); reinstall it with \`pnpm install\`.`);
    }
    versions.set(key, version);
    return version;
  } finally {
    rmSync(home, { recursive: true, force: true });
  }
}

/** `@github/copilot-sdk-<platform>` → `prebuilds/<platform>/copilot-runtime`; its version comes from the runtime itself. */
function resolveSdkRuntime(require: NodeRequire): TestRuntime {
  const platform = `${process.platform}-${process.arch}`;
  const pkg = `@github/copilot-sdk-${platform}`;
  let manifest: string;
  try {
    manifest = require.resolve(`${pkg}/package.json`);
  } catch (error) {
    throw missing("The copilot-runtime binary", pkg, error);
  }
  const exe = process.platform === "win32" ? "copilot-runtime.exe" : "copilot-runtime";
  const path = join(dirname(manifest), "prebuilds", platform, exe);
  if (!existsSync(path)) throw missing(`The copilot-runtime binary (${path})`, pkg);
  // The wrapper package's version (1.0.14) is not the runtime's (1.0.85): ask the runtime.
  const version = askRuntimeVersion(path);
  return { name: `copilot-runtime ${version}`, path, args: [], version, kind: "copilot-runtime", matchesSchemas: version === PROTOCOL_SCHEMA_SOURCE.runtimeVersion };
}

/**
 * `@github/copilot` (the CLI) → its platform single executable, started directly: it speaks the
 * same protocol with `--headless --stdio` and saves the extra node process of `npm-loader.js`.
 */
function resolveCli(require: NodeRequire): TestRuntime {
  let manifest: string;
  try {
    manifest = require.resolve("@github/copilot/package.json");
  } catch (error) {
    throw missing("The Copilot CLI", "@github/copilot", error);
  }
  const version = readVersion(manifest);
  // pnpm keeps the optional platform package next to the CLI package, not at the root.
  const fromCli = createRequire(manifest);
  const libc = process.platform === "linux" && isMusl() ? "linuxmusl" : process.platform;
  const pkg = `@github/copilot-${libc}-${process.arch}`;
  let path: string;
  try {
    path = fromCli.resolve(pkg);
  } catch (error) {
    throw missing("The Copilot CLI platform binary", pkg, error);
  }
  // The CLI answers the handshake with its package version (1.0.102 for 1.0.102), but takes ~10 s
  // to exit after it: the package is read instead.
  return { name: `copilot ${version}`, path, args: [], version, kind: "cli", matchesSchemas: version === PROTOCOL_SCHEMA_SOURCE.runtimeVersion };
}

function isMusl(): boolean {
  const report = process.report?.getReport() as { header?: { glibcVersionRuntime?: string } } | undefined;
  return report?.header?.glibcVersionRuntime === undefined;
}

/**
 * The two pinned runtimes installed in the workspace: `copilot-runtime` (from
 * `@github/copilot-sdk-<platform>`) and the Copilot CLI (`@github/copilot`), resolved from this
 * package, not from hard-coded paths. Throws `TestingError("RUNTIME_NOT_FOUND")` naming the missing
 * package and `pnpm install` as the fix.
 */
export function resolveTestRuntimes(): TestRuntime[] {
  const require = createRequire(import.meta.url);
  return [resolveSdkRuntime(require), resolveCli(require)];
}

/**
 * Runtime argv for tests: `--headless --no-auto-update --no-auto-login`, the log level, and the
 * transport (`--stdio`, or `--port N`). Never put a token here: use `--auth-token-env` + env.
 */
export function runtimeArgs(options: RuntimeArgsOptions = {}): string[] {
  if (options.stdio === true && options.port !== undefined) {
    throw new TestingError("INVALID_OPTION", "runtimeArgs: give either stdio or port, not both.");
  }
  if (options.port !== undefined && (!Number.isInteger(options.port) || options.port < 0 || options.port > 65535)) {
    throw new TestingError("INVALID_OPTION", `runtimeArgs: port must be an integer 0-65535 (got ${JSON.stringify(options.port)}).`);
  }
  const args = ["--headless", "--no-auto-update", "--no-auto-login"];
  if (options.logLevel !== undefined) args.push("--log-level", options.logLevel);
  if (options.sessionIdleTimeoutSeconds !== undefined) {
    if (!Number.isInteger(options.sessionIdleTimeoutSeconds) || options.sessionIdleTimeoutSeconds < 0) {
      throw new TestingError("INVALID_OPTION", "runtimeArgs: sessionIdleTimeoutSeconds must be a non-negative integer.");
    }
    args.push("--session-idle-timeout", String(options.sessionIdleTimeoutSeconds));
  }
  if (options.port !== undefined) {
    if (options.port > 0) args.push("--port", String(options.port));
  } else {
    args.push("--stdio");
  }
  return args;
}
