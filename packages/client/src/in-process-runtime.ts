/**
 * The in-process runtime (`RuntimeConnection.forInProcess()`): the runtime library of the
 * `@github/copilot-sdk-<platform>` package (`prebuilds/<platform>/runtime.node`, a native library
 * with a small C ABI, not a Node addon) loaded into this process through koffi, with the same
 * JSON-RPC frames as over stdio flowing through two calls: `connection_write` (client → runtime) and
 * a callback (runtime → client).
 *
 * This module and koffi are loaded only when a client with `forInProcess()` starts: importing the
 * SDK costs nothing more. koffi is an optional peer dependency; a missing koffi or a platform
 * without the library is a `RUNTIME_NOT_FOUND` error that says what to install.
 *
 * Each runtime started here gets its own argv and environment block: the runtime reads its own
 * variables (`COPILOT_HOME`, the token named by `--auth-token-env`, OTEL settings, …) from that
 * block, so two clients in one process keep separate state. `process.env` is never modified.
 */
import { existsSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join, resolve } from "node:path";
import { BaseTransport, SdkError } from "@flightdeck/copilot-core";
import { runtimePlatform } from "./runtime-resolution.js";

const SYMBOL_PREFIX = "copilot_runtime_";

/** The subset of koffi's API used here (typed locally: koffi is an optional peer dependency). */
interface KoffiFunction {
  (...args: unknown[]): unknown;
  async(...args: unknown[]): void;
}
interface KoffiLibrary {
  func(name: string, result: string, params: unknown[]): KoffiFunction;
}
interface Koffi {
  load(path: string): KoffiLibrary;
  proto(signature: string): unknown;
  pointer(type: unknown): unknown;
  register(callback: (...args: never[]) => void, type: unknown): unknown;
  unregister(callback: unknown): void;
  decode(pointer: unknown, type: unknown): unknown;
  array(type: string, length: number, hint: string): unknown;
}

interface RuntimeLibrary {
  readonly path: string;
  readonly koffi: Koffi;
  readonly hostStart: KoffiFunction;
  readonly hostShutdown: KoffiFunction;
  readonly connectionOpen: KoffiFunction;
  readonly connectionWrite: KoffiFunction;
  readonly connectionClose: KoffiFunction;
  readonly outboundCallback: unknown;
}

// A native library is loaded once per process; every in-process client shares it.
let loaded: RuntimeLibrary | undefined;

async function importKoffi(): Promise<Koffi> {
  try {
    const mod = (await import("koffi")) as unknown as { default?: Koffi } & Koffi;
    return mod.default ?? mod;
  } catch (cause) {
    throw new SdkError(
      "RUNTIME_NOT_FOUND",
      "RuntimeConnection.forInProcess() needs the koffi package to load the runtime library into this process, and it is not installed. Run `npm install koffi` (version 3), or use RuntimeConnection.forStdio() to run the runtime as a child process.",
      { cause, details: { option: "connection", missing: "koffi" } },
    );
  }
}

export interface ResolveRuntimeLibraryOptions {
  /** An explicit path (`RuntimeConnection.forInProcess({ libraryPath })`). */
  readonly libraryPath?: string | undefined;
  /** Environment to read `COPILOT_CLI_PATH` from. */
  readonly env?: Readonly<Record<string, string | undefined>>;
  readonly platform?: NodeJS.Platform;
  readonly arch?: string;
  /** Folders to resolve packages from; defaults to the current directory and this module. */
  readonly searchFrom?: readonly string[];
}

function moduleDir(): string | undefined {
  try {
    return typeof __dirname === "string" ? __dirname : dirname(new URL(import.meta.url).pathname);
  } catch {
    return undefined;
  }
}

/**
 * Finds the runtime library: an explicit `libraryPath`, then a `runtime.node` next to (or under
 * `prebuilds/<platform>/` of) `COPILOT_CLI_PATH`, then the installed `@github/copilot-sdk-<platform>`
 * package. Throws `SdkError("RUNTIME_NOT_FOUND")` listing what was tried and what to install.
 */
export function resolveRuntimeLibrary(options: ResolveRuntimeLibraryOptions = {}): string {
  const platform = runtimePlatform(options.platform, options.arch);
  if (options.libraryPath !== undefined) {
    const path = resolve(options.libraryPath);
    if (!existsSync(path)) {
      throw new SdkError(
        "RUNTIME_NOT_FOUND",
        `RuntimeConnection.forInProcess({ libraryPath }): no file at "${path}". Pass the path of the runtime library (runtime.node of @github/copilot-sdk-${platform}), or leave it out to use the installed package.`,
        {
          details: { option: "libraryPath", path },
        },
      );
    }
    return path;
  }
  const tried: string[] = [];
  const fromEnv = (options.env ?? process.env).COPILOT_CLI_PATH;
  if (fromEnv !== undefined && fromEnv !== "") {
    const dir = dirname(resolve(fromEnv));
    for (const candidate of [join(dir, "runtime.node"), join(dir, "prebuilds", platform, "runtime.node")]) {
      if (existsSync(candidate)) return candidate;
      tried.push(candidate);
    }
  }
  const pkg = `@github/copilot-sdk-${platform}`;
  const searchFrom = options.searchFrom ?? [process.cwd(), moduleDir()].filter((d): d is string => d !== undefined);
  for (const from of searchFrom) {
    let manifest: string;
    try {
      manifest = createRequire(join(from, "noop.js")).resolve(`${pkg}/package.json`);
    } catch {
      tried.push(`${pkg} from ${from} (not installed)`);
      continue;
    }
    const candidate = join(dirname(manifest), "prebuilds", platform, "runtime.node");
    if (existsSync(candidate)) return candidate;
    tried.push(candidate);
  }
  throw new SdkError(
    "RUNTIME_NOT_FOUND",
    `RuntimeConnection.forInProcess(): no runtime library for ${platform}. Tried: ${tried.join("; ")}. Install it with \`npm install ${pkg}\` (the Copilot CLI package @github/copilot has no in-process library), pass RuntimeConnection.forInProcess({ libraryPath }), or use RuntimeConnection.forStdio() on this platform.`,
    { details: { platform, tried, package: pkg } },
  );
}

async function loadRuntimeLibrary(path: string): Promise<RuntimeLibrary> {
  if (loaded) {
    if (loaded.path !== path) {
      throw new SdkError(
        "INVALID_OPTION",
        `RuntimeConnection.forInProcess(): the runtime library "${loaded.path}" is already loaded in this process; another one ("${path}") cannot be loaded next to it. Use the same library for every in-process client, or RuntimeConnection.forStdio() for the other runtime.`,
        { details: { option: "libraryPath", loaded: loaded.path, requested: path } },
      );
    }
    return loaded;
  }
  const koffi = await importKoffi();
  let lib: KoffiLibrary;
  try {
    lib = koffi.load(path);
  } catch (cause) {
    throw new SdkError(
      "RUNTIME_NOT_FOUND",
      `RuntimeConnection.forInProcess(): could not load the runtime library "${path}": ${(cause as Error)?.message ?? String(cause)}. Check that the installed @github/copilot-sdk-${runtimePlatform()} package matches this platform, or use RuntimeConnection.forStdio().`,
      {
        cause,
        details: { path },
      },
    );
  }
  const outboundCallback = koffi.pointer(koffi.proto(`void ${SYMBOL_PREFIX}outbound_cb(void *userData, uint8 *bytes, size_t length)`));
  loaded = {
    path,
    koffi,
    hostStart: lib.func(`${SYMBOL_PREFIX}host_start`, "uint32", ["uint8*", "size_t", "uint8*", "size_t"]),
    hostShutdown: lib.func(`${SYMBOL_PREFIX}host_shutdown`, "bool", ["uint32"]),
    connectionOpen: lib.func(`${SYMBOL_PREFIX}connection_open`, "uint32", [
      "uint32",
      outboundCallback,
      "void*",
      "uint8*",
      "size_t",
      "uint8*",
      "size_t",
      "uint8*",
      "size_t",
    ]),
    connectionWrite: lib.func(`${SYMBOL_PREFIX}connection_write`, "bool", ["uint32", "uint8*", "size_t"]),
    connectionClose: lib.func(`${SYMBOL_PREFIX}connection_close`, "bool", ["uint32"]),
    outboundCallback,
  };
  return loaded;
}

function callAsync<T>(fn: KoffiFunction, ...args: unknown[]): Promise<T> {
  return new Promise<T>((resolvePromise, reject) => {
    fn.async(...args, (error: unknown, result: T) => (error ? reject(error) : resolvePromise(result)));
  });
}

export interface StartInProcessOptions {
  readonly libraryPath: string;
  /** The runtime's argv after the program name (`--log-level`, `--no-auto-login`, …). */
  readonly args: readonly string[];
  /** The runtime's environment block (its own variables); never `process.env` itself. */
  readonly env: Readonly<Record<string, string>>;
}

/**
 * A `Transport` to a runtime hosted in this process. `close()` closes the connection and shuts the
 * runtime host down; nothing is left running in the process afterwards.
 */
export class InProcessTransport extends BaseTransport {
  private closing: Promise<void> | undefined;
  private callback: unknown;
  // The runtime keeps no handle on the event loop: this timer keeps the process alive while the
  // runtime is hosted, as a child process's pipes would.
  private readonly keepAlive: ReturnType<typeof setInterval>;

  private constructor(
    private readonly lib: RuntimeLibrary,
    private readonly hostId: number,
    private connectionId: number,
    callback: unknown,
  ) {
    super();
    this.callback = callback;
    this.keepAlive = setInterval(() => {}, 1 << 30);
  }

  /** Loads the library (once per process), starts a runtime host and opens a connection to it. */
  static async start(options: StartInProcessOptions): Promise<InProcessTransport> {
    const lib = await loadRuntimeLibrary(options.libraryPath);
    const argv = Buffer.from(JSON.stringify(["copilot", "--embedded-host", "--no-auto-update", ...options.args]), "utf8");
    const env = Buffer.from(JSON.stringify(options.env), "utf8");
    let hostId: number;
    try {
      hostId = await callAsync<number>(lib.hostStart, argv, argv.length, env, env.length);
    } catch (cause) {
      throw new SdkError("CONNECT_FAILED", `The in-process runtime failed to start: ${(cause as Error)?.message ?? String(cause)}.`, { cause });
    }
    if (!hostId)
      throw new SdkError(
        "CONNECT_FAILED",
        `The in-process runtime did not start (library "${lib.path}"). Run with logLevel "debug", or try RuntimeConnection.forStdio() to see the runtime's stderr.`,
      );
    let transport: InProcessTransport | undefined;
    const buffered: Uint8Array[] = [];
    const callback = lib.koffi.register((_userData: unknown, bytes: unknown, length: number | bigint) => {
      const n = Number(length);
      if (!bytes || n <= 0) return;
      // The native buffer is only valid during this call: copy it out.
      const chunk = Buffer.from(lib.koffi.decode(bytes, lib.koffi.array("uint8", n, "Typed")) as Uint8Array);
      if (transport) transport.receive(chunk);
      else buffered.push(chunk);
    }, lib.outboundCallback);
    const connectionId = lib.connectionOpen(hostId, callback, null, null, 0, null, 0, null, 0) as number;
    if (!connectionId) {
      lib.koffi.unregister(callback);
      lib.hostShutdown(hostId);
      throw new SdkError("CONNECT_FAILED", "The in-process runtime started but refused a connection. Try RuntimeConnection.forStdio().");
    }
    transport = new InProcessTransport(lib, hostId, connectionId, callback);
    for (const chunk of buffered) transport.receive(chunk);
    return transport;
  }

  private receive(chunk: Uint8Array): void {
    this.emitData(chunk);
  }

  write(bytes: Uint8Array): void {
    if (this.isClosed || this.closing) throw this.closedWriteError();
    // connection_write queues the frame for the runtime and returns at once.
    if (!this.lib.connectionWrite(this.connectionId, bytes, bytes.length)) {
      void this.shutdown({ reason: "the in-process runtime refused a write (its connection is gone)", initiatedLocally: false });
      throw this.closedWriteError();
    }
  }

  /** Closes the connection and shuts the runtime host down. Idempotent. */
  close(): Promise<void> {
    return this.shutdown({ reason: "the in-process runtime was shut down", initiatedLocally: true });
  }

  private shutdown(info: { reason: string; initiatedLocally: boolean }): Promise<void> {
    this.closing ??= (async () => {
      let error: Error | undefined;
      try {
        if (this.connectionId) await callAsync<boolean>(this.lib.connectionClose, this.connectionId);
        this.connectionId = 0;
      } catch (cause) {
        error = cause as Error;
      }
      try {
        if (this.callback !== undefined) this.lib.koffi.unregister(this.callback);
        this.callback = undefined;
        this.lib.hostShutdown(this.hostId);
      } catch (cause) {
        error ??= cause as Error;
      }
      clearInterval(this.keepAlive);
      this.emitClose(error ? { ...info, error } : info);
    })();
    return this.closing;
  }
}
