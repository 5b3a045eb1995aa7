/**
 * The wire shapes this package uses are the generated protocol types (no hand copies): a bump that
 * renames a permission kind or a result field changes them here and in core together, and the
 * kinds list follows the generated discriminator values.
 */
import type {
  ExternalToolTextResultForLlm as GenResult,
  PermissionDecision as GenPermissionDecision,
  WirePermissionRequest as GenPermissionRequest,
  ProtocolExternalToolDefinition as GenToolDefinition,
  ToolResultType as GenToolResultType,
} from "@flightdeck/copilot-core";
import { describe, expectTypeOf, it } from "vitest";
import {
  PERMISSION_KINDS,
  type PermissionDecision,
  type PermissionRequestKind,
  type ToolDefinitionWire,
  type ToolResultObject,
  type ToolResultType,
} from "../src/index.js";

describe("the tools package's wire types are the generated ones", () => {
  it("outbound shapes are the generated types (decisions: a subset of the generated union)", () => {
    expectTypeOf<ToolDefinitionWire>().toEqualTypeOf<GenToolDefinition>();
    expectTypeOf<ToolResultObject>().toEqualTypeOf<GenResult>();
    expectTypeOf<ToolResultType>().toEqualTypeOf<GenToolResultType>();
    expectTypeOf<PermissionDecision>().toExtend<GenPermissionDecision>();
  });

  it("the kinds are the generated request's kinds, and the list has the same element type", () => {
    expectTypeOf<PermissionRequestKind>().toEqualTypeOf<GenPermissionRequest["kind"]>();
    expectTypeOf(PERMISSION_KINDS).toEqualTypeOf<readonly PermissionRequestKind[]>();
  });
});
