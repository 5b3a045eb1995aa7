import { describe, expect, it } from "vitest";
import { z } from "zod";
import { BuiltInTools, ToolDefinitionError, ToolSet, defineTool, isBuiltInToolName } from "../src/index.js";

const weather = defineTool("get_weather", { description: "Weather for a city", parameters: z.object({ city: z.string() }), handler: () => "sunny" });
const search = defineTool("search_docs", { description: "Search the docs", skipPermission: true, handler: () => [] });

describe("ToolSet", () => {
  it("collects tools and renders the tools array for session.create", () => {
    const set = new ToolSet([weather]).add(search);
    expect(set.size).toBe(2);
    expect(set.get("get_weather")).toBe(weather);
    expect(set.has("nope")).toBe(false);
    expect([...set].map((t) => t.name)).toEqual(["get_weather", "search_docs"]);
    expect(set.toolDefinitions()).toEqual([
      {
        name: "get_weather",
        description: "Weather for a city",
        parameters: { type: "object", properties: { city: { type: "string" } }, required: ["city"] },
      },
      { name: "search_docs", description: "Search the docs", parameters: { type: "object", properties: {} }, skipPermission: true },
    ]);
  });

  it("rejects a second tool with a taken name, naming both", () => {
    const other = defineTool("get_weather", { description: "Another weather source", handler: () => "rain" });
    const set = new ToolSet([weather]);
    let caught: unknown;
    try {
      set.add(other);
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(ToolDefinitionError);
    const e = caught as ToolDefinitionError;
    expect(e.toolName).toBe("get_weather");
    expect(e.message).toContain('two tools are named "get_weather"');
    expect(e.message).toContain('"Weather for a city"');
    expect(e.message).toContain('"Another weather source"');
    expect(e.message).toMatch(/Rename one of them/);
    expect(set.get("get_weather")).toBe(weather);
    expect(() => new ToolSet([weather, weather])).not.toThrow(); // the same tool twice is harmless
  });

  it("accepts incumbent-style plain tool objects by passing them through defineTool", () => {
    const set = new ToolSet([{ name: "plain", description: "A plain tool", parameters: { type: "object", properties: {} }, handler: () => "x" }]);
    expect(set.get("plain")?.toJSON().name).toBe("plain");
    expect(() => new ToolSet([{ name: "bad name", description: "d", handler: () => "" }])).toThrow(/ASCII letters/);
    expect(() => new ToolSet([42 as never])).toThrow(/expected a tool made by defineTool/);
  });

  it("renders source-qualified filters for availableTools / excludedTools", () => {
    const set = new ToolSet([weather]).addBuiltIn(BuiltInTools.readOnly).addBuiltIn("bash").addMcp("github-list_issues").addCustom("*");
    expect(set.toArray()).toEqual(["builtin:view", "builtin:grep", "builtin:glob", "builtin:bash", "mcp:github-list_issues", "custom:*", "custom:get_weather"]);
    expect(new ToolSet().addBuiltIn("*").addBuiltIn("*").toArray()).toEqual(["builtin:*"]);
    expect(() => new ToolSet().addMcp("bad:name")).toThrow(/ToolSet.addMcp: "bad:name" is not a tool name/);
  });
});

describe("BuiltInTools", () => {
  it("groups only names from the full list, without duplicates", () => {
    expect(new Set(BuiltInTools.all).size).toBe(BuiltInTools.all.length);
    for (const [group, names] of Object.entries(BuiltInTools)) {
      for (const name of names) expect(isBuiltInToolName(name), `${group}: ${name}`).toBe(true);
    }
    expect(isBuiltInToolName("my_tool")).toBe(false);
  });
});
