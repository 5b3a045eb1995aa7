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
export type { SessionHostOptions, ValidationMode } from "./session-host.js";
