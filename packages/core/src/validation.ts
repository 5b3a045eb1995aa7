/**
 * The validators' behaviour, written by hand over the generated tables
 * (`generated/validators/index.ts`: event type → schema key, method → schema keys, plus the schema
 * data). The generator writes only those tables; this module turns them into functions, so the
 * same code serves this SDK's bindings and any other output of `flightdeck-codegen generate`.
 */
import { SdkError } from "./errors.js";
import { checkSchema, explainSchema, schemaCheck } from "./schema-check.js";
import type { SchemaError } from "./schema-types.js";

/** One problem found in a value. `path` is a JSON pointer into the value (`/data/content`). */
export interface ValidationIssue {
  readonly path: string;
  /** The JSON Schema keyword that failed (`required`, `type`, `additionalProperties`, …). */
  readonly keyword: string;
  readonly message: string;
  /** Where the failing keyword is: `#/definitions/<Name>/…` in the bundled schemas. */
  readonly schemaPath: string;
}

/**
 * `lenient` (run time) tolerates what newer runtimes add: properties the pinned schema does not
 * know. `strict` (tests) checks the schema exactly as published: unknown properties fail, and so
 * does an event whose `type` the pinned schema does not list (`known: false`, in both modes: no
 * mode reports an unknown event type as valid).
 */
export type ValidationMode = "lenient" | "strict";

/** `known: false`: no schema for this event type or method in this build (a newer runtime). */
export type ValidationResult = { readonly ok: true } | { readonly ok: false; readonly known: boolean; readonly errors: readonly ValidationIssue[] };

/**
 * One method's row: [params schema, params optional, result schema, result optional]. A schema is
 * a key of `definitions`, `null` (nothing to check: no params / void) or `false` (not generated:
 * the direction we send, which the types already check).
 */
export type MethodValidationRow = readonly [string | null | false, boolean, string | null | false, boolean];

/** What the generator writes for the validators: data only. */
export interface ValidationTables {
  /** Schemas keyed `d_<Definition>`, `p_<method>`, `r_<method>`; `$ref` values are keys. */
  readonly definitions: Readonly<Record<string, unknown>>;
  /** Event type → key of its schema in `definitions`. */
  readonly events: Readonly<Record<string, string>>;
  readonly methods: Readonly<Record<string, MethodValidationRow>>;
}

/** The functions {@link createValidators} builds over one set of tables. */
export interface Validators {
  /** Validates one session event against the schema of its `type` (never the whole union). */
  validateSessionEvent(event: unknown, mode?: ValidationMode): ValidationResult;
  /** Validates the params of a server→client request or notification as they arrive (with `sessionId` where the schema has it). */
  validateRpcParams(method: string, params: unknown, mode?: ValidationMode): ValidationResult;
  /** Validates the result of a client→server request as it arrives. */
  validateRpcResult(method: string, result: unknown, mode?: ValidationMode): ValidationResult;
  /** Event types these tables have validators for. */
  readonly validatedEventTypes: readonly string[];
  /** Methods these tables have a validator for (in one direction or the other). */
  readonly validatedMethods: readonly string[];
}

const OK: ValidationResult = Object.freeze({ ok: true });
const hasOwn = (o: object, k: string): boolean => Object.hasOwn(o, k);

function issue(e: SchemaError): ValidationIssue {
  const p = e.params;
  const detail =
    e.keyword === "required"
      ? `missing required property "${String(p["missingProperty"])}"`
      : e.keyword === "additionalProperties"
        ? `unknown property "${String(p["additionalProperty"])}"`
        : e.keyword === "type"
          ? `must be ${String(p["type"])}`
          : e.keyword === "const"
            ? `must be ${JSON.stringify(p["allowedValue"])}`
            : e.keyword === "enum"
              ? `must be one of ${JSON.stringify(p["allowedValues"])}`
              : e.keyword === "format"
                ? `must match format "${String(p["format"])}"`
                : `fails "${e.keyword}" ${JSON.stringify(p)}`;
  return { path: e.instancePath, keyword: e.keyword, message: `${e.instancePath || "(root)"} ${detail}`, schemaPath: e.schemaPath };
}

function unknownResult(what: string): ValidationResult {
  return { ok: false, known: false, errors: [{ path: "", keyword: "unknown", message: what, schemaPath: "" }] };
}

function failure(keyword: string, message: string): ValidationResult {
  return { ok: false, known: true, errors: [{ path: "", keyword, message, schemaPath: "" }] };
}

/**
 * Builds the validator functions over generated tables.
 *
 * @example
 * ```ts
 * import { createValidators } from "@flightdeck/copilot-core/runtime";
 * import { VALIDATION_TABLES } from "./generated/validators/index.js";
 * const { validateSessionEvent } = createValidators(VALIDATION_TABLES);
 * ```
 */
export function createValidators(tables: ValidationTables): Validators {
  const { definitions, events, methods } = tables;
  const run = (mode: ValidationMode, key: string, value: unknown, rejected = false): ValidationResult => {
    if (mode !== "lenient" && mode !== "strict") {
      throw new SdkError("INVALID_OPTION", `validation mode must be "lenient" or "strict", got ${JSON.stringify(mode)}`);
    }
    // A value the compiled check `rejected` is only walked, to explain why.
    const errors = (rejected ? explainSchema : checkSchema)(definitions, key, value, mode === "strict");
    return errors === null ? OK : { ok: false, known: true, errors: errors.map(issue) };
  };
  const row = (method: string): MethodValidationRow | undefined => (hasOwn(methods, method) ? methods[method] : undefined);
  // Events arrive by the thousand: each type's compiled check is kept at hand, so a valid event
  // costs one map lookup and the check itself (the walker explains a failure).
  const eventChecks: [Map<string, (data: unknown) => boolean>, Map<string, (data: unknown) => boolean>] = [new Map(), new Map()];
  /** An event of a type not checked before: its definition is compiled on this first run. */
  const checkEvent = (mode: ValidationMode, type: string, key: string, event: unknown): ValidationResult => {
    const strict = mode === "strict";
    const checks = eventChecks[strict ? 1 : 0];
    const result = run(mode, key, event);
    // After its first run the definition is compiled: keep the compiled check itself.
    checks.set(type, schemaCheck(definitions, key, strict));
    return result;
  };
  return {
    validateSessionEvent(event, mode = "lenient") {
      const type = typeof event === "object" && event !== null ? (event as { type?: unknown }).type : undefined;
      if (typeof type !== "string") {
        return {
          ok: false,
          known: false,
          errors: [{ path: "/type", keyword: "type", message: "/type must be a string (not an event envelope)", schemaPath: "" }],
        };
      }
      // A type seen before: its compiled check decides at once.
      if (mode === "lenient" || mode === "strict") {
        const check = eventChecks[mode === "strict" ? 1 : 0].get(type);
        if (check !== undefined) return check(event) ? OK : run(mode, events[type]!, event, true);
      }
      const key = hasOwn(events, type) ? events[type] : undefined;
      if (!key) return unknownResult(`unknown event type "${type}"`);
      return mode === "lenient" || mode === "strict" ? checkEvent(mode, type, key, event) : run(mode, key, event);
    },
    validateRpcParams(method, params, mode = "lenient") {
      const m = row(method);
      if (!m) return unknownResult(`unknown method "${method}"`);
      if (m[0] === false) return unknownResult(`no params validator for "${method}": only server→client requests have one (the types check what you send)`);
      if (params === undefined && m[1]) return OK;
      if (m[0] === null) {
        const empty = params === undefined || (typeof params === "object" && params !== null && Object.keys(params).length === 0);
        return empty ? OK : failure("params", `${method} takes no params`);
      }
      return run(mode, m[0], params);
    },
    validateRpcResult(method, result, mode = "lenient") {
      const m = row(method);
      if (!m) return unknownResult(`unknown method "${method}"`);
      if (m[2] === false) return unknownResult(`no result validator for "${method}": only results of client→server requests have one`);
      if ((result === undefined || result === null) && (m[2] === null || m[3])) return OK;
      if (m[2] === null) return failure("result", `${method} returns nothing, got a value`);
      return run(mode, m[2], result);
    },
    validatedEventTypes: Object.keys(events),
    validatedMethods: Object.keys(methods),
  };
}
