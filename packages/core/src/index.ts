// First: the Node.js version check runs before anything else of the SDK is evaluated.
export { SUPPORTED_NODE_RANGE, isSupportedNodeVersion } from "./node-version.js";

export type {
  NotificationHandler,
  RequestHandler,
  RequestHandlerContext,
  RequestOptions,
  RpcCaller,
  RpcConnectionLike,
  RpcHandlerRegistry,
  RpcMethodInfo,
  Unsubscribe,
  WithSessionId,
} from "./rpc-types.js";

export {
  AuthenticationFailedError,
  FlightdeckError,
  InternalRpcError,
  InvalidParamsError,
  MethodNotFoundError,
  NotConnectedError,
  RpcError,
  RpcErrorCode,
  SdkError,
  ServerShuttingDownError,
  isSdkError,
  type JsonRpcErrorObject,
  type SdkErrorCode,
} from "./errors.js";
export { REDACTED, isSecretKey, redact, redactString, registerSecretValues } from "./redact.js";
export {
  DEFAULT_MAX_HEADER_BYTES,
  DEFAULT_MAX_MESSAGE_BYTES,
  FrameDecoder,
  encodeMessage,
  type FrameDecoderOptions,
  type FrameEvent,
  type FrameSink,
  type InvalidFrameReason,
} from "./framing.js";
export {
  classifyMessage,
  type JsonRpcErrorResponse,
  type JsonRpcId,
  type JsonRpcMessage,
  type JsonRpcMessageKind,
  type JsonRpcNotification,
  type JsonRpcRequest,
  type JsonRpcResponse,
  type JsonRpcSuccessResponse,
} from "./json-rpc-message.js";
export {
  BaseTransport,
  InMemoryTransport,
  createInMemoryTransportPair,
  type InMemoryTransportOptions,
  type Transport,
  type TransportCloseInfo,
} from "./transport.js";
export { JsonRpcConnection, type FrameLogEntry, type JsonRpcConnectionOptions } from "./json-rpc-connection.js";

// The generated bindings: an explicit, sorted list of named exports written by the generator.
export * from "./generated/index.js";
// Hand-written guards over the generated list of event types.
export { isKnownSessionEvent, isKnownSessionEventType, isSessionEventOfType } from "./session-event-guards.js";
