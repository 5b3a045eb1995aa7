/**
 * The few wire shapes this package needs, declared by hand until the generated types land in
 * @flightdeck/copilot-core (packages/core/src/generated/). Each names the schema definition it
 * mirrors (schemas/api.schema.json = "api", schemas/session-events.schema.json = "events",
 * runtime 1.0.85) so that the switch to the generated types is a rename.
 */
import type * as Generated from "@flightdeck/copilot-core";
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

/**
 * events `PermissionRequest`: the `permissionRequest` of a `permission.requested` event (the
 * generated types, one per kind), plus `managedApprovalRequired`, which the runtime sets when a
 * managed policy demands an explicit user decision.
 */
export type PermissionRequest = Generated.PermissionRequest & { readonly managedApprovalRequired?: boolean };
export type PermissionRequestShell = Generated.PermissionRequestShell;
export type PermissionRequestWrite = Generated.PermissionRequestWrite;
export type PermissionRequestRead = Generated.PermissionRequestRead;
export type PermissionRequestMcp = Generated.PermissionRequestMcp;
export type PermissionRequestUrl = Generated.PermissionRequestUrl;
export type PermissionRequestMemory = Generated.PermissionRequestMemory;
export type PermissionRequestCustomTool = Generated.PermissionRequestCustomTool;
export type PermissionRequestHook = Generated.PermissionRequestHook;
export type PermissionRequestExtensionManagement = Generated.PermissionRequestExtensionManagement;
export type PermissionRequestFactory = Generated.PermissionRequestFactory;
export type PermissionRequestExtensionPermissionAccess = Generated.PermissionRequestExtensionPermissionAccess;
export type PermissionRequestExtensionEnvAccess = Generated.PermissionRequestExtensionEnvAccess;

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

