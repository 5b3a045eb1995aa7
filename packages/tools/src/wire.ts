/**
 * The few wire shapes this package needs, declared by hand until the generated types land in
 * @flightdeck/copilot-core (packages/core/src/generated/). Each names the schema definition it
 * mirrors (schemas/api.schema.json = "api", schemas/session-events.schema.json = "events",
 * runtime 1.0.85) so that the switch to the generated types is a rename.
 */
import type { PermissionDecision as WirePermissionDecision } from "@flightdeck/copilot-core";

/** api `ToolResultType`: how a tool call ended. */
export type ToolResultType = "success" | "failure" | "rejected" | "denied" | "timeout";

/** api `ExternalToolTextResultForLlmBinaryResultsForLlmType`. */
export type BinaryResultType = "image" | "resource";

/** api `ExternalToolTextResultForLlmBinaryResultsForLlm`: one binary payload for the model. */
export interface BinaryResultForLlm {
  type: BinaryResultType;
  /** Base64-encoded bytes. */
  data: string;
  mimeType: string;
  description?: string;
  metadata?: Record<string, unknown>;
}

/**
 * api `ExternalToolTextResultForLlm` (the object branch of api `ExternalToolResult`), narrowed to
 * the members this package produces or passes through. `resultType` is a plain string on the wire;
 * we always send one of {@link ToolResultType}.
 */
export interface ToolResultObject {
  textResultForLlm: string;
  resultType?: ToolResultType;
  error?: string;
  sessionLog?: string;
  toolTelemetry?: Record<string, unknown>;
  binaryResultsForLlm?: BinaryResultForLlm[];
  /** api `ExternalToolTextResultForLlmContent[]`, passed through unchecked. */
  contents?: unknown[];
  toolReferences?: string[];
}

/** api `ExternalToolResult`: what `session.tools.handlePendingToolCall` takes as `result`. */
export type ExternalToolResult = string | ToolResultObject;

/** api `ProtocolExternalToolDefer`. */
export type ToolDefer = "auto" | "never";

/**
 * api `ProtocolExternalToolDefinition`: one entry of the `tools` array of `session.create`
 * (overlay) and `session.tools.set`.
 */
export interface ToolDefinitionWire {
  name: string;
  description: string;
  title?: string;
  /** JSON Schema of the arguments. */
  parameters?: Record<string, unknown>;
  overridesBuiltInTool?: boolean;
  skipPermission?: boolean;
  defer?: ToolDefer;
  isTerminal?: boolean;
  metadata?: Record<string, unknown>;
}

/** events `ExternalToolRequestedData`: the data of an `external_tool.requested` event. */
export interface ExternalToolRequestedData {
  requestId: string;
  sessionId: string;
  toolCallId: string;
  toolName: string;
  providerId?: string | null;
  /** Opaque JSON: an object, or (from some providers) a JSON text. */
  arguments?: unknown;
  workingDirectory?: string;
  traceparent?: string;
  tracestate?: string;
}

/** events `PermissionRequestShell` (the fields a policy usually reads). */
export interface PermissionRequestShell {
  kind: "shell";
  toolCallId?: string;
  fullCommandText: string;
  intention: string;
  commands: unknown[];
  possiblePaths: string[];
  possibleUrls: unknown[];
  hasWriteFileRedirection: boolean;
  canOfferSessionApproval: boolean;
  warning?: string;
}
/** events `PermissionRequestWrite`. */
export interface PermissionRequestWrite {
  kind: "write";
  toolCallId?: string;
  intention: string;
  fileName: string;
  diff: string;
  newFileContents?: string;
  canOfferSessionApproval: boolean;
}
/** events `PermissionRequestRead`. */
export interface PermissionRequestRead {
  kind: "read";
  toolCallId?: string;
  intention: string;
  path: string;
  resolvedPath?: string;
}
/** events `PermissionRequestMcp`. */
export interface PermissionRequestMcp {
  kind: "mcp";
  toolCallId?: string;
  serverName: string;
  toolName: string;
  toolTitle: string;
  args?: unknown;
  readOnly: boolean;
}
/** events `PermissionRequestUrl`. */
export interface PermissionRequestUrl {
  kind: "url";
  toolCallId?: string;
  intention: string;
  url: string;
}
/** events `PermissionRequestMemory`. */
export interface PermissionRequestMemory {
  kind: "memory";
  toolCallId?: string;
  fact: string;
  subject?: string;
}
/** events `PermissionRequestCustomTool`. */
export interface PermissionRequestCustomTool {
  kind: "custom-tool";
  toolCallId?: string;
  toolName: string;
  toolDescription: string;
  args?: unknown;
  skipPermission?: boolean;
}
/** events `PermissionRequestHook`. */
export interface PermissionRequestHook {
  kind: "hook";
  toolCallId?: string;
  toolName: string;
  toolArgs?: unknown;
  hookMessage?: string;
}
/** events `PermissionRequestExtensionManagement`. */
export interface PermissionRequestExtensionManagement {
  kind: "extension-management";
  toolCallId?: string;
  operation: string;
  extensionName?: string;
}
/** events `PermissionRequestFactory`. */
export interface PermissionRequestFactory {
  kind: "factory";
  toolCallId?: string;
  operation: string;
  name: string;
  description: string;
}
/** events `PermissionRequestExtensionPermissionAccess`. */
export interface PermissionRequestExtensionPermissionAccess {
  kind: "extension-permission-access";
  toolCallId?: string;
  extensionName: string;
  capabilities: unknown[];
}
/** events `PermissionRequestExtensionEnvAccess`. */
export interface PermissionRequestExtensionEnvAccess {
  kind: "extension-env-access";
  toolCallId?: string;
  extensionName: string;
  environmentVariables: unknown[];
}

/** events `PermissionRequest`: the `permissionRequest` of a `permission.requested` event. */
export type PermissionRequest =
  | PermissionRequestShell
  | PermissionRequestWrite
  | PermissionRequestRead
  | PermissionRequestMcp
  | PermissionRequestUrl
  | PermissionRequestMemory
  | PermissionRequestCustomTool
  | PermissionRequestHook
  | PermissionRequestExtensionManagement
  | PermissionRequestFactory
  | PermissionRequestExtensionPermissionAccess
  | PermissionRequestExtensionEnvAccess;

/** The `kind` discriminator of {@link PermissionRequest}. */
export type PermissionRequestKind = PermissionRequest["kind"];

/** api `PermissionDecisionApproveOnce`. */
export interface PermissionDecisionApproveOnce {
  kind: "approve-once";
  approvedInteractively?: boolean;
}
/** api `PermissionDecisionReject`. */
export interface PermissionDecisionReject {
  kind: "reject";
  feedback?: string;
}

/**
 * A decision a client sends for `session.permissions.handlePendingPermissionRequest` (api
 * `PermissionDecision`, all 15 kinds the runtime accepts). Most handlers answer
 * `{ kind: "approve-once" }` or `{ kind: "reject", feedback? }`; the others (`approve-for-session`,
 * `denied-by-rules`, …) pass through unchanged, as `@github/copilot-sdk` sends them.
 */
export type PermissionDecision = WirePermissionDecision;

