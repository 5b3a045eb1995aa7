/**
 * A JSON-RPC 2.0 endpoint over any {@link Transport}: requests with ids, notifications,
 * responses, and dispatch of the peer's requests and notifications to handlers.
 */
import { FlightdeckError, RpcError, RpcErrorCode, SdkError, type JsonRpcErrorObject } from "./errors.js";
import { FrameDecoder, frameJson, messageJson, type FrameEvent, type FrameSink } from "./framing.js";
import type { JsonRpcId, JsonRpcMessage, JsonRpcNotification, JsonRpcRequest, JsonRpcResponse } from "./json-rpc-message.js";
import type { NotificationHandler, RequestHandler, RequestOptions, RpcConnectionLike, Unsubscribe } from "./rpc-types.js";
import type { Transport, TransportCloseInfo } from "./transport.js";
import type { FrameLogEntry, JsonRpcConnectionOptions } from "./json-rpc-connection-options.js";
import { abortedError, bodyLength, describeClose, errorMessage, validateTimeout } from "./json-rpc-helpers.js";
import { IncomingHandlers } from "./json-rpc-incoming.js";
import { PendingRequests, type PendingRequest } from "./json-rpc-pending.js";

export type { FrameLogEntry, JsonRpcConnectionOptions } from "./json-rpc-connection-options.js";

/**
 * A JSON-RPC 2.0 connection. Implements `RpcConnectionLike`, so the generated stubs run on it.
 *
 * Guarantees: a handler error or a malformed frame never crashes the connection; when the
 * transport closes, every pending request rejects at once with `SdkError("CONNECTION_CLOSED")`
 * (carrying exit code, signal and stderr tail when known) and later calls reject the same way;
 * timeouts and aborts leave no timer or listener behind.
 *
 * @example
 * const transport = await spawnStdioTransport({ command: runtimePath, args: ["--headless", "--stdio"] });
 * const connection = new JsonRpcConnection(transport, { onError: (e) => console.warn(e.message) });
 * connection.onNotification("session.event", (params) => console.log(params));
 * const result = await connection.request("ping", {}, { timeoutMs: 5_000 });
 * await connection.close();
 */
export class JsonRpcConnection implements RpcConnectionLike {
  private readonly transport: Transport;
  private readonly decoder: FrameDecoder;
  private readonly defaultTimeoutMs: number | undefined;
  private nextId = 1;
  private readonly pending = new PendingRequests();
  private readonly incoming = new IncomingHandlers(
    (error) => this.report(error),
    (id, result, error, method) => this.sendResponse(id, result, error, method),
  );
  private errorListeners: Array<(error: FlightdeckError) => void> = [];
  private frameListeners: Array<(entry: FrameLogEntry) => void> = [];
  private closeListeners: Array<(info: TransportCloseInfo, error: SdkError) => void> = [];
  private closeInfo: TransportCloseInfo | undefined;
  private closedError: SdkError | undefined;
  private readonly closedPromise: Promise<TransportCloseInfo>;
  private resolveClosed!: (info: TransportCloseInfo) => void;
  private readonly unsubscribeTransport: Unsubscribe[];
  /** True while a chunk is being decoded and dispatched; chunks arriving meanwhile wait in `queuedChunks`. */
  private receiving = false;
  private queuedChunks: Uint8Array[] | undefined;

  constructor(transport: Transport, options: JsonRpcConnectionOptions = {}) {
    this.transport = transport;
    this.decoder = new FrameDecoder({ maxMessageBytes: options.maxMessageBytes });
    if (options.requestTimeoutMs !== undefined) validateTimeout("requestTimeoutMs", options.requestTimeoutMs);
    this.defaultTimeoutMs = options.requestTimeoutMs;
    if (options.onError) this.errorListeners.push(options.onError);
    if (options.onFrame) this.frameListeners.push(options.onFrame);
    this.closedPromise = new Promise((resolve) => {
      this.resolveClosed = resolve;
    });
    this.unsubscribeTransport = [transport.onData((chunk) => this.receive(chunk)), transport.onClose((info) => this.handleTransportClose(info))];
  }

  /** True once the connection is closed; every call then rejects with {@link closeError}. */
  get isClosed(): boolean {
    return this.closeInfo !== undefined;
  }

  /** The `CONNECTION_CLOSED` error calls reject with after the close, or `undefined` while open. */
  get closeError(): SdkError | undefined {
    return this.closedError;
  }

  /** Resolves (never rejects) with the close info once the connection has closed. */
  get closed(): Promise<TransportCloseInfo> {
    return this.closedPromise;
  }

  /** Number of requests sent and not yet settled. */
  get pendingRequestCount(): number {
    return this.pending.size;
  }

  /**
   * Sends a request and resolves with its `result`. Rejects with an `RpcError` subclass when the
   * peer answers with an error, `SdkError` `TIMEOUT` / `ABORTED` / `CONNECTION_CLOSED` /
   * `VALIDATION` (params not serializable) / `INVALID_OPTION` (bad `timeoutMs`).
   */
  request<TResult = unknown>(method: string, params?: unknown, options: RequestOptions = {}): Promise<TResult> {
    if (this.closedError) return Promise.reject(this.errorAfterClose(method));
    if (typeof method !== "string" || method.length === 0) {
      return Promise.reject(new SdkError("INVALID_OPTION", `request: method must be a non-empty string, got ${JSON.stringify(method)}.`));
    }
    let timeoutMs = this.defaultTimeoutMs;
    if (options.timeoutMs !== undefined) {
      try {
        validateTimeout(`${method}: timeoutMs`, options.timeoutMs);
      } catch (error) {
        return Promise.reject(error);
      }
      timeoutMs = options.timeoutMs;
    }
    const signal = options.signal;
    if (signal?.aborted) return Promise.reject(abortedError(method, signal));

    const id = this.nextId++;
    const message: JsonRpcRequest = params === undefined ? { jsonrpc: "2.0", id, method } : { jsonrpc: "2.0", id, method, params };
    let json: string;
    try {
      json = messageJson(message);
    } catch (cause) {
      return Promise.reject(
        new SdkError(
          "VALIDATION",
          `${method}: params cannot be serialized to JSON (${(cause as Error).message}); pass plain JSON values (no BigInt, functions or cycles).`,
          { cause },
        ),
      );
    }

    // Over a stream transport (`writeMessage`: stdio, TCP) the reply can only arrive in a later
    // turn, so the frame goes out first and the bookkeeping follows: the request leaves sooner.
    const early = this.frameListeners.length === 0 && this.transport.writeMessage !== undefined;
    if (early) {
      try {
        this.transport.writeMessage!(json);
      } catch (cause) {
        return Promise.reject(writeFailed(method, cause));
      }
    }
    return new Promise<TResult>((resolve, reject) => {
      const entry: PendingRequest = { method, resolve: resolve as (v: unknown) => void, reject, timer: undefined, signal, onAbort: undefined };
      this.pending.add(id, entry);
      try {
        if (!early) this.writeFrame(message, json);
        // The connection-wide default is a safety net: it never keeps the process alive by itself.
        this.pending.arm(id, entry, timeoutMs, options.timeoutMs === undefined);
      } catch (cause) {
        this.pending.settle(id)?.reject(writeFailed(method, cause));
      }
    });
  }

  /** Sends a notification (no response). Rejects with `CONNECTION_CLOSED` or `VALIDATION`. */
  notify(method: string, params?: unknown): Promise<void> {
    if (this.closedError) return Promise.reject(this.errorAfterClose(method));
    const message: JsonRpcNotification = params === undefined ? { jsonrpc: "2.0", method } : { jsonrpc: "2.0", method, params };
    let json: string;
    try {
      json = messageJson(message);
    } catch (cause) {
      return Promise.reject(
        new SdkError("VALIDATION", `${method}: params cannot be serialized to JSON (${(cause as Error).message}); pass plain JSON values.`, { cause }),
      );
    }
    try {
      this.writeFrame(message, json);
    } catch (cause) {
      return Promise.reject(
        cause instanceof SdkError
          ? cause
          : new SdkError("CONNECTION_CLOSED", `${method}: writing the notification failed (${(cause as Error).message}).`, { cause }),
      );
    }
    return Promise.resolve();
  }

  /**
   * Handles the peer's requests for `method`. One handler per method; registering again replaces it.
   * Return the result (or a promise of it); throw an `RpcError` to answer with its code, anything
   * else answers -32603 with the error's message and is reported as `HANDLER_FAILED`.
   * Requests for methods without a handler are answered -32601.
   */
  onRequest(method: string, handler: RequestHandler): Unsubscribe {
    return this.incoming.onRequest(method, handler);
  }

  /** Adds a listener for the peer's notification `method`. Errors it throws/rejects go to `onError`. */
  onNotification(method: string, handler: NotificationHandler): Unsubscribe {
    return this.incoming.onNotification(method, handler);
  }

  /** Subscribes to problems not tied to one call (handler errors, bad frames, unknown response ids). */
  onError(listener: (error: FlightdeckError) => void): Unsubscribe {
    this.errorListeners.push(listener);
    return () => {
      this.errorListeners = this.errorListeners.filter((l) => l !== listener);
    };
  }

  /** Subscribes to every frame in and out. Frames are not redacted: use `redact()` before logging. */
  onFrame(listener: (entry: FrameLogEntry) => void): Unsubscribe {
    this.frameListeners.push(listener);
    return () => {
      this.frameListeners = this.frameListeners.filter((l) => l !== listener);
    };
  }

  /** Called once when the connection closes, with the close info and the error calls reject with. Called at once (async) if already closed. */
  onClose(listener: (info: TransportCloseInfo, error: SdkError) => void): Unsubscribe {
    if (this.closeInfo && this.closedError) {
      const info = this.closeInfo;
      const error = this.closedError;
      let active = true;
      queueMicrotask(() => {
        if (active) listener(info, error);
      });
      return () => {
        active = false;
      };
    }
    this.closeListeners.push(listener);
    return () => {
      this.closeListeners = this.closeListeners.filter((l) => l !== listener);
    };
  }

  /**
   * Closes the connection and its transport. Pending requests reject with `CONNECTION_CLOSED`.
   * Idempotent; resolves once the transport is closed.
   */
  async close(): Promise<void> {
    if (!this.closeInfo) this.shutdown({ reason: "the connection was closed by this client", initiatedLocally: true });
    await this.transport.close();
  }

  // ---- internals ----

  /** Writes one message given as its JSON text: through the transport's `writeMessage` when it has one (no bytes made here). */
  private writeFrame(message: JsonRpcMessage, json: string): void {
    if (this.frameListeners.length === 0 && this.transport.writeMessage !== undefined) {
      this.transport.writeMessage(json);
      return;
    }
    const bytes = frameJson(json);
    if (this.frameListeners.length > 0) this.emitFrame({ direction: "out", message, byteLength: bodyLength(bytes) });
    this.transport.write(bytes);
  }

  private emitFrame(entry: FrameLogEntry): void {
    for (const listener of this.frameListeners) {
      try {
        listener(entry);
      } catch (cause) {
        this.report(new SdkError("HANDLER_FAILED", `An onFrame listener threw (${errorMessage(cause)}); fix the listener.`, { cause }));
      }
    }
  }

  private report(error: FlightdeckError): void {
    if (this.errorListeners.length === 0) {
      console.warn(`[flightdeck] ${error.name}: ${error.message}`);
      return;
    }
    for (const listener of this.errorListeners) {
      try {
        listener(error);
      } catch (cause) {
        console.warn(`[flightdeck] an onError listener threw: ${errorMessage(cause)}`);
      }
    }
  }

  /** Each decoded frame is dispatched before the next one in the chunk is decoded. */
  private receive(chunk: Uint8Array): void {
    if (this.receiving) {
      // A handler made the transport deliver more (an in-memory peer): after this chunk, in order.
      (this.queuedChunks ??= []).push(chunk);
      return;
    }
    this.receiving = true;
    try {
      this.decodeAndDispatch(chunk);
      while (this.queuedChunks !== undefined && this.queuedChunks.length > 0) this.decodeAndDispatch(this.queuedChunks.shift()!);
    } finally {
      this.receiving = false;
    }
  }

  private decodeAndDispatch(chunk: Uint8Array): void {
    try {
      this.decoder.pushTo(chunk, this.sink);
    } catch (cause) {
      // The decoder does not throw by design; if it ever does, fail loudly but safely.
      this.sink.push({
        type: "error",
        fatal: true,
        error: new SdkError("INVALID_FRAME", `The frame decoder failed unexpectedly (${errorMessage(cause)}); please report this bug.`, {
          cause,
          details: { reason: "decoder-bug", fatal: true },
        }),
      });
    }
  }

  /** Where the decoder hands each frame: dispatched at once, while the connection is open. */
  private readonly sink: FrameSink = {
    push: (event: FrameEvent): void => {
      if (this.closeInfo) return;
      try {
        if (event.type === "message") this.dispatch(event.kind, event.message, event.byteLength);
        else this.handleFrameError(event);
      } catch (cause) {
        this.report(new SdkError("HANDLER_FAILED", `Dispatching an incoming message failed (${errorMessage(cause)}).`, { cause }));
      }
    },
  };

  private dispatch(kind: "request" | "notification" | "response", message: JsonRpcMessage, byteLength: number): void {
    if (this.frameListeners.length > 0) this.emitFrame({ direction: "in", message, byteLength });
    if (kind === "response") this.handleResponse(message as JsonRpcResponse);
    else if (kind === "request") this.incoming.handleRequest(message as JsonRpcRequest);
    else this.incoming.handleNotification(message as JsonRpcNotification);
  }

  private handleResponse(message: JsonRpcResponse): void {
    if (message.id === null) {
      // The peer could not tell which request it is answering (e.g. it failed to parse ours).
      const error = "error" in message ? RpcError.from(message.error) : undefined;
      this.report(
        new SdkError("INVALID_FRAME", `The peer sent an error response without an id: ${error?.message ?? "(no error)"}`, {
          cause: error,
          details: { reason: "response-without-id" },
        }),
      );
      return;
    }
    const entry = this.pending.settle(message.id);
    if (!entry) {
      if (this.pending.forgetAbandoned(message.id)) return; // late answer to a timed-out/aborted call
      this.report(
        new SdkError(
          "INVALID_FRAME",
          `Received a response for unknown request id ${JSON.stringify(message.id)}; it was ignored. The peer may be answering twice or mixing up ids.`,
          { details: { reason: "unknown-response-id", id: message.id } },
        ),
      );
      return;
    }
    if ("error" in message) entry.reject(RpcError.from(message.error, entry.method));
    else entry.resolve(message.result);
  }

  private sendResponse(id: JsonRpcId, result: unknown, error: JsonRpcErrorObject | undefined, method?: string): void {
    if (this.closeInfo) return; // the peer is gone; nothing to answer
    const message: JsonRpcResponse = error ? { jsonrpc: "2.0", id, error } : { jsonrpc: "2.0", id, result };
    let json: string;
    try {
      json = messageJson(message);
    } catch (cause) {
      this.report(
        new SdkError(
          "HANDLER_FAILED",
          `The result of the ${method ?? "request"} handler cannot be serialized to JSON (${errorMessage(cause)}); return plain JSON values.`,
          { cause },
        ),
      );
      const fallback: JsonRpcResponse = {
        jsonrpc: "2.0",
        id,
        error: { code: RpcErrorCode.InternalError, message: "The client's handler returned a value that cannot be serialized to JSON." },
      };
      this.tryWrite(fallback, messageJson(fallback));
      return;
    }
    this.tryWrite(message, json);
  }

  private tryWrite(message: JsonRpcMessage, json: string): void {
    try {
      this.writeFrame(message, json);
    } catch (cause) {
      this.report(
        cause instanceof FlightdeckError ? cause : new SdkError("CONNECTION_CLOSED", `Writing a response failed (${errorMessage(cause)}).`, { cause }),
      );
    }
  }

  private handleFrameError(event: Extract<FrameEvent, { type: "error" }>): void {
    this.report(event.error);
    if (event.fatal) {
      this.shutdown({ reason: "the peer sent a corrupt frame", initiatedLocally: true, error: event.error });
      void this.transport.close();
      return;
    }
    // A parsed but invalid message: use its id if we can, so nothing waits forever.
    const value = event.value;
    if (typeof value !== "object" || value === null || Array.isArray(value)) return;
    const id = (value as { id?: unknown }).id;
    if (typeof id !== "string" && typeof id !== "number") return;
    if (typeof (value as { method?: unknown }).method === "string") {
      this.sendResponse(id, undefined, { code: RpcErrorCode.InvalidRequest, message: `Invalid request: ${event.error.message}` });
      return;
    }
    const entry = this.pending.settle(id);
    if (entry)
      entry.reject(
        new SdkError("INVALID_FRAME", `${entry.method}: the peer's response was malformed (${event.error.message})`, {
          cause: event.error,
          details: { method: entry.method },
        }),
      );
  }

  private handleTransportClose(info: TransportCloseInfo): void {
    if (!this.closeInfo && !info.initiatedLocally) {
      for (const event of this.decoder.end()) if (event.type === "error") this.report(event.error);
    }
    this.shutdown(info);
  }

  private shutdown(info: TransportCloseInfo): void {
    if (this.closeInfo) return;
    this.closeInfo = info;
    const closedError = this.buildClosedError(info);
    this.closedError = closedError;
    for (const unsubscribe of this.unsubscribeTransport) unsubscribe();
    this.pending.rejectAll((method) => this.errorAfterClose(method));
    this.incoming.abortAll(closedError);
    const listeners = this.closeListeners;
    this.closeListeners = [];
    for (const listener of listeners) {
      try {
        listener(info, closedError);
      } catch (cause) {
        this.report(new SdkError("HANDLER_FAILED", `An onClose listener threw (${errorMessage(cause)}); fix the listener.`, { cause }));
      }
    }
    this.resolveClosed(info);
  }

  private buildClosedError(info: TransportCloseInfo): SdkError {
    const advice =
      info.initiatedLocally && !info.error
        ? "Open a new connection to send more requests."
        : "Start a new client/connection; the details above say why the peer went away.";
    return new SdkError("CONNECTION_CLOSED", `The connection is closed: ${describeClose(info)}. ${advice}`, {
      cause: info.error,
      details: {
        reason: info.reason,
        initiatedLocally: info.initiatedLocally,
        exitCode: info.exitCode,
        signal: info.signal,
        stderrTail: info.stderrTail,
      },
    });
  }

  /** A fresh `CONNECTION_CLOSED` error for one call, carrying the same close info. */
  private errorAfterClose(method: string): SdkError {
    const base = this.closedError!;
    return new SdkError("CONNECTION_CLOSED", `${method}: ${base.message}`, { cause: base.cause, details: { ...base.details, method } });
  }
}

/** A request whose frame could not be written: the transport's own `SdkError`, or `CONNECTION_CLOSED`. */
function writeFailed(method: string, cause: unknown): SdkError {
  return cause instanceof SdkError
    ? cause
    : new SdkError("CONNECTION_CLOSED", `${method}: writing the request failed (${(cause as Error).message}); the connection is unusable, open a new one.`, {
        cause,
      });
}
