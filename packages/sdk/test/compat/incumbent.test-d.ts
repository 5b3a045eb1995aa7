/**
 * Compatibility with `@github/copilot-sdk` 1.0.14, checked against its published declarations:
 * every runtime export exists here with a compatible shape, and each option and callback type a
 * program writes for it is accepted here — except the entries of exclusions.ts, which must match
 * the real differences exactly (a new difference fails; a closed one must be deleted).
 */
import { describe, expectTypeOf, it } from "vitest";
import type * as Theirs from "@github/copilot-sdk";
import type * as Ours from "@flightdeck/copilot-sdk";
import type { ExcludedTypePath } from "./exclusions.js";
import type {
  ExportIncompatibilities,
  HookIncompatibilities,
  Incompatible,
  InvocationIncompatibilities,
  OptionIncompatibilities,
  PermissionIncompatibilities,
} from "./incumbent-surface.js";

describe("@github/copilot-sdk 1.0.14 → @flightdeck/copilot-sdk", () => {
  it("every runtime export exists with a compatible shape (unless listed)", () => {
    expectTypeOf<Exclude<ExportIncompatibilities, ExcludedTypePath>>().toEqualTypeOf<never>();
  });
  it("SessionConfig, ResumeSessionConfig, CopilotClientOptions, MessageOptions, Tool, provider, MCP and session-fs configs are accepted (unless listed)", () => {
    expectTypeOf<Exclude<OptionIncompatibilities, ExcludedTypePath>>().toEqualTypeOf<never>();
  });
  it("a tool handler gets every ToolInvocation field it reads (unless listed)", () => {
    expectTypeOf<Exclude<InvocationIncompatibilities, ExcludedTypePath>>().toEqualTypeOf<never>();
  });
  it("a permission handler may return every decision kind, no-result and attributed results", () => {
    expectTypeOf<PermissionIncompatibilities>().toEqualTypeOf<never>();
  });
  it("each hook gets the input fields it reads and may return its outputs (unless listed)", () => {
    expectTypeOf<Exclude<HookIncompatibilities, ExcludedTypePath>>().toEqualTypeOf<never>();
  });
  it("every listed exclusion is still a real difference (the list only shrinks)", () => {
    expectTypeOf<Exclude<ExcludedTypePath, Incompatible>>().toEqualTypeOf<never>();
  });

  it("spot checks: the incumbent's forms type-check unchanged", () => {
    // Written inline, as the incumbent's docs do (a handler annotated with its types is the onPermissionRequest exclusion).
    const config: Ours.SessionConfig = {
      onPermissionRequest: (request) => (request.kind === "shell" && request.managedApprovalRequired ? { kind: "no-result" } : { kind: "approve-once" }),
    };
    expectTypeOf(config).toExtend<Ours.SessionConfig>();
    expectTypeOf<Theirs.PermissionRequestResult>().toExtend<Ours.PermissionRequestResult>();
    expectTypeOf<Theirs.AttributedPermissionResult>().toExtend<Ours.AttributedPermissionResult>();
    expectTypeOf<Theirs.ProviderConfig>().toExtend<NonNullable<Ours.SessionConfig["provider"]>>();
    expectTypeOf<Theirs.SessionFsProvider>().toExtend<Ours.PositionalSessionFsProvider>();
    expectTypeOf<Ours.SessionMetadata["startTime"]>().toEqualTypeOf<Date>();
    expectTypeOf<Ours.ToolInvocation>().toHaveProperty("arguments");
  });
});
