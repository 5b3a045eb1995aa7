/**
 * MCP servers of a session: the `mcpServers` option (stdio and HTTP) and its checks, the
 * `onMcpAuthRequest` answer to `mcp.oauth_required`, and the report of a server that failed to
 * start.
 */
import { SdkError } from "@flightdeck/copilot-core";
import type { McpOauthRequiredData, McpServerConfigHttp, McpServerConfigStdio } from "../bindings.js";
import { answerInBackground, defineFeature, type FeatureContext } from "../feature.js";
import { checkBoolean, checkFunction, checkStringList, checkStringMap, describe, errorMessage, type Fail } from "../option-checks.js";
import { SessionSetupError } from "../session-error.js";

/** Provenance fields the runtime fills in for servers it discovers itself; not for SDK users. */
type RuntimeOwned = "source" | "sourcePlugin" | "sourcePluginVersion" | "sourcePluginSpec" | "sourcePath" | "configWarnings" | "isDefaultServer";

/**
 * A local MCP server the runtime starts as a child process and talks to over stdio.
 * Its tools reach the model as `<server name>-<tool name>`.
 */
export type McpStdioServerConfig = Omit<McpServerConfigStdio, RuntimeOwned>;
/** A remote MCP server over Streamable HTTP (`type: "http"`, the default) or SSE. */
export type McpHttpServerConfig = Omit<McpServerConfigHttp, RuntimeOwned>;
/** One MCP server: stdio when it has `command`, remote when it has `url`. */
export type McpServerConfig = McpStdioServerConfig | McpHttpServerConfig;

/** The runtime needs OAuth credentials for a remote MCP server (`mcp.oauth_required`). */
export type McpAuthRequest = McpOauthRequiredData;
/** Credentials for an MCP server; return `null`/`undefined` to cancel (the server stays unauthenticated). */
export interface McpAuthResult {
  accessToken: string;
  /** Defaults to `Bearer`. */
  tokenType?: string;
  /** Lifetime in seconds. */
  expiresIn?: number;
}
/**
 * Answers an MCP server's OAuth request with a token you obtained (your own OAuth flow, a
 * vault, …). The token goes to the runtime only; it is never logged by this SDK.
 */
export type McpAuthHandler = (
  request: McpAuthRequest,
  invocation: { sessionId: string; signal: AbortSignal },
) => McpAuthResult | null | undefined | Promise<McpAuthResult | null | undefined>;

export interface McpOptions {
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
  /** Lets MCP servers show their apps' UI (`ui://` bundles) through this client; sent as `requestMcpApps`. The runtime needs `COPILOT_MCP_APPS=true` in its environment. */
  enableMcpApps?: boolean;
}

type Ctx = FeatureContext<McpOptions, undefined>;

export const mcpFeature = defineFeature<McpOptions>()({
  name: "mcpServers",
  keys: ["mcpServers", "disabledMcpServers", "onMcpAuthRequest", "enableMcpApps"],
  lower(options, wire, { fail }) {
    if (options.mcpServers !== undefined) {
      wire.mcpServers = mcpServersToWire(options.mcpServers, fail);
      // SDK users pass literal env values, not references to the host's variables.
      wire.envValueMode = "direct";
    }
    checkStringList(options.disabledMcpServers, "disabledMcpServers", fail);
    if (options.disabledMcpServers !== undefined) wire.disabledMcpServers = [...options.disabledMcpServers];
    checkFunction(options.onMcpAuthRequest, "onMcpAuthRequest", fail);
    checkBoolean(options.enableMcpApps, "enableMcpApps", fail);
    if (options.enableMcpApps) wire.requestMcpApps = true;
    return undefined;
  },
  events: {
    "mcp.oauth_required": (ctx, { data }) => handleMcpOAuthRequired(ctx, data),
    "session.mcp_server_status_changed": (ctx, { data }) => reportMcpServerStatus(ctx, data),
    "session.mcp_servers_loaded": (ctx, { data }) => {
      for (const server of data.servers) reportMcpServerStatus(ctx, { serverName: server.name, status: server.status, error: server.error });
    },
  },
  // Ask the runtime for `mcp.oauth_required` events (it emits them only to interested clients).
  afterOpen(ctx) {
    return ctx.options.onMcpAuthRequest ? ctx.rpc.eventLog.registerInterest({ eventType: "mcp.oauth_required" }).then(ignore) : undefined;
  },
});

const ignore = (): void => {};

// The runtime's server-name rule (session.mcp.oauth.login): no control characters, no empty segments.
const SERVER_NAME = /^[^\x00-\x1f/\x7f-\x9f}]+(?:\/[^\x00-\x1f/\x7f-\x9f}]+)*$/;

/** Checks `mcpServers` and returns the wire value. */
export function mcpServersToWire(value: unknown, fail: Fail, option = "mcpServers"): Record<string, McpServerConfig> {
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    return fail(option, `must be an object keyed by server name, like { github: { command: "github-mcp", args: ["stdio"] } }, got ${describe(value)}.`);
  }
  const out: Record<string, McpServerConfig> = {};
  for (const [name, server] of Object.entries(value as Record<string, unknown>)) {
    const at = `${option}.${name}`;
    if (!SERVER_NAME.test(name))
      fail(at, "has an invalid server name: use letters, digits, dashes or underscores (no control characters, no empty path segments).");
    if (typeof server !== "object" || server === null || Array.isArray(server)) {
      fail(at, `must be a server config: { command, args? } for stdio or { url } for HTTP, got ${describe(server)}.`);
    }
    const s = server as Record<string, unknown>;
    if (s.url !== undefined || s.type === "http" || s.type === "sse") {
      if (typeof s.url !== "string" || !URL.canParse(s.url) || !/^https?:$/.test(new URL(s.url).protocol)) {
        fail(`${at}.url`, `must be an absolute http(s) URL of the MCP endpoint, e.g. "https://example.com/mcp", got ${describe(s.url)}.`);
      }
      if (s.type !== undefined && s.type !== "http" && s.type !== "sse")
        fail(`${at}.type`, `must be "http" or "sse" for a remote server, got ${describe(s.type)}.`);
      if (s.command !== undefined) fail(at, "has both `url` and `command`: a server is either remote (url) or local (command).");
      checkStringMap(s.headers, `${at}.headers`, fail, true);
    } else {
      if (typeof s.command !== "string" || s.command.trim() === "") {
        fail(`${at}.command`, `is required for a stdio server: the executable to start (or give \`url\` for a remote server), got ${describe(s.command)}.`);
      }
      if (s.type !== undefined && s.type !== "stdio" && s.type !== "local") fail(`${at}.type`, `must be "stdio" for a local server, got ${describe(s.type)}.`);
      checkStringList(s.args, `${at}.args`, fail);
      checkStringMap(s.env, `${at}.env`, fail, true);
      if (s.cwd !== undefined && (typeof s.cwd !== "string" || s.cwd === "")) fail(`${at}.cwd`, `must be a directory path, got ${describe(s.cwd)}.`);
    }
    checkStringList(s.tools, `${at}.tools`, fail);
    if (s.timeout !== undefined && (typeof s.timeout !== "number" || !(s.timeout > 0)))
      fail(`${at}.timeout`, `must be a positive number of milliseconds, got ${describe(s.timeout)}.`);
    const copy: Record<string, unknown> = {};
    for (const [key, v] of Object.entries(s)) if (v !== undefined) copy[key] = v;
    out[name] = copy as McpServerConfig;
  }
  return out;
}

/** `mcp.oauth_required` → `onMcpAuthRequest` → `session.mcp.oauth.handlePendingRequest`. */
function handleMcpOAuthRequired(ctx: Ctx, data: McpAuthRequest): void {
  const handler = ctx.options.onMcpAuthRequest;
  // Another client of the session may answer; without a handler this one stays out of it.
  if (!handler || !ctx.firstSight(`mcp-oauth:${data.requestId}`)) return;
  const decide = async (signal: AbortSignal) => {
    try {
      const result = (await handler(data, { sessionId: ctx.sessionId, signal })) as unknown;
      if (result === null || result === undefined) return { kind: "cancelled" as const };
      const r = result as Partial<McpAuthResult>;
      if (typeof r !== "object" || typeof r.accessToken !== "string" || r.accessToken === "") {
        throw new Error(`it returned ${describe(result)}; return { accessToken, tokenType?, expiresIn? } or null to cancel`);
      }
      return {
        kind: "token" as const,
        accessToken: r.accessToken,
        ...(r.tokenType !== undefined ? { tokenType: r.tokenType } : {}),
        ...(r.expiresIn !== undefined ? { expiresIn: r.expiresIn } : {}),
      };
    } catch (error) {
      ctx.report(
        new SdkError(
          "HANDLER_FAILED",
          `onMcpAuthRequest for MCP server "${data.serverName}" of session ${ctx.sessionId} failed: ${errorMessage(error)}. The request was cancelled; the server stays unauthenticated.`,
          {
            cause: error,
            details: { sessionId: ctx.sessionId, serverName: data.serverName },
          },
        ),
      );
      return { kind: "cancelled" as const };
    }
  };
  answerInBackground(ctx, `mcp-oauth:${data.requestId}`, decide, (result) => ctx.rpc.mcp.oauth.handlePendingRequest({ requestId: data.requestId, result }));
}

/** `session.mcp_server_status_changed` with `failed`: reported once per server and error, naming the server. */
function reportMcpServerStatus(ctx: Ctx, data: { serverName: string; status: string; error?: string }): void {
  if (data.status !== "failed") return;
  const configured = ctx.options.mcpServers !== undefined && Object.hasOwn(ctx.options.mcpServers, data.serverName);
  const reason = data.error ?? "no reason given";
  // The runtime retries once at the first turn and reports the same failure again.
  if (!ctx.firstSight(`mcp-failed:${data.serverName}:${reason}`)) return;
  ctx.report(
    new SessionSetupError(
      ctx.sessionId,
      configured ? "mcpServers" : "mcp",
      data.serverName,
      `MCP server "${data.serverName}" of session ${ctx.sessionId} failed to start: ${reason}. Its tools are unavailable; the session keeps working without them.${configured ? ` Check \`mcpServers.${data.serverName}\` (command, args, url), then call session.rpc.mcp.reload().` : ""}`,
    ),
  );
}
