/**
 * The peer's side of a {@link JsonRpcConnection}: its requests and notifications, dispatched to
 * the handlers registered for them. A request is always answered (the handler's result, its
 * `RpcError`, -32603 for anything else thrown, -32601 without a handler); a notification handler
 * that throws is reported and the others still run.
 */
import { type FlightdeckError, RpcError, RpcErrorCode, SdkError, type JsonRpcErrorObject } from "./errors.js";
import type { JsonRpcId, JsonRpcNotification, JsonRpcRequest } from "./json-rpc-message.js";
import { errorMessage } from "./json-rpc-helpers.js";
import { LazyAbortController } from "./lazy-abort.js";
import { redactString } from "./redact.js";
import type { NotificationHandler, RequestHandler, Unsubscribe } from "./rpc-types.js";

/** Sends the answer to request `id`: `result`, or `error` when given. */
export type Respond = (id: JsonRpcId, result: unknown, error: JsonRpcErrorObject | undefined, method?: string) => void;

export class IncomingHandlers {
  readonly #requestHandlers = new Map<string, RequestHandler>();
  readonly #notificationHandlers = new Map<string, NotificationHandler[]>();
  /** One per request being handled; its signal (built only if read) fires when the connection closes. */
  readonly #running = new Set<LazyAbortController>();
  readonly #report: (error: FlightdeckError) => void;
  readonly #respond: Respond;

  constructor(report: (error: FlightdeckError) => void, respond: Respond) {
    this.#report = report;
    this.#respond = respond;
  }

  onRequest(method: string, handler: RequestHandler): Unsubscribe {
    this.#requestHandlers.set(method, handler);
    return () => {
      if (this.#requestHandlers.get(method) === handler) this.#requestHandlers.delete(method);
    };
  }

  onNotification(method: string, handler: NotificationHandler): Unsubscribe {
    let list = this.#notificationHandlers.get(method);
    if (!list) {
      list = [];
      this.#notificationHandlers.set(method, list);
    }
    list.push(handler);
    return () => {
      const current = this.#notificationHandlers.get(method);
      if (!current) return;
      const next = current.filter((h) => h !== handler);
      if (next.length === 0) this.#notificationHandlers.delete(method);
      else this.#notificationHandlers.set(method, next);
    };
  }

  handleRequest(message: JsonRpcRequest): void {
    const { id, method } = message;
    const handler = this.#requestHandlers.get(method);
    if (!handler) {
      this.#respond(id, undefined, {
        code: RpcErrorCode.MethodNotFound,
        message: `Method not found: ${method} (no handler is registered for it on this client).`,
      });
      return;
    }
    const controller = new LazyAbortController();
    this.#running.add(controller);
    const context = {
      method,
      id,
      get signal() {
        return controller.signal;
      },
    };
    new Promise((resolve) => resolve(handler(message.params, context)))
      .then(
        (result) => this.#respond(id, result === undefined ? null : result, undefined, method),
        (error: unknown) => this.#respond(id, undefined, this.#errorToWire(method, error)),
      )
      .finally(() => this.#running.delete(controller));
  }

  handleNotification(message: JsonRpcNotification): void {
    const handlers = this.#notificationHandlers.get(message.method);
    if (!handlers) return; // JSON-RPC: unknown notifications are ignored
    for (const handler of handlers) {
      try {
        const result = handler(message.params);
        if (result && typeof (result as Promise<void>).then === "function") {
          (result as Promise<void>).then(undefined, (cause: unknown) => this.#notificationFailed(message.method, cause));
        }
      } catch (cause) {
        this.#notificationFailed(message.method, cause);
      }
    }
  }

  /** Fires the signal of every request still being handled (the connection closed). */
  abortAll(reason: unknown): void {
    for (const controller of this.#running) controller.abort(reason);
    this.#running.clear();
  }

  #errorToWire(method: string, error: unknown): JsonRpcErrorObject {
    if (error instanceof RpcError) return error.toJSON();
    this.#report(
      new SdkError(
        "HANDLER_FAILED",
        `The handler for ${method} threw: ${errorMessage(error)}. The runtime got a -32603 error reply; fix the handler or throw an RpcError to choose the code.`,
        { cause: error, details: { method } },
      ),
    );
    return { code: RpcErrorCode.InternalError, message: redactString(`${method} handler failed: ${errorMessage(error)}`) };
  }

  #notificationFailed(method: string, cause: unknown): void {
    this.#report(
      new SdkError("HANDLER_FAILED", `A handler for the ${method} notification threw: ${errorMessage(cause)}. Other handlers still ran; fix the handler.`, {
        cause,
        details: { method },
      }),
    );
  }
}
