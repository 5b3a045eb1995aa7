/**
 * Standard Schema (https://standardschema.dev) as workflows and canvases read it: the interface is
 * meant to be copied, not imported.
 */

/** Any Standard Schema v1 (zod, valibot, arktype, …). */
export interface StandardSchema<Input = unknown, Output = Input> {
  readonly "~standard": {
    readonly version: 1;
    readonly vendor: string;
    readonly validate: (value: unknown) => StandardResult<Output> | Promise<StandardResult<Output>>;
    readonly types?: { readonly input: Input; readonly output: Output } | undefined;
    readonly jsonSchema?: { readonly input: (options: { target: string }) => Record<string, unknown> };
  };
}
type StandardResult<Output> =
  | { readonly value: Output; readonly issues?: undefined }
  | { readonly issues: ReadonlyArray<{ readonly message: string; readonly path?: ReadonlyArray<PropertyKey | { readonly key: PropertyKey }> | undefined }> };
export type InferOutput<S> = S extends StandardSchema<unknown, infer O> ? O : unknown;
export type InferInput<S> = S extends StandardSchema<infer I, unknown> ? I : unknown;

export function isStandardSchema(value: unknown): value is StandardSchema {
  if ((typeof value !== "object" && typeof value !== "function") || value === null) return false;
  const props = (value as { "~standard"?: { version?: unknown; validate?: unknown } })["~standard"];
  return typeof props === "object" && props !== null && props.version === 1 && typeof props.validate === "function";
}

/** Validates `value`; issues come back as `path: message` lines. */
export async function checkStandardSchema<T>(
  schema: StandardSchema<unknown, T>,
  value: unknown,
): Promise<{ ok: true; value: T } | { ok: false; issues: string[] }> {
  const result = await schema["~standard"].validate(value);
  if (result.issues === undefined) return { ok: true, value: result.value };
  return {
    ok: false,
    issues: result.issues.map((i) => {
      const path = (i.path ?? []).map((p) => String(typeof p === "object" && p !== null ? p.key : p)).join(".");
      return path ? `${path}: ${i.message}` : i.message;
    }),
  };
}
