/**
 * Serves the runtime's `llmInference.*` model requests with a {@link CopilotRequestHandler}: each
 * request is an exchange whose body streams in as the runtime sends it; HTTP exchanges go to the
 * handler's `sendRequest`, WebSocket ones to the socket its `openWebSocket` returns.
 */
import { SdkError, type ClientGlobalHandlers, type LlmInferenceHttpRequestStartRequest, type RpcConnectionLike } from "@flightdeck/copilot-core";
import { CopilotWebSocketHandler, bindSocketBridge, type CopilotRequestContext, type CopilotRequestHandler } from "./copilot-request-handler.js";
import { ModelRequestServer, checkRequestChunk, checkRequestStart, decodeRequestChunk, requestHeaders } from "./model-request-wire.js";

/** Headers `fetch` computes itself or refuses. */
const HOP_BY_HOP = new Set(["host", "connection", "content-length", "transfer-encoding", "keep-alive", "upgrade", "proxy-connection", "te", "trailer"]);
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

function requestContext(x: Exchange): CopilotRequestContext {
  const { head } = x;
  return {
    requestId: head.requestId,
    ...(head.sessionId !== undefined && { sessionId: head.sessionId }),
    ...(head.agentId !== undefined && { agentId: head.agentId }),
    ...(head.parentAgentId !== undefined && { parentAgentId: head.parentAgentId }),
    ...(head.interactionType !== undefined && { interactionType: head.interactionType }),
    transport: head.transport === "websocket" ? "websocket" : "http",
    url: head.url,
    headers: requestHeaders(head),
    signal: x.controller.signal,
  };
}

/** The handler's protected hooks, called from outside the class on purpose (as the runtime's dispatcher). */
interface Hooks {
  sendRequest(request: Request, ctx: CopilotRequestContext): Promise<Response>;
  openWebSocket(ctx: CopilotRequestContext): Promise<CopilotWebSocketHandler>;
}

/** The exchanges of one connection, answered by one {@link CopilotRequestHandler}. */
class CopilotRequestServer extends ModelRequestServer<CopilotRequestHandler> {
  readonly #exchanges = new Map<string, Exchange>();

  requestStart(params: unknown): Record<string, never> {
    const head = checkRequestStart(params, (id) => this.#exchanges.has(id));
    const x: Exchange = { head, body: new BodyFeed(), controller: new AbortController(), started: false, finished: false };
    this.#exchanges.set(head.requestId, x);
    void this.#run(x);
    return {};
  }

  requestChunk(params: unknown): Record<string, never> {
    const p = checkRequestChunk(params);
    const x = this.#exchanges.get(p.requestId);
    if (!x) return {}; // a late chunk of a request that already ended
    if (p.cancel) {
      const reason = new SdkError("ABORTED", `Request cancelled by runtime${p.cancelReason ? `: ${p.cancelReason}` : ""}`);
      x.controller.abort(reason);
      x.body.fail(reason);
      return {};
    }
    if (typeof p.data === "string" && p.data.length > 0) x.body.push(decodeRequestChunk(p.data, p.binary));
    if (p.end) x.body.end();
    return {};
  }

  protected abortAll(why: unknown): void {
    for (const x of this.#exchanges.values()) {
      x.controller.abort(why);
      x.body.fail(why instanceof Error ? why : new Error(String(why)));
    }
    this.#exchanges.clear();
  }

  get #hooks(): Hooks {
    return this.handler as unknown as Hooks;
  }

  async #start(x: Exchange, status: number, statusText?: string, headers: Record<string, string[]> = {}): Promise<void> {
    if (x.started) return;
    x.started = true;
    await this.rpc.httpResponseStart({ requestId: x.head.requestId, status, ...(statusText && { statusText }), headers });
  }

  async #write(x: Exchange, data: string | Uint8Array): Promise<void> {
    if (x.finished) throw new SdkError("CONNECTION_CLOSED", `Model request ${x.head.requestId} already ended.`);
    await this.rpc.httpResponseChunk(
      typeof data === "string"
        ? { requestId: x.head.requestId, data }
        : { requestId: x.head.requestId, data: Buffer.from(data).toString("base64"), binary: true },
    );
  }

  async #end(x: Exchange): Promise<void> {
    if (x.finished) return;
    x.finished = true;
    await this.rpc.httpResponseChunk({ requestId: x.head.requestId, data: "", end: true });
  }

  async #fail(x: Exchange, status: number, message: string, code?: string): Promise<void> {
    if (x.finished) return;
    await this.#start(x, status);
    x.finished = true;
    await this.rpc.httpResponseChunk({ requestId: x.head.requestId, data: "", end: true, error: { message, ...(code !== undefined && { code }) } });
  }

  async #run(x: Exchange): Promise<void> {
    const ctx = requestContext(x);
    try {
      if (ctx.transport === "websocket") await this.#serveWebSocket(x, ctx);
      else await this.#serveHttp(x, ctx);
      if (!x.finished) await this.#fail(x, 502, "The requestHandler returned without finishing the response.");
    } catch (cause) {
      if (x.controller.signal.aborted) {
        await this.#fail(x, 499, "Request cancelled by runtime", "cancelled").catch(() => {});
        return;
      }
      const message = cause instanceof Error ? cause.message : String(cause);
      this.onError(
        new SdkError("HANDLER_FAILED", `requestHandler failed for ${x.head.method} ${x.head.url}: ${message}`, {
          cause,
          details: { requestId: x.head.requestId },
        }),
      );
      await this.#fail(x, 502, message).catch((error: unknown) => this.onError(error));
    } finally {
      this.#exchanges.delete(x.head.requestId);
    }
  }

  async #serveHttp(x: Exchange, ctx: CopilotRequestContext): Promise<void> {
    const method = x.head.method.toUpperCase();
    const parts: Uint8Array[] = [];
    for await (const chunk of x.body) parts.push(chunk);
    const headers = new Headers();
    for (const [name, values] of Object.entries(ctx.headers)) if (values && !HOP_BY_HOP.has(name)) for (const v of values) headers.append(name, v);
    const hasBody = method !== "GET" && method !== "HEAD" && parts.length > 0;
    const request = new Request(ctx.url, { method, headers, ...(hasBody && { body: Buffer.concat(parts) }) });
    const response = await this.#hooks.sendRequest.call(this.handler, request, ctx);
    if (!(response instanceof Response))
      throw new TypeError(`sendRequest returned ${response === null ? "null" : typeof response}; return a Response (e.g. from fetch or super.sendRequest).`);
    // fetch already decoded a compressed body: do not pass its encoding on.
    const responseHeaders = toHeaderMap(response.headers);
    delete responseHeaders["content-encoding"];
    delete responseHeaders["content-length"];
    await this.#start(x, response.status, response.statusText || undefined, responseHeaders);
    if (response.body) {
      for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) {
        if (x.controller.signal.aborted) return;
        if (chunk.byteLength > 0) await this.#write(x, chunk);
      }
    }
    await this.#end(x);
  }

  async #serveWebSocket(x: Exchange, ctx: CopilotRequestContext): Promise<void> {
    bindSocketBridge(ctx, {
      write: async (data) => {
        await this.#start(x, 101);
        await this.#write(x, data);
      },
      end: async () => {
        await this.#start(x, 101);
        await this.#end(x);
      },
      fail: (message, code) => this.#fail(x, 101, message, code),
    });
    const socket = await this.#hooks.openWebSocket.call(this.handler, ctx);
    if (!(socket instanceof CopilotWebSocketHandler))
      throw new TypeError("openWebSocket must return a CopilotWebSocketHandler (e.g. a CopilotWebSocketForwarder).");
    try {
      await socket.open();
      await this.#start(x, 101);
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
  return new CopilotRequestServer(handler, caller, onError).handlers();
}
