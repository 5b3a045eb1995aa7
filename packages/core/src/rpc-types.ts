/**
 * The contract between the generated bindings (`src/generated/**`) and the hand-written
 * connection. Generated stubs only ever see these interfaces, so they can be driven by the real
 * `JsonRpcConnection`, an in-memory peer, or a recording fake in tests.
 */

/** Per-call options accepted by every generated stub as its last argument. */
export interface RequestOptions {
  /** Reject with `SdkError("TIMEOUT")` if no response arrives within this many milliseconds. */
  timeoutMs?: number;
  /** Reject with `SdkError("ABORTED")` when this signal aborts; the late response is dropped. */
  signal?: AbortSignal;
}

/** Something that can send JSON-RPC requests and notifications. */
export interface RpcCaller {
  request<TResult = unknown>(method: string, params?: unknown, options?: RequestOptions): Promise<TResult>;
  notify(method: string, params?: unknown): Promise<void>;
}

/** Context given to a handler of a server→client request. */
export interface RequestHandlerContext {
  /** The wire method name. */
  readonly method: string;
  /** The JSON-RPC id of the request being answered. */
  readonly id: string | number;
  /** Aborted when the connection closes before the handler has answered. */
  readonly signal: AbortSignal;
}

export type RequestHandler<TParams = unknown, TResult = unknown> = (params: TParams, context: RequestHandlerContext) => TResult | Promise<TResult>;

export type NotificationHandler<TParams = unknown> = (params: TParams) => void | Promise<void>;

/** Call to remove a handler or subscription. Calling it twice is harmless. */
export type Unsubscribe = () => void;

/** Something that dispatches incoming server→client requests and notifications to handlers. */
export interface RpcHandlerRegistry {
  /** Registers the handler for a server→client request. One handler per method; a second replaces the first. */
  onRequest(method: string, handler: RequestHandler): Unsubscribe;
  /** Adds a listener for a server→client notification. Any number per method. */
  onNotification(method: string, handler: NotificationHandler): Unsubscribe;
}

/** Both halves: what a transport-backed connection offers to generated code. */
export interface RpcConnectionLike extends RpcCaller, RpcHandlerRegistry {}

/** Params of a session-scoped method on the wire: the public params plus the target session id. */
export type WithSessionId<T> = T & { sessionId: string };

/**
 * Static description of one JSON-RPC method: one row of the generated method tables
 * (`RPC_METHODS`, `INTERNAL_RPC_METHODS`). Hand-written code reads rows; the generator writes them.
 */
export interface RpcMethodInfo {
  /** `clientToServer`: we call it; `serverToClient`: the runtime calls us (handlers). */
  readonly direction: "clientToServer" | "serverToClient";
  /** Schema tree the method lives in: `server`, `session` (sessionId injected), `clientSession`, `clientGlobal`. */
  readonly scope: "server" | "session" | "clientSession" | "clientGlobal";
  readonly kind: "request" | "notification";
  readonly visibility: "public" | "internal";
  readonly stability: string;
  readonly deprecated: boolean;
  /** Type name of the argument the stub takes, or `null` when it takes none. */
  readonly params: string | null;
  /** The argument may be omitted. */
  readonly paramsOptional: boolean;
  /** Type of the result, or `null` for void. */
  readonly result: string | null;
  /** Stubs inject the bound session's id into the params. */
  readonly sessionScoped: boolean;
}
