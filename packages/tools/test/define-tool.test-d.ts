import { toStandardJsonSchema } from "@valibot/to-json-schema";
import { type } from "arktype";
import * as v from "valibot";
import { describe, expectTypeOf, it } from "vitest";
import { z } from "zod";
import * as z3 from "zod/v3";
import {
  type AnyTool,
  type FromJsonSchema,
  type AttributedPermissionResult,
  type PermissionDecision,
  type PermissionRequestResult,
  type PermissionHandler,
  type Tool,
  type ToolInvocation,
  ToolSet,
  approveKinds,
  defineTool,
} from "../src/index.js";

describe("defineTool infers the handler's argument type", () => {
  it("from zod 4 (output type: defaults and transforms applied)", () => {
    const tool = defineTool("t", {
      description: "d",
      parameters: z.object({ city: z.string(), days: z.number().default(1), n: z.string().transform(Number) }),
      handler: (args, invocation) => {
        expectTypeOf(args).toEqualTypeOf<{ city: string; days: number; n: number }>();
        expectTypeOf(invocation).toEqualTypeOf<ToolInvocation>();
        expectTypeOf(invocation.signal).toEqualTypeOf<AbortSignal>();
        return "ok";
      },
    });
    expectTypeOf(tool).toEqualTypeOf<Tool<{ city: string; days: number; n: number }>>();
  });

  it("from zod 3", () => {
    defineTool("t", {
      description: "d",
      parameters: z3.z.object({ q: z3.z.string(), limit: z3.z.number().optional() }),
      jsonSchema: { type: "object" },
      handler: (args) => {
        expectTypeOf(args).toEqualTypeOf<{ q: string; limit?: number | undefined }>();
      },
    });
  });

  it("from valibot", () => {
    defineTool("t", {
      description: "d",
      parameters: toStandardJsonSchema(v.object({ tags: v.array(v.string()), on: v.boolean() })),
      handler: (args) => {
        expectTypeOf(args).toEqualTypeOf<{ tags: string[]; on: boolean }>();
      },
    });
  });

  it("from arktype", () => {
    defineTool("t", {
      description: "d",
      parameters: type({ id: "number", "note?": "string" }),
      handler: (args) => {
        expectTypeOf(args).toEqualTypeOf<{ id: number; note?: string }>();
      },
    });
  });

  it("from an inline JSON Schema (const inference)", () => {
    defineTool("t", {
      description: "d",
      parameters: {
        type: "object",
        properties: {
          city: { type: "string" },
          unit: { enum: ["c", "f"] },
          days: { type: "integer" },
          tags: { type: "array", items: { type: "string" } },
          at: { anyOf: [{ type: "string" }, { type: "null" }] },
        },
        required: ["city", "unit"],
      },
      handler: (args) => {
        expectTypeOf(args).toEqualTypeOf<{ city: string; unit: "c" | "f"; days?: number; tags?: string[]; at?: string | null }>();
      },
    });
  });

  it("from an explicit type argument for a JSON Schema", () => {
    const parameters: Record<string, unknown> = { type: "object", properties: { q: { type: "string" } } };
    const tool = defineTool<{ q: string }>("t", {
      description: "d",
      parameters,
      handler: (args) => {
        expectTypeOf(args).toEqualTypeOf<{ q: string }>();
      },
    });
    expectTypeOf(tool).toEqualTypeOf<Tool<{ q: string }>>();
  });

  it("as unknown for a JSON Schema whose shape is not known statically", () => {
    const parameters: Record<string, unknown> = { type: "object" };
    defineTool("t", {
      description: "d",
      parameters,
      handler: (args) => {
        expectTypeOf(args).toEqualTypeOf<unknown>();
      },
    });
  });

  it("as a record when there are no parameters", () => {
    defineTool("t", {
      description: "d",
      handler: (args) => {
        expectTypeOf(args).toEqualTypeOf<Record<string, unknown>>();
      },
    });
  });

  it("rejects a handler whose argument type contradicts the schema", () => {
    const parameters = z.object({ a: z.string() });
    // @ts-expect-error a is a string, not a number
    defineTool("t", { description: "d", parameters, handler: (args: { a: number }) => args.a });
    defineTool("t", { description: "d", parameters, handler: (args: { a: string }) => args.a });
    // @ts-expect-error description is required
    defineTool("t", { handler: () => "x" });
  });
});

describe("FromJsonSchema", () => {
  it("maps the common keywords", () => {
    expectTypeOf<FromJsonSchema<{ type: "string"; nullable: true }>>().toEqualTypeOf<string | null>();
    expectTypeOf<FromJsonSchema<{ type: ["number", "null"] }>>().toEqualTypeOf<number | null>();
    expectTypeOf<FromJsonSchema<{ const: 3 }>>().toEqualTypeOf<3>();
    expectTypeOf<FromJsonSchema<{ $ref: "#/$defs/x" }>>().toEqualTypeOf<unknown>();
    expectTypeOf<FromJsonSchema<{ type: "object"; additionalProperties: { type: "number" } }>>().toEqualTypeOf<Record<string, number>>();
  });
});

describe("collections and permissions", () => {
  it("ToolSet takes tools of any argument type", () => {
    const a = defineTool("a", { description: "d", parameters: z.object({ x: z.string() }), handler: () => "" });
    const b = defineTool("b", { description: "d", handler: () => "" });
    const set = new ToolSet([a, b]);
    expectTypeOf(set.get("a")).toEqualTypeOf<AnyTool | undefined>();
    expectTypeOf(set.addBuiltIn).parameter(0).extract<"bash">().toEqualTypeOf<"bash">();
  });

  it("permission helpers are typed over the request kinds", () => {
    expectTypeOf(approveKinds("read", "custom-tool")).toEqualTypeOf<PermissionHandler>();
    // @ts-expect-error not a permission kind
    approveKinds("delete-everything");
    const custom: PermissionHandler = (request) => {
      if (request.kind === "shell") expectTypeOf(request.fullCommandText).toEqualTypeOf<string>();
      return { kind: "reject", feedback: "no" } satisfies PermissionDecision;
    };
    expectTypeOf(custom).returns.toEqualTypeOf<
      PermissionRequestResult | AttributedPermissionResult | Promise<PermissionRequestResult | AttributedPermissionResult>
    >();
    // Every decision kind of the protocol, and the incumbent's "no-result", are accepted.
    const passThrough: PermissionHandler = () => ({ kind: "approve-for-session", approval: { kind: "read" } }) as PermissionDecision;
    const abstain: PermissionHandler = () => ({ kind: "no-result" });
    expectTypeOf(passThrough).toEqualTypeOf(abstain);
    // @ts-expect-error not a decision kind
    const wrong: PermissionHandler = () => ({ kind: "maybe" });
    void wrong;
  });
});
