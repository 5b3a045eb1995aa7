import { describe, expect, it } from "vitest";
import { type PermissionRequest, ToolDefinitionError, approveAll, approveKinds, approveReadOnly, denyAll } from "../src/index.js";

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
