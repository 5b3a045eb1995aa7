/**
 * A raw JSON-RPC driver of a real runtime, for the end-to-end tests of packages below the
 * session (core, tools) that must not go through `CopilotSession`: an isolated environment from
 * the testing kit, core's stdio transport and connection, and the `session.event` notifications
 * collected. Raw method names are on purpose here; product code goes through generated stubs.
 */
import { JsonRpcConnection } from "@flightdeck/copilot-core";
import { spawnStdioTransport } from "@flightdeck/copilot-core/node";
import { createIsolatedEnvironment, resolveTestRuntimes, runtimeArgs, type TestRuntime } from "@flightdeck/copilot-testing";

export interface RuntimeEvent {
  sessionId: string;
  event: { type: string; data: Record<string, unknown> };
}

export interface RawRuntime {
  readonly runtime: TestRuntime;
  /** Every `session.event` received so far. */
  readonly events: RuntimeEvent[];
  request<T = Record<string, unknown>>(method: string, params?: unknown): Promise<T>;
  /** Calls `listener` for every event from now on. */
  onEvent(listener: (e: RuntimeEvent) => void): () => void;
  /** The next event of `type` for `sessionId`; rejects after `timeoutMs` naming the events seen. */
  waitForEvent(type: string, sessionId: string, timeoutMs?: number): Promise<RuntimeEvent["event"]>;
  /** Closes the connection, ends the runtime and removes the temp folder. */
  stop(): Promise<void>;
}

/** Starts `runtime` (default: the first pinned one) isolated over stdio and completes the handshake. */
export async function startRawRuntime(runtime: TestRuntime = resolveTestRuntimes()[0]!): Promise<RawRuntime> {
  const iso = createIsolatedEnvironment();
  const transport = await spawnStdioTransport({ command: runtime.path, args: [...runtime.args, ...runtimeArgs()], env: iso.env, cwd: iso.workingDirectory });
  const connection = new JsonRpcConnection(transport);
  const events: RuntimeEvent[] = [];
  const listeners = new Set<(e: RuntimeEvent) => void>();
  connection.onNotification("session.event", (params) => {
    const e = params as RuntimeEvent;
    events.push(e);
    for (const listener of [...listeners]) listener(e);
  });
  await connection.request("connect", { supportedTaskKinds: ["agent", "client", "shell"] });
  const onEvent = (listener: (e: RuntimeEvent) => void) => {
    listeners.add(listener);
    return () => void listeners.delete(listener);
  };
  return {
    runtime,
    events,
    request: <T>(method: string, params?: unknown) => connection.request<T>(method, params ?? {}),
    onEvent,
    waitForEvent: (type, sessionId, timeoutMs = 15_000) =>
      new Promise((resolve, reject) => {
        const timer = setTimeout(() => {
          off();
          reject(new Error(`no ${type} event within ${timeoutMs} ms; saw: ${events.map((e) => e.event.type).join(", ")}`));
        }, timeoutMs);
        const off = onEvent((e) => {
          if (e.sessionId !== sessionId || e.event.type !== type) return;
          clearTimeout(timer);
          off();
          resolve(e.event);
        });
      }),
    stop: async () => {
      await connection.close();
      await transport.close?.();
      iso.cleanup();
    },
  };
}
