/**
 * `@flightdeck/copilot-sdk/extension`: what an extension process launched by the Copilot runtime
 * imports to join the session that launched it. See `joinSession`.
 */
export { ExtensionError, joinSession, type ExtensionErrorCode, type JoinSessionConfig } from "@flightdeck/copilot-client";
export {
  CanvasError,
  FactoryResumeError,
  WorkflowResumeError,
  createCanvas,
  defineFactory,
  defineWorkflow,
  type CopilotSession,
  type SessionConfig,
} from "@flightdeck/copilot-session";
export { approveAll, defineTool } from "@flightdeck/copilot-tools";
