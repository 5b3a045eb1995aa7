/**
 * Custom agents of a session: `customAgents`, the starting `agent`, `defaultAgent` and
 * `excludedBuiltinAgents`, with checks that name the bad entry.
 */
import type { DefaultAgentConfig, WireCustomAgentConfig } from "../bindings.js";
import { defineFeature } from "../feature.js";
import { checkStringList, describe, type Fail } from "../option-checks.js";
import { mcpServersToWire, type McpServerConfig } from "./mcp.js";

/**
 * A custom agent (sub-agent) the session can run: selected at start with `agent`, later with
 * `session.rpc.agent.select({ name })`, or picked by the model through its `task` tool when
 * `infer` is not false.
 *
 * @example
 * ```ts
 * { name: "reviewer", description: "Reviews diffs for bugs", prompt: "You review code…", tools: ["view", "grep"] }
 * ```
 */
export type CustomAgentConfig = Omit<WireCustomAgentConfig, "mcpServers"> & {
  /** MCP servers only this agent uses, keyed by server name. */
  mcpServers?: Record<string, McpServerConfig>;
};

export type { DefaultAgentConfig };

export interface AgentOptions {
  /** Custom agents (sub-agents) of the session. */
  customAgents?: CustomAgentConfig[];
  /** The custom agent active from the start; must name one of `customAgents`. */
  agent?: string;
  /** Settings of the built-in default agent, e.g. `{ excludedTools: ["bash"] }`. */
  defaultAgent?: DefaultAgentConfig;
  /** Built-in sub-agents to hide (e.g. `"explore"`). */
  excludedBuiltinAgents?: string[];
}

export const agentsFeature = defineFeature<AgentOptions>()({
  name: "customAgents",
  keys: ["customAgents", "agent", "defaultAgent", "excludedBuiltinAgents"],
  lower(options, wire, { fail }) {
    const agents = options.customAgents === undefined ? undefined : customAgentsToWire(options.customAgents, fail);
    if (agents !== undefined) wire.customAgents = agents;
    if (options.agent !== undefined) wire.agent = checkStartingAgent(options.agent, agents, fail);
    if (options.defaultAgent !== undefined) wire.defaultAgent = defaultAgentToWire(options.defaultAgent, fail);
    checkStringList(options.excludedBuiltinAgents, "excludedBuiltinAgents", fail);
    if (options.excludedBuiltinAgents !== undefined) wire.excludedBuiltinAgents = [...options.excludedBuiltinAgents];
    return undefined;
  },
});

const AGENT_KEYS = new Set(["name", "displayName", "description", "tools", "prompt", "mcpServers", "infer", "skills", "model", "reasoningEffort"]);

/** Checks `customAgents` and returns the wire value. */
function customAgentsToWire(value: unknown, fail: Fail): WireCustomAgentConfig[] {
  if (!Array.isArray(value)) return fail("customAgents", `must be an array of agents like { name, prompt, description? }, got ${describe(value)}.`);
  const seen = new Set<string>();
  return value.map((agent: unknown, i) => {
    const at = `customAgents[${i}]`;
    if (typeof agent !== "object" || agent === null || Array.isArray(agent)) return fail(at, `must be an agent like { name, prompt }, got ${describe(agent)}.`);
    const a = agent as Record<string, unknown>;
    if (typeof a.name !== "string" || !/^[A-Za-z0-9][A-Za-z0-9._-]*$/.test(a.name)) {
      fail(`${at}.name`, `must be a name of letters, digits, ".", "_" or "-" (it is how \`agent\` and the task tool refer to it), got ${describe(a.name)}.`);
    }
    const name = a.name as string;
    if (seen.has(name)) fail(`${at}.name`, `"${name}" is used by two agents; agent names must be unique.`);
    seen.add(name);
    const named = `customAgents.${name}`;
    for (const key of Object.keys(a)) if (!AGENT_KEYS.has(key)) fail(`${named}.${key}`, `is not an agent option (options: ${[...AGENT_KEYS].join(", ")}).`);
    if (typeof a.prompt !== "string" || a.prompt.trim() === "") fail(`${named}.prompt`, "is required: the agent's instructions.");
    for (const key of ["displayName", "description", "model", "reasoningEffort"]) {
      if (a[key] !== undefined && typeof a[key] !== "string") fail(`${named}.${key}`, `must be a string, got ${describe(a[key])}.`);
    }
    if (a.tools !== null) checkStringList(a.tools, `${named}.tools`, fail);
    checkStringList(a.skills, `${named}.skills`, fail);
    if (a.infer !== undefined && typeof a.infer !== "boolean") fail(`${named}.infer`, `must be true or false, got ${describe(a.infer)}.`);
    const out: Record<string, unknown> = {};
    for (const [key, v] of Object.entries(a)) if (v !== undefined) out[key] = v;
    if (a.mcpServers !== undefined) out.mcpServers = mcpServersToWire(a.mcpServers, fail, `${named}.mcpServers`);
    return out as unknown as WireCustomAgentConfig;
  });
}

/** Checks `agent` against `customAgents`: an unknown name fails here, naming it and the known ones. */
function checkStartingAgent(agent: unknown, agents: readonly WireCustomAgentConfig[] | undefined, fail: Fail): string {
  if (typeof agent !== "string" || agent.trim() === "") return fail("agent", `must be the name of one of \`customAgents\`, got ${describe(agent)}.`);
  const names = (agents ?? []).map((a) => a.name);
  if (!names.includes(agent)) {
    fail(
      "agent",
      names.length === 0
        ? `names the custom agent "${agent}", but \`customAgents\` is empty; define it there ({ name: "${agent}", prompt: "…" }).`
        : `names the custom agent "${agent}", which is not in \`customAgents\` (${names.map((n) => `"${n}"`).join(", ")}); fix the name or add the agent.`,
    );
  }
  return agent;
}

/** Checks `defaultAgent`. */
function defaultAgentToWire(value: unknown, fail: Fail): DefaultAgentConfig {
  if (typeof value !== "object" || value === null || Array.isArray(value))
    return fail("defaultAgent", `must be an object like { excludedTools: ["bash"] }, got ${describe(value)}.`);
  for (const key of Object.keys(value)) if (key !== "excludedTools") fail(`defaultAgent.${key}`, "is not a defaultAgent option (options: excludedTools).");
  const excluded = (value as { excludedTools?: unknown }).excludedTools;
  checkStringList(excluded, "defaultAgent.excludedTools", fail);
  return excluded === undefined ? {} : { excludedTools: [...(excluded as string[])] };
}
