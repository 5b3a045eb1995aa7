/**
 * Errors of this package: `SdkError`s (from @flightdeck/copilot-core) whose `code` is one of
 * {@link ToolErrorCode}, carrying the tool's name and, for definition errors, the option at fault.
 */
import { SdkError } from "@flightdeck/copilot-core";

/** Codes a {@link ToolError} carries (a subset of core's `SdkErrorCode`). */
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
export class ToolError extends SdkError {
  static override readonly errorClass: string = "ToolError";
  declare readonly code: ToolErrorCode;
  /** The tool concerned (may be `""` when the name itself was missing). */
  readonly toolName: string;
  /** The `defineTool` option at fault, for `INVALID_OPTION`. */
  readonly option: string | undefined;

  constructor(code: ToolErrorCode, message: string, options: { toolName: string; option?: string; cause?: unknown }) {
    const details: Record<string, unknown> = { toolName: options.toolName };
    if (options.option !== undefined) details.option = options.option;
    super(code, message, options.cause === undefined ? { details } : { cause: options.cause, details });
    this.toolName = options.toolName;
    this.option = options.option;
  }
}

/** A tool definition (or a `ToolSet`) is invalid. Always `code: "INVALID_OPTION"`. */
export class ToolDefinitionError extends ToolError {
  static override readonly errorClass: string = "ToolDefinitionError";
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
