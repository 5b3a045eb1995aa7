/** The options of {@link JsonRpcConnection} and what its frame listener sees. */
import type { FlightdeckError } from "./errors.js";
import type { JsonRpcMessage } from "./json-rpc-message.js";
/** One frame as seen by an {@link JsonRpcConnectionOptions.onFrame} listener. Not redacted: pass it through `redact` before logging. */
export interface FrameLogEntry {
  direction: "in" | "out";
  message: JsonRpcMessage;
  /** Size of the JSON body in bytes (without the header). */
  byteLength: number;
}

export interface JsonRpcConnectionOptions {
  /**
   * Default timeout for every request, in ms. Default: none — many runtime calls legitimately run
   * long, and a dead peer is already covered: every pending request rejects with
   * `CONNECTION_CLOSED` the moment the transport closes. Override per call with `timeoutMs`
   * (`0` or `Infinity` there disables this default for that call).
   */
  requestTimeoutMs?: number;
  /** Largest incoming message body accepted, in bytes (default 64 MiB). A larger one closes the connection. */
  maxMessageBytes?: number;
  /**
   * Receives problems that are not tied to one call: handler errors, malformed frames, responses
   * with unknown ids. Without any error listener they are printed with `console.warn`, never swallowed.
   */
  onError?: (error: FlightdeckError) => void;
  /** Sees every frame in and out (for debug logs; redact before writing anywhere). */
  onFrame?: (entry: FrameLogEntry) => void;
}
