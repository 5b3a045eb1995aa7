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
      "defineTool",
      "denyAll",
      "formatIssues",
      "formatPath",
      "invokeTool",
      "isBuiltInToolName",
      "isTool",
      "normalizeToolResult",
      "truncateText",
    ].sort(),
  );
});
