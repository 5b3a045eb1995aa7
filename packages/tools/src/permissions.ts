/**
 * Ready-made permission policies for `onPermissionRequest`. Each returns the wire decision that
 * `session.permissions.handlePendingPermissionRequest` takes (`approve-once` / `reject`).
 */
import {
  UNION_DISCRIMINATORS,
  type PermissionDecisionContext,
  type PermissionDecision as WirePermissionDecision,
  type WirePermissionRequest,
} from "@flightdeck/copilot-core";
import { ToolDefinitionError } from "./errors.js";

/**
 * The `permissionRequest` of a `permission.requested` event: the generated protocol type (one
 * branch per kind), plus `managedApprovalRequired`, which the runtime sets when a managed policy
 * demands an explicit user decision (not in the pinned schema).
 */
export type PermissionRequest = WirePermissionRequest & { readonly managedApprovalRequired?: boolean };

/** The `kind` discriminator of {@link PermissionRequest} (from the generated protocol types). */
export type PermissionRequestKind = WirePermissionRequest["kind"];

/**
 * A decision a client sends for `session.permissions.handlePendingPermissionRequest`: the
 * protocol's `PermissionDecision` (every kind the runtime accepts). Most handlers answer
 * `{ kind: "approve-once" }` or `{ kind: "reject", feedback? }`; the others pass through unchanged.
 */
export type PermissionDecision = WirePermissionDecision;

/** What a permission handler learns besides the request. */
export interface PermissionInvocation {
  sessionId: string;
  /** True when the session runs under managed (organisation) settings. */
  managedSettingsEnabled?: boolean;
  /** Fires when the request is settled elsewhere, the turn is aborted or the session disconnects before you decided (always set by sessions). */
  signal?: AbortSignal;
}

/**
 * "This client has no answer": the request is left to another client connected to the same
 * runtime (or to the runtime's own prompt). Nothing is sent.
 */
export interface PermissionNoResult {
  kind: "no-result";
}

/** What a permission handler may return besides an attributed result (`@github/copilot-sdk`'s name). */
export type PermissionRequestResult = PermissionDecision | PermissionNoResult;

/**
 * A result with the context of how and where it was decided, sent to the runtime as
 * `decisionContext` (informational: it never changes the decision). Make one with
 * {@link createAttributedPermissionResult}.
 */
export interface AttributedPermissionResult {
  kind: "attributed";
  result: PermissionRequestResult;
  decisionContext: PermissionDecisionContext;
}

/**
 * Decides one `permission.requested`. Return `{ kind: "approve-once" }`, `{ kind: "reject",
 * feedback? }` (the feedback is shown to the model), any other decision kind of the protocol,
 * `{ kind: "no-result" }` to leave the request to another client, or an attributed result.
 */
export type PermissionHandler = (
  request: PermissionRequest,
  invocation: PermissionInvocation,
) => PermissionRequestResult | AttributedPermissionResult | Promise<PermissionRequestResult | AttributedPermissionResult>;

/** True when `result` carries a decision context (made by {@link createAttributedPermissionResult}). */
export function isAttributedPermissionResult(result: PermissionRequestResult | AttributedPermissionResult): result is AttributedPermissionResult {
  return result.kind === "attributed";
}

/**
 * Pairs a decision with the context it was made in. Attributing an attributed result replaces its
 * context instead of nesting it.
 * @example `createAttributedPermissionResult({ kind: "approve-once" }, { outcome: "auto_approved", source: "host_policy", surface: "sdk" })`
 */
export function createAttributedPermissionResult(
  result: PermissionRequestResult | AttributedPermissionResult,
  decisionContext: PermissionDecisionContext,
): AttributedPermissionResult {
  if (typeof result !== "object" || result === null || typeof (result as { kind?: unknown }).kind !== "string") {
    throw new ToolDefinitionError(
      "",
      "result",
      'createAttributedPermissionResult(result, context): `result` must be a permission result such as { kind: "approve-once" }.',
    );
  }
  if (typeof decisionContext !== "object" || decisionContext === null) {
    throw new ToolDefinitionError(
      "",
      "decisionContext",
      'createAttributedPermissionResult(result, context): `context` must be a decision context object, e.g. { outcome: "auto_approved", source: "host_policy", surface: "sdk" }.',
    );
  }
  return { kind: "attributed", result: isAttributedPermissionResult(result) ? result.result : result, decisionContext };
}

/**
 * Unwraps what a handler returned into the decision to send (undefined for `no-result`) and its
 * context. Returns `undefined` when the value is not a permission result at all.
 */
export function resolvePermissionResult(
  value: unknown,
): { decision: PermissionDecision | undefined; decisionContext: PermissionDecisionContext | undefined } | undefined {
  const isResult = (v: unknown): v is { kind: string } => typeof v === "object" && v !== null && typeof (v as { kind?: unknown }).kind === "string";
  if (!isResult(value)) return undefined;
  let result: unknown = value;
  let decisionContext: PermissionDecisionContext | undefined;
  if (value.kind === "attributed") {
    result = (value as Partial<AttributedPermissionResult>).result;
    decisionContext = (value as Partial<AttributedPermissionResult>).decisionContext;
    if (!isResult(result) || result.kind === "attributed") return undefined;
  }
  const decision = (result as { kind: string }).kind === "no-result" ? undefined : (result as PermissionDecision);
  return { decision, decisionContext };
}

/** Every permission kind the pinned runtime can request: the generated discriminator values of `PermissionRequest`. */
export const PERMISSION_KINDS: readonly PermissionRequestKind[] = UNION_DISCRIMINATORS.WirePermissionRequest.kind;

/** Approves every request. For trusted, sandboxed or test set-ups only: the agent may then run any command. */
export const approveAll: PermissionHandler = () => ({ kind: "approve-once" });

/** Rejects every request; `feedback` (if any) tells the model why. */
export function denyAll(feedback?: string): PermissionHandler {
  if (feedback !== undefined && typeof feedback !== "string") {
    throw new ToolDefinitionError("", "feedback", "denyAll(feedback): `feedback` must be a string (shown to the model) or omitted.");
  }
  return () => (feedback === undefined ? { kind: "reject" } : { kind: "reject", feedback });
}

/**
 * Approves requests of the given kinds and rejects the rest, telling the model which kinds this
 * client allows. Kinds a newer runtime adds are rejected until listed.
 * @example `onPermissionRequest: approveKinds("read", "custom-tool")`
 */
export function approveKinds(...kinds: PermissionRequestKind[]): PermissionHandler {
  const known = new Set<string>(PERMISSION_KINDS);
  for (const kind of kinds) {
    if (!known.has(kind)) {
      throw new ToolDefinitionError("", "kinds", `approveKinds: ${JSON.stringify(kind)} is not a permission kind; use one of ${PERMISSION_KINDS.join(", ")}.`);
    }
  }
  const allowed = new Set<string>(kinds);
  const list = kinds.length > 0 ? kinds.join(", ") : "none";
  return (request) =>
    allowed.has(request.kind)
      ? { kind: "approve-once" }
      : { kind: "reject", feedback: `This client does not allow "${request.kind}" requests (allowed: ${list}).` };
}

/**
 * Approves what only reads: file reads (`read`) and MCP tools their server marks `readOnly`.
 * Rejects shell, writes, URLs (a fetch can leak data), memory, custom tools and the rest.
 */
export const approveReadOnly: PermissionHandler = (request) => {
  if (request.kind === "read" || (request.kind === "mcp" && request.readOnly === true)) return { kind: "approve-once" };
  return { kind: "reject", feedback: `This client approves read-only requests only; "${request.kind}" was rejected.` };
};
