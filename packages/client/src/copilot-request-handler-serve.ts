/**
 * The serving half of `CopilotRequestHandler` (see copilot-request-handler.ts): the
 * `llmInference.*` handlers that run a handler's `sendRequest` / `openWebSocket` hooks. Loaded with
 * the connecting steps (runtime-connect.ts) on the first start(), so importing the sdk does not load it.
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
import { type CopilotRequestContext, type CopilotRequestHandler, CopilotWebSocketHandler, bridges } from "./copilot-request-handler.js";

/** Headers `fetch` computes itself or refuses. */
const HOP_BY_HOP = new Set(["host", "connection", "content-length", "transfer-encoding", "keep-alive", "upgrade", "proxy-connection", "te", "trailer"]);
const encoder = new TextEncoder();
const textDecoder = new TextDecoder();

/** The request body as it arrives: chunks, then the end, or a cancellation. */
class BodyFeed {
  readonly #chunks: Uint8Array[] = [];
  #ended = false;
  #failure: Error | undefined;
  #wake: (() => void) | undefined;

  push(chunk: Uint8Array): void {
    this.#chunks.push(chunk);
    this.#poke();
  }
  end(): void {
    this.#ended = true;
    this.#poke();
  }
  fail(error: Error): void {
    this.#failure = error;
    this.#poke();
  }
  #poke(): void {
    const wake = this.#wake;
    this.#wake = undefined;
    wake?.();
  }
  async *[Symbol.asyncIterator](): AsyncGenerator<Uint8Array> {
    for (;;) {
      if (this.#failure) throw this.#failure;
      const next = this.#chunks.shift();
      if (next) yield next;
      else if (this.#ended) return;
      else await new Promise<void>((resolve) => (this.#wake = resolve));
    }
  }
}

interface Exchange {
  readonly head: LlmInferenceHttpRequestStartRequest;
  readonly body: BodyFeed;
  readonly controller: AbortController;
  started: boolean;
  finished: boolean;
}

function toHeaderMap(headers: Headers): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  headers.forEach((value, name) => {
    if (name !== "set-cookie") (out[name] ??= []).push(value);
  });
  const cookies = headers.getSetCookie?.() ?? [];
  if (cookies.length > 0) out["set-cookie"] = cookies;
  return out;
}

/**
 * Builds the `llmInference.*` handlers serving the runtime's model requests with a
 * {@link CopilotRequestHandler}. A hook that throws ends that request with an inference error
 * carrying its message (status 502; 499 when the runtime had cancelled it), also sent to `onError`.
 */
export function createCopilotRequestHandlerHandlers(
  handler: CopilotRequestHandler,
  caller: Pick<RpcConnectionLike, "request" | "notify">,
  onError: (error: unknown) => void = () => {},
): Pick<ClientGlobalHandlers, "llmInference.httpRequestStart" | "llmInference.httpRequestChunk"> & { dispose(reason?: unknown): void } {
  const rpc = createServerRpc(caller).llmInference;
  const exchanges = new Map<string, Exchange>();
  // Protected hooks, called from outside the class on purpose (as the runtime's dispatcher).
  const hooks = handler as unknown as {
    sendRequest(request: Request, ctx: CopilotRequestContext): Promise<Response>;
    openWebSocket(ctx: CopilotRequestContext): Promise<CopilotWebSocketHandler>;
  };

  const start = async (x: Exchange, status: number, statusText?: string, headers: Record<string, string[]> = {}) => {
    if (x.started) return;
    x.started = true;
    await rpc.httpResponseStart({ requestId: x.head.requestId, status, ...(statusText && { statusText }), headers });
  };
  const write = async (x: Exchange, data: string | Uint8Array) => {
    if (x.finished) throw new SdkError("CONNECTION_CLOSED", `Model request ${x.head.requestId} already ended.`);
    await rpc.httpResponseChunk(
      typeof data === "string"
        ? { requestId: x.head.requestId, data }
        : { requestId: x.head.requestId, data: Buffer.from(data).toString("base64"), binary: true },
    );
  };
  const end = async (x: Exchange) => {
    if (x.finished) return;
    x.finished = true;
    await rpc.httpResponseChunk({ requestId: x.head.requestId, data: "", end: true });
  };
  const fail = async (x: Exchange, status: number, message: string, code?: string) => {
    if (x.finished) return;
    await start(x, status);
    x.finished = true;
    await rpc.httpResponseChunk({ requestId: x.head.requestId, data: "", end: true, error: { message, ...(code !== undefined && { code }) } });
  };

  const context = (x: Exchange): CopilotRequestContext => {
    const { head } = x;
    const headers: Record<string, string[]> = {};
    for (const [name, values] of Object.entries(head.headers ?? {}))
      headers[name.toLowerCase()] = Array.isArray(values) ? values.map(String) : [String(values)];
    return {
      requestId: head.requestId,
      ...(head.sessionId !== undefined && { sessionId: head.sessionId }),
      ...(head.agentId !== undefined && { agentId: head.agentId }),
      ...(head.parentAgentId !== undefined && { parentAgentId: head.parentAgentId }),
      ...(head.interactionType !== undefined && { interactionType: head.interactionType }),
      transport: head.transport === "websocket" ? "websocket" : "http",
      url: head.url,
      headers,
      signal: x.controller.signal,
    };
  };

  async function serveHttp(x: Exchange, ctx: CopilotRequestContext): Promise<void> {
    const method = x.head.method.toUpperCase();
    const parts: Uint8Array[] = [];
    for await (const chunk of x.body) parts.push(chunk);
    const headers = new Headers();
    for (const [name, values] of Object.entries(ctx.headers)) if (values && !HOP_BY_HOP.has(name)) for (const v of values) headers.append(name, v);
    const hasBody = method !== "GET" && method !== "HEAD" && parts.length > 0;
    const request = new Request(ctx.url, { method, headers, ...(hasBody && { body: Buffer.concat(parts) }) });
    const response = await hooks.sendRequest.call(handler, request, ctx);
    if (!(response instanceof Response))
      throw new TypeError(`sendRequest returned ${response === null ? "null" : typeof response}; return a Response (e.g. from fetch or super.sendRequest).`);
    // fetch already decoded a compressed body: do not pass its encoding on.
    const responseHeaders = toHeaderMap(response.headers);
    delete responseHeaders["content-encoding"];
    delete responseHeaders["content-length"];
    await start(x, response.status, response.statusText || undefined, responseHeaders);
    if (response.body) {
      for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) {
        if (x.controller.signal.aborted) return;
        if (chunk.byteLength > 0) await write(x, chunk);
      }
    }
    await end(x);
  }

  async function serveWebSocket(x: Exchange, ctx: CopilotRequestContext): Promise<void> {
    bridges.set(ctx, {
      write: async (data) => {
        await start(x, 101);
        await write(x, data);
      },
      end: async () => {
        await start(x, 101);
        await end(x);
      },
      fail: (message, code) => fail(x, 101, message, code),
    });
    const socket = await hooks.openWebSocket.call(handler, ctx);
    if (!(socket instanceof CopilotWebSocketHandler))
      throw new TypeError("openWebSocket must return a CopilotWebSocketHandler (e.g. a CopilotWebSocketForwarder).");
    try {
      await socket.open();
      await start(x, 101);
      const fromRuntime = (async () => {
        for await (const chunk of x.body) await socket.sendRequestMessage(textDecoder.decode(chunk));
        return "runtime-done" as const;
      })();
      const first = await Promise.race([fromRuntime, socket.done.then(() => "handler-done" as const)]);
      if (first === "runtime-done") await socket.close();
      const status = await socket.done;
      if (status.error) throw status.error;
    } finally {
      await socket[Symbol.asyncDispose]().catch(() => {});
    }
  }

  async function run(x: Exchange): Promise<void> {
    const ctx = context(x);
    try {
      if (ctx.transport === "websocket") await serveWebSocket(x, ctx);
      else await serveHttp(x, ctx);
      if (!x.finished) await fail(x, 502, "The requestHandler returned without finishing the response.");
    } catch (cause) {
      if (x.controller.signal.aborted) {
        await fail(x, 499, "Request cancelled by runtime", "cancelled").catch(() => {});
        return;
      }
      const message = cause instanceof Error ? cause.message : String(cause);
      onError(
        new SdkError("HANDLER_FAILED", `requestHandler failed for ${x.head.method} ${x.head.url}: ${message}`, {
          cause,
          details: { requestId: x.head.requestId },
        }),
      );
      await fail(x, 502, message).catch((error: unknown) => onError(error));
    } finally {
      exchanges.delete(x.head.requestId);
    }
  }

  return {
    "llmInference.httpRequestStart": (params) => {
      const p = params as Partial<LlmInferenceHttpRequestStartRequest> | null;
      if (typeof p?.requestId !== "string" || typeof p.method !== "string" || typeof p.url !== "string") {
        throw new RpcError(RpcErrorCode.InvalidParams, "llmInference.httpRequestStart: params need string requestId, method and url.");
      }
      if (exchanges.has(p.requestId))
        throw new RpcError(RpcErrorCode.InvalidParams, `llmInference.httpRequestStart: request ${p.requestId} is already in flight.`);
      const x: Exchange = {
        head: p as LlmInferenceHttpRequestStartRequest,
        body: new BodyFeed(),
        controller: new AbortController(),
        started: false,
        finished: false,
      };
      exchanges.set(p.requestId, x);
      void run(x);
      return {};
    },
    "llmInference.httpRequestChunk": (params) => {
      const p = params as { requestId?: unknown; data?: unknown; binary?: boolean; end?: boolean; cancel?: boolean; cancelReason?: string } | null;
      if (typeof p?.requestId !== "string") throw new RpcError(RpcErrorCode.InvalidParams, "llmInference.httpRequestChunk: params need a string requestId.");
      const x = exchanges.get(p.requestId);
      if (!x) return {}; // a late chunk of a request that already ended
      if (p.cancel) {
        const reason = new SdkError("ABORTED", `Request cancelled by runtime${p.cancelReason ? `: ${p.cancelReason}` : ""}`);
        x.controller.abort(reason);
        x.body.fail(reason);
        return {};
      }
      if (typeof p.data === "string" && p.data.length > 0) x.body.push(p.binary ? new Uint8Array(Buffer.from(p.data, "base64")) : encoder.encode(p.data));
      if (p.end) x.body.end();
      return {};
    },
    dispose(reason?: unknown) {
      const why = reason ?? new SdkError("CONNECTION_CLOSED", "The connection to the runtime closed.");
      for (const x of exchanges.values()) {
        x.controller.abort(why);
        x.body.fail(why instanceof Error ? why : new Error(String(why)));
      }
      exchanges.clear();
    },
  };
}

/** Registers a {@link CopilotRequestHandler}'s `llmInference.*` handlers on a connection. */
export function serveCopilotRequestHandler(connection: RpcConnectionLike, handler: CopilotRequestHandler, onError: (error: unknown) => void): Unsubscribe {
  const { dispose, ...handlers } = createCopilotRequestHandlerHandlers(handler, connection, onError);
  const off = registerClientGlobalHandlers(connection, handlers);
  return () => {
    off();
    dispose();
  };
}
