/**
 * The hand-declared wire shapes (src/wire.ts) against the generated protocol types: what this
 * package sends must be assignable to the generated request types, what it receives must accept
 * the generated event types. This keeps the later switch to the generated types a rename.
 */
import type {
  ExternalToolRequestedData as GenExternalToolRequestedData,
  ExternalToolTextResultForLlm as GenResult,
  PermissionDecision as GenPermissionDecision,
  PermissionRequest as GenPermissionRequest,
  ProtocolExternalToolDefinition as GenToolDefinition,
  ToolResultType as GenToolResultType,
} from "@flightdeck/copilot-core";
import { describe, expectTypeOf, it } from "vitest";
import type {
  ExternalToolRequestedData,
  PermissionDecision,
  PermissionRequestKind,
  ToolDefinitionWire,
  ToolResultObject,
  ToolResultType,
} from "../src/index.js";

describe("wire.ts mirrors the generated protocol types", () => {
  it("outbound shapes are assignable to the generated ones", () => {
    expectTypeOf<ToolDefinitionWire>().toExtend<GenToolDefinition>();
    expectTypeOf<PermissionDecision>().toExtend<GenPermissionDecision>();
    // `contents` is passed through unchecked (unknown[]) rather than re-declared here.
    expectTypeOf<Omit<ToolResultObject, "contents">>().toExtend<Omit<GenResult, "contents">>();
    expectTypeOf<ToolResultType>().toEqualTypeOf<GenToolResultType>();
  });

  it("inbound shapes accept the generated ones", () => {
    expectTypeOf<GenExternalToolRequestedData>().toExtend<ExternalToolRequestedData>();
    expectTypeOf<GenPermissionRequest["kind"]>().toEqualTypeOf<PermissionRequestKind>();
  });
});
