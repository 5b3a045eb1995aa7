/**
 * `@flightdeck/copilot-core/validators`: schema validators for what arrives from the runtime
 * (session events, results of our requests, params of its requests to us). The generator writes
 * the schemas and tables as data (`generated/validators/`); `validation.ts` turns them into these
 * functions, checking with ajv's semantics (no ajv at run time). A separate entry point so the
 * main import stays small.
 *
 * @example
 * ```ts
 * import { validateSessionEvent } from "@flightdeck/copilot-core/validators";
 * const r = validateSessionEvent(frame.params.event); // lenient by default
 * if (!r.ok && r.known) log.warn(r.errors.map((e) => e.message).join("; "));
 * ```
 */
import { VALIDATION_TABLES } from "./generated/validators/index.js";
import { createValidators, type ValidationMode, type ValidationResult } from "./validation.js";

export type { ValidationIssue, ValidationMode, ValidationResult } from "./validation.js";

const validators = createValidators(VALIDATION_TABLES);

/**
 * Validates one session event against the schema of its `type` (never the whole union). An event
 * type the pinned schema does not list gives `{ ok: false, known: false }` in both modes.
 *
 * @example
 * ```ts
 * const r = validateSessionEvent(event, "strict");
 * if (!r.ok) console.error(r.known ? r.errors : `unknown event type ${event.type}`);
 * ```
 */
export function validateSessionEvent(event: unknown, mode: ValidationMode = "lenient"): ValidationResult {
  return validators.validateSessionEvent(event, mode);
}

/** Validates the params of a server→client request or notification as they arrive (with `sessionId` where the schema has it). */
export function validateRpcParams(method: string, params: unknown, mode: ValidationMode = "lenient"): ValidationResult {
  return validators.validateRpcParams(method, params, mode);
}

/** Validates the result of a client→server request as it arrives. */
export function validateRpcResult(method: string, result: unknown, mode: ValidationMode = "lenient"): ValidationResult {
  return validators.validateRpcResult(method, result, mode);
}

/** Event types this build has validators for. */
export const VALIDATED_EVENT_TYPES: readonly string[] = validators.validatedEventTypes;
/** Methods this build has a validator for (params of server→client, results of client→server). */
export const VALIDATED_METHODS: readonly string[] = validators.validatedMethods;
