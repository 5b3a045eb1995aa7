import { existsSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { TestingError } from "./errors.js";

/** A runtime binary the test suite runs against. */
export interface TestRuntime {
  /** Display name with version, e.g. `"copilot-runtime 1.0.85"` or `"copilot 1.0.102"`. */
  name: string;
  /** Executable to spawn. */
  path: string;
  /** Arguments that go before {@link runtimeArgs} (none for the native binaries). */
  args: string[];
  /** The runtime version the package carries. */
  version: string;
  /** The runtime's in-process library (`runtime.node`), when its package ships one (copilot-runtime only). */
  inProcessLibrary?: string;
}

/**
 * Set to `inprocess` to run the e2e suite with the runtime loaded into the test process
 * (`RuntimeConnection.forInProcess()`): `createTestClient` then defaults to that transport and
 * `resolveTestRuntimes()` lists only the runtimes that have an in-process library.
 */
export const TEST_CONNECTION_ENV = "FLIGHTDECK_TEST_CONNECTION";

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

/** `@github/copilot-sdk-<platform>` → `prebuilds/<platform>/copilot-runtime` (runtime 1.0.85 when pinned to 1.0.14). */
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
  // The wrapper package version (1.0.14) differs from the runtime it carries (1.0.85).
  const version = readVersion(manifest) === "1.0.14" ? "1.0.85" : readVersion(manifest);
  const library = join(dirname(manifest), "prebuilds", platform, "runtime.node");
  return { name: `copilot-runtime ${version}`, path, args: [], version, ...(existsSync(library) && { inProcessLibrary: library }) };
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
  return { name: `copilot ${version}`, path, args: [], version };
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
  if (process.env[TEST_CONNECTION_ENV] === "inprocess") {
    const sdk = resolveSdkRuntime(require);
    if (sdk.inProcessLibrary === undefined) throw missing(`The in-process runtime library (${TEST_CONNECTION_ENV}=inprocess)`, `@github/copilot-sdk-${process.platform}-${process.arch}`);
    return [{ ...sdk, name: `${sdk.name} in-process` }];
  }
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
