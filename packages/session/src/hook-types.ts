/**
 * The types of hook callbacks (`hooks.invoke`): the ten a session config can set, their wire
 * names, and the inputs/outputs the runtime exchanges (the schema types `input`/`output` as opaque JSON, so
 * these shapes are written from observed traffic and the runtime's documentation).
 */

/** Fields every hook input carries. */
export interface HookInputBase {
  /** The runtime session that triggered the hook (a sub-agent's own id for sub-agent hooks). */
  sessionId: string;
  /** When the runtime emitted the hook. */
  timestamp: Date;
  /** Working directory of the session. */
  workingDirectory: string;
  [key: string]: unknown;
}

export interface PreToolUseHookInput extends HookInputBase {
  toolName: string;
  toolArgs: unknown;
}
export interface PreToolUseHookOutput {
  permissionDecision?: "allow" | "deny" | "ask";
  permissionDecisionReason?: string;
  modifiedArgs?: unknown;
  additionalContext?: string;
  suppressOutput?: boolean;
}
export interface PreMcpToolCallHookInput extends HookInputBase {
  toolCallId?: string;
  serverName: string;
  toolName: string;
  arguments: unknown;
  _meta?: Record<string, unknown>;
}
export interface PreMcpToolCallHookOutput {
  /** `_meta` for the outgoing MCP request: absent keeps it, an object replaces it, `null` removes it. */
  metaToUse?: Record<string, unknown> | null;
}
export interface PostToolUseHookInput extends HookInputBase {
  toolName: string;
  toolArgs: unknown;
  toolResult: unknown;
}
export interface PostToolUseHookOutput {
  modifiedResult?: unknown;
  additionalContext?: string;
  suppressOutput?: boolean;
}
export interface PostToolUseFailureHookInput extends HookInputBase {
  toolName: string;
  toolArgs: unknown;
  /** The failure message of the tool's result. */
  error: string;
}
export interface PostToolUseFailureHookOutput {
  additionalContext?: string;
}
export interface UserPromptSubmittedHookInput extends HookInputBase {
  prompt: string;
}
export interface UserPromptSubmittedHookOutput {
  modifiedPrompt?: string;
  additionalContext?: string;
  suppressOutput?: boolean;
}
export interface UserPromptTransformedHookInput extends HookInputBase {
  prompt: string;
  transformedPrompt: string;
}
export interface UserPromptTransformedHookOutput {
  modifiedTransformedPrompt?: string;
}
export interface SessionStartHookInput extends HookInputBase {
  source: "startup" | "resume" | "new";
  initialPrompt?: string;
}
export interface SessionStartHookOutput {
  additionalContext?: string;
  modifiedConfig?: Record<string, unknown>;
}
export interface SessionEndHookInput extends HookInputBase {
  reason: "complete" | "error" | "abort" | "timeout" | "user_exit";
  finalMessage?: string;
  error?: string;
}
export interface SessionEndHookOutput {
  suppressOutput?: boolean;
  cleanupActions?: string[];
  sessionSummary?: string;
}
export interface ErrorOccurredHookInput extends HookInputBase {
  error: string;
  errorContext: "model_call" | "tool_execution" | "system" | "user_input";
  recoverable: boolean;
}
export interface ErrorOccurredHookOutput {
  suppressOutput?: boolean;
  errorHandling?: "retry" | "skip" | "abort";
  retryCount?: number;
  userNotification?: string;
}
export interface AgentStopHookInput extends HookInputBase {
  stopReason?: string;
  transcriptPath?: string;
  /** True when this stop follows an earlier `block` decision: avoid blocking forever. */
  stopHookActive?: boolean;
}
export interface AgentStopHookOutput {
  /** `block` keeps the agent running; `reason` becomes a follow-up user message. */
  decision?: "block" | "allow";
  reason?: string;
}

/** What a hook handler learns besides its input. */
export interface HookInvocation {
  /** The session the hook was registered on. */
  sessionId: string;
  /** Fires when the turn is aborted or the session disconnects before the hook answered. */
  signal: AbortSignal;
}

/** A hook handler: return an output object to influence the runtime, or nothing to go on unchanged. */
export type HookHandler<I, O> = (input: I, invocation: HookInvocation) => O | void | Promise<O | void>;

/** The hook callbacks of a session. Each is optional; set only those you need. */
export interface SessionHooks {
  /** Before a tool runs: allow/deny/ask, or rewrite its arguments. */
  onPreToolUse?: HookHandler<PreToolUseHookInput, PreToolUseHookOutput>;
  /** After a tool succeeded: rewrite its result or add context. */
  onPostToolUse?: HookHandler<PostToolUseHookInput, PostToolUseHookOutput>;
  /** After a tool failed: add context for the model. */
  onPostToolUseFailure?: HookHandler<PostToolUseFailureHookInput, PostToolUseFailureHookOutput>;
  /** When the user's prompt is submitted: rewrite it or add context. */
  onUserPromptSubmitted?: HookHandler<UserPromptSubmittedHookInput, UserPromptSubmittedHookOutput>;
  /** After the runtime expanded the prompt, before it is stored. */
  onUserPromptTransformed?: HookHandler<UserPromptTransformedHookInput, UserPromptTransformedHookOutput>;
  onSessionStart?: HookHandler<SessionStartHookInput, SessionStartHookOutput>;
  onSessionEnd?: HookHandler<SessionEndHookInput, SessionEndHookOutput>;
  onErrorOccurred?: HookHandler<ErrorOccurredHookInput, ErrorOccurredHookOutput>;
  /** When the main agent stops: return `{ decision: "block", reason }` to keep it going. */
  onAgentStop?: HookHandler<AgentStopHookInput, AgentStopHookOutput>;
  /** Before an MCP tool call: set its `_meta`. */
  onPreMcpToolCall?: HookHandler<PreMcpToolCallHookInput, PreMcpToolCallHookOutput>;
}

/** Wire `hookType` (api `HookType`) of each `SessionHooks` member. */
export const HOOK_TYPES: Readonly<Record<keyof SessionHooks, string>> = {
  onPreToolUse: "preToolUse",
  onPostToolUse: "postToolUse",
  onPostToolUseFailure: "postToolUseFailure",
  onUserPromptSubmitted: "userPromptSubmitted",
  onUserPromptTransformed: "userPromptTransformed",
  onSessionStart: "sessionStart",
  onSessionEnd: "sessionEnd",
  onErrorOccurred: "errorOccurred",
  onAgentStop: "agentStop",
  onPreMcpToolCall: "preMcpToolCall",
};

const HANDLER_BY_TYPE = new Map<string, keyof SessionHooks>(Object.entries(HOOK_TYPES).map(([name, type]) => [type, name as keyof SessionHooks]));

/** The `SessionHooks` member that handles a wire `hookType`, if any. */
export function hookHandlerName(hookType: string): keyof SessionHooks | undefined {
  return HANDLER_BY_TYPE.get(hookType);
}

/** Runtime hook inputs use `cwd`, epoch-ms `timestamp` and `stop_hook_active`; hand users the typed form. */
export function normalizeHookInput(raw: unknown): HookInputBase {
  if (typeof raw !== "object" || raw === null || Array.isArray(raw)) return raw as HookInputBase;
  const { cwd, stop_hook_active, timestamp, ...rest } = raw as Record<string, unknown>;
  const out: Record<string, unknown> = { ...rest };
  out.timestamp = typeof timestamp === "number" || typeof timestamp === "string" ? new Date(timestamp) : timestamp;
  if (cwd !== undefined || out.workingDirectory === undefined) out.workingDirectory = cwd;
  if (stop_hook_active !== undefined) out.stopHookActive = stop_hook_active;
  return out as HookInputBase;
}
