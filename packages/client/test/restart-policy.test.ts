import { describe, expect, it } from "vitest";
import { DEFAULT_RESTART_POLICY, backoffDelay, restartPolicyOf } from "../src/restart-policy.js";

describe("autoRestart policy", () => {
  it("defaults: 5 attempts in 60 s, 250 ms doubling to 10 s", () => {
    expect(restartPolicyOf(true)).toEqual({ maxAttempts: 5, windowMs: 60_000, initialDelayMs: 250, maxDelayMs: 10_000 });
    expect(restartPolicyOf(false)).toBeUndefined();
    expect(restartPolicyOf(undefined)).toBeUndefined();
    expect(restartPolicyOf({ maxAttempts: 2 })).toEqual({ ...DEFAULT_RESTART_POLICY, maxAttempts: 2 });
  });

  it("backs off exponentially with 50–100 % jitter, capped", () => {
    const policy = DEFAULT_RESTART_POLICY;
    expect([1, 2, 3, 4].map((n) => backoffDelay(n, policy, () => 0))).toEqual([125, 250, 500, 1000]);
    expect([1, 2, 3, 4].map((n) => backoffDelay(n, policy, () => 1))).toEqual([250, 500, 1000, 2000]);
    expect(backoffDelay(20, policy, () => 1)).toBe(10_000);
    expect(backoffDelay(20, policy, () => 0)).toBe(5_000);
    // Jitter spreads clients that crashed together.
    const delays = new Set(Array.from({ length: 20 }, () => backoffDelay(3, policy)));
    expect(delays.size).toBeGreaterThan(1);
  });
});
