/**
 * The serving half of model-traffic interception with a function handler (`requestHandler`, see
 * request-handler.ts): the `llmInference.*` handlers. Loaded with the
 * connecting steps (runtime-connect.ts) on the first start(), so importing the sdk does not load it.
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
import type { InterceptedBodyChunk, InterceptedRequest, InterceptedResponseInit, ModelRequestHandler } from "./request-handler.js";

/** Largest request body accepted, in bytes: a runaway stream must not exhaust memory. */
const MAX_REQUEST_BODY_BYTES = 64 * 1024 * 1024;
const TEXTUAL = /^text\/|json|event-stream|xml|javascript|x-www-form-urlencoded|ndjson/i;
/** Headers that describe the hop, not the body we relay; `fetch` also decodes compressed bodies. */
const HOP_HEADERS = new Set(["transfer-encoding", "connection", "keep-alive", "upgrade", "proxy-connection"]);
const DECODED_HEADERS = new Set(["content-encoding", "content-length"]);

interface Pending {
  readonly head: LlmInferenceHttpRequestStartRequest;
  readonly chunks: Uint8Array[];
  size: number;
  readonly controller: AbortController;
}

const encoder = new TextEncoder();

function decodeChunk(data: string, binary: boolean | undefined): Uint8Array {
  return binary ? Uint8Array.from(Buffer.from(data, "base64")) : encoder.encode(data);
}

function concat(chunks: Uint8Array[], size: number): Uint8Array {
  const out = new Uint8Array(size);
  let offset = 0;
  for (const c of chunks) {
    out.set(c, offset);
    offset += c.length;
  }
  return out;
}

function makeRequest(head: LlmInferenceHttpRequestStartRequest, body: Uint8Array, signal: AbortSignal): InterceptedRequest {
  const rawHeaders: Record<string, string[]> = {};
  const headers: Record<string, string> = {};
  for (const [name, values] of Object.entries(head.headers ?? {})) {
    const list = Array.isArray(values) ? values.map(String) : [String(values)];
    rawHeaders[name.toLowerCase()] = list;
    headers[name.toLowerCase()] = list.join(", ");
  }
  let text: string | undefined;
  const readText = () => (text ??= new TextDecoder().decode(body));
  return {
    requestId: head.requestId,
    method: head.method,
    url: head.url,
    headers,
    rawHeaders,
    body,
    text: readText,
    json: () => {
      try {
        return JSON.parse(readText());
      } catch (error) {
        throw new SyntaxError(`The body of ${head.method} ${head.url} is not JSON: ${(error as Error).message}`);
      }
    },
    toRequest: () => {
      const init: RequestInit = {
        method: head.method,
        headers: Object.entries(rawHeaders).flatMap(([n, vs]) => vs.map((v) => [n, v] as [string, string])),
        signal,
      };
      if (head.method !== "GET" && head.method !== "HEAD" && body.length > 0) init.body = body;
      return new Request(head.url, init);
    },
    sessionId: head.sessionId,
    agentId: head.agentId,
    parentAgentId: head.parentAgentId,
    agentInvocationId: head.agentInvocationId,
    interactionType: head.interactionType,
    signal,
  };
}

interface NormalizedResponse {
  status: number;
  statusText: string | undefined;
  headers: Record<string, string[]>;
  body: AsyncIterable<InterceptedBodyChunk> | Iterable<InterceptedBodyChunk>;
}

function headerRecord(source: InterceptedResponseInit["headers"], fromFetch: boolean): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  const add = (name: string, value: string) => {
    const key = name.toLowerCase();
    if (HOP_HEADERS.has(key) || (fromFetch && DECODED_HEADERS.has(key))) return;
    (out[key] ??= []).push(value);
  };
  if (source === undefined) return out;
  if (typeof Headers !== "undefined" && source instanceof Headers) {
    source.forEach((value, name) => {
      if (name !== "set-cookie") add(name, value);
    });
    for (const cookie of source.getSetCookie?.() ?? []) add("set-cookie", cookie);
    return out;
  }
  if (typeof source !== "object" || source === null) throw new TypeError("headers must be an object of name → value(s) or a Headers instance");
  for (const [name, value] of Object.entries(source)) {
    if (Array.isArray(value)) for (const v of value) add(name, String(v));
    else if (value !== undefined) add(name, String(value));
  }
  return out;
}

function isAsyncIterable(value: unknown): value is AsyncIterable<InterceptedBodyChunk> {
  return typeof value === "object" && value !== null && typeof (value as AsyncIterable<unknown>)[Symbol.asyncIterator] === "function";
}

function normalizeResponse(response: unknown): NormalizedResponse {
  if (typeof Response !== "undefined" && response instanceof Response) {
    return {
      status: response.status,
      statusText: response.statusText || undefined,
      headers: headerRecord(response.headers, true),
      body: response.body ? (response.body as unknown as AsyncIterable<Uint8Array>) : [],
    };
  }
  if (typeof response !== "object" || response === null) {
    throw new TypeError(`it returned ${response === null ? "null" : typeof response}; return a Response or { status?, headers?, body? }`);
  }
  const r = response as InterceptedResponseInit;
  const status = r.status ?? 200;
  if (!Number.isInteger(status) || status < 100 || status > 599)
    throw new TypeError(`status ${JSON.stringify(r.status)} is not an HTTP status (an integer 100–599)`);
  if (r.statusText !== undefined && typeof r.statusText !== "string") throw new TypeError("statusText must be a string");
  const body = r.body;
  let chunks: NormalizedResponse["body"];
  if (body === undefined || body === null) chunks = [];
  else if (typeof body === "string" || body instanceof Uint8Array) chunks = [body];
  else if (isAsyncIterable(body)) chunks = body;
  else if (typeof (body as Iterable<unknown>)[Symbol.iterator] === "function") chunks = body as Iterable<InterceptedBodyChunk>;
  else throw new TypeError("body must be a string, a Uint8Array, an (async) iterable of them, or a ReadableStream");
  return { status, statusText: r.statusText, headers: headerRecord(r.headers, false), body: chunks };
}

/**
 * Builds the `llmInference.*` handlers that serve the runtime's model requests with `handler`,
 * replying through `caller`. A handler that throws (or returns something unusable) ends that
 * request with a transport error naming the `requestHandler` and the request; the error also goes
 * to `onError`. Exported for tests and custom hosts; `CopilotClient` wires it for you.
 */
export function createRequestHandlerHandlers(
  handler: ModelRequestHandler,
  caller: Pick<RpcConnectionLike, "request" | "notify">,
  onError: (error: unknown) => void = () => {},
): Pick<ClientGlobalHandlers, "llmInference.httpRequestStart" | "llmInference.httpRequestChunk"> & { dispose(reason?: unknown): void } {
  const rpc = createServerRpc(caller).llmInference;
  const pending = new Map<string, Pending>();
  const inFlight = new Map<string, AbortController>();

  const fail = async (requestId: string, what: string, cause: unknown, code: string): Promise<void> => {
    const message = `requestHandler ${what}: ${cause instanceof Error ? cause.message : String(cause)}`;
    onError(new SdkError("HANDLER_FAILED", message, { cause, details: { requestId } }));
    await rpc.httpResponseChunk({ requestId, data: "", error: { message, code } }).catch((e: unknown) => onError(e));
  };

  async function serve(entry: Pending): Promise<void> {
    const { head, controller } = entry;
    const { signal } = controller;
    const label = `${head.method} ${head.url}`;
    let response: NormalizedResponse;
    try {
      response = normalizeResponse(await handler(makeRequest(head, concat(entry.chunks, entry.size), signal)));
    } catch (cause) {
      if (!signal.aborted) await fail(head.requestId, `failed for ${label}`, cause, "REQUEST_HANDLER_FAILED");
      return;
    }
    if (signal.aborted) return;
    const contentType = response.headers["content-type"]?.[0] ?? "";
    const textual = contentType === "" || TEXTUAL.test(contentType);
    const started = await rpc.httpResponseStart({
      requestId: head.requestId,
      status: response.status,
      ...(response.statusText !== undefined && { statusText: response.statusText }),
      headers: response.headers,
    });
    // Not accepted: the runtime no longer waits for this request (cancelled, timed out).
    if (!started.accepted) return;
    const decoder = new TextDecoder();
    try {
      for await (const chunk of response.body) {
        if (signal.aborted) return;
        let frame: { data: string; binary?: boolean };
        if (typeof chunk === "string") frame = textual ? { data: chunk } : { data: Buffer.from(chunk, "utf8").toString("base64"), binary: true };
        else if (chunk instanceof Uint8Array)
          frame = textual ? { data: decoder.decode(chunk, { stream: true }) } : { data: Buffer.from(chunk).toString("base64"), binary: true };
        else throw new TypeError(`the body yielded ${typeof chunk}; yield strings or Uint8Arrays`);
        if (frame.data === "") continue;
        const sent = await rpc.httpResponseChunk({ requestId: head.requestId, ...frame });
        if (!sent.accepted) return;
      }
    } catch (cause) {
      if (!signal.aborted) await fail(head.requestId, `response body failed for ${label}`, cause, "REQUEST_HANDLER_BODY_FAILED");
      return;
    }
    if (signal.aborted) return;
    const tail = textual ? decoder.decode() : "";
    await rpc.httpResponseChunk({ requestId: head.requestId, data: tail, end: true });
  }

  const start = (entry: Pending) => {
    pending.delete(entry.head.requestId);
    inFlight.set(entry.head.requestId, entry.controller);
    serve(entry)
      .catch((error: unknown) => {
        // The connection closed or the runtime refused a frame: nothing left to answer.
        if (!entry.controller.signal.aborted) onError(error);
      })
      .finally(() => inFlight.delete(entry.head.requestId));
  };

  return {
    "llmInference.httpRequestStart": (params) => {
      const p = params as Partial<LlmInferenceHttpRequestStartRequest> | null;
      if (typeof p?.requestId !== "string" || typeof p.method !== "string" || typeof p.url !== "string") {
        throw new RpcError(RpcErrorCode.InvalidParams, "llmInference.httpRequestStart: params need string requestId, method and url.");
      }
      if (pending.has(p.requestId) || inFlight.has(p.requestId)) {
        throw new RpcError(RpcErrorCode.InvalidParams, `llmInference.httpRequestStart: request ${p.requestId} is already in flight.`);
      }
      const entry: Pending = { head: p as LlmInferenceHttpRequestStartRequest, chunks: [], size: 0, controller: new AbortController() };
      if (p.transport === "websocket") {
        // The handler answers request/response exchanges; a full-duplex channel does not fit it.
        inFlight.set(p.requestId, entry.controller);
        queueMicrotask(() => {
          void fail(
            p.requestId!,
            `cannot serve ${p.method} ${p.url}`,
            new Error("it handles HTTP requests only, and the runtime asked for a WebSocket channel"),
            "WEBSOCKET_UNSUPPORTED",
          ).finally(() => inFlight.delete(p.requestId!));
        });
        return {};
      }
      pending.set(p.requestId, entry);
      return {};
    },
    "llmInference.httpRequestChunk": (params) => {
      const p = params as { requestId?: unknown; data?: unknown; binary?: boolean; end?: boolean; cancel?: boolean; cancelReason?: string } | null;
      if (typeof p?.requestId !== "string") throw new RpcError(RpcErrorCode.InvalidParams, "llmInference.httpRequestChunk: params need a string requestId.");
      if (p.cancel) {
        const controller = pending.get(p.requestId)?.controller ?? inFlight.get(p.requestId);
        pending.delete(p.requestId);
        controller?.abort(new SdkError("ABORTED", `The runtime cancelled model request ${p.requestId}${p.cancelReason ? `: ${p.cancelReason}` : ""}.`));
        return {};
      }
      const entry = pending.get(p.requestId);
      if (!entry) {
        // Late body chunks of a websocket request we refused are expected; anything else is a protocol slip.
        if (inFlight.has(p.requestId)) return {};
        throw new RpcError(RpcErrorCode.InvalidParams, `llmInference.httpRequestChunk: no request ${p.requestId} was announced with httpRequestStart.`);
      }
      if (typeof p.data !== "string") throw new RpcError(RpcErrorCode.InvalidParams, "llmInference.httpRequestChunk: params.data must be a string.");
      const bytes = decodeChunk(p.data, p.binary);
      entry.size += bytes.length;
      if (entry.size > MAX_REQUEST_BODY_BYTES) {
        pending.delete(p.requestId);
        inFlight.set(p.requestId, entry.controller);
        void fail(
          p.requestId,
          `refused ${entry.head.method} ${entry.head.url}`,
          new Error(`the request body exceeds ${MAX_REQUEST_BODY_BYTES} bytes`),
          "REQUEST_TOO_LARGE",
        ).finally(() => inFlight.delete(p.requestId as string));
        return {};
      }
      entry.chunks.push(bytes);
      if (p.end) start(entry);
      return {};
    },
    dispose(reason?: unknown) {
      const why = reason ?? new SdkError("CONNECTION_CLOSED", "The connection to the runtime closed.");
      for (const entry of pending.values()) entry.controller.abort(why);
      for (const controller of inFlight.values()) controller.abort(why);
      pending.clear();
      inFlight.clear();
    },
  };
}

/** Registers the `llmInference.*` handlers on a connection; the returned function also aborts requests in flight. */
export function serveRequestHandler(connection: RpcConnectionLike, handler: ModelRequestHandler, onError: (error: unknown) => void): Unsubscribe {
  const { dispose, ...handlers } = createRequestHandlerHandlers(handler, connection, onError);
  const off = registerClientGlobalHandlers(connection, handlers);
  return () => {
    off();
    dispose();
  };
}
