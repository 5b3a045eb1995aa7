import { expect, it } from "vitest";
import * as api from "../src/index.js";

it("exports exactly the curated runtime API", () => {
  expect(Object.keys(api).sort()).toEqual(
    [
      "BuiltInTools",
      "DEFAULT_MAX_RESULT_CHARS",
      "PERMISSION_KINDS",
      "TOOL_NAME_PATTERN",
      "ToolDefinitionError",
      "ToolError",
      "ToolSet",
      "approveAll",
      "approveKinds",
      "approveReadOnly",
      "convertMcpCallToolResult",
      "createAttributedPermissionResult",
      "isAttributedPermissionResult",
      "resolvePermissionResult",
      "defineTool",
      "denyAll",
      "formatIssues",
      "formatPath",
      "invokeTool",
      "invokeToolNow",
      "isBuiltInToolName",
      "isTool",
      "normalizeToolResult",
      "truncateText",
    ].sort(),
  );
});

it("imports nothing heavy at run time: only core (and its internal entry), and schema libraries as types", async () => {
  const { readdirSync, readFileSync } = await import("node:fs");
  const dir = new URL("../src/", import.meta.url);
  const valueImports = new Set<string>();
  for (const file of readdirSync(dir)) {
    const text = readFileSync(new URL(file, dir), "utf8");
    for (const m of text.matchAll(/^import\s+(type\s+)?[^;]*?from\s+"([^"]+)"/gms)) {
      if (!m[1] && !m[2]!.startsWith(".")) valueImports.add(m[2]!);
    }
  }
  // `/internal` carries the JSON Schema checker core shares with the generated validators.
  expect([...valueImports].sort()).toEqual(["@flightdeck/copilot-core", "@flightdeck/copilot-core/internal"]);
});
