/**
 * MCP servers of a session: the `mcpServers` option (stdio and HTTP) and its checks, the
 * `onMcpAuthRequest` answer to `mcp.oauth_required`, and the report of a server that failed to
 * start.
 */
import { SdkError } from "@flightdeck/copilot-core";
import type { McpOauthRequiredData, McpServerConfigHttp, McpServerConfigStdio } from "./bindings.js";
import { describe } from "./session-config.js";
import { SessionSetupError, errorMessage, type SurfaceContext } from "./surface-context.js";

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
  invocation: { sessionId: string },
) => McpAuthResult | null | undefined | Promise<McpAuthResult | null | undefined>;

type Fail = (option: string, problem: string) => never;

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
    if (!SERVER_NAME.test(name)) fail(at, "has an invalid server name: use letters, digits, dashes or underscores (no control characters, no empty path segments).");
    if (typeof server !== "object" || server === null || Array.isArray(server)) {
      fail(at, `must be a server config: { command, args? } for stdio or { url } for HTTP, got ${describe(server)}.`);
    }
    const s = server as Record<string, unknown>;
    if (s.url !== undefined || s.type === "http" || s.type === "sse") {
      if (typeof s.url !== "string" || !URL.canParse(s.url) || !/^https?:$/.test(new URL(s.url).protocol)) {
        fail(`${at}.url`, `must be an absolute http(s) URL of the MCP endpoint, e.g. "https://example.com/mcp", got ${describe(s.url)}.`);
      }
      if (s.type !== undefined && s.type !== "http" && s.type !== "sse") fail(`${at}.type`, `must be "http" or "sse" for a remote server, got ${describe(s.type)}.`);
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
    if (s.timeout !== undefined && (typeof s.timeout !== "number" || !(s.timeout > 0))) fail(`${at}.timeout`, `must be a positive number of milliseconds, got ${describe(s.timeout)}.`);
    const copy: Record<string, unknown> = {};
    for (const [key, v] of Object.entries(s)) if (v !== undefined) copy[key] = v;
    out[name] = copy as McpServerConfig;
  }
  return out;
}

/** Checks an optional array of non-empty strings (`disabledSkills`, `tools`, …). */
export function checkStringList(value: unknown, option: string, fail: Fail): void {
  if (value === undefined) return;
  if (!Array.isArray(value)) fail(option, `must be an array of strings, got ${describe(value)}.`);
  (value as unknown[]).forEach((item, i) => {
    if (typeof item !== "string" || item === "") fail(`${option}[${i}]`, `must be a non-empty string, got ${describe(item)}.`);
  });
}

/** Checks a string-to-string map; `secret` values are never echoed (env and headers carry tokens). */
function checkStringMap(value: unknown, option: string, fail: Fail, secret: boolean): void {
  if (value === undefined) return;
  if (typeof value !== "object" || value === null || Array.isArray(value)) fail(option, `must be an object of string values, got ${describe(value)}.`);
  for (const [key, v] of Object.entries(value as Record<string, unknown>)) {
    if (typeof v !== "string") fail(`${option}.${key}`, `must be a string, got ${secret ? `a ${v === null ? "null" : typeof v}` : describe(v)}.`);
  }
}

/** After `session.create`: ask the runtime for `mcp.oauth_required` events (it emits them only to interested clients). */
export async function registerMcpAuthInterest(ctx: SurfaceContext): Promise<void> {
  if (!ctx.config.onMcpAuthRequest) return;
  await ctx.rpc.eventLog.registerInterest({ eventType: "mcp.oauth_required" });
}

/** `mcp.oauth_required` → `onMcpAuthRequest` → `session.mcp.oauth.handlePendingRequest`. */
export function handleMcpOAuthRequired(ctx: SurfaceContext, data: McpAuthRequest): void {
  const handler = ctx.config.onMcpAuthRequest;
  // Another client of the session may answer; without a handler this one stays out of it.
  if (!handler || !ctx.firstSight(`mcp-oauth:${data.requestId}`)) return;
  const decide = async () => {
    try {
      const result = (await handler(data, { sessionId: ctx.sessionId })) as unknown;
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
        new SdkError("HANDLER_FAILED", `onMcpAuthRequest for MCP server "${data.serverName}" of session ${ctx.sessionId} failed: ${errorMessage(error)}. The request was cancelled; the server stays unauthenticated.`, {
          cause: error,
          details: { sessionId: ctx.sessionId, serverName: data.serverName },
        }),
      );
      return { kind: "cancelled" as const };
    }
  };
  decide()
    .then((result) => (ctx.closed ? undefined : ctx.rpc.mcp.oauth.handlePendingRequest({ requestId: data.requestId, result })))
    .then(undefined, (error: unknown) => {
      if (!ctx.closed) ctx.report(error);
    });
}

/** `session.mcp_server_status_changed` with `failed`: reported once per server and error, naming the server. */
export function reportMcpServerStatus(ctx: SurfaceContext, data: { serverName: string; status: string; error?: string }): void {
  if (data.status !== "failed") return;
  const configured = ctx.config.mcpServers !== undefined && Object.prototype.hasOwnProperty.call(ctx.config.mcpServers, data.serverName);
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
