/** JSON-RPC 2.0 message shapes and the check that tells them apart. */
import type { JsonRpcErrorObject } from "./errors.js";

/** A request or response id. We send numbers; the peer may use strings. */
export type JsonRpcId = string | number;

export interface JsonRpcRequest {
  jsonrpc: "2.0";
  id: JsonRpcId;
  method: string;
  params?: unknown;
}

export interface JsonRpcNotification {
  jsonrpc: "2.0";
  method: string;
  params?: unknown;
}

export interface JsonRpcSuccessResponse {
  jsonrpc: "2.0";
  id: JsonRpcId;
  result: unknown;
}

export interface JsonRpcErrorResponse {
  jsonrpc: "2.0";
  /** `null` when the peer could not read the id of the request it is answering. */
  id: JsonRpcId | null;
  error: JsonRpcErrorObject;
}

export type JsonRpcResponse = JsonRpcSuccessResponse | JsonRpcErrorResponse;
export type JsonRpcMessage = JsonRpcRequest | JsonRpcNotification | JsonRpcResponse;

export type JsonRpcMessageKind = "request" | "notification" | "response";

function isId(value: unknown): value is JsonRpcId {
  return typeof value === "string" || (typeof value === "number" && Number.isFinite(value));
}

/**
 * Classifies a parsed JSON value. Returns the kind, or a sentence saying why it is not a
 * JSON-RPC 2.0 message (batches are not used by the runtime and count as invalid).
 */
export function classifyMessage(value: unknown): { kind: JsonRpcMessageKind } | { problem: string } {
  const kind = messageKind(value);
  return typeof kind === "string" ? { kind } : kind;
}

/**
 * {@link classifyMessage} without an object for a valid message (the decoder's per-frame path):
 * the kind, or the problem.
 */
export function messageKind(value: unknown): JsonRpcMessageKind | { problem: string } {
  if (typeof value !== "object" || value === null) return { problem: `expected a JSON object, got ${value === null ? "null" : typeof value}` };
  if (Array.isArray(value)) return { problem: "JSON-RPC batches (arrays) are not supported" };
  const m = value as Record<string, unknown>;
  if (m.jsonrpc !== "2.0") return { problem: `"jsonrpc" must be "2.0", got ${JSON.stringify(m.jsonrpc) ?? "nothing"}` };
  if ("method" in m) {
    if (typeof m.method !== "string" || m.method.length === 0) return { problem: `"method" must be a non-empty string` };
    if (m.params !== undefined && (typeof m.params !== "object" || m.params === null)) {
      return { problem: `"params" of ${m.method} must be an object or array` };
    }
    if (!("id" in m) || m.id === undefined) return "notification";
    if (!isId(m.id)) return { problem: `"id" of request ${m.method} must be a string or number` };
    return "request";
  }
  if (!("id" in m)) return { problem: `a message needs "method" (request/notification) or "id" (response)` };
  if (m.id !== null && !isId(m.id)) return { problem: `"id" of a response must be a string, number or null` };
  const hasResult = "result" in m;
  const hasError = "error" in m && m.error !== undefined;
  if (hasResult === hasError) return { problem: `a response needs exactly one of "result" and "error"` };
  if (hasError) {
    const e = m.error as Record<string, unknown> | null;
    if (typeof e !== "object" || e === null || typeof e.code !== "number" || typeof e.message !== "string") {
      return { problem: `"error" must be an object with a numeric "code" and a string "message"` };
    }
  } else if (m.id === null) {
    return { problem: `a success response needs a non-null "id"` };
  }
  return "response";
}
