/**
 * Names of the runtime's built-in tools, for `availableTools` / `excludedTools` and for refusing
 * custom tools that would clash with one.
 *
 * Source: `session.tools.getBuiltinDescriptors` on runtime 1.0.85 (33 descriptors; the schemas
 * carry no enum of them). Which of them a session actually offers depends on the model and
 * settings: `tools.list` on 1.0.85 returned 15 (`BuiltInTools.defaults`).
 */

const ALL = [
  "apply_patch",
  "ask_user",
  "bash",
  "context_board",
  "create",
  "create_pull_request",
  "edit",
  "exit_plan_mode",
  "factories_manage",
  "fetch_copilot_cli_documentation",
  "generic_tool_search",
  "glob",
  "grep",
  "list_agents",
  "list_bash",
  "manage_schedule",
  "read_agent",
  "read_bash",
  "read_inbox",
  "reply_to_comment",
  "run_factory",
  "send_inbox",
  "skill",
  "sql",
  "stop_bash",
  "str_replace_editor",
  "task",
  "task_complete",
  "tool_search_tool",
  "update_todo",
  "view",
  "web_fetch",
  "write_agent",
] as const;

/** A built-in tool name known to runtime 1.0.85. */
export type BuiltInToolName = (typeof ALL)[number];

/**
 * Built-in tool names, whole and in groups. Pass a group to `ToolSet.addBuiltIn(...)` or spread it
 * into `availableTools` / `excludedTools`.
 *
 * @example
 * ```ts
 * const filter = new ToolSet().addBuiltIn(BuiltInTools.readOnly).add(myTool);
 * await client.createSession({ tools: filter, availableTools: filter });
 * ```
 */
export const BuiltInTools = {
  /** Every built-in tool runtime 1.0.85 describes. */
  all: ALL,
  /** What `tools.list` offers by default on runtime 1.0.85. */
  defaults: [
    "bash",
    "read_bash",
    "stop_bash",
    "list_bash",
    "glob",
    "grep",
    "create",
    "edit",
    "skill",
    "view",
    "web_fetch",
    "task",
    "read_agent",
    "list_agents",
    "write_agent",
  ],
  /** Shell sessions: run commands and manage them. */
  shell: ["bash", "read_bash", "stop_bash", "list_bash"],
  /** Read files in the working tree without changing anything. */
  readOnly: ["view", "grep", "glob"],
  /** Change files in the working tree. */
  fileWrite: ["create", "edit", "str_replace_editor", "apply_patch"],
  /** Reach the network. */
  network: ["web_fetch", "fetch_copilot_cli_documentation"],
  /** Sub-agents and messages between agents. */
  agents: ["task", "read_agent", "write_agent", "list_agents", "send_inbox", "read_inbox"],
  /**
   * Tools that act only on the session's own state (questions to the user, plans, todos, agents,
   * inboxes): no files, no shell, no network. A starting point for multi-tenant hosts; the same
   * idea as the incumbent SDK's `BuiltInTools.Isolated`, checked against runtime 1.0.85's list.
   */
  Isolated: [
    "ask_user",
    "exit_plan_mode",
    "task_complete",
    "update_todo",
    "context_board",
    "task",
    "read_agent",
    "write_agent",
    "list_agents",
    "send_inbox",
    "read_inbox",
  ],
} as const satisfies Record<string, readonly BuiltInToolName[]>;

const ALL_SET: ReadonlySet<string> = new Set(ALL);

/** True when `name` is a built-in tool of runtime 1.0.85. */
export function isBuiltInToolName(name: string): name is BuiltInToolName {
  return ALL_SET.has(name);
}
