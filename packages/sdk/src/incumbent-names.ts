/**
 * Type names `@github/copilot-sdk` exports that programs commonly import, as aliases of ours, so
 * such imports keep compiling after the switch. Types only: nothing here exists at run time.
 */
import type { CopilotClient, SessionLifecycleEvent } from "@flightdeck/copilot-client";
import type { McpHttpServerConfig, McpServerConfig, McpStdioServerConfig, SessionEventOf, SessionEventType } from "@flightdeck/copilot-session";

/** The final `assistant.message` event (what `sendAndWait` resolves with). */
export type AssistantMessageEvent = SessionEventOf<"assistant.message">;
/** One event of the given type. */
export type SessionEventPayload<T extends SessionEventType> = SessionEventOf<T>;
/** A handler for one event type, as `session.on(type, handler)` takes it. */
export type TypedSessionEventHandler<T extends SessionEventType> = (event: SessionEventOf<T>) => void;
export type PermissionRequestedEvent = SessionEventOf<"permission.requested">;
export type ExternalToolRequestedEvent = SessionEventOf<"external_tool.requested">;
export type UserMessageEvent = SessionEventOf<"user.message">;
export type AssistantMessageDeltaEvent = SessionEventOf<"assistant.message_delta">;
export type ToolExecutionCompleteEvent = SessionEventOf<"tool.execution_complete">;
/** What `resumeSession(id, config)` takes. */
export type ResumeSessionConfig = NonNullable<Parameters<CopilotClient["resumeSession"]>[1]>;
export type MCPServerConfig = McpServerConfig;
export type MCPStdioServerConfig = McpStdioServerConfig;
export type MCPHTTPServerConfig = McpHttpServerConfig;
/** What `client.onLifecycle(handler)` takes. */
export type SessionLifecycleHandler = (event: SessionLifecycleEvent) => void;
