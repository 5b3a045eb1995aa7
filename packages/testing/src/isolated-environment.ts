import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { TestingError } from "./errors.js";
import { refuseUnknownKeys } from "./option-keys.js";

/** Options of {@link createIsolatedEnvironment}. */
export interface IsolatedEnvironmentOptions {
  /** Keep the temp folder after `cleanup()` (to inspect logs and session state). Default `false`. */
  keep?: boolean;
  /** Extra variables added to `env` (e.g. OTEL settings). They cannot replace the isolation variables. */
  extraEnv?: Record<string, string>;
  /** Parent folder of the temp folder. Default `os.tmpdir()`. */
  parentDir?: string;
}

/** A throw-away home for one runtime process. */
export interface IsolatedEnvironment {
  /** The complete environment for the child process. Pass it as `env`, never merged into `process.env`. */
  readonly env: Readonly<Record<string, string>>;
  /** The temp folder holding everything (home, state, config, tmp, work). */
  readonly dir: string;
  /** An empty folder to use as the runtime's and the session's working directory. */
  readonly workingDirectory: string;
  /** Deletes `dir` (unless `keep`). Idempotent; never throws. */
  cleanup(): void;
}

/** Variables the isolation owns; `extraEnv` may not override them. */
const ISOLATION_KEYS = [
  "HOME",
  "USERPROFILE",
  "COPILOT_HOME",
  "TMPDIR",
  "TMP",
  "TEMP",
  "XDG_CONFIG_HOME",
  "XDG_STATE_HOME",
  "XDG_DATA_HOME",
  "XDG_CACHE_HOME",
  "COPILOT_PKG_CACHE_HOME",
  "NO_PROXY",
  "no_proxy",
  "PATH",
] as const;

/**
 * The folder shared by every isolated environment on this machine for the CLI's unpacked single
 * executable (~235 MB, unpacked once): `$FLIGHTDECK_PKG_CACHE_DIR` when set, else
 * `<os.tmpdir()>/flightdeck-copilot-pkg-cache`.
 */
export function sharedPackageCacheDir(): string {
  const fromEnv = process.env["FLIGHTDECK_PKG_CACHE_DIR"];
  return fromEnv !== undefined && fromEnv !== "" ? fromEnv : join(tmpdir(), "flightdeck-copilot-pkg-cache");
}

/**
 * Creates a temp folder with its own HOME, COPILOT_HOME, TMPDIR, XDG_* folders and working
 * directory, and an explicit environment for a runtime process: only those, the inherited `PATH`,
 * `NO_PROXY`/`no_proxy` for 127.0.0.1 and localhost, and the shared `COPILOT_PKG_CACHE_HOME`.
 * Nothing else from `process.env` leaks in (no tokens, no proxies, no user config).
 *
 * @example
 * const iso = createIsolatedEnvironment();
 * const child = spawn(runtime.path, [...runtime.args, ...runtimeArgs()], { env: iso.env, cwd: iso.workingDirectory });
 * // ... finally: kill the child, then iso.cleanup()
 */
export function createIsolatedEnvironment(options: IsolatedEnvironmentOptions = {}): IsolatedEnvironment {
  refuseUnknownKeys(options, ["keep", "extraEnv", "parentDir"], "createIsolatedEnvironment: options");
  const extra = options.extraEnv ?? {};
  for (const [key, value] of Object.entries(extra)) {
    if ((ISOLATION_KEYS as readonly string[]).includes(key)) {
      throw new TestingError("INVALID_OPTION", `createIsolatedEnvironment: extraEnv.${key} would break the isolation; leave it out.`);
    }
    if (typeof value !== "string") {
      throw new TestingError("INVALID_OPTION", `createIsolatedEnvironment: extraEnv.${key} must be a string (got ${typeof value}).`);
    }
  }
  const dir = mkdtempSync(join(options.parentDir ?? tmpdir(), "flightdeck-iso-"));
  const sub = (name: string) => {
    const path = join(dir, name);
    mkdirSync(path, { recursive: true });
    return path;
  };
  const home = sub("home");
  const pkgCache = sharedPackageCacheDir();
  mkdirSync(pkgCache, { recursive: true });
  const env: Record<string, string> = {
    ...extra,
    HOME: home,
    USERPROFILE: home,
    COPILOT_HOME: sub("copilot-home"),
    TMPDIR: sub("tmp"),
    XDG_CONFIG_HOME: sub("xdg/config"),
    XDG_STATE_HOME: sub("xdg/state"),
    XDG_DATA_HOME: sub("xdg/data"),
    XDG_CACHE_HOME: sub("xdg/cache"),
    COPILOT_PKG_CACHE_HOME: pkgCache,
    NO_PROXY: "127.0.0.1,localhost",
    no_proxy: "127.0.0.1,localhost",
    PATH: process.env["PATH"] ?? "/usr/local/bin:/usr/bin:/bin",
  };
  env["TMP"] = env["TMPDIR"]!;
  env["TEMP"] = env["TMPDIR"]!;
  const workingDirectory = sub("work");
  let cleaned = false;
  return {
    env,
    dir,
    workingDirectory,
    cleanup() {
      if (cleaned || options.keep) return;
      cleaned = true;
      try {
        rmSync(dir, { recursive: true, force: true, maxRetries: 3 });
      } catch {
        // A process that still holds files must not fail the test's teardown; the OS tmp reaper gets it.
      }
    },
  };
}
