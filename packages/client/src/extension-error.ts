/** The error of `joinSession` (extension.ts) and of `requestExtensions` on a runtime that cannot launch extensions. */
import { FlightdeckError } from "@flightdeck/copilot-core";

/** Why `joinSession` could not join. */
export type ExtensionErrorCode = "NOT_IN_RUNTIME" | "ENVIRONMENT_DENIED" | "JOIN_FAILED" | "RUNTIME_CANNOT_LAUNCH";

/** `joinSession` failed; `code` says why and the message what to do. */
export class ExtensionError extends FlightdeckError {
  static override readonly errorClass: string = "ExtensionError";
  readonly code: ExtensionErrorCode;
  constructor(code: ExtensionErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
  }
}
