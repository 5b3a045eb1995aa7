/**
 * The one error type the generator throws for bad input. Its message always names the schema
 * file and JSON pointer involved and says what to do, so a failing `pnpm codegen` is actionable.
 */
/** The runtime team's files: pinned byte for byte, never edited (our overlay is where we add things). */
const UPSTREAM_FILES = new Set(["api.schema.json", "session-events.schema.json"]);

/** A fix for a problem in an upstream file never asks to edit it: the overlay or the generator is the place. */
function fixFor(file: string | undefined, hint: string | undefined): string | undefined {
  if (hint === undefined || file === undefined || !UPSTREAM_FILES.has(file)) return hint;
  return `${file} is the runtime team's file, pinned byte for byte: do not edit it. Add or override what the generator needs in schemas/overlay/, or teach the generator (codegen/src) this construct (what it expected: ${hint})`;
}

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
    super([file ? `${file}${pointer ?? ""}: ${message}` : message, hint ? `Fix: ${fixFor(file, hint)}` : undefined].filter(Boolean).join("\n"));
  }
}

/** Escapes one JSON pointer segment (RFC 6901). */
export function ptr(base: string, ...segments: (string | number)[]): string {
  return segments.reduce<string>((p, s) => `${p}/${String(s).replace(/~/g, "~0").replace(/\//g, "~1")}`, base);
}
