import { expect, it } from "vitest";
import * as session from "@flightdeck/copilot-session";

it("exports exactly the curated runtime values", () => {
  expect(Object.keys(session).sort()).toEqual([
    "CanvasError",
    "CopilotSession",
    "FactoryResumeError",
    "HOOK_TYPES",
    "SessionError",
    "SessionHost",
    "SessionSetupError",
    "SessionWorkflows",
    "WORKFLOW_PROTOCOLS",
    "WorkflowInputError",
    "WorkflowResumeError",
    "WorkflowsUnavailableError",
    "createCanvas",
    "defineFactory",
    "defineWorkflow",
    "isUnknownSessionEvent",
    "isWorkflowRunTerminal",
    "serveWorkflows",
    "workflowNamespaceFor",
  ]);
  expect(Object.values(session.HOOK_TYPES).sort()).toEqual([
    "agentStop",
    "errorOccurred",
    "postToolUse",
    "postToolUseFailure",
    "preMcpToolCall",
    "preToolUse",
    "sessionEnd",
    "sessionStart",
    "userPromptSubmitted",
    "userPromptTransformed",
  ]);
});
