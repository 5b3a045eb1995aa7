/**
 * Two error families under one base: `RpcError` for errors the runtime sent over the wire
 * (numeric JSON-RPC `code`), `SdkError` for failures detected on this side (string `code`).
 * Messages say what happened and what to do; messages and attached data are redacted.
 */
import { redact, redactString } from "./redact.js";

// Shared across copies of this module (ESM + CJS builds, `.` and `./node` bundles, duplicates in
// node_modules), so `instanceof` keeps working when two copies of a class meet.
const BRAND = Symbol.for("@flightdeck/copilot-core:error");

/**
 * Base class of every error Flightdeck throws or rejects with. `cause` is set whenever there is one.
 * `instanceof` works across duplicate copies of this package (each class has a stable `errorClass`).
 */
export class FlightdeckError extends Error {
  /** Stable class identity; survives minification and duplicate module copies. */
  static readonly errorClass: string = "FlightdeckError";

  constructor(message: string, options?: { cause?: unknown }) {
    super(redactString(message), options?.cause === undefined ? undefined : { cause: redactCause(options.cause) });
    const ctor = new.target as unknown as { errorClass?: string };
    this.name = Object.hasOwn(ctor, "errorClass") ? ctor.errorClass! : new.target.name;
  }

  static override [Symbol.hasInstance]<T extends abstract new (...args: never[]) => unknown>(this: T, value: unknown): value is InstanceType<T> {
    if (typeof value !== "object" || value === null) return false;
    const own = Object.hasOwn(this, "errorClass") ? (this as unknown as { errorClass: string }).errorClass : undefined;
    if (own === undefined || !(BRAND in value)) return Function.prototype[Symbol.hasInstance].call(this, value);
    for (let p = Object.getPrototypeOf(value) as object | null; p !== null; p = Object.getPrototypeOf(p) as object | null) {
      const ctor = (p as { constructor?: unknown }).constructor;
      if (typeof ctor === "function" && Object.hasOwn(ctor, "errorClass") && (ctor as unknown as { errorClass: string }).errorClass === own) return true;
    }
    return false;
  }
}
Object.defineProperty(FlightdeckError.prototype, BRAND, { value: true });

/**
 * A cause as it may be attached: Flightdeck errors were redacted when made; other errors get a
 * redacted copy (same name, code, message, stack and cause chain) only when they hold a secret.
 */
function redactCause(cause: unknown, depth = 0): unknown {
  if (depth > 8 || typeof cause !== "object" || cause === null) return typeof cause === "string" ? redactString(cause) : cause;
  if (BRAND in cause) return cause;
  if (!(cause instanceof Error)) return redact(cause);
  const message = redactString(cause.message);
  const stack = cause.stack === undefined ? undefined : redactString(cause.stack);
  const inner = cause.cause === undefined ? undefined : redactCause(cause.cause, depth + 1);
  if (message === cause.message && stack === cause.stack && inner === cause.cause) return cause;
  const copy = new Error(message, inner === undefined ? undefined : { cause: inner });
  copy.name = cause.name;
  if (stack !== undefined) copy.stack = stack;
  const code = (cause as { code?: unknown }).code;
  if (code !== undefined) (copy as { code?: unknown }).code = code;
  return copy;
}

/** Well-known JSON-RPC error codes: the JSON-RPC 2.0 ones and those the Copilot runtime defines. */
export const RpcErrorCode = {
  ParseError: -32700,
  InvalidRequest: -32600,
  MethodNotFound: -32601,
  InvalidParams: -32602,
  InternalError: -32603,
  /** The runtime is shutting down (`runtime.shutdown` was called); concurrent requests get this. */
  ServerShuttingDown: -32000,
  /** A request arrived before the `connect` handshake. */
  NotConnected: -32001,
  /** The TCP connection token was wrong or missing. */
  AuthenticationFailed: -32002,
} as const;

/** The `error` member of a JSON-RPC error response, as it travels on the wire. */
export interface JsonRpcErrorObject {
  code: number;
  message: string;
  data?: unknown;
}

const RPC_HINTS: Record<number, string> = {
  [RpcErrorCode.ParseError]: "The runtime could not parse what was sent; this is a bug in the client, please report it.",
  [RpcErrorCode.InvalidRequest]: "The runtime rejected the request shape; this is a bug in the client, please report it.",
  [RpcErrorCode.MethodNotFound]: "The peer does not implement this method; check that the runtime version supports it.",
  [RpcErrorCode.InvalidParams]: "Check the params against the method's schema (the generated types show the expected shape).",
  [RpcErrorCode.InternalError]: "The peer failed while handling the request; see its log for details.",
  [RpcErrorCode.ServerShuttingDown]: "The runtime is shutting down; start a new client to keep working.",
  [RpcErrorCode.NotConnected]: "Send the `connect` handshake before any other request (CopilotClient.start does this).",
  [RpcErrorCode.AuthenticationFailed]: "Pass the runtime's connection token (COPILOT_CONNECTION_TOKEN) as `connectionToken`.",
};

/**
 * An error response from the peer. `RpcError.from(wireError, method)` returns the subclass that
 * matches the code, so callers can `instanceof`-check (`MethodNotFoundError`, …) or switch on `code`.
 */
export class RpcError extends FlightdeckError {
  static override readonly errorClass: string = "RpcError";
  /** The JSON-RPC error code. */
  readonly code: number;
  /** The error's `data` member, redacted. */
  readonly data: unknown;
  /** The method whose call failed, when known. */
  readonly method: string | undefined;
  /** The peer's own message, redacted, without the method prefix and hint. */
  readonly rpcMessage: string;

  constructor(code: number, rpcMessage: string, options?: { data?: unknown; method?: string; cause?: unknown }) {
    const hint = RPC_HINTS[code];
    const prefix = options?.method ? `${options.method} failed: ` : "";
    super(`${prefix}${rpcMessage} (JSON-RPC error ${code}).${hint ? ` ${hint}` : ""}`, options);
    this.code = code;
    this.rpcMessage = redactString(rpcMessage);
    this.data = options?.data === undefined ? undefined : redact(options.data);
    this.method = options?.method;
  }

  /** Builds the right subclass for a wire error object. Tolerates malformed objects (code -32603). */
  static from(wireError: unknown, method?: string): RpcError {
    const obj = (typeof wireError === "object" && wireError !== null ? wireError : {}) as Partial<JsonRpcErrorObject>;
    const code = typeof obj.code === "number" && Number.isInteger(obj.code) ? obj.code : RpcErrorCode.InternalError;
    const message = typeof obj.message === "string" && obj.message.length > 0 ? obj.message : "(no message)";
    const options = { data: obj.data, method };
    switch (code) {
      case RpcErrorCode.NotConnected:
        return new NotConnectedError(message, options);
      case RpcErrorCode.AuthenticationFailed:
        return new AuthenticationFailedError(message, options);
      case RpcErrorCode.ServerShuttingDown:
        return new ServerShuttingDownError(message, options);
      case RpcErrorCode.MethodNotFound:
        return new MethodNotFoundError(message, options);
      case RpcErrorCode.InvalidParams:
        return new InvalidParamsError(message, options);
      case RpcErrorCode.InternalError:
        return new InternalRpcError(message, options);
      default:
        return new RpcError(code, message, options);
    }
  }

  /** The wire form, for answering a server→client request with this error. */
  toJSON(): JsonRpcErrorObject {
    return this.data === undefined ? { code: this.code, message: this.rpcMessage } : { code: this.code, message: this.rpcMessage, data: this.data };
  }
}

type RpcSubclassOptions = { data?: unknown; method?: string; cause?: unknown };

/** -32001: a request was sent before the `connect` handshake. */
export class NotConnectedError extends RpcError {
  static override readonly errorClass: string = "NotConnectedError";
  constructor(message: string, options?: RpcSubclassOptions) {
    super(RpcErrorCode.NotConnected, message, options);
  }
}
/** -32002: the TCP connection token was wrong or missing. */
export class AuthenticationFailedError extends RpcError {
  static override readonly errorClass: string = "AuthenticationFailedError";
  constructor(message: string, options?: RpcSubclassOptions) {
    super(RpcErrorCode.AuthenticationFailed, message, options);
  }
}
/** -32000: the runtime is shutting down. */
export class ServerShuttingDownError extends RpcError {
  static override readonly errorClass: string = "ServerShuttingDownError";
  constructor(message: string, options?: RpcSubclassOptions) {
    super(RpcErrorCode.ServerShuttingDown, message, options);
  }
}
/** -32601: the peer has no such method. */
export class MethodNotFoundError extends RpcError {
  static override readonly errorClass: string = "MethodNotFoundError";
  constructor(message: string, options?: RpcSubclassOptions) {
    super(RpcErrorCode.MethodNotFound, message, options);
  }
}
/** -32602: the params did not match the method's schema. */
export class InvalidParamsError extends RpcError {
  static override readonly errorClass: string = "InvalidParamsError";
  constructor(message: string, options?: RpcSubclassOptions) {
    super(RpcErrorCode.InvalidParams, message, options);
  }
}
/** -32603: the peer failed while handling the request. */
export class InternalRpcError extends RpcError {
  static override readonly errorClass: string = "InternalRpcError";
  constructor(message: string, options?: RpcSubclassOptions) {
    super(RpcErrorCode.InternalError, message, options);
  }
}

/** Codes of errors detected on this side of the wire. */
export type SdkErrorCode =
  /** The connection closed (runtime exited, socket dropped, or `close()` was called). */
  | "CONNECTION_CLOSED"
  /** Opening a connection failed (port closed, host unknown). */
  | "CONNECT_FAILED"
  /** A request got no response within its `timeoutMs`. */
  | "TIMEOUT"
  /** The request's `AbortSignal` fired. */
  | "ABORTED"
  /** The runtime speaks a protocol version this SDK does not support. */
  | "PROTOCOL_MISMATCH"
  /** Bytes on the wire were not a valid Content-Length framed JSON-RPC 2.0 message. */
  | "INVALID_FRAME"
  /** A value failed schema validation, or could not be serialized. */
  | "VALIDATION"
  /** An option passed by the caller is invalid. */
  | "INVALID_OPTION"
  /** The runtime executable could not be found or started. */
  | "RUNTIME_NOT_FOUND"
  /** The runtime process exited unexpectedly. */
  | "RUNTIME_EXITED"
  /** The connection to a runtime that is still running was lost (e.g. its TCP socket was closed). */
  | "CONNECTION_LOST"
  /** autoRestart gave up: the runtime kept failing (too many restarts within the window). */
  | "RESTART_FAILED"
  /** A user-supplied handler threw or rejected. */
  | "HANDLER_FAILED"
  /** This Node.js version is outside the supported range (checked at import). */
  | "UNSUPPORTED_NODE"
  /** A feature this SDK does not offer (yet), e.g. `RuntimeConnection.forInProcess()`; the message says what to use instead. */
  | "UNSUPPORTED";

/**
 * A failure detected locally. Switch on `code`; `details` carries structured context
 * (e.g. `exitCode`, `signal`, `stderrTail` for `CONNECTION_CLOSED`), always redacted.
 */
export class SdkError extends FlightdeckError {
  static override readonly errorClass: string = "SdkError";
  readonly code: SdkErrorCode;
  readonly details: Readonly<Record<string, unknown>> | undefined;

  constructor(code: SdkErrorCode, message: string, options?: { cause?: unknown; details?: Record<string, unknown> }) {
    super(message, options);
    this.code = code;
    this.details = options?.details === undefined ? undefined : redact(options.details);
  }
}

/** True when `error` is an `SdkError`, optionally with the given code. */
export function isSdkError(error: unknown, code?: SdkErrorCode): error is SdkError {
  return error instanceof SdkError && (code === undefined || error.code === code);
}
