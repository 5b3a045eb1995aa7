/**
 * Errors of this package. Their `code`s are a subset of core's `SdkErrorCode` so that, once
 * @flightdeck/copilot-core exports `SdkError` from its index, `ToolError` can extend it without
 * any caller noticing (switch on `code`, read `toolName` / `option`).
 */

/** Codes a {@link ToolError} carries (same strings as core's `SdkErrorCode`). */
export type ToolErrorCode =
  /** `defineTool` / `ToolSet` got an invalid option (the message names the option and the fix). */
  | "INVALID_OPTION"
  /** A tool handler threw or rejected; `cause` is what it threw. */
  | "HANDLER_FAILED"
  /** A tool handler ran past its `timeoutMs`. */
  | "TIMEOUT"
  /** A tool handler returned something that is not a valid tool result. */
  | "VALIDATION";

/** An error about one tool: bad definition, failed handler, timeout or invalid result. */
export class ToolError extends Error {
  readonly code: ToolErrorCode;
  /** The tool concerned (may be `""` when the name itself was missing). */
  readonly toolName: string;
  /** The `defineTool` option at fault, for `INVALID_OPTION`. */
  readonly option: string | undefined;

  constructor(
    code: ToolErrorCode,
    message: string,
    options: { toolName: string; option?: string; cause?: unknown },
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.code = code;
    this.toolName = options.toolName;
    this.option = options.option;
  }
}

/** A tool definition (or a `ToolSet`) is invalid. Always `code: "INVALID_OPTION"`. */
export class ToolDefinitionError extends ToolError {
  constructor(toolName: string, option: string, message: string) {
    super("INVALID_OPTION", message, { toolName, option });
  }
}

/** Describes a value for an error message without dumping it (it may be large or secret). */
export function describeValue(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "an array";
  if (typeof value === "function") return "a function";
  if (typeof value === "object") return "an object";
  if (typeof value === "string") return value.length > 40 ? `a string of ${value.length} characters` : JSON.stringify(value);
  return `${typeof value} ${String(value)}`;
}
