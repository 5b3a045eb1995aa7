export { CopilotClient, type ClientState, type CopilotClientOptions, type ModelInfo, type SessionLifecycleEvent, type SessionMetadata } from "./copilot-client.js";
export { AUTH_TOKEN_ENV, type CopilotClientInfo, type RuntimeLogLevel, type RuntimeOptions } from "./client-options.js";
export {
  RuntimeConnection,
  type StdioRuntimeConnection,
  type TcpRuntimeConnection,
  type UriRuntimeConnection,
} from "./runtime-connection.js";
export { resolveRuntime, runtimePlatform, type ResolvedRuntime, type ResolveRuntimeOptions, type RuntimeSource } from "./runtime-resolution.js";
export { SUPPORTED_PROTOCOL_VERSIONS, checkProtocolVersion } from "./protocol-range.js";
