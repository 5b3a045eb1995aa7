/**
 * Finding the Copilot runtime executable. Order: an explicit path, then `COPILOT_CLI_PATH`, then an
 * installed `@github/copilot-sdk-<platform>` runtime, then an installed `@github/copilot` CLI (its
 * platform binary, never the `npm-loader.js` wrapper, which would orphan the real process on
 * SIGTERM), then `copilot` on `PATH`. Packages are looked up from the user's project (cwd) first,
 * then from this module, so it works under pnpm's strict layout and when bundled.
 */
import { delimiter, dirname, extname, isAbsolute, join, resolve } from "node:path";
import { SdkError } from "@flightdeck/copilot-core";
import { nodeFs, nodeModule } from "./node-builtins.js";

/** Where a runtime was found. */
export type RuntimeSource = "explicit" | "COPILOT_CLI_PATH" | "@github/copilot-sdk" | "@github/copilot" | "PATH";

export interface ResolvedRuntime {
  /** The executable file. */
  readonly path: string;
  /** The command to spawn: the executable, or `node` for a JavaScript entry point. */
  readonly command: string;
  /** Arguments that go before the runtime's own (the script path when `command` is node). */
  readonly prefixArgs: readonly string[];
  readonly source: RuntimeSource;
}

export interface ResolveRuntimeOptions {
  /** An explicit path (`RuntimeConnection.forStdio({ path })`). */
  readonly path?: string | undefined;
  /** The environment to read `COPILOT_CLI_PATH` and `PATH` from. */
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** Folders to resolve packages from; defaults to the current directory and this module. */
  readonly searchFrom?: readonly string[];
  readonly platform?: NodeJS.Platform;
  readonly arch?: string;
  /** Restrict the search to these installed sources (default: all, in order). */
  readonly sources?: readonly Exclude<RuntimeSource, "explicit" | "COPILOT_CLI_PATH">[];
}

/** The platform suffix used by the runtime packages, e.g. `linux-x64`, `linuxmusl-arm64`, `win32-x64`. */
export function runtimePlatform(platform: NodeJS.Platform = process.platform, arch: string = process.arch): string {
  if (platform === "linux" && isMusl()) return `linuxmusl-${arch}`;
  return `${platform}-${arch}`;
}

function isMusl(): boolean {
  try {
    const report = process.report?.getReport() as { header?: { glibcVersionRuntime?: string } } | undefined;
    return report?.header?.glibcVersionRuntime === undefined;
  } catch {
    return false;
  }
}

function isExecutableFile(path: string): boolean {
  try {
    if (!nodeFs().statSync(path).isFile()) return false;
    if (process.platform === "win32") return true;
    nodeFs().accessSync(path, nodeFs().constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

function commandFor(path: string, source: RuntimeSource): ResolvedRuntime {
  const ext = extname(path).toLowerCase();
  if (ext === ".js" || ext === ".mjs" || ext === ".cjs") {
    return { path, command: process.execPath, prefixArgs: [path], source };
  }
  return { path, command: path, prefixArgs: [], source };
}

/** Checks a user-given runtime path; the error names the option that carried it. */
export function checkRuntimePath(path: string, option: string): ResolvedRuntime {
  const abs = resolve(path);
  let stat;
  try {
    stat = nodeFs().statSync(abs);
  } catch {
    throw new SdkError(
      "INVALID_OPTION",
      `${option}: no file at "${abs}". Pass the path of the Copilot runtime executable, or leave it out to use an installed runtime.`,
      { details: { option, path: abs } },
    );
  }
  if (!stat.isFile()) {
    throw new SdkError("INVALID_OPTION", `${option}: "${abs}" is not a file. Pass the path of the Copilot runtime executable itself.`, {
      details: { option, path: abs },
    });
  }
  const resolved = commandFor(abs, option === "COPILOT_CLI_PATH" ? "COPILOT_CLI_PATH" : "explicit");
  if (resolved.command === abs && !isExecutableFile(abs)) {
    throw new SdkError("INVALID_OPTION", `${option}: "${abs}" is not executable. Run \`chmod +x "${abs}"\` or pass another path.`, {
      details: { option, path: abs },
    });
  }
  return resolved;
}

function packageDir(pkg: string, from: string): string | undefined {
  try {
    const require = nodeModule().createRequire(join(from, "noop.js"));
    return dirname(require.resolve(`${pkg}/package.json`));
  } catch {
    return undefined;
  }
}

/** Resolves a package's main entry (for packages whose `exports` hide package.json). */
function packageEntry(pkg: string, from: string): string | undefined {
  try {
    return nodeModule().createRequire(join(from, "noop.js")).resolve(pkg);
  } catch {
    return undefined;
  }
}

function moduleDir(): string | undefined {
  try {
    // In the ESM build; the CJS build gets __dirname. Bundlers may provide neither.
    return typeof __dirname === "string" ? __dirname : dirname(new URL(import.meta.url).pathname);
  } catch {
    return undefined;
  }
}

/**
 * Resolves the runtime to start. Throws `SdkError("RUNTIME_NOT_FOUND")` listing every place tried
 * and how to install one.
 */
export function resolveRuntime(options: ResolveRuntimeOptions = {}): ResolvedRuntime {
  const env = options.env ?? process.env;
  if (options.path !== undefined) return checkRuntimePath(options.path, "connection.path");
  const fromEnv = env.COPILOT_CLI_PATH;
  if (fromEnv !== undefined && fromEnv !== "") return checkRuntimePath(fromEnv, "COPILOT_CLI_PATH");

  const platform = runtimePlatform(options.platform, options.arch);
  const searchFrom = options.searchFrom ?? [process.cwd(), moduleDir()].filter((d): d is string => d !== undefined);
  const tried: string[] = ["connection.path (not given)", "COPILOT_CLI_PATH (not set)"];
  const exe = (options.platform ?? process.platform) === "win32" ? ".exe" : "";

  const sources = options.sources ?? ["@github/copilot-sdk", "@github/copilot", "PATH"];
  const sdkPkg = `@github/copilot-sdk-${platform}`;
  for (const from of sources.includes("@github/copilot-sdk") ? searchFrom : []) {
    const dir = packageDir(sdkPkg, from);
    const candidate = dir && join(dir, "prebuilds", platform, `copilot-runtime${exe}`);
    if (candidate && isExecutableFile(candidate)) return commandFor(candidate, "@github/copilot-sdk");
  }
  if (sources.includes("@github/copilot-sdk")) tried.push(`${sdkPkg} (not installed, looked from ${searchFrom.join(", ")})`);

  const cliPlatformPkg = `@github/copilot-${platform}`;
  for (const from of sources.includes("@github/copilot") ? searchFrom : []) {
    const cliDir = packageDir("@github/copilot", from);
    // The platform binary is a dependency of @github/copilot: resolve it from there (pnpm strict layout).
    // Its `exports` map "." straight to the binary.
    const candidate = (cliDir && packageEntry(cliPlatformPkg, cliDir)) ?? packageEntry(cliPlatformPkg, from);
    if (candidate && isExecutableFile(candidate)) return commandFor(candidate, "@github/copilot");
  }
  if (sources.includes("@github/copilot")) tried.push(`@github/copilot with ${cliPlatformPkg} (not installed)`);

  for (const dir of sources.includes("PATH") ? (env.PATH ?? "").split(delimiter) : []) {
    if (!dir || !isAbsolute(dir)) continue;
    const candidate = join(dir, `copilot${exe}`);
    if (isExecutableFile(candidate)) return commandFor(candidate, "PATH");
  }
  if (sources.includes("PATH")) tried.push("`copilot` on PATH (not found)");

  throw new SdkError(
    "RUNTIME_NOT_FOUND",
    `No Copilot runtime found. Tried: ${tried.join("; ")}. Install one with \`npm install @github/copilot-sdk-${platform}\` or \`npm install @github/copilot\`, or pass RuntimeConnection.forStdio({ path }).`,
    { details: { tried } },
  );
}
