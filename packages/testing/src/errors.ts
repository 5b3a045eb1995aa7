import { FlightdeckError } from "@flightdeck/copilot-sdk";

/** What went wrong, as a stable string a test can branch on. */
export type TestingErrorCode = "INVALID_OPTION" | "INVALID_SCRIPT" | "TIMEOUT" | "SCRIPT_NOT_DONE" | "SERVER_CLOSED" | "RUNTIME_NOT_FOUND";

/**
 * Every error thrown by `@flightdeck/copilot-testing` (a `FlightdeckError`, like the rest of the
 * SDK's). The message names the bad option or input and the fix; `code` is for programs.
 */
export class TestingError extends FlightdeckError {
  static override readonly errorClass: string = "TestingError";
  readonly code: TestingErrorCode;

  constructor(code: TestingErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
  }
}
