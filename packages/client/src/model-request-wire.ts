/**
 * The `llmInference.*` wire both forms of model-traffic interception share: the checks of the
 * runtime's `httpRequestStart` / `httpRequestChunk` params, request headers and body chunks as
 * bytes, and registering a handler table on a connection with its `dispose` run on unsubscribe.
 * The function form (request-handler.ts) and the class form (copilot-request-handler.ts) differ
 * only in how they answer.
 */
import {
  RpcError,
  RpcErrorCode,
  SdkError,
  createServerRpc,
  registerClientGlobalHandlers,
  type ClientGlobalHandlers,
  type LlmInferenceHttpRequestStartRequest,
  type RpcConnectionLike,
  type Unsubscribe,
} from "@flightdeck/copilot-core";

/** The handler table an interception adapter builds; `dispose` aborts whatever is in flight. */
export type ModelRequestWireHandlers = Pick<ClientGlobalHandlers, "llmInference.httpRequestStart" | "llmInference.httpRequestChunk"> & {
  dispose(reason?: unknown): void;
};

/** `llmInference.httpRequestChunk` params as the runtime sends them (checked by {@link checkRequestChunk}). */
export interface RequestChunkParams {
  readonly requestId: string;
  readonly data?: unknown;
  readonly binary?: boolean;
  readonly end?: boolean;
  readonly cancel?: boolean;
  readonly cancelReason?: string;
}

/** The `httpRequestStart` params, checked for a string requestId, method and url, and for a request not already in flight. */
export function checkRequestStart(params: unknown, inFlight: (requestId: string) => boolean): LlmInferenceHttpRequestStartRequest {
  const p = params as Partial<LlmInferenceHttpRequestStartRequest> | null;
  if (typeof p?.requestId !== "string" || typeof p.method !== "string" || typeof p.url !== "string") {
    throw new RpcError(RpcErrorCode.InvalidParams, "llmInference.httpRequestStart: params need string requestId, method and url.");
  }
  if (inFlight(p.requestId)) throw new RpcError(RpcErrorCode.InvalidParams, `llmInference.httpRequestStart: request ${p.requestId} is already in flight.`);
  return p as LlmInferenceHttpRequestStartRequest;
}

/** The `httpRequestChunk` params, checked for a string requestId. */
export function checkRequestChunk(params: unknown): RequestChunkParams {
  const p = params as Partial<RequestChunkParams> | null;
  if (typeof p?.requestId !== "string") throw new RpcError(RpcErrorCode.InvalidParams, "llmInference.httpRequestChunk: params need a string requestId.");
  return p as RequestChunkParams;
}

const encoder = new TextEncoder();

/** A request body chunk's bytes: base64 when `binary`, else UTF-8 text. */
export function decodeRequestChunk(data: string, binary: boolean | undefined): Uint8Array {
  return binary ? Uint8Array.from(Buffer.from(data, "base64")) : encoder.encode(data);
}

/** The request's headers with lowercased names and every value kept. */
export function requestHeaders(head: LlmInferenceHttpRequestStartRequest): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const [name, values] of Object.entries(head.headers ?? {})) out[name.toLowerCase()] = Array.isArray(values) ? values.map(String) : [String(values)];
  return out;
}

/**
 * What answers the runtime's model requests for one connection: the function form's server and
 * the class form's both extend it. They reply through `rpc`, report to `onError`, and abort what is
 * in flight on `dispose`.
 */
export abstract class ModelRequestServer<Handler> {
  protected readonly rpc: ReturnType<typeof createServerRpc>["llmInference"];
  protected readonly handler: Handler;
  protected readonly onError: (error: unknown) => void;

  constructor(handler: Handler, caller: Pick<RpcConnectionLike, "request" | "notify">, onError: (error: unknown) => void) {
    this.rpc = createServerRpc(caller).llmInference;
    this.handler = handler;
    this.onError = onError;
  }

  abstract requestStart(params: unknown): Record<string, never>;
  abstract requestChunk(params: unknown): Record<string, never>;
  /** Aborts every request this server holds with `why`, and forgets them. */
  protected abstract abortAll(why: unknown): void;

  /** Aborts what is in flight; without a reason, with "the connection closed". */
  dispose(reason?: unknown): void {
    this.abortAll(reason ?? new SdkError("CONNECTION_CLOSED", "The connection to the runtime closed."));
  }

  /** The handler table over this server. */
  handlers(): ModelRequestWireHandlers {
    return {
      "llmInference.httpRequestStart": (params) => this.requestStart(params),
      "llmInference.httpRequestChunk": (params) => this.requestChunk(params),
      dispose: (reason) => this.dispose(reason),
    };
  }
}

/** Registers `handlers` on `connection`; the returned function unregisters them and aborts requests in flight. */
export function serveModelRequests(connection: RpcConnectionLike, handlers: ModelRequestWireHandlers): Unsubscribe {
  const { dispose, ...table } = handlers;
  const off = registerClientGlobalHandlers(connection, table);
  return () => {
    off();
    dispose();
  };
}
