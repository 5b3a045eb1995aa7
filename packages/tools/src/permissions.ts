/**
 * Ready-made permission policies for `onPermissionRequest`. Each returns the wire decision that
 * `session.permissions.handlePendingPermissionRequest` takes (`approve-once` / `reject`).
 */
import { ToolDefinitionError } from "./errors.js";
import type { PermissionDecision, PermissionRequest, PermissionRequestKind } from "./wire.js";

/** What a permission handler learns besides the request. */
export interface PermissionInvocation {
  sessionId: string;
  /** Fires when the request is settled elsewhere, the turn is aborted or the session disconnects before you decided (always set by sessions). */
  signal?: AbortSignal;
}

/**
 * Decides one `permission.requested`. Return `{ kind: "approve-once" }` or
 * `{ kind: "reject", feedback? }` (the feedback is shown to the model).
 */
export type PermissionHandler = (
  request: PermissionRequest,
  invocation: PermissionInvocation,
) => PermissionDecision | Promise<PermissionDecision>;

/** Every permission kind runtime 1.0.85 can request (events `PermissionRequest`). */
export const PERMISSION_KINDS = [
  "shell",
  "write",
  "read",
  "mcp",
  "url",
  "memory",
  "custom-tool",
  "hook",
  "extension-management",
  "factory",
  "extension-permission-access",
  "extension-env-access",
] as const satisfies readonly PermissionRequestKind[];

// Fails to compile when the request union gains a kind this list lacks.
type MissingKinds = Exclude<PermissionRequestKind, (typeof PERMISSION_KINDS)[number]>;
const _allKindsListed: [MissingKinds] extends [never] ? true : MissingKinds = true;
void _allKindsListed;

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
