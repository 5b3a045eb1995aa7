export { BuiltInTools, isBuiltInToolName } from "./built-in-tools.js";
export type { BuiltInToolName } from "./built-in-tools.js";
export { TOOL_NAME_PATTERN, defineTool, isTool } from "./define-tool.js";
export type {
  AnyTool,
  ArgumentsCheck,
  JsonSchemaToolConfig,
  StandardToolConfig,
  Tool,
  ToolHandler,
  ToolInvocation,
  ToolOptions,
} from "./define-tool.js";
export { ToolDefinitionError, ToolError } from "./errors.js";
export type { ToolErrorCode } from "./errors.js";
export { formatIssues, formatPath, invokeTool, invokeToolNow } from "./invoke-tool.js";
export type { InvokeToolOptions, ToolCallContext } from "./invoke-tool.js";
export type { FromJsonSchema, JsonSchemaObject } from "./json-schema-types.js";
export type { JsonSchemaIssue } from "@flightdeck/copilot-core/internal";
export {
  PERMISSION_KINDS,
  approveAll,
  approveKinds,
  approveReadOnly,
  createAttributedPermissionResult,
  denyAll,
  isAttributedPermissionResult,
  resolvePermissionResult,
} from "./permissions.js";
export type { AttributedPermissionResult, PermissionHandler, PermissionInvocation, PermissionNoResult, PermissionRequestResult } from "./permissions.js";
export { convertMcpCallToolResult } from "./mcp-result.js";
export type { McpCallToolResult, McpContentBlock, McpToolResult } from "./mcp-result.js";
export { DEFAULT_MAX_RESULT_CHARS, normalizeToolResult, truncateText } from "./tool-result.js";
export type { BinaryContent, ToolHandlerResult } from "./tool-result.js";
export { ToolSet } from "./tool-set.js";
export type { ToolLike } from "./tool-set.js";
export type { BinaryResultForLlm, BinaryResultType, ExternalToolResult, ToolResultObject } from "./tool-result.js";
export type { ToolDefer, ToolDefinitionWire } from "./define-tool.js";
export type { PermissionDecision, PermissionRequest, PermissionRequestKind } from "./permissions.js";
// Protocol types a tool or permission handler reads, as generated (one owner: core).
export type {
  ExternalToolRequestedData,
  PermissionDecisionApproveOnce,
  PermissionDecisionReject,
  PermissionRequestCustomTool,
  PermissionRequestMcp,
  PermissionRequestRead,
  PermissionRequestShell,
  PermissionRequestUrl,
  PermissionRequestWrite,
  ToolResultType,
} from "@flightdeck/copilot-core";
