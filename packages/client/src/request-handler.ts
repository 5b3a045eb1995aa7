/**
 * Model-traffic interception (`requestHandler`): the runtime hands every model-layer HTTP request
 * it would send (BYOK and Copilot API alike) to this process over the connection itself
 * (`llmInference.httpRequestStart` + `httpRequestChunk`), and the client answers with the
 * handler's response (`llmInference.httpResponseStart` + `httpResponseChunk`), streamed chunk by
 * chunk. No socket is opened on either side. This module holds the handler's types and the option
 * check; request-handler-serve.ts, loaded on the first start(), serves the requests.
 */
import { SdkError } from "@flightdeck/copilot-core";

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

/** Checks the `requestHandler` option. */
export function checkRequestHandlerOption(value: unknown): asserts value is ModelRequestHandler {
  if (typeof value !== "function") {
    throw new SdkError(
      "INVALID_OPTION",
      "requestHandler: must be a function (request) => Response | { status?, headers?, body? } (or a promise of one), or an instance of a CopilotRequestHandler subclass.",
      { details: { option: "requestHandler" } },
    );
  }
}
