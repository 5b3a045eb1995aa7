/**
 * `@flightdeck/copilot-core/validators`: schema validators for what arrives from the runtime
 * (session events, results of our requests, params of its requests to us). The schemas ship as
 * generated data that `schema-interpreter.ts` checks with ajv's semantics (no ajv at run time);
 * both modes share it. A separate entry point so the main import stays small.
 *
 * @example
 * ```ts
 * import { validateSessionEvent } from "@flightdeck/copilot-core/validators";
 * const r = validateSessionEvent(frame.params.event); // lenient by default
 * if (!r.ok && r.known) log.warn(r.errors.map((e) => e.message).join("; "));
 * ```
 */
export {
  VALIDATED_EVENT_TYPES,
  VALIDATED_METHODS,
  validateRpcParams,
  validateRpcResult,
  validateSessionEvent,
  type ValidationIssue,
  type ValidationMode,
  type ValidationResult,
} from "./generated/validators/index.js";
