import { describe, expect, it } from "vitest";
import {
  type PermissionRequest,
  ToolDefinitionError,
  approveAll,
  approveKinds,
  approveReadOnly,
  convertMcpCallToolResult,
  createAttributedPermissionResult,
  denyAll,
  isAttributedPermissionResult,
  resolvePermissionResult,
} from "../src/index.js";

const inv = { sessionId: "s" };
const shell: PermissionRequest = {
  kind: "shell",
  fullCommandText: "rm -rf /",
  intention: "clean",
  commands: [],
  possiblePaths: [],
  possibleUrls: [],
  hasWriteFileRedirection: false,
  canOfferSessionApproval: false,
};
const read: PermissionRequest = { kind: "read", intention: "look", path: "README.md" };
const mcp = (readOnly: boolean): PermissionRequest => ({ kind: "mcp", serverName: "gh", toolName: "list", toolTitle: "List", readOnly });
const url: PermissionRequest = { kind: "url", intention: "fetch", url: "https://example.com" };
const custom: PermissionRequest = { kind: "custom-tool", toolName: "t", toolDescription: "d" };

describe("permission helpers", () => {
  it("approveAll approves once, every kind", async () => {
    for (const r of [shell, read, url, custom]) expect(await approveAll(r, inv)).toEqual({ kind: "approve-once" });
  });

  it("denyAll rejects, with the feedback when given", async () => {
    expect(await denyAll()(shell, inv)).toEqual({ kind: "reject" });
    expect(await denyAll("read-only session")(read, inv)).toEqual({ kind: "reject", feedback: "read-only session" });
    expect(() => denyAll(5 as never)).toThrow(ToolDefinitionError);
  });

  it("approveKinds approves the listed kinds and tells the model why others are rejected", async () => {
    const policy = approveKinds("read", "custom-tool");
    expect(await policy(read, inv)).toEqual({ kind: "approve-once" });
    expect(await policy(custom, inv)).toEqual({ kind: "approve-once" });
    expect(await policy(shell, inv)).toEqual({ kind: "reject", feedback: 'This client does not allow "shell" requests (allowed: read, custom-tool).' });
    // A kind a newer runtime invents is rejected until listed.
    expect((await policy({ kind: "teleport" } as never, inv)).kind).toBe("reject");
    expect(() => approveKinds("sudo" as never)).toThrow(/"sudo" is not a permission kind; use one of shell, write, read/);
  });

  it("approveReadOnly approves reads and read-only MCP tools only", async () => {
    expect(await approveReadOnly(read, inv)).toEqual({ kind: "approve-once" });
    expect(await approveReadOnly(mcp(true), inv)).toEqual({ kind: "approve-once" });
    for (const r of [mcp(false), shell, url, custom]) expect((await approveReadOnly(r, inv)).kind).toBe("reject");
  });
});

describe("incumbent-compatible permission results", () => {
  const context = { outcome: "auto_approved", source: "host_policy", surface: "sdk" } as const;
  it("createAttributedPermissionResult wraps once, replacing a previous context", () => {
    const first = createAttributedPermissionResult({ kind: "approve-once" }, context);
    expect(first).toEqual({ kind: "attributed", result: { kind: "approve-once" }, decisionContext: context });
    const second = createAttributedPermissionResult(first, { ...context, source: "human_response" });
    expect(second.result).toEqual({ kind: "approve-once" });
    expect(second.decisionContext.source).toBe("human_response");
    expect(isAttributedPermissionResult(second)).toBe(true);
    expect(isAttributedPermissionResult({ kind: "reject" })).toBe(false);
  });
  it("createAttributedPermissionResult refuses a non-result with a typed error", () => {
    expect(() => createAttributedPermissionResult(undefined as never, context)).toThrow(/must be a permission result/);
  });
  it("resolvePermissionResult: no-result → no decision; attributed → decision + context; junk → undefined", () => {
    expect(resolvePermissionResult({ kind: "no-result" })).toEqual({ decision: undefined, decisionContext: undefined });
    expect(resolvePermissionResult(createAttributedPermissionResult({ kind: "reject", feedback: "no" }, context))).toEqual({
      decision: { kind: "reject", feedback: "no" },
      decisionContext: context,
    });
    expect(resolvePermissionResult({ kind: "denied-by-rules", rules: [] })).toEqual({
      decision: { kind: "denied-by-rules", rules: [] },
      decisionContext: undefined,
    });
    expect(resolvePermissionResult("yes")).toBeUndefined();
    expect(resolvePermissionResult({ kind: "attributed", result: null })).toBeUndefined();
  });
});

describe("convertMcpCallToolResult", () => {
  it("joins texts, keeps images and resource blobs as binary results, maps isError to failure", () => {
    const result = convertMcpCallToolResult({
      content: [
        { type: "text", text: "line 1" },
        { type: "image", data: "aGk=", mimeType: "image/png" },
        { type: "resource", resource: { uri: "file:///a.txt", text: "line 2" } },
        { type: "resource", resource: { uri: "file:///b.bin", blob: "AAE=" } },
        { type: "audio", data: "x", mimeType: "audio/wav" },
      ],
      isError: true,
    });
    expect(result).toEqual({
      textResultForLlm: "line 1\nline 2",
      resultType: "failure",
      binaryResultsForLlm: [
        { type: "image", data: "aGk=", mimeType: "image/png" },
        { type: "resource", data: "AAE=", mimeType: "application/octet-stream", description: "file:///b.bin" },
      ],
    });
    expect(convertMcpCallToolResult({ content: [] })).toEqual({ textResultForLlm: "", resultType: "success" });
  });
  it("refuses something that is not a CallToolResult", () => {
    expect(() => convertMcpCallToolResult({} as never)).toThrow(/result.content/);
  });
});
