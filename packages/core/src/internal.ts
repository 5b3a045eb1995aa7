/**
 * `@flightdeck/copilot-core/internal`: stubs and handler maps for runtime-internal methods
 * (`visibility: internal` in the schema: the handshake, shutdown, hooks, and the session
 * lifecycle the client wraps). Subject to change with every runtime; not for applications.
 */
export type {
  InternalClientGlobalHandlers,
  InternalClientNotificationHandlers,
  InternalClientSessionHandlers,
  InternalRpcMethodName,
  InternalRpcMethodTypes,
  InternalRpcParamsOf,
  InternalRpcResultOf,
  InternalRpcWireParamsOf,
  InternalServerRpc,
  InternalSessionRpc,
} from "./generated/internal-index.js";
export {
  INTERNAL_RPC_METHODS,
  INTERNAL_RPC_PARAM_KEYS,
  createInternalServerRpc,
  createInternalSessionRpc,
  registerInternalClientGlobalHandlers,
  registerInternalClientNotificationHandlers,
  registerInternalClientSessionHandlers,
} from "./generated/internal-index.js";
// The SDK's one JSON Schema checker, for @flightdeck/copilot-tools' argument validation.
export type { JsonSchemaValidator } from "./json-schema-validator.js";
export type { JsonSchemaIssue, SchemaNode } from "./schema-types.js";
export { compileJsonSchema, quickCheck as quickJsonSchemaCheck } from "./json-schema-validator.js";
export { isObject } from "./schema-values.js";
// Cancellation that builds its AbortSignal only when read (tool calls and other handler runs).
export type { Cancellation } from "./lazy-abort.js";
export { LazyAbortController, cancellationOf } from "./lazy-abort.js";
