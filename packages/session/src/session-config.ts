/**
 * `SessionConfig`: what a user passes to `createSession` / `resumeSession`, its checks (each
 * failure names the option and the fix), and its mapping to the `session.create` wire params.
 */
import { resolveCanvasConfig, type Canvas } from "./canvases.js";
import { SdkError } from "@flightdeck/copilot-core";
import { ToolError, ToolSet, type PermissionHandler, type ToolLike } from "@flightdeck/copilot-tools";
import type {
  ExitPlanModeRequestParams,
  InfiniteSessionsConfig,
  ProtocolSystemMessageConfig,
  SessionCreateParams,
  UIExitPlanModeResponse,
  UIUserInputResponse,
  UserInputRequestParams,
  WireProviderConfig,
} from "./bindings.js";
import { infiniteSessionsToWire } from "./history.js";
import { HOOK_TYPES, type SessionHooks } from "./hooks.js";
import type { AnySessionEventHandler } from "./session-events.js";
import { applyEmptyMode, type SessionMode } from "./empty-mode.js";
import { checkProvider, type BearerTokenProvider } from "./providers.js";
import { SURFACE_KEYS, resolveSurfaceConfig, type SurfaceConfig } from "./surface-config.js";

/**
 * BYOK model provider: the session talks to this endpoint instead of the Copilot API. With
 * `bearerTokenProvider`, a fresh token is fetched before every model request.
 */
export type ProviderConfig = Omit<WireProviderConfig, "hasBearerTokenProvider"> & { bearerTokenProvider?: BearerTokenProvider };

/** Rewrites one system prompt section; gets its current text, returns the new text. */
export type SectionTransform = (content: string, context: { sessionId: string; sectionId: string }) => string | Promise<string>;

/** Override of one system prompt section in `customize` mode. */
export type SectionOverride =
  | { action: "replace" | "append" | "prepend"; content: string }
  | { action: "remove" }
  | { action: "preserve" }
  /** Rewrite the section in code: the runtime sends its text through `systemMessage.transform`. */
  | { action: SectionTransform };

/**
 * How the system prompt is built.
 * - `append` (default): your `content` goes after the standard prompt.
 * - `replace`: your `content` is the whole system prompt.
 * - `customize`: per-section overrides (`identity`, `tone`, `tool_instructions`, …), plus `content` appended.
 */
export type SystemMessageConfig =
  | { mode?: "append"; content?: string }
  | { mode: "replace"; content: string }
  | { mode: "customize"; sections?: Record<string, SectionOverride>; content?: string };

/** What a user-input handler learns besides the question. */
export interface RequestInvocation {
  sessionId: string;
  /** Fires when the connection closes before you answered. */
  signal: AbortSignal;
}

/** The agent's `ask_user` question. */
export type UserInputRequest = Omit<UserInputRequestParams, "sessionId">;
/** Answers the agent's `ask_user` question: `{ answer, wasFreeform }`. */
export type UserInputHandler = (request: UserInputRequest, invocation: RequestInvocation) => UIUserInputResponse | Promise<UIUserInputResponse>;

/** The agent asks to leave plan mode. */
export type ExitPlanModeRequest = Omit<ExitPlanModeRequestParams, "sessionId">;
/** Decides whether to leave plan mode: `{ approved, selectedAction?, feedback? }`. */
export type ExitPlanModeHandler = (request: ExitPlanModeRequest, invocation: RequestInvocation) => UIExitPlanModeResponse | Promise<UIExitPlanModeResponse>;

/** After a rate limit: whether to switch to auto mode. */
export interface AutoModeSwitchRequest {
  errorCode?: string;
  retryAfterSeconds?: number;
}
/** Decides an auto-mode switch: `"yes"` (this turn), `"yes_always"`, or `"no"`. */
export type AutoModeSwitchHandler = (request: AutoModeSwitchRequest, invocation: RequestInvocation) => "yes" | "yes_always" | "no" | Promise<"yes" | "yes_always" | "no">;

/** Options forwarded unchanged to `session.create` (see the generated `SessionCreateParams` docs). */
type PassThroughKey =
  | "clientName"
  | "reasoningSummary"
  | "contextTier"
  | "toolFilterPrecedence"
  | "additionalDirectories"
  | "includeSubAgentStreamingEvents"
  | "enableConfigDiscovery"
  | "largeOutput"
  | "requestExtensions"
  | "extensionSdkPath";

const PASS_THROUGH_KEYS: readonly PassThroughKey[] = [
  "clientName",
  "reasoningSummary",
  "contextTier",
  "toolFilterPrecedence",
  "additionalDirectories",
  "includeSubAgentStreamingEvents",
  "enableConfigDiscovery",
  "largeOutput",
  "requestExtensions",
  "extensionSdkPath",
];

/**
 * Options of `createSession` / `resumeSession`. Every option is checked before anything is sent;
 * a bad one rejects with `SdkError("INVALID_OPTION")` naming it.
 *
 * @example
 * ```ts
 * const session = await client.createSession({
 *   model: "gpt-5",
 *   tools: [weather],
 *   onPermissionRequest: approveAll,
 *   provider: { type: "openai", baseUrl: "http://127.0.0.1:8080/v1", apiKey: process.env.KEY },
 * });
 * ```
 */
export interface SessionConfig extends Pick<SessionCreateParams, PassThroughKey>, SurfaceConfig {
  /** Model id (with a BYOK `provider`, any name the provider accepts). */
  model?: string;
  /** Reasoning effort for models that support it (`low`, `medium`, `high`, …). */
  reasoningEffort?: string;
  /** Emit `assistant.message_delta` (and other delta) events while the model answers. Needed for `textStream()`. */
  streaming?: boolean;
  /** Your tools (made with `defineTool`), as an array or a `ToolSet`. */
  tools?: ToolSet | readonly ToolLike[];
  /** Allowlist of tool names or patterns (`builtin:*`, `custom:*`, `mcp:server/*`); a `ToolSet` gives its `toArray()`. */
  availableTools?: ToolSet | readonly string[];
  /** Denylist, same syntax as `availableTools`. */
  excludedTools?: ToolSet | readonly string[];
  /** How the system prompt is built (append by default). */
  systemMessage?: SystemMessageConfig;
  /** BYOK provider (`openai` | `azure` | `anthropic`); `baseUrl` is required. */
  provider?: ProviderConfig;
  /** Working directory of the session: tools resolve relative paths against it. */
  workingDirectory?: string;
  /** Background context compaction for long sessions: `true`/`false` or detailed settings. */
  infiniteSessions?: boolean | InfiniteSessionsConfig;
  /** Sees every event, including those emitted before `createSession` returns. */
  onEvent?: AnySessionEventHandler;
  /** Canvases this client provides to the session (made by `createCanvas`); see canvases.ts. */
  canvases?: readonly Canvas[];
  /**
   * Decides permission requests (shell, write, read, url, mcp, custom-tool, …). Without it every
   * request is rejected, with feedback telling the model no handler is configured.
   * Use `approveAll` from `@flightdeck/copilot-tools` only for trusted set-ups.
   */
  onPermissionRequest?: PermissionHandler;
  /** Answers the agent's `ask_user` questions; without it the agent cannot ask. */
  onUserInputRequest?: UserInputHandler;
  /** Decides requests to leave plan mode. */
  onExitPlanModeRequest?: ExitPlanModeHandler;
  /** Decides switching to auto mode after a rate limit. */
  onAutoModeSwitchRequest?: AutoModeSwitchHandler;
  /** Hook callbacks (pre/post tool use, prompt submitted, session start/end, …). */
  hooks?: SessionHooks;
  /**
   * Receives problems of this session that no call returns: a handler that threw, an event that
   * failed validation, a tool or hook that failed. Defaults to the client's `onError`.
   */
  onError?: (error: unknown) => void;
  /**
   * What to do with `external_tool.requested` for a tool this session did not register.
   * `"fail"` (default) answers with a failure the model can read; `"ignore"` leaves it to another
   * client attached to the same session (tool requests are broadcast to every attached client).
   */
  unknownToolCalls?: "fail" | "ignore";
}

/** The wire params built from a config (everything but `sessionId`). */
export type SessionWireParams = Omit<SessionCreateParams, "sessionId">;

/** A checked config plus what the session needs at run time. */
export interface ResolvedSessionConfig {
  readonly config: SessionConfig;
  readonly tools: ToolSet;
  readonly transforms: ReadonlyMap<string, SectionTransform>;
  readonly wire: SessionWireParams;
  /** `"empty"` when the host runs in mode "empty" (see empty-mode.ts). */
  readonly mode: SessionMode;
}

const KNOWN_KEYS = new Set<string>([
  "model",
  "reasoningEffort",
  "streaming",
  "tools",
  "availableTools",
  "excludedTools",
  "systemMessage",
  "provider",
  "workingDirectory",
  "infiniteSessions",
  "onEvent",
  "onPermissionRequest",
  "onUserInputRequest",
  "onExitPlanModeRequest",
  "onAutoModeSwitchRequest",
  "hooks",
  "onError",
  "unknownToolCalls",
  "canvases",
  ...PASS_THROUGH_KEYS,
  ...SURFACE_KEYS,
]);

const SYSTEM_MODES = ["append", "replace", "customize"];
const STATIC_ACTIONS = ["replace", "append", "prepend"];

/**
 * Checks a config and builds its wire params.
 * @param where the calling method, for messages (`createSession`, `resumeSession`).
 * @throws {SdkError} `INVALID_OPTION` naming the option (`details.option`) and the fix.
 */
export function resolveSessionConfig(input: SessionConfig | undefined, where: string, options: { mode?: SessionMode } = {}): ResolvedSessionConfig {
  const fail: (option: string, problem: string, cause?: unknown) => never = (option, problem, cause) => {
    throw new SdkError("INVALID_OPTION", `${where}: \`${option}\` ${problem}`, { cause, details: { option } });
  };
  if (input === undefined) input = {};
  if (!isObject(input)) fail("config", `must be an options object, got ${describe(input)}.`);
  const config = input;

  for (const key of Object.keys(config)) {
    if (!KNOWN_KEYS.has(key)) fail(key, `is not a session option; check the spelling (options: ${[...KNOWN_KEYS].sort().join(", ")}).`);
  }

  const wire: Record<string, unknown> = {};
  const optionalString = (key: "model" | "reasoningEffort" | "workingDirectory") => {
    const value = config[key];
    if (value === undefined) return;
    if (typeof value !== "string" || value.trim() === "") fail(key, `must be a non-empty string, got ${describe(value)}.`);
    wire[key] = value;
  };
  optionalString("model");
  optionalString("reasoningEffort");
  optionalString("workingDirectory");

  if (config.streaming !== undefined) {
    if (typeof config.streaming !== "boolean") fail("streaming", `must be true or false, got ${describe(config.streaming)}.`);
    wire.streaming = config.streaming;
  }

  // Tools: the tools package owns the checks (names, schemas, handlers, duplicates).
  let tools: ToolSet;
  try {
    tools = config.tools instanceof ToolSet ? config.tools : new ToolSet(checkIterable(config.tools, fail));
  } catch (error) {
    if (!(error instanceof ToolError)) throw error;
    const option = error.toolName ? `tools.${error.toolName}${error.option ? `.${error.option}` : ""}` : "tools";
    return fail(option, `is invalid: ${error.message}`, error);
  }
  if (tools.size > 0) wire.tools = tools.toolDefinitions();

  for (const key of ["availableTools", "excludedTools"] as const) {
    const value = config[key];
    if (value === undefined) continue;
    if (value instanceof ToolSet) {
      wire[key] = value.toArray();
      continue;
    }
    if (!Array.isArray(value)) fail(key, `must be an array of tool names or patterns (or a ToolSet), got ${describe(value)}.`);
    (value as unknown[]).forEach((name, i) => {
      if (typeof name !== "string" || name.trim() === "") fail(`${key}[${i}]`, `must be a non-empty tool name or pattern, got ${describe(name)}.`);
    });
    wire[key] = [...value];
  }

  const transforms = new Map<string, SectionTransform>();
  if (config.systemMessage !== undefined) wire.systemMessage = systemMessageToWire(config.systemMessage, transforms, fail);

  if (config.provider !== undefined) wire.provider = providerToWire(config.provider, fail);

  if (config.infiniteSessions !== undefined) wire.infiniteSessions = infiniteSessionsToWire(config.infiniteSessions, fail);

  for (const key of ["onEvent", "onPermissionRequest", "onUserInputRequest", "onExitPlanModeRequest", "onAutoModeSwitchRequest", "onError"] as const) {
    const value = config[key];
    if (value !== undefined && typeof value !== "function") fail(key, `must be a function, got ${describe(value)}.`);
  }

  let hasHooks = false;
  if (config.hooks !== undefined) {
    if (!isObject(config.hooks)) fail("hooks", `must be an object of hook functions, got ${describe(config.hooks)}.`);
    for (const [name, handler] of Object.entries(config.hooks)) {
      if (!(name in HOOK_TYPES)) fail(`hooks.${name}`, `is not a hook; use one of ${Object.keys(HOOK_TYPES).join(", ")}.`);
      if (handler === undefined) continue;
      if (typeof handler !== "function") fail(`hooks.${name}`, `must be a function, got ${describe(handler)}.`);
      hasHooks = true;
    }
  }

  if (config.unknownToolCalls !== undefined && config.unknownToolCalls !== "fail" && config.unknownToolCalls !== "ignore") {
    fail("unknownToolCalls", `must be "fail" or "ignore", got ${describe(config.unknownToolCalls)}.`);
  }

  for (const key of PASS_THROUGH_KEYS) if (config[key] !== undefined) wire[key] = config[key];
  resolveSurfaceConfig(config, wire, fail);
  resolveCanvasConfig(config.canvases, wire, fail);
  if (options.mode === "empty") applyEmptyMode(config, wire, fail);

  // This client always answers permission prompts (rejecting when no handler is set) so the
  // agent never waits on a prompt nobody sees; the other callbacks are asked for only when set.
  wire.requestPermission = true;
  if (config.onUserInputRequest) wire.requestUserInput = true;
  if (config.onExitPlanModeRequest) wire.requestExitPlanMode = true;
  if (config.onAutoModeSwitchRequest) wire.requestAutoModeSwitch = true;
  if (hasHooks) wire.hooks = true;

  return { config, tools, transforms, wire: wire as SessionWireParams, mode: options.mode ?? "default" };
}

function systemMessageToWire(
  value: unknown,
  transforms: Map<string, SectionTransform>,
  fail: (option: string, problem: string) => never,
): ProtocolSystemMessageConfig {
  if (!isObject(value)) return fail("systemMessage", `must be an object like { mode: "append", content: "…" }, got ${describe(value)}.`);
  const mode = value.mode ?? "append";
  if (typeof mode !== "string" || !SYSTEM_MODES.includes(mode)) {
    return fail("systemMessage.mode", `must be one of "append", "replace", "customize", got ${describe(value.mode)}.`);
  }
  if (value.content !== undefined && typeof value.content !== "string") fail("systemMessage.content", `must be a string, got ${describe(value.content)}.`);
  if (mode === "append") return value.content === undefined ? { mode: "append" } : { mode: "append", content: value.content as string };
  if (mode === "replace") {
    if (typeof value.content !== "string") fail("systemMessage.content", "is required in replace mode: it becomes the whole system prompt.");
    return { mode: "replace", content: value.content as string };
  }
  const sections: Record<string, { action: string; content?: string }> = {};
  if (value.sections !== undefined) {
    if (!isObject(value.sections)) fail("systemMessage.sections", `must be an object keyed by section id, got ${describe(value.sections)}.`);
    for (const [id, override] of Object.entries(value.sections)) {
      const option = `systemMessage.sections.${id}`;
      if (!isObject(override)) fail(option, `must be an override like { action: "append", content: "…" }, got ${describe(override)}.`);
      const action = override.action;
      if (typeof action === "function") {
        transforms.set(id, action as SectionTransform);
        sections[id] = { action: "transform" };
      } else if (action === "remove" || action === "preserve") {
        sections[id] = { action };
      } else if (typeof action === "string" && STATIC_ACTIONS.includes(action)) {
        if (typeof override.content !== "string") fail(`${option}.content`, `is required for action "${action}".`);
        sections[id] = { action, content: override.content as string };
      } else {
        fail(`${option}.action`, `must be "replace", "append", "prepend", "remove", "preserve" or a function (content) => string, got ${describe(action)}.`);
      }
    }
  }
  const out: Record<string, unknown> = { mode: "customize", sections };
  if (value.content !== undefined) out.content = value.content;
  return out as ProtocolSystemMessageConfig;
}

function providerToWire(value: unknown, fail: (option: string, problem: string) => never): WireProviderConfig {
  if (!isObject(value)) return fail("provider", `must be an object like { type: "openai", baseUrl: "https://…/v1", apiKey }, got ${describe(value)}.`);
  return checkProvider(value, "provider", fail) as unknown as WireProviderConfig;
}

function checkIterable(value: unknown, fail: (option: string, problem: string) => never): Iterable<ToolLike> | undefined {
  if (value === undefined) return undefined;
  if (typeof value === "string" || typeof (value as { [Symbol.iterator]?: unknown })?.[Symbol.iterator] !== "function") {
    return fail("tools", `must be an array of tools made with defineTool (or a ToolSet), got ${describe(value)}.`);
  }
  return value as Iterable<ToolLike>;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** Describes a value for an error message without dumping it. */
export function describe(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "an array";
  if (typeof value === "function") return "a function";
  if (typeof value === "object") return "an object";
  if (typeof value === "string") return value.length > 60 ? `a string of ${value.length} characters` : JSON.stringify(value);
  return `${typeof value} ${String(value)}`;
}
