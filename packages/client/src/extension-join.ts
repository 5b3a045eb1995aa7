/**
 * The connecting part of `joinSession` (extension.ts): the transport over this process's stdin and
 * stdout, the join and the workflows served. Loaded by `joinSession()`, not by importing the package.
 */
import { BaseTransport, createServerRpc } from "@flightdeck/copilot-core";
import {
  WORKFLOW_PROTOCOLS,
  serveWorkflows,
  workflowNamespaceFor,
  type CopilotSession,
  type SessionConfig,
  type SessionHost,
  type Workflow,
} from "@flightdeck/copilot-session";
import { ExtensionError } from "./extension-error.js";
import { JsonRpcConnection } from "./rpc-connection.js";

/** A transport over this process's own stdin/stdout: the extension side of the runtime's pipes. */
class ParentProcessTransport extends BaseTransport {
  readonly #onData = (chunk: Buffer) => this.emitData(chunk);
  readonly #onEnd = () => this.emitClose({ reason: "the runtime closed the extension's stdin", initiatedLocally: false });

  constructor() {
    super();
    process.stdin.on("data", this.#onData);
    process.stdin.on("end", this.#onEnd);
    process.stdin.on("close", this.#onEnd);
  }

  write(bytes: Uint8Array): void {
    if (this.isClosed) throw this.closedWriteError();
    process.stdout.write(bytes);
  }

  close(): Promise<void> {
    process.stdin.off("data", this.#onData);
    process.stdin.off("end", this.#onEnd);
    process.stdin.off("close", this.#onEnd);
    process.stdin.pause();
    this.emitClose({ reason: "the extension left the session", initiatedLocally: true });
    return Promise.resolve();
  }
}

/** What `joinSession` checked and split off its config. */
export interface JoinRequest {
  requestedEnvironmentVariables: readonly string[] | undefined;
  workflows: readonly Workflow[] | undefined;
  suppressResumeEvent: boolean | undefined;
  sessionConfig: SessionConfig;
}

/** Joins session `sessionId` over this process's stdin/stdout (see `joinSession`). */
export async function joinOver(
  SessionHostClass: typeof SessionHost,
  sessionId: string,
  { requestedEnvironmentVariables, workflows, suppressResumeEvent, sessionConfig }: JoinRequest,
): Promise<CopilotSession> {
  const connection = new JsonRpcConnection(new ParentProcessTransport(), {
    onError: (e) => sessionConfig.onError?.(e) ?? console.error(`[flightdeck extension] ${(e as Error)?.message ?? String(e)}`),
  });
  // The runtime's version picks the workflow spelling (factory.* before 1.0.89, workflow.* after).
  let runtimeVersion: string | undefined;
  try {
    const status = (await createServerRpc(connection).status.get()) as { version?: string };
    runtimeVersion = status.version;
  } catch {
    // an older runtime without status.get over this pipe: fall back to the newer spelling
  }
  const protocol = WORKFLOW_PROTOCOLS[workflowNamespaceFor(runtimeVersion) ?? "workflow"];
  const wire: Record<string, unknown> = { disableResume: suppressResumeEvent ?? true };
  if (requestedEnvironmentVariables?.length) wire.requestedEnvironmentVariables = [...requestedEnvironmentVariables];
  if (workflows?.length) wire[protocol.registrationKey] = workflows.map((w) => ({ ...w.meta }));

  const host = new SessionHostClass(connection, {
    onError: (e) => (sessionConfig.onError ?? ((err: unknown) => console.error(`[flightdeck extension] ${(err as Error)?.message ?? String(err)}`)))(e),
  });
  const offWorkflows = workflows?.length
    ? serveWorkflows({ sessionId, registry: connection, caller: connection, protocol, onError: (e) => host && sessionConfig.onError?.(e) }, workflows)
    : undefined;
  let granted: Record<string, string> = {};
  let session: CopilotSession;
  try {
    session = await host.resumeSession(sessionId, sessionConfig, {
      wire,
      onResult: (result) => {
        const g = result.grantedEnvironmentVariables;
        if (g && typeof g === "object") granted = g as Record<string, string>;
      },
    });
  } catch (cause) {
    offWorkflows?.();
    await connection.close().catch(() => {});
    const message = cause instanceof Error ? cause.message : String(cause);
    if (requestedEnvironmentVariables?.length && /environment|denied|declined/i.test(message)) {
      throw new ExtensionError(
        "ENVIRONMENT_DENIED",
        `joinSession: the user did not grant ${requestedEnvironmentVariables.join(", ")} (${message}). The extension cannot load without them; ask for fewer variables or explain why they are needed.`,
        { cause },
      );
    }
    throw new ExtensionError("JOIN_FAILED", `joinSession: could not join session ${sessionId}: ${message}`, { cause });
  }
  const requested = new Set(requestedEnvironmentVariables ?? []);
  for (const [name, value] of Object.entries(granted)) if (requested.has(name) && typeof value === "string") process.env[name] = value;
  // When the runtime goes away, so does this extension: nothing is left running.
  connection.onClose(() => {
    offWorkflows?.();
    host.dispose();
  });
  return session;
}
