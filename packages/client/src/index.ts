export {
  CopilotClient,
  type ClientState,
  type ControlCallOptions,
  type CopilotClientOptions,
  type ModelInfo,
  type RuntimeLifecycleEvent,
  type SessionLifecycleEvent,
} from "./copilot-client.js";
export type { SessionContext, SessionListFilter, SessionMetadata } from "./session-metadata.js";
export type { AutoRestartOptions } from "./restart-policy.js";
export { AUTH_TOKEN_ENV, type CopilotClientInfo, type RuntimeLogLevel, type RuntimeOptions } from "./client-options.js";
export {
  RuntimeConnection,
  type InProcessRuntimeConnection,
  type StdioRuntimeConnection,
  type TcpRuntimeConnection,
  type UriRuntimeConnection,
} from "./runtime-connection.js";
export { resolveRuntime, runtimePlatform, type ResolvedRuntime, type ResolveRuntimeOptions, type RuntimeSource } from "./runtime-resolution.js";
export { SUPPORTED_PROTOCOL_VERSIONS, checkProtocolVersion } from "./protocol-range.js";
export { createSessionFsHandlers } from "./session-fs-handlers.js";
export {
  SessionFsProviderError,
  type SessionFsContext,
  type SessionFsDirEntry,
  type SessionFsFileInfo,
  type SessionFsOptions,
  type SessionFsProvider,
  type SessionFsSqliteProvider,
  type SessionFsSqliteResult,
  type SessionFsSqliteStatement,
} from "./session-fs.js";
export { MemorySessionFs, type MemorySessionFsOptions } from "./session-fs-memory.js";
export { DirectorySessionFs, type DirectorySessionFsOptions } from "./session-fs-directory.js";
export { telemetryEnv, type TelemetryOptions, type TraceContext, type TraceContextProvider } from "./telemetry.js";
export {
  createRequestHandlerHandlers,
  type InterceptedBodyChunk,
  type InterceptedRequest,
  type InterceptedResponse,
  type InterceptedResponseInit,
  type ModelRequestHandler,
} from "./request-handler.js";
export {
  CopilotRequestHandler,
  CopilotWebSocketCloseStatus,
  CopilotWebSocketForwarder,
  CopilotWebSocketHandler,
  type CopilotRequestContext,
} from "./copilot-request-handler.js";
export { createCopilotRequestHandlerHandlers } from "./copilot-request-server.js";
export {
  SessionFsSqliteTransactionFailure,
  createSessionFsAdapter,
  type PositionalSessionFsProvider,
  type PositionalSessionFsSqliteProvider,
} from "./session-fs-adapter.js";
export { DEBUG_ENV, type DebugOption } from "./debug-log.js";
export { DisableBypassPermissionsModes, SYSTEM_MESSAGE_SECTIONS, type SystemMessageSection } from "./compat-constants.js";
export { ExtensionError, joinSession, type ExtensionErrorCode, type JoinSessionConfig } from "./extension.js";
