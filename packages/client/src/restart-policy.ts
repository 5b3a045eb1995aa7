/**
 * autoRestart's policy: exponential backoff with jitter, and a limit on attempts within a sliding
 * window so a runtime that keeps dying is given up on instead of respawned in a tight loop.
 */
import { SdkError } from "@flightdeck/copilot-core";

/** Tuning for `autoRestart`; every field has a default. */
export interface AutoRestartOptions {
  /** Most restart attempts within `windowMs` before giving up. Default 5. */
  maxAttempts?: number;
  /** The sliding window the attempts are counted in, in ms. Default 60 000. */
  windowMs?: number;
  /** Delay before the first attempt, in ms; it doubles with each attempt in the window. Default 250. */
  initialDelayMs?: number;
  /** Ceiling of the delay, in ms. Default 10 000. */
  maxDelayMs?: number;
}

export type RestartPolicy = Readonly<Required<AutoRestartOptions>>;

export const DEFAULT_RESTART_POLICY: RestartPolicy = { maxAttempts: 5, windowMs: 60_000, initialDelayMs: 250, maxDelayMs: 10_000 };

const KEYS = Object.keys(DEFAULT_RESTART_POLICY) as Array<keyof AutoRestartOptions>;

/** Checks the `autoRestart` option; returns the policy in effect, or undefined when off. */
export function restartPolicyOf(option: unknown): RestartPolicy | undefined {
  if (option === undefined || option === false) return undefined;
  if (option === true) return DEFAULT_RESTART_POLICY;
  if (typeof option !== "object" || option === null || Array.isArray(option)) {
    throw new SdkError(
      "INVALID_OPTION",
      `autoRestart: must be true, false or { maxAttempts?, windowMs?, initialDelayMs?, maxDelayMs? }, got ${JSON.stringify(option)}.`,
      { details: { option: "autoRestart" } },
    );
  }
  const policy: Record<string, number> = { ...DEFAULT_RESTART_POLICY };
  for (const [key, value] of Object.entries(option)) {
    if (!KEYS.includes(key as keyof AutoRestartOptions)) {
      throw new SdkError("INVALID_OPTION", `autoRestart.${key}: not an option. Use ${KEYS.join(", ")}.`, { details: { option: `autoRestart.${key}` } });
    }
    if (value === undefined) continue;
    const min = key === "maxAttempts" ? 1 : 0;
    if (typeof value !== "number" || !Number.isFinite(value) || value < min || (key === "maxAttempts" && !Number.isInteger(value))) {
      throw new SdkError(
        "INVALID_OPTION",
        `autoRestart.${key}: ${JSON.stringify(value)} is not ${key === "maxAttempts" ? "a whole number ≥ 1" : "a duration in milliseconds (a finite number ≥ 0)"}.`,
        { details: { option: `autoRestart.${key}` } },
      );
    }
    policy[key] = value;
  }
  return policy as unknown as RestartPolicy;
}

/** Delay before attempt `attempt` (1-based): initial × 2^(attempt-1), capped, then "equal jitter" (50–100%). */
export function backoffDelay(attempt: number, policy: RestartPolicy, random: () => number = Math.random): number {
  const base = Math.min(policy.maxDelayMs, policy.initialDelayMs * 2 ** Math.max(0, attempt - 1));
  return Math.round(base / 2 + (base / 2) * random());
}
