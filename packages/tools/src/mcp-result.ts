/**
 * `convertMcpCallToolResult`: turns an MCP server's `CallToolResult` into a tool result for the
 * model, so a tool that proxies an MCP server can return what the server answered.
 */
import { ToolError } from "./errors.js";
import type { BinaryResultForLlm, ToolResultObject } from "./tool-result.js";

/** One content block of an MCP `CallToolResult` (the kinds the model can use; others are skipped). */
export type McpContentBlock =
  | { type: "text"; text: string }
  | { type: "image"; data: string; mimeType: string }
  | { type: "resource"; resource: { uri: string; mimeType?: string; text?: string; blob?: string } }
  | { type: string; [key: string]: unknown };

/** An MCP `tools/call` result. */
export interface McpCallToolResult {
  content: McpContentBlock[];
  isError?: boolean;
}

/** What {@link convertMcpCallToolResult} returns: a tool result whose `resultType` is always set. */
export interface McpToolResult extends ToolResultObject {
  resultType: "success" | "failure";
  toolTelemetry?: undefined;
}

/**
 * Text blocks and resource texts are joined with newlines; images and resource blobs become binary
 * results; `isError` makes the result a `failure`. Block kinds the model cannot use (audio,
 * resource links) are skipped.
 */
export function convertMcpCallToolResult(callResult: McpCallToolResult): McpToolResult {
  if (typeof callResult !== "object" || callResult === null || !Array.isArray(callResult.content)) {
    throw new ToolError("VALIDATION", "convertMcpCallToolResult(result): `result.content` must be the array of content blocks of an MCP CallToolResult.", {
      toolName: "",
    });
  }
  const texts: string[] = [];
  const binary: BinaryResultForLlm[] = [];
  for (const block of callResult.content) {
    if (typeof block !== "object" || block === null) continue;
    const b = block as Record<string, unknown>;
    if (b.type === "text" && typeof b.text === "string") texts.push(b.text);
    else if (b.type === "image" && typeof b.data === "string" && b.data !== "" && typeof b.mimeType === "string") {
      binary.push({ type: "image", data: b.data, mimeType: b.mimeType });
    } else if (b.type === "resource" && typeof b.resource === "object" && b.resource !== null) {
      const r = b.resource as { uri?: unknown; mimeType?: unknown; text?: unknown; blob?: unknown };
      if (typeof r.text === "string" && r.text !== "") texts.push(r.text);
      if (typeof r.blob === "string" && r.blob !== "") {
        binary.push({
          type: "resource",
          data: r.blob,
          mimeType: typeof r.mimeType === "string" && r.mimeType !== "" ? r.mimeType : "application/octet-stream",
          ...(typeof r.uri === "string" && { description: r.uri }),
        });
      }
    }
  }
  return {
    textResultForLlm: texts.join("\n"),
    resultType: callResult.isError ? "failure" : "success",
    ...(binary.length > 0 && { binaryResultsForLlm: binary }),
  };
}
