/**
 * Constants `@github/copilot-sdk` exports, with the same names and values, so programs that use
 * them run unchanged: the sections of the runtime's system prompt (for `systemMessage: { mode:
 * "customize", sections }`) and the values of `managedSettings.permissions.disableBypassPermissionsMode`.
 */

/** A section of the runtime's system prompt that `systemMessage` customisation can target. */
export type SystemMessageSection =
  | "preamble"
  | "identity"
  | "tone"
  | "tool_efficiency"
  | "environment_context"
  | "code_change_rules"
  | "guidelines"
  | "safety"
  | "tool_instructions"
  | "custom_instructions"
  | "runtime_instructions"
  | "last_instructions";

/** Every system-prompt section with what it holds (runtime 1.0.85). */
export const SYSTEM_MESSAGE_SECTIONS: Readonly<Record<SystemMessageSection, { readonly description: string }>> = Object.freeze({
  preamble: { description: "Who the agent is and the mode it runs in" },
  identity: { description: "The identity preamble with its sub-sections (tone, tool efficiency, …)" },
  tone: { description: "Response style: brevity, formatting" },
  tool_efficiency: { description: "How to use tools: parallel calls, batching" },
  environment_context: { description: "Working directory, OS, git root, folder listing, available tools" },
  code_change_rules: { description: "Rules for changing code: linting, tests, ecosystem tools, style" },
  guidelines: { description: "Behavioural tips and best practices" },
  safety: { description: "Limits of the environment, forbidden actions, security policy" },
  tool_instructions: { description: "Instructions for each tool" },
  custom_instructions: { description: "Repository and organisation custom instructions" },
  runtime_instructions: { description: "Context the runtime adds: notifications, memories, workspace, mode, content-exclusion policy" },
  last_instructions: { description: "Closing instructions: parallel tool calls, persistence, finishing the task" },
});

/** Values of `managedSettings.permissions.disableBypassPermissionsMode`. */
export const DisableBypassPermissionsModes = Object.freeze({
  /** No bypass-permissions mode at all. */
  Disable: "disable",
  /** Automatic bypass only; never a full allow-all. */
  AllowAutoOnly: "allow-auto-only",
} as const);
