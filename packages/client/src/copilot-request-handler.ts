/**
 * `CopilotRequestHandler`: `@github/copilot-sdk`'s class form of model-traffic interception, for
 * programs that subclass it. Override `sendRequest(request, ctx)` to observe or rewrite HTTP (and
 * SSE) model calls, `openWebSocket(ctx)` for WebSocket ones; an instance that overrides nothing
 * forwards to the real provider. The runtime's frames are the same `llmInference.*` ones the
 * function form (`ModelRequestHandler`, request-handler.ts) serves; copilot-request-server.ts
 * serves them with an instance of this class.
 */
import { SdkError } from "@flightdeck/copilot-core";

/** What every hook of a {@link CopilotRequestHandler} learns about the request. */
export interface CopilotRequestContext {
  readonly requestId: string;
  /** The runtime's session that made the request, when there is one. */
  readonly sessionId?: string;
  readonly agentId?: string;
  readonly parentAgentId?: string;
  readonly interactionType?: string;
  readonly transport: "http" | "websocket";
  /** The URL the runtime would have called; a handler may change it before forwarding. */
  url: string;
  /** Request headers, lowercased names → every value. Include credentials: never log them. */
  headers: Record<string, string[] | undefined>;
  /** Aborted when the runtime cancels the request or the connection closes. */
  readonly signal: AbortSignal;
}

/** How a WebSocket exchange ended. `error` set = it failed (reported to the runtime as an inference error). */
export class CopilotWebSocketCloseStatus {
  static readonly normalClosure = new CopilotWebSocketCloseStatus();
  constructor(
    readonly description?: string,
    readonly errorCode?: string,
    readonly error?: Error,
  ) {}
}

/** The response side of one WebSocket exchange, kept out of the user-visible context. */
export interface SocketBridge {
  write(data: string | Uint8Array): Promise<void>;
  end(): Promise<void>;
  fail(message: string, code: string | undefined): Promise<void>;
}
const bridges = new WeakMap<CopilotRequestContext, SocketBridge>();

/** @internal Connects the handler constructed with `context` to its exchange (copilot-request-server.ts). */
export function bindSocketBridge(context: CopilotRequestContext, bridge: SocketBridge): void {
  bridges.set(context, bridge);
}

/**
 * One WebSocket exchange with no upstream: subclass it to answer the runtime yourself. Implement
 * `sendRequestMessage` (a message from the runtime); answer with `sendResponseMessage`; end with
 * `close()`. To forward to the real upstream, subclass {@link CopilotWebSocketForwarder} instead.
 */
export abstract class CopilotWebSocketHandler implements AsyncDisposable {
  readonly #bridge: SocketBridge;
  #closed = false;
  #resolveDone!: (status: CopilotWebSocketCloseStatus) => void;
  /** @internal Settles with the status given to `close()`. */
  readonly done: Promise<CopilotWebSocketCloseStatus> = new Promise((resolve) => (this.#resolveDone = resolve));

  protected constructor(protected readonly context: CopilotRequestContext) {
    const bridge = bridges.get(context);
    if (!bridge) {
      throw new SdkError(
        "INVALID_OPTION",
        "CopilotWebSocketHandler: construct it with the context passed to openWebSocket(ctx); it cannot be created on its own.",
        { details: { option: "context" } },
      );
    }
    this.#bridge = bridge;
  }

  /** A message from the runtime to the model server. */
  abstract sendRequestMessage(data: string | Uint8Array): Promise<void> | void;

  /** Sends a message from the model server to the runtime. */
  async sendResponseMessage(data: string | Uint8Array): Promise<void> {
    if (this.#closed) throw new SdkError("CONNECTION_CLOSED", `WebSocket exchange ${this.context.requestId} is closed; no more messages can be sent.`);
    await this.#bridge.write(data);
  }

  /** Ends the exchange; a status with `error` reports an inference error to the runtime. Idempotent. */
  async close(status: CopilotWebSocketCloseStatus = CopilotWebSocketCloseStatus.normalClosure): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    try {
      if (status.error) await this.#bridge.fail(status.description ?? status.error.message, status.errorCode);
      else await this.#bridge.end();
    } finally {
      this.#resolveDone(status);
    }
  }

  /** @internal Called before the first message; the forwarder connects upstream here. */
  async open(): Promise<void> {}

  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }
}

interface MinimalWebSocket {
  readonly readyState: number;
  binaryType: string;
  send(data: string | Uint8Array): void;
  close(): void;
  addEventListener(type: string, listener: (event: { data?: unknown }) => void, options?: { once?: boolean }): void;
}
const WS_OPEN = 1;

/** Forwards every message to the real upstream (the context's `url`) and back. What `openWebSocket` returns by default. */
export class CopilotWebSocketForwarder extends CopilotWebSocketHandler {
  #upstream: MinimalWebSocket | undefined;

  constructor(context: CopilotRequestContext) {
    super(context);
  }

  override async open(): Promise<void> {
    if (this.#upstream) return;
    const WebSocketClass = (globalThis as { WebSocket?: new (url: string) => MinimalWebSocket }).WebSocket;
    if (!WebSocketClass) {
      throw new SdkError(
        "UNSUPPORTED",
        `CopilotWebSocketForwarder: this Node.js (${process.version}) has no global WebSocket (Node 22 has one; on Node 20 run with --experimental-websocket), so ${this.context.url} cannot be forwarded. Override openWebSocket() to serve it yourself.`,
      );
    }
    const upstream = new WebSocketClass(this.context.url);
    upstream.binaryType = "arraybuffer";
    this.#upstream = upstream;
    upstream.addEventListener("message", (event) => {
      const data = event.data;
      const message =
        typeof data === "string" ? data : data instanceof ArrayBuffer ? new Uint8Array(data) : data instanceof Uint8Array ? data : new Uint8Array();
      this.sendResponseMessage(message).catch(
        (error: unknown) =>
          void this.close(
            new CopilotWebSocketCloseStatus(String((error as Error)?.message ?? error), undefined, error instanceof Error ? error : new Error(String(error))),
          ),
      );
    });
    upstream.addEventListener("close", () => void this.close());
    await new Promise<void>((resolve, reject) => {
      upstream.addEventListener("open", () => resolve(), { once: true });
      upstream.addEventListener("error", () => {
        const error = new Error(`WebSocket connection to ${this.context.url} failed`);
        reject(error);
        void this.close(new CopilotWebSocketCloseStatus(error.message, undefined, error));
      });
    });
  }

  sendRequestMessage(data: string | Uint8Array): void {
    if (this.#upstream?.readyState === WS_OPEN) this.#upstream.send(data);
  }

  override async close(status?: CopilotWebSocketCloseStatus): Promise<void> {
    try {
      this.#upstream?.close();
    } catch {
      // already closed
    }
    await super.close(status);
  }
}

/**
 * Subclass to observe or change the model requests the runtime makes (Copilot API and BYOK
 * alike), then pass an instance as the client's `requestHandler`. Overriding nothing forwards
 * every request unchanged.
 *
 * @example
 * ```ts
 * class Logging extends CopilotRequestHandler {
 *   protected override async sendRequest(request: Request, ctx: CopilotRequestContext) {
 *     console.log(ctx.sessionId, request.method, request.url);
 *     return super.sendRequest(request, ctx);
 *   }
 * }
 * new CopilotClient({ requestHandler: new Logging() });
 * ```
 */
export class CopilotRequestHandler {
  /** One HTTP (or SSE) request; return the response to stream back. Default: `fetch`. */
  protected sendRequest(request: Request, ctx: CopilotRequestContext): Promise<Response> {
    return fetch(request, { signal: ctx.signal });
  }

  /** One WebSocket connection. Default: a {@link CopilotWebSocketForwarder} to `ctx.url`. */
  protected openWebSocket(ctx: CopilotRequestContext): Promise<CopilotWebSocketHandler> {
    return Promise.resolve(new CopilotWebSocketForwarder(ctx));
  }
}

/** True for instances of {@link CopilotRequestHandler} (also across copies of this package). */
export function isCopilotRequestHandler(value: unknown): value is CopilotRequestHandler {
  if (value instanceof CopilotRequestHandler) return true;
  const v = value as { sendRequest?: unknown; openWebSocket?: unknown } | null;
  return typeof v === "object" && v !== null && typeof v.sendRequest === "function" && typeof v.openWebSocket === "function";
}
