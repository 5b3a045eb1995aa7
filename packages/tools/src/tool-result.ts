/**
 * Turning whatever a handler returns into the wire result (api `ExternalToolTextResultForLlm`),
 * and the result objects for failures the model should read.
 */
import { isObject as isPlainObject } from "@flightdeck/copilot-core/internal";
import type { ExternalToolTextResultForLlm, ExternalToolTextResultForLlmBinaryResultsForLlm, ToolResultType } from "@flightdeck/copilot-core";

/** One binary payload for the model (the protocol's `ExternalToolTextResultForLlmBinaryResultsForLlm`). */
export type BinaryResultForLlm = ExternalToolTextResultForLlmBinaryResultsForLlm;
/** `"image"` or `"resource"`: the kind of a {@link BinaryResultForLlm}. */
export type BinaryResultType = BinaryResultForLlm["type"];
/** The object form of a tool result on the wire (the protocol's `ExternalToolTextResultForLlm`). */
export type ToolResultObject = ExternalToolTextResultForLlm;
/** What `session.tools.handlePendingToolCall` takes as `result`: text, or {@link ToolResultObject}. */
export type ExternalToolResult = string | ToolResultObject;

/** Default cap on `textResultForLlm`, in characters (UTF-16 units). */
export const DEFAULT_MAX_RESULT_CHARS = 100_000;

/** Binary data a handler can return: raw bytes, or bytes with a MIME type and a description. */
export interface BinaryContent {
  /** Raw bytes, or a base64 string. */
  data: Uint8Array | ArrayBuffer | string;
  mimeType: string;
  /** Shown to the model next to the data. */
  description?: string;
  /** Defaults to `"image"` for `image/*` MIME types, else `"resource"`. */
  type?: "image" | "resource";
}

/**
 * What a tool handler may return:
 * - a string (sent as the text result),
 * - a {@link ToolResultObject} with `textResultForLlm` and/or `resultType` (checked, passed through;
 *   `binaryResultsForLlm[].data` may be bytes),
 * - bytes (`Uint8Array`/`Buffer`/`ArrayBuffer`) or a {@link BinaryContent} (sent base64-encoded),
 * - any other JSON value (sent as JSON text), or nothing (empty text).
 */
export type ToolHandlerResult = unknown;

const RESULT_TYPES: ReadonlySet<string> = new Set<ToolResultType>(["success", "failure", "rejected", "denied", "timeout"]);
const RESULT_KEYS: ReadonlySet<string> = new Set([
  "textResultForLlm",
  "resultType",
  "error",
  "sessionLog",
  "toolTelemetry",
  "binaryResultsForLlm",
  "contents",
  "toolReferences",
]);

/** A result object the model reads for a failure of `resultType`. */
export function failureResult(text: string, resultType: ToolResultType = "failure", error: string = text): ToolResultObject {
  return { textResultForLlm: text, resultType, error };
}

/**
 * Normalises a handler's return value. Returns `{ ok: false, problem }` when the value cannot be a
 * result (the caller turns it into a failure result and reports it).
 */
export function normalizeToolResult(value: ToolHandlerResult, maxResultChars: number): { ok: true; result: ToolResultObject } | { ok: false; problem: string } {
  let result: ToolResultObject;
  if (value === undefined) result = { textResultForLlm: "", resultType: "success" };
  else if (typeof value === "string") result = { textResultForLlm: value, resultType: "success" };
  else if (isBytes(value)) result = binaryResult({ data: value, mimeType: sniffMimeType(toBytes(value)) });
  else if (isBinaryContent(value)) result = binaryResult(value);
  else if (isResultObject(value)) {
    const checked = checkResultObject(value);
    if (typeof checked === "string") return { ok: false, problem: checked };
    result = checked;
  } else {
    let text: string | undefined;
    try {
      text = JSON.stringify(value);
    } catch (error) {
      return { ok: false, problem: `the return value cannot be serialized as JSON (${(error as Error).message})` };
    }
    if (text === undefined)
      return { ok: false, problem: `the return value is ${typeof value}, which is not JSON; return a string, a JSON value or a result object` };
    result = { textResultForLlm: text, resultType: "success" };
  }
  result.textResultForLlm = truncateText(result.textResultForLlm, maxResultChars);
  return { ok: true, result };
}

/**
 * Caps `text` at `max` characters and says so in a marker the model can read.
 * Never splits a surrogate pair.
 */
export function truncateText(text: string, max: number): string {
  if (!(text.length > max)) return text;
  let end = Math.max(0, Math.floor(max));
  const code = text.charCodeAt(end - 1);
  if (code >= 0xd800 && code <= 0xdbff) end -= 1;
  return `${text.slice(0, end)}\n\n[output truncated: showing the first ${end} of ${text.length} characters]`;
}

function isResultObject(value: unknown): value is Record<string, unknown> {
  if (!isPlainObject(value)) return false;
  return "textResultForLlm" in value || (typeof value.resultType === "string" && RESULT_TYPES.has(value.resultType));
}

/** Checks a handler-made result object; returns the problem as text, or the cleaned object. */
function checkResultObject(value: Record<string, unknown>): ToolResultObject | string {
  const unknownKeys = Object.keys(value).filter((k) => !RESULT_KEYS.has(k));
  if (unknownKeys.length > 0) {
    return `the result object has unknown properties ${unknownKeys.map((k) => `"${k}"`).join(", ")} (allowed: ${[...RESULT_KEYS].join(", ")})`;
  }
  if (typeof value.textResultForLlm !== "string") return "the result object needs `textResultForLlm` as a string";
  if (value.resultType !== undefined && !(typeof value.resultType === "string" && RESULT_TYPES.has(value.resultType))) {
    return `\`resultType\` is ${JSON.stringify(value.resultType)}; use one of ${[...RESULT_TYPES].join(", ")}`;
  }
  for (const key of ["error", "sessionLog"] as const) {
    if (value[key] !== undefined && typeof value[key] !== "string") return `\`${key}\` must be a string`;
  }
  if (value.toolTelemetry !== undefined && !isPlainObject(value.toolTelemetry)) return "`toolTelemetry` must be an object";
  if (value.contents !== undefined && !Array.isArray(value.contents)) return "`contents` must be an array";
  if (value.toolReferences !== undefined && !(Array.isArray(value.toolReferences) && value.toolReferences.every((r) => typeof r === "string"))) {
    return "`toolReferences` must be an array of tool names";
  }
  const out: ToolResultObject = { ...(value as unknown as ToolResultObject) };
  // The runtime would infer these; sending them explicitly keeps the wire unambiguous.
  out.resultType ??= value.error !== undefined ? "failure" : "success";
  if (value.binaryResultsForLlm !== undefined) {
    if (!Array.isArray(value.binaryResultsForLlm)) return "`binaryResultsForLlm` must be an array";
    const items: BinaryResultForLlm[] = [];
    for (const [i, item] of value.binaryResultsForLlm.entries()) {
      if (!isBinaryContent(item)) return `\`binaryResultsForLlm[${i}]\` needs \`data\` (bytes or base64) and \`mimeType\``;
      items.push(toBinaryResult(item as BinaryContent & { metadata?: Record<string, unknown> }));
    }
    out.binaryResultsForLlm = items;
  }
  return out;
}

function binaryResult(content: BinaryContent): ToolResultObject {
  const item = toBinaryResult(content);
  const size = typeof content.data === "string" ? Math.floor((content.data.length * 3) / 4) : toBytes(content.data).byteLength;
  return {
    textResultForLlm: content.description ?? `The tool returned ${item.mimeType} data (${size} bytes).`,
    resultType: "success",
    binaryResultsForLlm: [item],
  };
}

function toBinaryResult(content: BinaryContent & { metadata?: Record<string, unknown> }): BinaryResultForLlm {
  const item: BinaryResultForLlm = {
    type: content.type ?? (content.mimeType.startsWith("image/") ? "image" : "resource"),
    data: typeof content.data === "string" ? content.data : toBase64(toBytes(content.data)),
    mimeType: content.mimeType,
  };
  if (content.description !== undefined) item.description = content.description;
  if (content.metadata !== undefined) item.metadata = content.metadata;
  return item;
}

function isBytes(value: unknown): value is Uint8Array | ArrayBuffer {
  return value instanceof Uint8Array || value instanceof ArrayBuffer;
}

function toBytes(value: Uint8Array | ArrayBuffer): Uint8Array {
  return value instanceof Uint8Array ? value : new Uint8Array(value);
}

function isBinaryContent(value: unknown): value is BinaryContent {
  return (
    isPlainObject(value) && typeof value.mimeType === "string" && (typeof value.data === "string" || isBytes(value.data)) && !("textResultForLlm" in value)
  );
}

/** Base64 without assuming Node's Buffer, so the package also works in other runtimes. */
export function toBase64(bytes: Uint8Array): string {
  const B = (globalThis as { Buffer?: { from(b: ArrayBuffer, o: number, l: number): { toString(e: string): string } } }).Buffer;
  if (B) return B.from(bytes.buffer as ArrayBuffer, bytes.byteOffset, bytes.byteLength).toString("base64");
  let binary = "";
  for (let i = 0; i < bytes.length; i += 0x8000) binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(binary);
}

/** Recognises the formats a tool most often returns, so bare bytes get a useful MIME type. */
export function sniffMimeType(b: Uint8Array): string {
  const starts = (...sig: number[]) => sig.every((x, i) => b[i] === x);
  if (starts(0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a)) return "image/png";
  if (starts(0xff, 0xd8, 0xff)) return "image/jpeg";
  if (starts(0x47, 0x49, 0x46, 0x38)) return "image/gif";
  if (starts(0x52, 0x49, 0x46, 0x46) && b[8] === 0x57 && b[9] === 0x45 && b[10] === 0x42 && b[11] === 0x50) return "image/webp";
  if (starts(0x25, 0x50, 0x44, 0x46)) return "application/pdf";
  return "application/octet-stream";
}
