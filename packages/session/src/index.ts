export { CopilotSession } from "./copilot-session.js";
export type { LogOptions, MessageOptions, SendAndWaitOptions, TextStreamOptions } from "./copilot-session.js";
export type { EventStreamOptions } from "./event-hub.js";
export { HOOK_TYPES } from "./hooks.js";
export type {
  AgentStopHookInput,
  AgentStopHookOutput,
  ErrorOccurredHookInput,
  ErrorOccurredHookOutput,
  HookHandler,
  HookInputBase,
  HookInvocation,
  PostToolUseFailureHookInput,
  PostToolUseFailureHookOutput,
  PostToolUseHookInput,
  PostToolUseHookOutput,
  PreMcpToolCallHookInput,
  PreMcpToolCallHookOutput,
  PreToolUseHookInput,
  PreToolUseHookOutput,
  SessionEndHookInput,
  SessionEndHookOutput,
  SessionHooks,
  SessionStartHookInput,
  SessionStartHookOutput,
  UserPromptSubmittedHookInput,
  UserPromptSubmittedHookOutput,
  UserPromptTransformedHookInput,
  UserPromptTransformedHookOutput,
} from "./hooks.js";
export type {
  AutoModeSwitchHandler,
  AutoModeSwitchRequest,
  ExitPlanModeHandler,
  ExitPlanModeRequest,
  ProviderConfig,
  RequestInvocation,
  SectionOverride,
  SectionTransform,
  SessionConfig,
  SystemMessageConfig,
  UserInputHandler,
  UserInputRequest,
} from "./session-config.js";
export { SessionError } from "./session-error.js";
// Issue 5: the wider runtime surface.
export type { CustomAgentConfig, DefaultAgentConfig } from "./agents.js";
export type { CommandContext, SlashCommand } from "./commands.js";
export type { McpAuthHandler, McpAuthRequest, McpAuthResult, McpHttpServerConfig, McpServerConfig, McpStdioServerConfig } from "./mcp.js";
export type { SessionMode } from "./empty-mode.js";
export type { BearerTokenProvider, NamedProviderConfig, ProviderModelConfig } from "./providers.js";
export type { SurfaceConfig } from "./surface-config.js";
export { SessionSetupError } from "./surface-context.js";
export type { ElicitationHandler, ElicitationRequest, ElicitationResult, ElicitationSchema, SessionUi } from "./ui-requests.js";
export { isUnknownSessionEvent } from "./session-events.js";
export type {
  AnySessionEvent,
  AnySessionEventHandler,
  SessionEvent,
  SessionEventData,
  SessionEventHandler,
  SessionEventOf,
  SessionEventType,
  UnknownSessionEvent,
} from "./session-events.js";
export { SessionHost } from "./session-host.js";
export type { ResumeExtras, SessionHostOptions, ValidationMode } from "./session-host.js";
export {
  SessionWorkflows,
  WORKFLOW_PROTOCOLS,
  WorkflowInputError,
  WorkflowResumeError,
  FactoryResumeError,
  WorkflowsUnavailableError,
  defineFactory,
  defineWorkflow,
  isWorkflowRunTerminal,
  serveWorkflows,
  workflowNamespaceFor,
} from "./workflows.js";
export type {
  RunWorkflowOptions,
  StandardSchema,
  Workflow,
  WorkflowAgentOptions,
  WorkflowContext,
  WorkflowDefinition,
  WorkflowHost,
  WorkflowLimits,
  WorkflowMeta,
  WorkflowNamespace,
  WorkflowProtocol,
  WorkflowResumeErrorCode,
  WorkflowRun,
  WorkflowRunStatus,
  WorkflowTransport,
} from "./workflows.js";
export { CanvasError, createCanvas } from "./canvases.js";
export type { Canvas, CanvasAction, CanvasContext, CanvasErrorCode, CanvasOpenResult, CanvasOptions, OpenCanvas } from "./canvases.js";
