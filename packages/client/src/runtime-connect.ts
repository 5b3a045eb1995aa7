/**
 * The steps of one runtime connection that need no client state: the handshake, registering the
 * client as provider (sessionFs, model requests), describing a lost connection, and stop()'s teardown.
 */
import {
  type JsonRpcConnection,
  MethodNotFoundError,
  SdkError,
  ServerShuttingDownError,
  createServerRpc,
  isSdkError,
  type Transport,
  type Unsubscribe,
} from "@flightdeck/copilot-core";
import { createInternalServerRpc } from "@flightdeck/copilot-core/internal";
import { StdioTransport, connectTcp } from "@flightdeck/copilot-core/node";
import type { CopilotSession } from "@flightdeck/copilot-session";
import { buildRuntimeLaunch } from "./client-options.js";
import { type CopilotClientOptions, DEFAULT_STOP_GRACE_MS, type Live, SHUTDOWN_REQUEST_TIMEOUT_MS, SUPPORTED_TASK_KINDS } from "./client-types.js";
import { isCopilotRequestHandler } from "./copilot-request-handler.js";
import { createCopilotRequestHandlerHandlers } from "./copilot-request-server.js";
import { InProcessTransport, resolveRuntimeLibrary } from "./in-process-runtime.js";
import { serveModelRequests } from "./model-request-wire.js";
import { checkProtocolVersion } from "./protocol-range.js";
import { createRequestHandlerHandlers } from "./request-handler.js";
import type { RuntimeConnection } from "./runtime-connection.js";
import { RuntimeProcess, type RuntimeExit } from "./runtime-process.js";
import { resolveRuntime } from "./runtime-resolution.js";
import { sessionFsSetProviderParams } from "./session-fs.js";
import { serveSessionFs } from "./session-fs-handlers.js";
import { telemetryEnv } from "./telemetry.js";
import { within } from "./timers.js";

// For runtime-lifecycle.ts, which makes the connection once these steps are loaded.
export { JsonRpcConnection } from "./rpc-connection.js";

export async function handshake(
  options: CopilotClientOptions,
  connection: JsonRpcConnection,
  token: string | undefined,
  timeoutMs: number,
): Promise<{ runtimeVersion: string | undefined; protocolVersion: number }> {
  const internal = createInternalServerRpc(connection);
  try {
    const result = await internal.connect(
      {
        supportedTaskKinds: SUPPORTED_TASK_KINDS,
        ...(token !== undefined && { token }),
        ...(options.clientInfo && { clientInfo: options.clientInfo }),
        ...(options.onGitHubTelemetry && { enableGitHubTelemetryForwarding: true }),
      } as Parameters<typeof internal.connect>[0],
      { timeoutMs },
    );
    const version = (result as { version?: string }).version;
    return { runtimeVersion: version, protocolVersion: checkProtocolVersion((result as { protocolVersion?: number }).protocolVersion, version) };
  } catch (error) {
    // Older runtimes have no `connect`: fall back to `ping`, which reports the protocol version.
    if (!(error instanceof MethodNotFoundError)) throw error;
    const pong = await createServerRpc(connection).ping({}, { timeoutMs });
    return { runtimeVersion: undefined, protocolVersion: checkProtocolVersion((pong as { protocolVersion?: number }).protocolVersion, undefined) };
  }
}

/**
 * Serves `sessionFs.*` / `llmInference.*` on a new connection and registers this client as the
 * runtime's provider of each, before any session is created or resumed on it.
 */
export async function registerProviders(
  options: CopilotClientOptions,
  connection: JsonRpcConnection,
  timeoutMs: number,
  reportError: (error: unknown) => void,
): Promise<Unsubscribe> {
  const offs: Unsubscribe[] = [];
  const onError = (e: unknown) => reportError(e);
  const rpc = createServerRpc(connection);
  try {
    const plugins = options.builtinPluginDirectories;
    if (plugins && plugins.length > 0) await rpc.plugins.builtin.set({ paths: [...plugins] }, { timeoutMs });
    if (options.sessionFs) {
      offs.push(serveSessionFs(connection, options.sessionFs, onError));
      const params = sessionFsSetProviderParams(options.sessionFs, options.workingDirectory ?? globalThis.process.cwd());
      const result = await rpc.sessionFs.setProvider(params, { timeoutMs });
      if (!result?.success)
        throw new SdkError(
          "CONNECT_FAILED",
          "sessionFs: the runtime refused to use this client as the session filesystem provider (sessionFs.setProvider answered success: false); another client may hold it.",
        );
    }
    if (options.requestHandler) {
      const handler = options.requestHandler;
      offs.push(
        serveModelRequests(
          connection,
          isCopilotRequestHandler(handler)
            ? createCopilotRequestHandlerHandlers(handler, connection, onError)
            : createRequestHandlerHandlers(handler, connection, onError),
        ),
      );
      const result = await rpc.llmInference.setProvider({ timeoutMs });
      if (!result?.success)
        throw new SdkError(
          "CONNECT_FAILED",
          "requestHandler: the runtime refused to route model requests to this client (llmInference.setProvider answered success: false); another client may hold it.",
        );
    }
  } catch (error) {
    for (const off of offs) off();
    throw error;
  }
  return () => {
    for (const off of offs) off();
  };
}

/** The error a lost connection is reported with: the runtime exited, or (TCP) the connection alone was lost. */
export function describeLoss(live: Live, closeError: SdkError, autoRestart: boolean): SdkError {
  const exit = live.process?.exitState;
  const processDied = live.process !== undefined && (exit !== null || !live.process.treePids().includes(live.process.pid));
  const next = autoRestart ? " autoRestart will try to bring it back." : " Call start() to start a new runtime, or set autoRestart: true.";
  // The runtime shuts down cleanly on SIGINT and SIGTERM; on Linux it shares the app's process group.
  const why =
    exit?.code === 0 && live.kind === "stdio"
      ? " It exited by itself with code 0, as it does on SIGINT or SIGTERM: Ctrl-C in a terminal reaches it as it reaches your app (stop the client from your app's SIGINT handler)."
      : "";
  if (live.kind !== "stdio" && !processDied) {
    const where = live.process ? `the runtime it started (pid ${live.process.pid}) was still running and has been stopped` : "the runtime may still be running";
    return new SdkError(
      "CONNECTION_LOST",
      `The TCP connection to the Copilot runtime on port ${live.port ?? "?"} was lost (${closeError.message}); ${where}.${autoRestart ? " autoRestart will reconnect." : " Call start() to connect again."}`,
      {
        cause: closeError,
        details: { port: live.port, pid: live.process?.pid },
      },
    );
  }
  return new SdkError("RUNTIME_EXITED", `The Copilot runtime connection closed unexpectedly: ${closeError.message}${why}${next}`, {
    cause: closeError,
    details: { exitCode: exit?.code, signal: exit?.signal, stderrTail: live.process?.stderrTail() },
  });
}

/**
 * stop()'s part on one connection: detach `sessions`, ask the runtime to shut down, then end its
 * process (SIGTERM, SIGKILL after `grace`); what could not be done is pushed to `errors`. A runtime
 * already shutting down by itself (it got SIGINT from Ctrl-C in a terminal, or SIGTERM) is no
 * error: when it then exits cleanly without a signal from stop(), its refusals are dropped.
 */
export async function teardown(live: Live, sessions: readonly CopilotSession[], grace: number, errors: Error[]): Promise<void> {
  let responsive = true;
  /** Refusals that only say the runtime is on its way out already. */
  const goingAway: Error[] = [];
  if (sessions.length > 0 && !live.connection.isClosed) {
    const detached = await within(Promise.allSettled(sessions.map((s) => s.disconnect())), grace);
    if (detached === undefined) {
      responsive = false;
      errors.push(
        new SdkError(
          "TIMEOUT",
          `stop(): the runtime did not confirm session.detach for ${sessions.length} session(s) within stopGraceMs (${grace} ms); it is not answering, so it was killed without detaching them.`,
          { details: { sessions: sessions.map((s) => s.sessionId) } },
        ),
      );
    } else {
      for (const result of detached) if (result.status === "rejected") errors.push(result.reason as Error);
    }
  }
  if (responsive && (live.process || live.kind === "inprocess") && !live.connection.isClosed) {
    try {
      await createServerRpc(live.connection).runtime.shutdown({ timeoutMs: Math.min(grace, SHUTDOWN_REQUEST_TIMEOUT_MS) || SHUTDOWN_REQUEST_TIMEOUT_MS });
    } catch (error) {
      if (live.process && (isSdkError(error, "CONNECTION_CLOSED") || error instanceof ServerShuttingDownError)) goingAway.push(error as Error);
      else errors.push(error as Error);
      if (isSdkError(error, "TIMEOUT")) responsive = false;
    }
  }
  const closing = live.connection.close().catch((error: unknown) => void errors.push(error as Error));
  if (live.process) {
    if (!responsive) {
      await live.process.kill();
    } else {
      const { exit, signalled } = await live.process.terminate(grace, grace);
      if (goingAway.length > 0 && !(signalled === undefined && exitedCleanly(exit))) errors.push(...goingAway);
      if (signalled === "SIGKILL") {
        errors.push(
          new SdkError(
            "TIMEOUT",
            `stop(): the runtime (or a process it started) did not exit within stopGraceMs (${grace} ms) after shutdown and SIGTERM; it was killed with SIGKILL.`,
            { details: { pid: live.process.pid } },
          ),
        );
      }
    }
  }
  // A TCP close waits for the peer at most 1 s; stdio's ends with the process.
  await within(closing, grace);
}

/** An exit the runtime chose: code 0, or the default action of a signal that asks a process to end. */
function exitedCleanly(exit: RuntimeExit): boolean {
  return exit.code === 0 || exit.signal === "SIGINT" || exit.signal === "SIGTERM" || exit.signal === "SIGHUP";
}

/**
 * Opens the transport of one connect attempt: dials a running runtime (`forUri`), loads it in
 * process, or spawns it (stdio, or TCP once it listens). A spawned process is put in `started` at
 * once, so the caller can kill it when the attempt is cancelled or fails.
 */
export async function openTransport(
  options: CopilotClientOptions,
  config: RuntimeConnection,
  signal: AbortSignal,
  startTimeoutMs: number,
  onStderrLine: (line: string) => void,
  started: { process?: RuntimeProcess },
): Promise<{ transport: Transport; connectionToken: string | undefined; port: number | undefined }> {
  let transport: Transport;
  let connectionToken: string | undefined;
  let port: number | undefined;
  if (config.kind === "uri") {
    port = config.port;
    transport = await connectTcp({ host: config.host, port, timeoutMs: startTimeoutMs, signal });
    connectionToken = config.connectionToken;
  } else if (config.kind === "inprocess") {
    // koffi and the native library are loaded by the transport, on first use.
    const libraryPath = resolveRuntimeLibrary({ libraryPath: config.libraryPath, env: options.env ?? globalThis.process.env });
    const launch = buildRuntimeLaunch(options, config);
    transport = await InProcessTransport.start({
      libraryPath,
      args: launch.args,
      env: options.telemetry ? { ...launch.env, ...telemetryEnv(options.telemetry) } : launch.env,
    });
  } else {
    const runtime = resolveRuntime({ path: config.path, env: options.env ?? globalThis.process.env });
    const launch = buildRuntimeLaunch(options, config);
    connectionToken = launch.connectionToken;
    const process = await RuntimeProcess.spawn({
      command: runtime.command,
      args: [...runtime.prefixArgs, ...launch.args],
      env: options.telemetry ? { ...launch.env, ...telemetryEnv(options.telemetry) } : launch.env,
      cwd: options.workingDirectory,
      ...(config.ownProcessGroup !== undefined && { ownProcessGroup: config.ownProcessGroup }),
      onStderrLine: (line) => onStderrLine(line),
    });
    started.process = process;
    if (signal.aborted) throw signal.reason;
    if (config.kind === "stdio") {
      transport = new StdioTransport(process.child, { killGraceMs: options.stopGraceMs ?? DEFAULT_STOP_GRACE_MS });
    } else {
      port = await process.waitForListeningPort(startTimeoutMs);
      if (signal.aborted) throw signal.reason;
      transport = await connectTcp({ host: config.host, port, timeoutMs: startTimeoutMs, signal });
    }
  }
  return { transport, connectionToken, port };
}
