export { CopilotSession } from "./copilot-session.js";
export type { LogOptions } from "./copilot-session.js";
export type { MessageOptions, SendAndWaitOptions } from "./message-options.js";
export type { TextStreamOptions } from "./text-stream.js";
export type { EventStreamOptions } from "./event-hub.js";
export { HOOK_TYPES } from "./hook-types.js";
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
} from "./hook-types.js";
export type { CreateWireOptions, ResumeSessionConfig, ResumeWireOptions, SessionConfig } from "./session-config.js";
export type { CopilotClientMode } from "./feature.js";
export type { AutoModeSwitchHandler, AutoModeSwitchRequest } from "./features/auto-mode-switch.js";
export type { ExitPlanModeHandler, ExitPlanModeRequest } from "./features/exit-plan-mode.js";
export type { RequestInvocation, UserInputHandler, UserInputRequest } from "./features/user-input.js";
export type { SectionOverride, SectionTransform, SystemMessageConfig } from "./features/system-message.js";
export { SessionError, SessionSetupError } from "./session-error.js";
export type { CustomAgentConfig, DefaultAgentConfig } from "./features/agents.js";
export type { CommandContext, SlashCommand } from "./features/commands.js";
export type { McpAuthHandler, McpAuthRequest, McpAuthResult, McpHttpServerConfig, McpServerConfig, McpStdioServerConfig } from "./features/mcp.js";
export type { BearerTokenProvider, NamedProviderConfig, ProviderConfig, ProviderModelConfig } from "./features/providers.js";
export type { ElicitationHandler, ElicitationRequest } from "./features/elicitation.js";
export type { ElicitationResult, ElicitationSchema, SessionUi } from "./session-ui.js";
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
export type { EventValidationMode, ResumeExtras, SessionHostOptions } from "./session-host.js";
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
