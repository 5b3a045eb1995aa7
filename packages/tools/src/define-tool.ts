/**
 * `defineTool`: a custom tool the model can call, with its arguments' schema (JSON Schema or any
 * Standard Schema), checked once when defined so mistakes surface at start-up, not mid-turn.
 */
import type { StandardSchemaV1 } from "@standard-schema/spec";
import { isBuiltInToolName } from "./built-in-tools.js";
import { ToolDefinitionError, describeValue } from "./errors.js";
import type { FromJsonSchema, JsonSchemaObject } from "./json-schema-types.js";
import { compileJsonSchema, isObject as isPlainObject, type JsonSchemaIssue } from "@flightdeck/copilot-core/internal";
import { isStandardSchema, standardToJsonSchema, validateStandardNow } from "./standard-schema.js";
import type { ToolHandlerResult } from "./tool-result.js";
import type { ProtocolExternalToolDefer, ProtocolExternalToolDefinition } from "@flightdeck/copilot-core";

/** One entry of the `tools` array of `session.create` and `session.tools.set` (the protocol's `ProtocolExternalToolDefinition`). */
export type ToolDefinitionWire = ProtocolExternalToolDefinition;
/** When the runtime may defer loading a tool (the protocol's `ProtocolExternalToolDefer`). */
export type ToolDefer = ProtocolExternalToolDefer;

/**
 * Tool names the runtime accepts: ASCII letters, digits, `_` and `-` (runtime 1.0.85 refuses
 * anything else in `session.create`). 64 characters at most, the limit model providers set on
 * function names (the runtime itself does not check length).
 */
export const TOOL_NAME_PATTERN = /^[A-Za-z0-9_-]{1,64}$/;

/** What a handler learns about the call it serves. */
export interface ToolInvocation {
  sessionId: string;
  /** The model's id for this call. */
  toolCallId: string;
  toolName: string;
  /** The arguments as the model sent them, parsed but before validation (the handler's first parameter is the validated value). */
  arguments: unknown;
  /**
   * Fires when the call is abandoned: session aborted or disconnected, or the tool's timeout
   * passed. Made on first read; a getter, so a spread copy of the invocation does not carry it.
   */
  readonly signal: AbortSignal;
  /** W3C Trace Context of the runtime's tool span, when it sent one. */
  traceparent?: string;
  tracestate?: string;
}

/** A tool handler: gets the validated arguments; see {@link ToolHandlerResult} for what it may return. */
export type ToolHandler<TArgs> = (args: TArgs, invocation: ToolInvocation) => ToolHandlerResult | Promise<ToolHandlerResult>;

/** Options every tool takes besides `parameters` and `handler`. */
export interface ToolOptions {
  /** Tells the model what the tool does and when to use it. Required. */
  description: string;
  /** A human-readable title for UIs. */
  title?: string;
  /** Set to replace the built-in tool of the same name (e.g. your own `bash`). */
  overridesBuiltInTool?: boolean;
  /** Run without a `custom-tool` permission request. */
  skipPermission?: boolean;
  /** Whether the runtime may load this tool lazily (`"auto"`) or must always offer it (`"never"`). */
  defer?: ToolDefer;
  /** Abandon the call after this many milliseconds: the model gets a `timeout` result, the handler's signal fires. */
  timeoutMs?: number;
  /** Cap on the text sent back to the model (default 100 000 characters); longer text is cut with a marker. */
  maxResultChars?: number;
  /**
   * `false` hands the model's arguments to the handler unchecked (only parsed from JSON), as
   * `@github/copilot-sdk` does; schema defaults and transforms then do not apply. Default `true`:
   * arguments that do not match `parameters` go back to the model as a failure listing each issue.
   */
  checkArguments?: boolean;
}

/** `defineTool` options when `parameters` is a Standard Schema (zod, valibot, arktype, …). */
export interface StandardToolConfig<S extends StandardSchemaV1> extends ToolOptions {
  parameters: S;
  /**
   * The JSON Schema sent to the model, for schema libraries without a Standard JSON Schema
   * converter (zod 3, plain valibot). Not needed for zod 4 or arktype.
   */
  jsonSchema?: Record<string, unknown>;
  handler: ToolHandler<StandardSchemaV1.InferOutput<S>>;
}

/** `defineTool` options when `parameters` is a JSON Schema object (or omitted: no arguments). */
export interface JsonSchemaToolConfig<TArgs> extends ToolOptions {
  parameters?: JsonSchemaObject;
  handler: ToolHandler<TArgs>;
}

/** Outcome of checking raw arguments against a tool's schema. */
export type ArgumentsCheck<TArgs> = { ok: true; value: TArgs } | { ok: false; issues: JsonSchemaIssue[] };

/** A defined tool. Pass it in `tools` (or a `ToolSet`); the session calls it through `invokeTool`. */
export interface Tool<TArgs = unknown> {
  readonly name: string;
  readonly description: string;
  readonly title: string | undefined;
  /** The JSON Schema of the arguments, as sent to the runtime. */
  readonly parameters: Readonly<Record<string, unknown>>;
  readonly overridesBuiltInTool: boolean | undefined;
  readonly skipPermission: boolean | undefined;
  readonly defer: ToolDefer | undefined;
  readonly timeoutMs: number | undefined;
  readonly maxResultChars: number | undefined;
  readonly handler: ToolHandler<TArgs>;
  /** Checks (and, for Standard Schemas, transforms) parsed arguments. Never throws. */
  validateArguments(args: unknown): Promise<ArgumentsCheck<TArgs>>;
  /** The entry for the `tools` array of `session.create` (api `ProtocolExternalToolDefinition`). */
  toJSON(): ToolDefinitionWire;
}

/** Any tool, whatever its argument type (for collections). */
// `any`, not `unknown`: handler parameters are contravariant, so Tool<{ a: string }> is not a Tool<unknown>.
export type AnyTool = Tool<any>;

const TOOL_BRAND = Symbol.for("flightdeck.tool");

/** A check that answers at once when it can (JSON Schema, a synchronous Standard Schema), else with a promise. */
type ArgumentsCheckNow = (args: unknown) => ArgumentsCheck<unknown> | Promise<ArgumentsCheck<unknown>>;

/** The argument check of each tool made by {@link defineTool}, without the promise `validateArguments` wraps it in. */
const checksNow = new WeakMap<AnyTool, ArgumentsCheckNow>();

/**
 * Checks `args` for `tool` like `tool.validateArguments`, but answers without a promise when the
 * check is synchronous (a tool made by {@link defineTool} with a JSON Schema or a synchronous
 * Standard Schema). Never throws.
 */
export function checkArgumentsNow(tool: AnyTool, args: unknown): ArgumentsCheck<unknown> | Promise<ArgumentsCheck<unknown>> {
  const check = checksNow.get(tool);
  return check ? check(args) : tool.validateArguments(args);
}

/** True for objects made by {@link defineTool}. */
export function isTool(value: unknown): value is AnyTool {
  return typeof value === "object" && value !== null && (value as Record<symbol, unknown>)[TOOL_BRAND] === true;
}

/**
 * Defines a tool the model can call.
 *
 * `parameters` is a Standard Schema (zod 4 or 3, valibot, arktype: the handler's `args` type is
 * the schema's output type) or a JSON Schema object (write it inline and `args` is inferred from
 * it; or give the type: `defineTool<{ city: string }>(…)`). Arguments are validated before the
 * handler runs; a mismatch goes back to the model as a failure listing each issue with its path.
 *
 * @throws {ToolDefinitionError} (`code: "INVALID_OPTION"`) naming the tool, the option and the fix.
 * @example
 * ```ts
 * import { z } from "zod";
 * const weather = defineTool("get_weather", {
 *   description: "Current weather for a city",
 *   parameters: z.object({ city: z.string() }),
 *   handler: async ({ city }, { signal }) => fetchWeather(city, { signal }),
 * });
 * ```
 */
export function defineTool<const S extends StandardSchemaV1>(name: string, config: StandardToolConfig<S>): Tool<StandardSchemaV1.InferOutput<S>>;
export function defineTool<const S extends JsonSchemaObject>(
  name: string,
  config: ToolOptions & { parameters: S; handler: ToolHandler<FromJsonSchema<S>> },
): Tool<FromJsonSchema<S>>;
export function defineTool<TArgs = Record<string, unknown>>(name: string, config: JsonSchemaToolConfig<TArgs>): Tool<TArgs>;
export function defineTool(name: string, config: StandardToolConfig<StandardSchemaV1> | JsonSchemaToolConfig<unknown>): AnyTool {
  const label = typeof name === "string" && name.length > 0 ? name : "";
  const fail: Fail = (option, problem) => {
    throw new ToolDefinitionError(label, option, `defineTool(${label ? `"${label}"` : describeValue(name)}): ${problem}`);
  };
  checkToolConfig(name, config, fail);
  const { jsonSchema, check } = argumentsSchema(label, config, fail);
  if (jsonSchema.type !== "object") {
    // Runtime 1.0.85 silently drops a tool whose parameters are not an object schema.
    fail(
      "parameters",
      `the arguments must be described as an object (JSON Schema \`type: "object"\`), got type ${describeValue(jsonSchema.type)}; wrap single values in an object, e.g. { type: "object", properties: { value: … } }.`,
    );
  }
  deepFreeze(jsonSchema);
  const checkNow: ArgumentsCheckNow = config.checkArguments === false ? (args) => ({ ok: true, value: args }) : check;
  const validateArguments = async (args: unknown): Promise<ArgumentsCheck<unknown>> => checkNow(args);

  const tool: AnyTool & { [TOOL_BRAND]: true } = {
    [TOOL_BRAND]: true,
    name,
    description: config.description,
    title: config.title,
    parameters: jsonSchema,
    overridesBuiltInTool: config.overridesBuiltInTool,
    skipPermission: config.skipPermission,
    defer: config.defer,
    timeoutMs: config.timeoutMs,
    maxResultChars: config.maxResultChars,
    handler: config.handler as ToolHandler<unknown>,
    validateArguments,
    toJSON(): ToolDefinitionWire {
      const wire: ToolDefinitionWire = { name, description: config.description, parameters: jsonSchema };
      if (config.title !== undefined) wire.title = config.title;
      if (config.overridesBuiltInTool !== undefined) wire.overridesBuiltInTool = config.overridesBuiltInTool;
      if (config.skipPermission !== undefined) wire.skipPermission = config.skipPermission;
      if (config.defer !== undefined) wire.defer = config.defer;
      return wire;
    },
  };
  checksNow.set(tool, checkNow);
  return Object.freeze(tool);
}

/** Throws through `fail`, naming the option and the fix. */
type Fail = (option: string, problem: string) => never;

/** The name and every option but `parameters` / `jsonSchema`. */
function checkToolConfig(name: string, config: StandardToolConfig<StandardSchemaV1> | JsonSchemaToolConfig<unknown>, fail: Fail): void {
  if (typeof name !== "string" || name.length === 0) fail("name", "the tool name must be a non-empty string.");
  if (!TOOL_NAME_PATTERN.test(name)) {
    fail(
      "name",
      name.length > 64
        ? `the name has ${name.length} characters; model providers allow at most 64.`
        : "the name may only contain ASCII letters, digits, `_` and `-` (the runtime refuses other characters); e.g. `get_weather`.",
    );
  }
  if (!isPlainObject(config)) fail("config", `the second argument must be an options object, got ${describeValue(config)}.`);
  if (typeof config.description !== "string" || config.description.trim().length === 0) {
    fail("description", "`description` must be a non-empty string: the model reads it to decide when to call the tool.");
  }
  if (typeof config.handler !== "function") {
    fail("handler", `\`handler\` must be a function (args, invocation) => result, got ${describeValue(config.handler)}.`);
  }
  for (const key of ["overridesBuiltInTool", "skipPermission", "checkArguments"] as const) {
    if (config[key] !== undefined && typeof config[key] !== "boolean") fail(key, `\`${key}\` must be true or false, got ${describeValue(config[key])}.`);
  }
  if (config.title !== undefined && typeof config.title !== "string") fail("title", "`title` must be a string.");
  if (config.defer !== undefined && config.defer !== "auto" && config.defer !== "never") {
    fail("defer", `\`defer\` must be "auto" or "never", got ${describeValue(config.defer)}.`);
  }
  if (config.timeoutMs !== undefined && !(typeof config.timeoutMs === "number" && config.timeoutMs > 0 && Number.isFinite(config.timeoutMs))) {
    fail("timeoutMs", `\`timeoutMs\` must be a positive number of milliseconds, got ${describeValue(config.timeoutMs)}; omit it for no timeout.`);
  }
  if (config.maxResultChars !== undefined && !(typeof config.maxResultChars === "number" && config.maxResultChars >= 1)) {
    fail("maxResultChars", `\`maxResultChars\` must be a number >= 1 (Infinity for no cap), got ${describeValue(config.maxResultChars)}.`);
  }
  if (isBuiltInToolName(name) && config.overridesBuiltInTool !== true) {
    // The runtime accepts the session, then fails tool initialisation on the first turn.
    fail("overridesBuiltInTool", `"${name}" is a built-in tool; pick another name, or set \`overridesBuiltInTool: true\` to replace it.`);
  }
}

/** The tool's JSON Schema (as the runtime gets it) and its argument check, from `parameters` (and `jsonSchema`). */
function argumentsSchema(
  label: string,
  config: StandardToolConfig<StandardSchemaV1> | JsonSchemaToolConfig<unknown>,
  fail: Fail,
): { jsonSchema: Record<string, unknown>; check: ArgumentsCheckNow } {
  const params: unknown = config.parameters;
  const explicit = (config as { jsonSchema?: unknown }).jsonSchema;
  let jsonSchema: Record<string, unknown>;
  let validateArguments: ArgumentsCheckNow;

  if (isStandardSchema(params)) {
    if (explicit !== undefined && !isPlainObject(explicit)) fail("jsonSchema", `\`jsonSchema\` must be a JSON Schema object, got ${describeValue(explicit)}.`);
    jsonSchema = explicit !== undefined ? structuredClone(explicit as Record<string, unknown>) : standardToJsonSchema(label, params);
    validateArguments = (args) => validateStandardNow(params, args);
  } else {
    if (explicit !== undefined) fail("jsonSchema", "`jsonSchema` is only for Standard Schema `parameters`; put the JSON Schema in `parameters` itself.");
    if (params !== undefined && !isPlainObject(params)) {
      fail("parameters", `\`parameters\` must be a JSON Schema object or a Standard Schema (zod, valibot, arktype), got ${describeValue(params)}.`);
    }
    jsonSchema = params === undefined ? { type: "object", properties: {} } : structuredClone(params as Record<string, unknown>);
    let check: ReturnType<typeof compileJsonSchema>;
    try {
      check = compileJsonSchema(jsonSchema);
    } catch (error) {
      return fail(
        "parameters",
        `\`parameters\` is not a JSON Schema this SDK can validate: ${(error as Error).message}. Simplify the schema, or describe the arguments with zod, valibot or arktype instead.`,
      );
    }
    const quick = check.quick;
    validateArguments = (args) => {
      if (quick !== undefined && quick(args)) return { ok: true, value: args };
      const issues = check(args);
      return issues.length === 0 ? { ok: true, value: args } : { ok: false, issues };
    };
  }
  return { jsonSchema, check: validateArguments };
}

function deepFreeze(value: unknown): void {
  if (typeof value !== "object" || value === null || Object.isFrozen(value)) return;
  Object.freeze(value);
  for (const v of Object.values(value)) deepFreeze(v);
}
