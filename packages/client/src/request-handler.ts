/**
 * Model-traffic interception (`requestHandler`): the runtime hands every model-layer HTTP request
 * it would send (BYOK and Copilot API alike) to this process over the connection itself
 * (`llmInference.httpRequestStart` + `httpRequestChunk`), and this module answers with the
 * handler's response (`llmInference.httpResponseStart` + `httpResponseChunk`), streamed chunk by
 * chunk. No socket is opened on either side.
 */
import {
  RpcError,
  RpcErrorCode,
  SdkError,
  type ClientGlobalHandlers,
  type LlmInferenceHttpRequestStartRequest,
  type RpcConnectionLike,
} from "@flightdeck/copilot-core";
import { ModelRequestServer, checkRequestChunk, checkRequestStart, decodeRequestChunk, requestHeaders } from "./model-request-wire.js";

/** A model request the runtime wants answered, with its whole body. */
export interface InterceptedRequest {
  /** The runtime's id of this request. */
  readonly requestId: string;
  /** `POST`, `GET`, … */
  readonly method: string;
  /** The absolute URL the runtime would have called (the provider's `baseUrl` + path). */
  readonly url: string;
  /** Headers with lowercased names; repeated headers joined with `", "`. Includes credentials: never log them. */
  readonly headers: Readonly<Record<string, string>>;
  /** Headers with every value kept. */
  readonly rawHeaders: Readonly<Record<string, readonly string[]>>;
  /** The request body's bytes. */
  readonly body: Uint8Array;
  /** The body as UTF-8 text. */
  text(): string;
  /** The body parsed as JSON; throws a `SyntaxError` naming the request when it is not JSON. */
  json(): unknown;
  /** A WHATWG `Request` for the same call, e.g. to forward it: `return fetch(request.toRequest())`. */
  toRequest(): Request;
  /** The session that made the request, when there is one. */
  readonly sessionId: string | undefined;
  /** The agent trajectory, parent trajectory, invocation and interaction kind, as the runtime reports them. */
  readonly agentId: string | undefined;
  readonly parentAgentId: string | undefined;
  readonly agentInvocationId: string | undefined;
  readonly interactionType: string | undefined;
  /** Aborted when the runtime cancels the request (e.g. the turn was aborted) or the connection closes. */
  readonly signal: AbortSignal;
}

/** A body chunk: text (sent as UTF-8) or bytes. */
export type InterceptedBodyChunk = string | Uint8Array;

/** A response as a plain object. `body` may stream: an async iterable or a `ReadableStream`. */
export interface InterceptedResponseInit {
  /** HTTP status. Default 200. */
  status?: number;
  statusText?: string;
  headers?: Record<string, string | readonly string[]> | Headers;
  body?: InterceptedBodyChunk | AsyncIterable<InterceptedBodyChunk> | Iterable<InterceptedBodyChunk> | ReadableStream<Uint8Array> | null;
}

/** What a {@link ModelRequestHandler} returns: a WHATWG `Response` (e.g. from `fetch`) or a plain object. */
export type InterceptedResponse = Response | InterceptedResponseInit;

/**
 * Answers the runtime's model requests from inside this process.
 *
 * @example Answer every chat completion with a fixed SSE stream:
 * ```ts
 * const client = new CopilotClient({
 *   requestHandler: async (request) => ({
 *     headers: { "content-type": "text/event-stream" },
 *     body: sseChunks(request.json()),   // an async generator of "data: …\n\n" strings
 *   }),
 * });
 * ```
 * @example Observe and forward to the real provider: `requestHandler: (r) => fetch(r.toRequest())`.
 */
export type ModelRequestHandler = (request: InterceptedRequest) => InterceptedResponse | Promise<InterceptedResponse>;

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
  const rawHeaders = requestHeaders(head);
  const headers: Record<string, string> = {};
  for (const [name, list] of Object.entries(rawHeaders)) headers[name] = list.join(", ");
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

/** One body chunk as a response frame: text as it is for textual content, else base64. */
function responseFrame(chunk: unknown, textual: boolean, decoder: InstanceType<typeof TextDecoder>): { data: string; binary?: boolean } {
  if (typeof chunk === "string") return textual ? { data: chunk } : { data: Buffer.from(chunk, "utf8").toString("base64"), binary: true };
  if (chunk instanceof Uint8Array)
    return textual ? { data: decoder.decode(chunk, { stream: true }) } : { data: Buffer.from(chunk).toString("base64"), binary: true };
  throw new TypeError(`the body yielded ${typeof chunk}; yield strings or Uint8Arrays`);
}

/**
 * Serves the model requests of one connection with a {@link ModelRequestHandler}: collects each
 * request's body (`pending`), then calls the handler and streams its response (`inFlight`).
 */
class FunctionRequestServer extends ModelRequestServer<ModelRequestHandler> {
  readonly #pending = new Map<string, Pending>();
  readonly #inFlight = new Map<string, AbortController>();

  requestStart(params: unknown): Record<string, never> {
    const head = checkRequestStart(params, (id) => this.#pending.has(id) || this.#inFlight.has(id));
    const { requestId } = head;
    const entry: Pending = { head, chunks: [], size: 0, controller: new AbortController() };
    if (head.transport === "websocket") {
      // The handler answers request/response exchanges; a full-duplex channel does not fit it.
      this.#refuse(
        entry,
        `cannot serve ${head.method} ${head.url}`,
        new Error("it handles HTTP requests only, and the runtime asked for a WebSocket channel"),
        "WEBSOCKET_UNSUPPORTED",
        true,
      );
      return {};
    }
    this.#pending.set(requestId, entry);
    return {};
  }

  requestChunk(params: unknown): Record<string, never> {
    const p = checkRequestChunk(params);
    if (p.cancel) {
      const controller = this.#pending.get(p.requestId)?.controller ?? this.#inFlight.get(p.requestId);
      this.#pending.delete(p.requestId);
      controller?.abort(new SdkError("ABORTED", `The runtime cancelled model request ${p.requestId}${p.cancelReason ? `: ${p.cancelReason}` : ""}.`));
      return {};
    }
    const entry = this.#pending.get(p.requestId);
    if (!entry) {
      // Late body chunks of a websocket request we refused are expected; anything else is a protocol slip.
      if (this.#inFlight.has(p.requestId)) return {};
      throw new RpcError(RpcErrorCode.InvalidParams, `llmInference.httpRequestChunk: no request ${p.requestId} was announced with httpRequestStart.`);
    }
    if (typeof p.data !== "string") throw new RpcError(RpcErrorCode.InvalidParams, "llmInference.httpRequestChunk: params.data must be a string.");
    const bytes = decodeRequestChunk(p.data, p.binary);
    entry.size += bytes.length;
    if (entry.size > MAX_REQUEST_BODY_BYTES) {
      this.#pending.delete(p.requestId);
      this.#refuse(
        entry,
        `refused ${entry.head.method} ${entry.head.url}`,
        new Error(`the request body exceeds ${MAX_REQUEST_BODY_BYTES} bytes`),
        "REQUEST_TOO_LARGE",
        false,
      );
      return {};
    }
    entry.chunks.push(bytes);
    if (p.end) this.#start(entry);
    return {};
  }

  protected abortAll(why: unknown): void {
    for (const entry of this.#pending.values()) entry.controller.abort(why);
    for (const controller of this.#inFlight.values()) controller.abort(why);
    this.#pending.clear();
    this.#inFlight.clear();
  }

  /**
   * Answers a request it will not serve with a transport error; it stays in flight until that is
   * sent. `later`: after the current handler returned (the runtime is still waiting for its answer).
   */
  #refuse(entry: Pending, what: string, cause: Error, code: string, later: boolean): void {
    const { requestId } = entry.head;
    this.#inFlight.set(requestId, entry.controller);
    const send = () => void this.#fail(requestId, what, cause, code).finally(() => this.#inFlight.delete(requestId));
    if (later) queueMicrotask(send);
    else send();
  }

  async #fail(requestId: string, what: string, cause: unknown, code: string): Promise<void> {
    const message = `requestHandler ${what}: ${cause instanceof Error ? cause.message : String(cause)}`;
    this.onError(new SdkError("HANDLER_FAILED", message, { cause, details: { requestId } }));
    await this.rpc.httpResponseChunk({ requestId, data: "", error: { message, code } }).catch((e: unknown) => this.onError(e));
  }

  #start(entry: Pending): void {
    this.#pending.delete(entry.head.requestId);
    this.#inFlight.set(entry.head.requestId, entry.controller);
    this.#serve(entry)
      .catch((error: unknown) => {
        // The connection closed or the runtime refused a frame: nothing left to answer.
        if (!entry.controller.signal.aborted) this.onError(error);
      })
      .finally(() => this.#inFlight.delete(entry.head.requestId));
  }

  async #serve(entry: Pending): Promise<void> {
    const { head, controller } = entry;
    const { signal } = controller;
    const label = `${head.method} ${head.url}`;
    let response: NormalizedResponse;
    try {
      response = normalizeResponse(await this.handler(makeRequest(head, concat(entry.chunks, entry.size), signal)));
    } catch (cause) {
      if (!signal.aborted) await this.#fail(head.requestId, `failed for ${label}`, cause, "REQUEST_HANDLER_FAILED");
      return;
    }
    if (signal.aborted) return;
    const contentType = response.headers["content-type"]?.[0] ?? "";
    const textual = contentType === "" || TEXTUAL.test(contentType);
    const started = await this.rpc.httpResponseStart({
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
        const frame = responseFrame(chunk, textual, decoder);
        if (frame.data === "") continue;
        const sent = await this.rpc.httpResponseChunk({ requestId: head.requestId, ...frame });
        if (!sent.accepted) return;
      }
    } catch (cause) {
      if (!signal.aborted) await this.#fail(head.requestId, `response body failed for ${label}`, cause, "REQUEST_HANDLER_BODY_FAILED");
      return;
    }
    if (signal.aborted) return;
    const tail = textual ? decoder.decode() : "";
    await this.rpc.httpResponseChunk({ requestId: head.requestId, data: tail, end: true });
  }
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
  return new FunctionRequestServer(handler, caller, onError).handlers();
}
