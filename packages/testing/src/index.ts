export { TestingError } from "./errors.js";
export type { TestingErrorCode } from "./errors.js";
export { startScriptedModel } from "./scripted-model-server.js";
export type {
  RecordedRequest,
  ScriptedModelOptions,
  ScriptedModelServer,
  ScriptedProviderConfig,
  WaitForRequestsOptions,
} from "./scripted-model-server.js";
export type {
  DynamicTurn,
  ErrorTurn,
  MalformedTurn,
  ReplyTurn,
  ScriptedErrorStatus,
  ScriptedToolCall,
  ScriptedTurn,
  StaticTurn,
  TurnTiming,
} from "./script.js";
export { lastUserText, stripPromptDecoration, systemPrompt, toolResults } from "./model-request.js";
export type { LastUserTextOptions, ModelRequest, ModelToolResult, WireApi } from "./model-request.js";
export { createIsolatedEnvironment, sharedPackageCacheDir } from "./isolated-environment.js";
export type { IsolatedEnvironment, IsolatedEnvironmentOptions } from "./isolated-environment.js";
export { TEST_CONNECTION_ENV, resolveTestRuntime, resolveTestRuntimes, runtimeArgs } from "./runtimes.js";
export type { RuntimeArgsOptions, TestRuntime, TestRuntimeName } from "./runtimes.js";
export { createTestClient, defaultTestConnection, testRuntimeConnection } from "./test-client.js";
export type { TestClient, TestClientOptions, TestClientOptionsOverrides } from "./test-client.js";
export { SCRIPTED_MODEL_UNROUTABLE_BASE_URL, createScriptedRequestHandler } from "./scripted-request-handler.js";
export type { ScriptedRequestHandler, ScriptedRequestHandlerOptions } from "./scripted-request-handler.js";
export { startTestPostgres } from "./postgres-server.js";
export type { TestPostgres, TestPostgresOptions } from "./postgres-server.js";
