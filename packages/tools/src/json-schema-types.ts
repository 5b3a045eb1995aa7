/**
 * Type-level mapping from a literal JSON Schema (inferred with a `const` type parameter) to the
 * type of the value it accepts. Deliberately small: the keywords tool parameters use (`type`,
 * `properties`, `required`, `items`, `enum`, `const`, `anyOf`/`oneOf`, `nullable`); anything else
 * (`$ref`, tuples, `allOf`) maps to `unknown` rather than to a wrong type.
 */

/** A JSON Schema object as `defineTool` accepts it for `parameters`. */
export interface JsonSchemaObject {
  readonly type?: unknown;
  readonly [keyword: string]: unknown;
}

type Simplify<T> = { [K in keyof T]: T[K] } & {};

type RequiredKeys<S> = S extends { readonly required: readonly (infer R)[] } ? R : never;

type ObjectOf<S> = S extends { readonly properties: infer P }
  ? P extends Record<string, unknown>
    ? Simplify<
        { -readonly [K in keyof P as K extends RequiredKeys<S> ? K : never]: FromJsonSchema<P[K]> } & {
          -readonly [K in keyof P as K extends RequiredKeys<S> ? never : K]?: FromJsonSchema<P[K]>;
        }
      >
    : Record<string, unknown>
  : S extends { readonly additionalProperties: infer A }
    ? A extends boolean
      ? Record<string, unknown>
      : Record<string, FromJsonSchema<A>>
    : Record<string, unknown>;

type ArrayOf<S> = S extends { readonly items: infer I } ? (I extends readonly unknown[] ? unknown[] : FromJsonSchema<I>[]) : unknown[];

type OneType<T, S> = T extends "string"
  ? string
  : T extends "number" | "integer"
    ? number
    : T extends "boolean"
      ? boolean
      : T extends "null"
        ? null
        : T extends "array"
          ? ArrayOf<S>
          : T extends "object"
            ? ObjectOf<S>
            : unknown;

type TypeOf<S> = S extends { readonly type: infer T }
  ? (T extends readonly (infer U)[] ? OneType<U, S> : OneType<T, S>) | (S extends { readonly nullable: true } ? null : never)
  : S extends { readonly properties: unknown }
    ? ObjectOf<S>
    : unknown;

/**
 * The value type a literal JSON Schema accepts, e.g.
 * `FromJsonSchema<{ type: "object"; properties: { city: { type: "string" } }; required: ["city"] }>`
 * is `{ city: string }`. Unrecognised shapes give `unknown`.
 */
export type FromJsonSchema<S> = S extends true
  ? unknown
  : S extends { readonly $ref: unknown }
    ? unknown
    : S extends { readonly const: infer C }
      ? C
      : S extends { readonly enum: readonly (infer E)[] }
        ? E
        : S extends { readonly anyOf: readonly (infer A)[] }
          ? FromJsonSchema<A>
          : S extends { readonly oneOf: readonly (infer A)[] }
            ? FromJsonSchema<A>
            : TypeOf<S>;
