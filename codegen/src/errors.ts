/**
 * The one error type the generator throws for bad input. Its message always names the schema
 * file and JSON pointer involved and says what to do, so a failing `pnpm codegen` is actionable.
 */
export class CodegenError extends Error {
  override readonly name = "CodegenError";
  constructor(
    message: string,
    /** Schema file (relative to the schemas folder) the problem was found in, if any. */
    readonly file?: string,
    /** JSON pointer (`#/definitions/Foo/properties/bar`) inside {@link file}. */
    readonly pointer?: string,
    /** What to do about it. */
    readonly hint?: string,
  ) {
    super(
      [file ? `${file}${pointer ?? ""}: ${message}` : message, hint ? `Fix: ${hint}` : undefined]
        .filter(Boolean)
        .join("\n"),
    );
  }
}

/** Escapes one JSON pointer segment (RFC 6901). */
export function ptr(base: string, ...segments: (string | number)[]): string {
  return segments.reduce<string>((p, s) => `${p}/${String(s).replace(/~/g, "~0").replace(/\//g, "~1")}`, base);
}
