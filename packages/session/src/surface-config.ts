/**
 * The session options for the wider runtime surface (MCP servers, custom agents, skills and
 * instructions, elicitations, slash commands, named providers), their checks and wire mapping,
 * and the events and post-create steps that serve them. `session-config.ts` merges these in.
 */
import type { ProviderModelConfig, SessionEvent } from "./bindings.js";
import { checkStartingAgent, customAgentsToWire, defaultAgentToWire, type CustomAgentConfig, type DefaultAgentConfig } from "./agents.js";
import { commandsToWire, handleCommandExecute, type SlashCommand } from "./commands.js";
import { checkStringList, handleMcpOAuthRequired, mcpServersToWire, registerMcpAuthInterest, reportMcpServerStatus, type McpAuthHandler, type McpServerConfig } from "./mcp.js";
import { describe } from "./session-config.js";
import { applyEmptyModeOptions } from "./empty-mode.js";
import { reportEmptySkillDirectories } from "./skills.js";
import type { SurfaceContext } from "./surface-context.js";
import { modelsToWire, providersToWire, type NamedProviderConfig } from "./providers.js";
import { handleElicitationRequested, type ElicitationHandler } from "./ui-requests.js";

/** Session options of the wider runtime surface; part of `SessionConfig`. */
export interface SurfaceConfig {
  /**
   * MCP servers, keyed by server name: `{ command, args?, env?, cwd? }` (stdio) or
   * `{ url, headers? }` (HTTP). Their tools reach the model as `<server>-<tool>`; filter them with
   * `availableTools` / `ToolSet.addMcp`. A server that fails to start is reported to `onError`
   * as a `SessionSetupError` naming it; the session keeps working.
   */
  mcpServers?: Record<string, McpServerConfig>;
  /** Names of MCP servers not to start. */
  disabledMcpServers?: string[];
  /** Supplies OAuth tokens for remote MCP servers that ask for them (`mcp.oauth_required`). */
  onMcpAuthRequest?: McpAuthHandler;
  /** Custom agents (sub-agents) of the session. */
  customAgents?: CustomAgentConfig[];
  /** The custom agent active from the start; must name one of `customAgents`. */
  agent?: string;
  /** Settings of the built-in default agent, e.g. `{ excludedTools: ["bash"] }`. */
  defaultAgent?: DefaultAgentConfig;
  /** Built-in sub-agents to hide (e.g. `"explore"`). */
  excludedBuiltinAgents?: string[];
  /** Extra directories to load skills from: each holds `<skill>/SKILL.md` folders. */
  skillDirectories?: string[];
  /** Skill names to leave out. */
  disabledSkills?: string[];
  /** Open Plugins directories to load. */
  pluginDirectories?: string[];
  /** Extra directories searched for custom instruction files (`*.instructions.md`, AGENTS.md, …). */
  instructionDirectories?: string[];
  /** Answers elicitations (forms and URL prompts); enables the elicitation capability. */
  onElicitationRequest?: ElicitationHandler;
  /** Slash commands your code handles. */
  commands?: SlashCommand[];
  /**
   * Named BYOK providers, used alongside (not instead of) Copilot API auth; cannot be combined
   * with `provider`. Each may fetch a bearer token per request with `bearerTokenProvider`.
   */
  providers?: NamedProviderConfig[];
  /** BYOK models served by `providers`, selected as `<provider>/<id>` (in `model` or `setModel`). */
  models?: ProviderModelConfig[];
}

/** The keys of {@link SurfaceConfig} (`providers` is checked with the provider options). */
export const SURFACE_KEYS: readonly string[] = [
  "mcpServers",
  "disabledMcpServers",
  "onMcpAuthRequest",
  "customAgents",
  "agent",
  "defaultAgent",
  "excludedBuiltinAgents",
  "skillDirectories",
  "disabledSkills",
  "pluginDirectories",
  "instructionDirectories",
  "onElicitationRequest",
  "commands",
  "providers",
  "models",
];

type Fail = (option: string, problem: string) => never;

/** Checks the surface options of `config` and writes their wire form into `wire`. */
export function resolveSurfaceConfig(config: SurfaceConfig, wire: Record<string, unknown>, fail: Fail): void {
  if (config.mcpServers !== undefined) {
    wire.mcpServers = mcpServersToWire(config.mcpServers, fail);
    // SDK users pass literal env values, not references to the host's variables.
    wire.envValueMode = "direct";
  }
  for (const key of ["disabledMcpServers", "excludedBuiltinAgents", "disabledSkills"] as const) {
    checkStringList(config[key], key, fail);
    if (config[key] !== undefined) wire[key] = [...config[key]!];
  }
  for (const key of ["skillDirectories", "pluginDirectories", "instructionDirectories"] as const) {
    const dirs = config[key];
    checkStringList(dirs, key, fail);
    if (dirs === undefined) continue;
    dirs.forEach((dir, i) => {
      // The runtime resolves relative paths against its own cwd, not the session's: require absolute ones.
      if (!isAbsolutePath(dir)) fail(`${key}[${i}]`, `must be an absolute path, got ${describe(dir)}.`);
    });
    wire[key] = [...dirs];
  }
  for (const key of ["onMcpAuthRequest", "onElicitationRequest"] as const) {
    if (config[key] !== undefined && typeof config[key] !== "function") fail(key, `must be a function, got ${describe(config[key])}.`);
  }
  if (config.customAgents !== undefined) wire.customAgents = customAgentsToWire(config.customAgents, fail);
  if (config.agent !== undefined) wire.agent = checkStartingAgent(config.agent, wire.customAgents as never, fail);
  if (config.defaultAgent !== undefined) wire.defaultAgent = defaultAgentToWire(config.defaultAgent, fail);
  if (config.commands !== undefined) wire.commands = commandsToWire(config.commands, fail);
  if (config.onElicitationRequest) wire.requestElicitation = true;
  if (config.providers !== undefined) {
    if ((config as { provider?: unknown }).provider !== undefined) {
      fail("providers", "cannot be combined with `provider` (the runtime rejects both): move the single provider into `providers` with a name, and its model into `models`.");
    }
    wire.providers = providersToWire(config.providers, fail);
  }
  if (config.models !== undefined) wire.models = modelsToWire(config.models, ((wire.providers as Array<{ name: string }> | undefined) ?? []).map((p) => p.name), fail);
}

function isAbsolutePath(path: string): boolean {
  return path.startsWith("/") || /^[A-Za-z]:[\\/]/.test(path) || path.startsWith("\\\\");
}

/** Serves the surface events of one session; called for every event the session receives. */
export function handleSurfaceEvent(ctx: SurfaceContext, event: SessionEvent): void {
  switch (event.type) {
    case "mcp.oauth_required":
      handleMcpOAuthRequired(ctx, event.data);
      break;
    case "session.mcp_server_status_changed":
      reportMcpServerStatus(ctx, event.data);
      break;
    case "session.mcp_servers_loaded":
      for (const server of event.data.servers) reportMcpServerStatus(ctx, { serverName: server.name, status: server.status, error: server.error });
      break;
    case "elicitation.requested":
      handleElicitationRequested(ctx, event.data);
      break;
    case "command.execute":
      handleCommandExecute(ctx, event.data);
      break;
    default:
      break;
  }
}

/** Steps after `session.create` / `session.resume` answered (before the session is handed out). */
export async function afterSessionOpen(ctx: SurfaceContext): Promise<void> {
  await Promise.all([registerMcpAuthInterest(ctx), reportEmptySkillDirectories(ctx), applyEmptyModeOptions(ctx)]);
}
