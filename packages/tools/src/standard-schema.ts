/**
 * Standard Schema v1 support (zod 3.24+ and 4, valibot, arktype, …): recognising one, turning it
 * into the JSON Schema the runtime sends to the model, and running its `validate`.
 * Only types are imported from @standard-schema/spec: nothing of it exists at run time.
 */
import type { StandardJSONSchemaV1, StandardSchemaV1 } from "@standard-schema/spec";
import { ToolDefinitionError } from "./errors.js";
import type { JsonSchemaIssue } from "@flightdeck/copilot-core/internal";

/** True for any Standard Schema v1 (arktype's types are functions, so functions count). */
export function isStandardSchema(value: unknown): value is StandardSchemaV1 {
  if ((typeof value !== "object" && typeof value !== "function") || value === null) return false;
  const props = (value as { "~standard"?: unknown })["~standard"];
  return (
    typeof props === "object" &&
    props !== null &&
    (props as { version?: unknown }).version === 1 &&
    typeof (props as { validate?: unknown }).validate === "function"
  );
}

function hasJsonSchemaConverter(schema: StandardSchemaV1): schema is StandardSchemaV1 & StandardJSONSchemaV1 {
  const converter = (schema["~standard"] as { jsonSchema?: { input?: unknown } }).jsonSchema;
  return typeof converter === "object" && converter !== null && typeof converter.input === "function";
}

/**
 * The JSON Schema of a Standard Schema's input (what the model must send), via the Standard JSON
 * Schema converter (`~standard.jsonSchema`, which zod 4 and arktype ship). Throws a
 * `ToolDefinitionError` naming the `jsonSchema` option when the library offers no converter.
 */
export function standardToJsonSchema(toolName: string, schema: StandardSchemaV1): Record<string, unknown> {
  const vendor = schema["~standard"].vendor;
  if (!hasJsonSchemaConverter(schema)) {
    const hint =
      vendor === "zod"
        ? ' zod 3 schemas cannot describe themselves: use zod 4 (`import { z } from "zod"`), or pass `jsonSchema` (e.g. from zod-to-json-schema).'
        : vendor === "valibot"
          ? " Wrap the schema with `toStandardJsonSchema(schema)` from @valibot/to-json-schema, or pass `jsonSchema`."
          : " Pass the JSON Schema of the arguments as `jsonSchema`.";
    throw new ToolDefinitionError(
      toolName,
      "jsonSchema",
      `defineTool("${toolName}"): \`parameters\` is a ${vendor} schema without a JSON Schema converter (Standard JSON Schema), so the model cannot be told the argument shape.${hint}`,
    );
  }
  let converted: Record<string, unknown>;
  try {
    converted = schema["~standard"].jsonSchema.input({ target: "draft-2020-12" });
  } catch (error) {
    throw new ToolDefinitionError(
      toolName,
      "parameters",
      `defineTool("${toolName}"): the ${vendor} schema in \`parameters\` cannot be converted to JSON Schema (${(error as Error).message}). Use JSON-representable types for arguments (strings, numbers, objects, arrays), or pass \`jsonSchema\` explicitly.`,
    );
  }
  // `$schema` means nothing to the model and some providers reject unknown top-level keys.
  const { $schema: _ignored, ...rest } = converted;
  return rest;
}

/** Runs a Standard Schema's `validate` and maps its issues to `{ path, message }`. */
/**
 * Validates `value` with a Standard Schema: at once when the schema's validator is synchronous,
 * else through the promise it returns. Never throws or rejects: a validator that does becomes one issue.
 */
export function validateStandardNow(schema: StandardSchemaV1, value: unknown): StandardCheck | Promise<StandardCheck> {
  try {
    const result = schema["~standard"].validate(value);
    if (result instanceof Promise) return result.then(checkOf).catch(validatorThrew);
    return checkOf(result);
  } catch (error) {
    return validatorThrew(error);
  }
}

type StandardCheck = { ok: true; value: unknown } | { ok: false; issues: JsonSchemaIssue[] };

function validatorThrew(error: unknown): StandardCheck {
  return { ok: false, issues: [{ path: [], message: `the schema's validator threw: ${(error as Error)?.message ?? String(error)}` }] };
}

function checkOf(result: StandardSchemaV1.Result<unknown>): StandardCheck {
  if (result.issues === undefined) return { ok: true, value: result.value };
  return {
    ok: false,
    issues: result.issues.map((issue) => ({
      path: (issue.path ?? []).map((seg) => {
        const key = typeof seg === "object" && seg !== null ? seg.key : seg;
        return typeof key === "number" ? key : String(key);
      }),
      message: issue.message,
    })),
  };
}
