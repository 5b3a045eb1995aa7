import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { PROTOCOL_SCHEMA_SOURCE, runtimePlatform } from "@flightdeck/copilot-sdk";
import { TestingError } from "./errors.js";
import { refuseUnknownKeys } from "./option-keys.js";

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
  kind: TestRuntimeName;
  /**
   * This is the runtime the generated bindings were made from (its version is
   * `PROTOCOL_SCHEMA_SOURCE.runtimeVersion`): every event it sends should pass the strict validators.
   */
  matchesSchemas: boolean;
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

/** Which pinned runtime: the SDK runtime package's `copilot-runtime`, or the Copilot CLI. */
export type TestRuntimeName = "copilot-runtime" | "cli";

function readVersion(packageJson: string): string {
  return (JSON.parse(readFileSync(packageJson, "utf8")) as { version: string }).version;
}

/** The runtime package version the SDK is built against (the sdk's optional dependency). */
function pinnedRuntimeVersion(require: NodeRequire, pkg: string): string | undefined {
  try {
    const manifest = JSON.parse(readFileSync(require.resolve("@flightdeck/copilot-sdk/package.json"), "utf8")) as {
      optionalDependencies?: Record<string, string>;
    };
    return manifest.optionalDependencies?.[pkg];
  } catch {
    return undefined;
  }
}

function missing(what: string, install: string, cause?: unknown): TestingError {
  return new TestingError("RUNTIME_NOT_FOUND", `${what} is not installed for ${process.platform}-${process.arch}. Install it with \`${install}\`.`, { cause });
}

// Where to look for runtime packages: the user's project first, then this package and the sdk
// (the sdk's optional dependency brings `@github/copilot-sdk-<platform>` with it).
function requires(): NodeRequire[] {
  const own = createRequire(import.meta.url);
  const list = [createRequire(join(process.cwd(), "noop.js")), own];
  try {
    list.push(createRequire(own.resolve("@flightdeck/copilot-sdk/package.json")));
  } catch {
    // not resolvable as a package (bundled): the other two places still apply
  }
  return list;
}

function firstResolved(specifier: string): string | undefined {
  for (const require of requires()) {
    try {
      return require.resolve(specifier);
    } catch {
      // try the next place
    }
  }
  return undefined;
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
    for (const [name, sub] of [
      ["HOME", "home"],
      ["COPILOT_HOME", "copilot"],
      ["XDG_CONFIG_HOME", "config"],
      ["XDG_STATE_HOME", "state"],
      ["XDG_CACHE_HOME", "cache"],
      ["TMPDIR", "tmp"],
    ] as const) {
      env[name] = join(home, sub);
      mkdirSync(env[name]!, { recursive: true });
    }
    const body = JSON.stringify({ jsonrpc: "2.0", id: 1, method: "connect", params: { supportedTaskKinds: ["agent"] } });
    const r = spawnSync(path, runtimeArgs(), {
      cwd: home,
      env,
      input: `Content-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
      timeout: 20_000,
      encoding: "utf8",
    });
    const frame = /\{"jsonrpc":"2\.0","id":1,"result":\{[^\r\n]*?\}\}/.exec(r.stdout ?? "")?.[0];
    const version = frame === undefined ? undefined : (JSON.parse(frame) as { result?: { version?: unknown } }).result?.version;
    if (typeof version !== "string") {
      throw new TestingError(
        "RUNTIME_NOT_FOUND",
        `The runtime ${path} did not answer the connect handshake with its version (exit ${r.status}, signal ${r.signal}${r.error ? `, ${r.error.message}` : ""}); reinstall it.`,
      );
    }
    versions.set(key, version);
    return version;
  } finally {
    rmSync(home, { recursive: true, force: true });
  }
}

/** `@github/copilot-sdk-<platform>` → `prebuilds/<platform>/copilot-runtime`; its version comes from the runtime itself. */
function resolveSdkRuntime(): TestRuntime {
  const platform = runtimePlatform();
  const pkg = `@github/copilot-sdk-${platform}`;
  const version = pinnedRuntimeVersion(createRequire(import.meta.url), pkg);
  const install = `npm install --save-dev ${pkg}${version ? `@${version}` : ""}`;
  const manifest = firstResolved(`${pkg}/package.json`);
  if (manifest === undefined) throw missing(`The Copilot runtime (package ${pkg})`, install);
  const exe = process.platform === "win32" ? "copilot-runtime.exe" : "copilot-runtime";
  const path = join(dirname(manifest), "prebuilds", platform, exe);
  if (!existsSync(path)) throw missing(`The Copilot runtime binary (${pkg} is there but has no ${exe})`, install);
  // The wrapper package's version (1.0.14) is not the runtime's (1.0.85): ask the runtime.
  const runtimeVersion = askRuntimeVersion(path);
  const library = join(dirname(manifest), "prebuilds", platform, "runtime.node");
  return {
    name: `copilot-runtime ${runtimeVersion}`,
    path,
    args: [],
    version: runtimeVersion,
    kind: "copilot-runtime",
    matchesSchemas: runtimeVersion === PROTOCOL_SCHEMA_SOURCE.runtimeVersion,
    ...(existsSync(library) && { inProcessLibrary: library }),
  };
}

/**
 * `@github/copilot` (the CLI) → its platform single executable, started directly: it speaks the
 * same protocol with `--headless --stdio` and saves the extra node process of `npm-loader.js`.
 */
function resolveCli(): TestRuntime {
  const install = "npm install --save-dev @github/copilot";
  const manifest = firstResolved("@github/copilot/package.json");
  if (manifest === undefined) throw missing("The Copilot CLI (package @github/copilot)", install);
  const version = readVersion(manifest);
  // pnpm keeps the optional platform package next to the CLI package, not at the root.
  const pkg = `@github/copilot-${runtimePlatform()}`;
  let path: string;
  try {
    path = createRequire(manifest).resolve(pkg);
  } catch (error) {
    throw missing(`The Copilot CLI's platform binary (package ${pkg})`, install, error);
  }
  // The CLI answers the handshake with its package version (1.0.102 for 1.0.102), but takes ~10 s
  // to exit after it: the package is read instead.
  return { name: `copilot ${version}`, path, args: [], version, kind: "cli", matchesSchemas: version === PROTOCOL_SCHEMA_SOURCE.runtimeVersion };
}

/**
 * One pinned runtime, resolved from your project (then this package): `"copilot-runtime"` (from
 * `@github/copilot-sdk-<platform>`, which `@flightdeck/copilot-sdk` installs as an optional
 * dependency) or `"cli"` (from `@github/copilot`). Only that runtime's package needs to be installed.
 *
 * @throws {TestingError} `RUNTIME_NOT_FOUND` with the exact `npm install` command.
 */
export function resolveTestRuntime(name: TestRuntimeName = "copilot-runtime"): TestRuntime {
  if (name === "copilot-runtime") return resolveSdkRuntime();
  if (name === "cli") return resolveCli();
  throw new TestingError("INVALID_OPTION", `resolveTestRuntime: expected "copilot-runtime" or "cli", got ${JSON.stringify(name)}.`);
}

/**
 * Both pinned runtimes, `[copilot-runtime, cli]`, for suites that run every test on each. Needs
 * both packages installed; use {@link resolveTestRuntime} for one.
 *
 * @throws {TestingError} `RUNTIME_NOT_FOUND` naming the missing package and its install command.
 */
export function resolveTestRuntimes(): TestRuntime[] {
  if (process.env[TEST_CONNECTION_ENV] === "inprocess") {
    const sdk = resolveSdkRuntime();
    if (sdk.inProcessLibrary === undefined)
      throw missing(`The in-process runtime library (${TEST_CONNECTION_ENV}=inprocess)`, `npm install --save-dev @github/copilot-sdk-${runtimePlatform()}`);
    return [{ ...sdk, name: `${sdk.name} in-process` }];
  }
  return [resolveSdkRuntime(), resolveCli()];
}

/**
 * Runtime argv for tests: `--headless --no-auto-update --no-auto-login`, the log level, and the
 * transport (`--stdio`, or `--port N`). Never put a token here: use `--auth-token-env` + env.
 */
export function runtimeArgs(options: RuntimeArgsOptions = {}): string[] {
  refuseUnknownKeys(options, ["stdio", "port", "logLevel", "sessionIdleTimeoutSeconds"], "runtimeArgs: options");
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
