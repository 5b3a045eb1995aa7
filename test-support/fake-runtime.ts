/**
 * A fake Copilot runtime for unit tests: the other end of an in-memory JSON-RPC pair. It answers
 * the session methods a `SessionHost` uses, records every call, emits `session.event`
 * notifications and sends server→client requests.
 */
import { randomUUID } from "node:crypto";
import { JsonRpcConnection, createInMemoryTransportPair, type RequestHandler } from "@flightdeck/copilot-core";

export interface RecordedCall {
  method: string;
  params: Record<string, unknown>;
}

export interface FakeRuntime {
  /** The client side: give it to `new SessionHost(...)`. */
  client: JsonRpcConnection;
  /** The runtime side. */
  server: JsonRpcConnection;
  calls: RecordedCall[];
  callsOf(method: string): RecordedCall[];
  /** Resolves with the first call of `method` (matching `predicate`) already made or yet to come. */
  waitForCall(method: string, predicate?: (params: Record<string, unknown>) => boolean): Promise<RecordedCall>;
  /** Sends one `session.event` with a valid envelope; returns the event. */
  emit(sessionId: string, type: string, data: unknown, extra?: Record<string, unknown>): Record<string, unknown>;
  /** Sends a raw `session.event` params object as is. */
  emitRaw(params: unknown): void;
  /** Sends a server→client request and resolves with the client's answer. */
  request(method: string, params: unknown): Promise<unknown>;
  /** Overrides the answer to a method (default answers cover every method the host calls). */
  handle(method: string, handler: RequestHandler): void;
  /** Lets in-flight messages and microtasks settle. */
  settle(): Promise<void>;
  close(): Promise<void>;
}

export function createFakeRuntime(): FakeRuntime {
  const [clientSide, serverSide] = createInMemoryTransportPair();
  const client = new JsonRpcConnection(clientSide);
  const server = new JsonRpcConnection(serverSide);
  const calls: RecordedCall[] = [];
  const watchers: Array<{ method: string; predicate?: (p: Record<string, unknown>) => boolean; resolve: (c: RecordedCall) => void }> = [];
  const lastEventId = new Map<string, string>();

  const defaults: Record<string, RequestHandler> = {
    "session.create": (p) => ({
      sessionId: (p as { sessionId: string }).sessionId,
      workspacePath: `/projects/ws/${(p as { sessionId: string }).sessionId}`,
      capabilities: { ui: { elicitation: false } },
    }),
    "session.resume": (p) => ({
      sessionId: (p as { sessionId: string }).sessionId,
      workspacePath: `/projects/ws/${(p as { sessionId: string }).sessionId}`,
      capabilities: {},
    }),
    "session.send": () => ({ messageId: randomUUID() }),
    "session.abort": () => ({}),
    "session.log": () => ({ eventId: randomUUID() }),
    "session.model.switchTo": (p) => ({ modelId: (p as { modelId: string }).modelId }),
    "session.tools.handlePendingToolCall": () => ({ success: true }),
    "session.permissions.handlePendingPermissionRequest": () => ({ success: true }),
    "session.getMessages": () => ({ events: [] }),
    "session.detach": () => ({ success: true }),
  };
  const handlers = new Map<string, RequestHandler>(Object.entries(defaults));
  const record = (method: string) =>
    server.onRequest(method, (params, context) => {
      const call = { method, params: params as Record<string, unknown> };
      calls.push(call);
      for (const w of [...watchers]) {
        if (w.method === method && (!w.predicate || w.predicate(call.params))) {
          watchers.splice(watchers.indexOf(w), 1);
          w.resolve(call);
        }
      }
      return handlers.get(method)!(params, context);
    });
  for (const method of handlers.keys()) record(method);

  const settle = async () => {
    for (let i = 0; i < 5; i++) await new Promise((resolve) => setImmediate(resolve));
  };

  return {
    client,
    server,
    calls,
    callsOf: (method) => calls.filter((c) => c.method === method),
    waitForCall: (method, predicate) => {
      const found = calls.find((c) => c.method === method && (!predicate || predicate(c.params)));
      if (found) return Promise.resolve(found);
      return new Promise((resolve) => watchers.push({ method, predicate, resolve }));
    },
    emit: (sessionId, type, data, extra = {}) => {
      const id = randomUUID();
      const event = { id, timestamp: new Date().toISOString(), parentId: lastEventId.get(sessionId) ?? null, ...extra, type, data };
      lastEventId.set(sessionId, id);
      void server.notify("session.event", { sessionId, event });
      return event;
    },
    emitRaw: (params) => void server.notify("session.event", params),
    request: (method, params) => server.request(method, params),
    handle: (method, handler) => {
      if (!handlers.has(method)) record(method);
      handlers.set(method, handler);
    },
    settle,
    close: async () => {
      await client.close();
      await server.close();
    },
  };
}
