import { toStandardJsonSchema } from "@valibot/to-json-schema";
import { type } from "arktype";
import * as v from "valibot";
import { describe, expect, it } from "vitest";
import { z } from "zod";
import * as z3 from "zod/v3";
import { SdkError, isSdkError } from "@flightdeck/copilot-core";
import { ToolDefinitionError, ToolError, defineTool, isTool } from "../src/index.js";

const handler = () => "ok";

function definitionError(fn: () => unknown): ToolDefinitionError {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(ToolDefinitionError);
    return error as ToolDefinitionError;
  }
  throw new Error("expected a ToolDefinitionError, nothing was thrown");
}

describe("defineTool: definition errors", () => {
  it("refuses an empty name with an SdkError of code INVALID_OPTION", () => {
    const e = definitionError(() => defineTool("", { description: "d", handler }));
    expect(e).toBeInstanceOf(ToolError);
    expect(e).toBeInstanceOf(SdkError);
    expect(isSdkError(e, "INVALID_OPTION")).toBe(true);
    expect(e.code).toBe("INVALID_OPTION");
    expect(e.name).toBe("ToolDefinitionError");
    expect(e.option).toBe("name");
    expect(e.message).toMatch(/non-empty/);
  });

  it("refuses names the runtime rejects, naming the tool and the allowed characters", () => {
    const e = definitionError(() => defineTool("get.weather", { description: "d", handler }));
    expect(e.toolName).toBe("get.weather");
    expect(e.option).toBe("name");
    expect(e.message).toContain('defineTool("get.weather")');
    expect(e.message).toMatch(/letters, digits, `_` and `-`/);
    expect(() => defineTool("has space", { description: "d", handler })).toThrow(ToolDefinitionError);
    expect(() => defineTool("ünïcode", { description: "d", handler })).toThrow(ToolDefinitionError);
  });

  it("refuses names longer than 64 characters", () => {
    const e = definitionError(() => defineTool("a".repeat(65), { description: "d", handler }));
    expect(e.message).toMatch(/65 characters.*at most 64/);
    expect(defineTool("a".repeat(64), { description: "d", handler }).name).toHaveLength(64);
  });

  it("refuses a missing description or handler", () => {
    expect(definitionError(() => defineTool("t", { description: " ", handler })).option).toBe("description");
    const e = definitionError(() => defineTool("t", { description: "d", handler: "nope" } as never));
    expect(e.option).toBe("handler");
    expect(e.message).toMatch(/must be a function/);
  });

  it("refuses parameters that are not a schema", () => {
    for (const bad of [42, "string", [1, 2], null]) {
      const e = definitionError(() => defineTool("t", { description: "d", parameters: bad, handler } as never));
      expect(e.option).toBe("parameters");
      expect(e.message).toMatch(/JSON Schema object or a Standard Schema/);
    }
  });

  it("refuses non-object argument schemas (the runtime silently drops such tools)", () => {
    const e = definitionError(() => defineTool("t", { description: "d", parameters: { type: "string" }, handler }));
    expect(e.option).toBe("parameters");
    expect(e.message).toMatch(/type: "object"/);
    expect(() => defineTool("t", { description: "d", parameters: z.string(), handler })).toThrow(/must be described as an object/);
  });

  it("refuses JSON Schemas it cannot validate, naming the keyword", () => {
    const e = definitionError(() => defineTool("t", { description: "d", parameters: { type: "object", unevaluatedProperties: false }, handler }));
    expect(e.message).toContain('"unevaluatedProperties"');
    expect(() => defineTool("t", { description: "d", parameters: { type: "object", properties: { a: { $ref: "#/$defs/missing" } } }, handler })).toThrow(
      /does not resolve/,
    );
    expect(() => defineTool("t", { description: "d", parameters: { type: "object", properties: { a: { type: "string", pattern: "(" } } }, handler })).toThrow(
      /not a valid regular expression/,
    );
    expect(() => defineTool("t", { description: "d", parameters: { type: "object", properties: { a: { type: "strin" } } }, handler })).toThrow(
      /"strin", which is not a JSON Schema type/,
    );
  });

  it("refuses a built-in tool name unless overridesBuiltInTool is set", () => {
    const e = definitionError(() => defineTool("bash", { description: "my shell", handler }));
    expect(e.option).toBe("overridesBuiltInTool");
    expect(e.message).toMatch(/built-in tool.*overridesBuiltInTool: true/);
    const tool = defineTool("bash", { description: "my shell", overridesBuiltInTool: true, handler });
    expect(tool.toJSON().overridesBuiltInTool).toBe(true);
  });

  it("checks the other options' types", () => {
    expect(definitionError(() => defineTool("t", { description: "d", handler, timeoutMs: -1 })).option).toBe("timeoutMs");
    expect(definitionError(() => defineTool("t", { description: "d", handler, maxResultChars: 0 })).option).toBe("maxResultChars");
    expect(definitionError(() => defineTool("t", { description: "d", handler, defer: "later" as never })).option).toBe("defer");
    expect(definitionError(() => defineTool("t", { description: "d", handler, skipPermission: "yes" as never })).option).toBe("skipPermission");
    expect(definitionError(() => defineTool("t", { description: "d", handler, jsonSchema: {} } as never)).option).toBe("jsonSchema");
  });
});

const expectedWeather = {
  type: "object",
  properties: { city: { type: "string" }, days: { type: "number" } },
  required: ["city"],
};

describe("defineTool: the JSON Schema sent to the runtime", () => {
  it("keeps a JSON Schema as given (a frozen copy)", () => {
    const parameters = { type: "object", properties: { city: { type: "string" } }, required: ["city"] };
    const tool = defineTool("weather", { description: "Weather", parameters, handler });
    expect(tool.parameters).toEqual(parameters);
    expect(tool.parameters).not.toBe(parameters);
    expect(Object.isFrozen(tool.parameters)).toBe(true);
    expect(isTool(tool)).toBe(true);
  });

  it("uses an empty object schema when parameters are omitted", () => {
    expect(defineTool("ping", { description: "Ping", handler }).parameters).toEqual({ type: "object", properties: {} });
  });

  it("converts zod 4 through the Standard JSON Schema converter", () => {
    const tool = defineTool("weather", {
      description: "Weather",
      parameters: z.object({ city: z.string(), days: z.number().optional() }),
      handler,
    });
    expect(tool.parameters).toMatchObject(expectedWeather);
    expect(tool.parameters).not.toHaveProperty("$schema");
  });

  it("converts arktype through the Standard JSON Schema converter", () => {
    const tool = defineTool("weather", { description: "Weather", parameters: type({ city: "string", "days?": "number" }), handler });
    expect(tool.parameters).toMatchObject(expectedWeather);
  });

  it("converts valibot wrapped with toStandardJsonSchema", () => {
    const schema = toStandardJsonSchema(v.object({ city: v.string(), days: v.optional(v.number()) }));
    const tool = defineTool("weather", { description: "Weather", parameters: schema, handler });
    expect(tool.parameters).toMatchObject(expectedWeather);
  });

  it("asks for `jsonSchema` for zod 3 and plain valibot, and uses it when given", () => {
    const zod3 = z3.z.object({ city: z3.z.string() });
    const e = definitionError(() => defineTool("weather", { description: "Weather", parameters: zod3, handler }));
    expect(e.option).toBe("jsonSchema");
    expect(e.message).toMatch(/zod 3.*pass `jsonSchema`/);
    const ev = definitionError(() => defineTool("weather", { description: "Weather", parameters: v.object({ city: v.string() }), handler }));
    expect(ev.message).toMatch(/toStandardJsonSchema/);

    const jsonSchema = { type: "object", properties: { city: { type: "string" } }, required: ["city"] };
    const tool = defineTool("weather", { description: "Weather", parameters: zod3, jsonSchema, handler });
    expect(tool.parameters).toEqual(jsonSchema);
  });

  it("names the tool when a zod type cannot become JSON Schema", () => {
    const e = definitionError(() => defineTool("when", { description: "d", parameters: z.object({ at: z.date() }), handler }));
    expect(e.option).toBe("parameters");
    expect(e.message).toMatch(/defineTool\("when"\).*Date cannot be represented/);
  });

  it("renders the wire definition with only the options that were set", () => {
    const tool = defineTool("t", { description: "d", handler, skipPermission: true, defer: "never", title: "T" });
    expect(tool.toJSON()).toEqual({
      name: "t",
      description: "d",
      title: "T",
      parameters: { type: "object", properties: {} },
      skipPermission: true,
      defer: "never",
    });
    expect(JSON.parse(JSON.stringify(tool))).toEqual(tool.toJSON());
  });
});
