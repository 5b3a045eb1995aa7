/**
 * `ToolSet`: the custom tools of a session (unique names, rendered as the `tools` array of
 * `session.create`) plus the source-qualified filter entries for `availableTools` /
 * `excludedTools` (`builtin:bash`, `custom:*`, `mcp:github-list_issues`; runtime 1.0.85 accepts
 * these and plain names alike).
 */
import type { StandardSchemaV1 } from "@standard-schema/spec";
import type { BuiltInToolName } from "./built-in-tools.js";
import { type AnyTool, type JsonSchemaToolConfig, type StandardToolConfig, defineTool, isTool } from "./define-tool.js";
import { ToolDefinitionError, describeValue } from "./errors.js";
import { isObject as isPlainObject } from "@flightdeck/copilot-core/internal";
import type { ToolDefinitionWire } from "./define-tool.js";

/** A plain tool object in the incumbent SDK's style; `ToolSet.add` passes it through `defineTool`. */
export type ToolLike = AnyTool | ((StandardToolConfig<StandardSchemaV1> | JsonSchemaToolConfig<never>) & { name: string });

/**
 * Collects tools and tool filters.
 *
 * @example
 * ```ts
 * const tools = new ToolSet([weather, search]).addBuiltIn(BuiltInTools.readOnly);
 * await client.createSession({ tools, availableTools: tools }); // my tools + view/grep/glob only
 * ```
 */
export class ToolSet implements Iterable<AnyTool> {
  readonly #tools = new Map<string, AnyTool>();
  readonly #filters = new Set<string>();

  constructor(tools?: Iterable<ToolLike>) {
    if (tools !== undefined) this.add(...tools);
  }

  /**
   * Adds tools made by `defineTool` (plain `{ name, description, parameters, handler }` objects
   * are passed through `defineTool`).
   * @throws {ToolDefinitionError} when a name is already taken, naming both tools.
   */
  add(...tools: ToolLike[]): this {
    for (const item of tools) {
      const tool = toTool(item);
      const existing = this.#tools.get(tool.name);
      if (existing !== undefined && existing !== tool) {
        throw new ToolDefinitionError(
          tool.name,
          "name",
          `ToolSet: two tools are named "${tool.name}" (${quote(existing.description)} and ${quote(tool.description)}); the runtime would keep only one. Rename one of them.`,
        );
      }
      this.#tools.set(tool.name, tool);
    }
    return this;
  }

  /** Adds built-in tools to the filter (`"*"` for all of them). */
  addBuiltIn(names: BuiltInToolName | "*" | (string & {}) | readonly string[]): this {
    for (const name of typeof names === "string" ? [names] : names) this.#filters.add(`builtin:${filterName("addBuiltIn", name)}`);
    return this;
  }

  /** Adds custom tools to the filter by name (`"*"` for all), e.g. tools a custom agent brings. */
  addCustom(name: string): this {
    this.#filters.add(`custom:${filterName("addCustom", name)}`);
    return this;
  }

  /** Adds MCP tools to the filter by their runtime name (e.g. `"github-list_issues"`; `"*"` for all). */
  addMcp(toolName: string): this {
    this.#filters.add(`mcp:${filterName("addMcp", toolName)}`);
    return this;
  }

  get(name: string): AnyTool | undefined {
    return this.#tools.get(name);
  }

  has(name: string): boolean {
    return this.#tools.has(name);
  }

  /** Number of tools (filter entries not counted). */
  get size(): number {
    return this.#tools.size;
  }

  [Symbol.iterator](): Iterator<AnyTool> {
    return this.#tools.values();
  }

  /** The `tools` array for `session.create`: `{ name, description, parameters, overridesBuiltInTool?, skipPermission?, … }`. */
  toolDefinitions(): ToolDefinitionWire[] {
    return [...this.#tools.values()].map((tool) => tool.toJSON());
  }

  /**
   * Filter entries for `availableTools` / `excludedTools`: those added with `addBuiltIn` /
   * `addCustom` / `addMcp`, then `custom:<name>` for every tool in the set.
   */
  toArray(): string[] {
    const out = new Set(this.#filters);
    for (const name of this.#tools.keys()) out.add(`custom:${name}`);
    return [...out];
  }
}

function toTool(item: ToolLike): AnyTool {
  if (isTool(item)) return item;
  if (isPlainObject(item) && typeof item.name === "string") {
    const { name, ...config } = item;
    return defineTool(name, config as unknown as JsonSchemaToolConfig<unknown>);
  }
  throw new ToolDefinitionError("", "tools", `ToolSet: expected a tool made by defineTool(name, { … }), got ${describeValue(item)}.`);
}

/** What the runtime accepts as a tool name, without the 64-character cap (MCP names can be longer). */
const FILTER_NAME = /^[A-Za-z0-9_-]+$/;

function filterName(method: string, name: unknown): string {
  if (name === "*" || (typeof name === "string" && FILTER_NAME.test(name))) return name;
  throw new ToolDefinitionError(
    typeof name === "string" ? name : "",
    "name",
    `ToolSet.${method}: ${describeValue(name)} is not a tool name; use ASCII letters, digits, \`_\` and \`-\`, or "*" for all.`,
  );
}

function quote(description: string): string {
  const short = description.length > 60 ? `${description.slice(0, 57)}...` : description;
  return `described as ${JSON.stringify(short)}`;
}
