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
export { defineFactory, defineWorkflow } from "./workflows/define-workflow.js";
export type { Workflow, WorkflowAgentOptions, WorkflowContext, WorkflowDefinition, WorkflowLimits, WorkflowMeta } from "./workflows/define-workflow.js";
export { FactoryResumeError, WorkflowInputError, WorkflowResumeError, WorkflowsUnavailableError } from "./workflows/errors.js";
export type { WorkflowResumeErrorCode } from "./workflows/errors.js";
export { WORKFLOW_PROTOCOLS, workflowNamespaceFor } from "./workflows/protocol.js";
export type { WorkflowNamespace, WorkflowProtocol } from "./workflows/protocol.js";
export { serveWorkflows } from "./workflows/serve-workflows.js";
export type { WorkflowHost } from "./workflows/serve-workflows.js";
export { SessionWorkflows, isWorkflowRunTerminal } from "./workflows/session-workflows.js";
export type { RunWorkflowOptions, WorkflowRun, WorkflowRunStatus, WorkflowTransport } from "./workflows/session-workflows.js";
export type { StandardSchema } from "./workflows/standard-schema.js";
export { CanvasError, createCanvas } from "./canvases.js";
export type { Canvas, CanvasAction, CanvasContext, CanvasErrorCode, CanvasOpenResult, CanvasOptions, OpenCanvas } from "./canvases.js";
