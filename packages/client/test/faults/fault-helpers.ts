/**
 * Shared by the fault suite: a client on the scriptable fake runtime, settle-time assertions and
 * leftover-process counts (by the runtime's process group and by the environment tag every process
 * it starts inherits, which survives re-parenting).
 */
import { fileURLToPath } from "node:url";
import { expect } from "vitest";
import { isolatedClient, taggedProcesses } from "../../../../test-support/e2e.js";
import type { CopilotClient, CopilotClientOptions } from "@flightdeck/copilot-client";

export const FAKE = { path: fileURLToPath(new URL("./fake-runtime.mjs", import.meta.url)), args: [] as string[] };

/** A client on the fake runtime with `fakeEnv` selecting its faults; cleaned up by `cleanups`. */
export function fakeClient(
  cleanups: Array<() => Promise<void>>,
  fakeEnv: Record<string, string> = {},
  options: Partial<CopilotClientOptions> & { transport?: "stdio" | "tcp" } = {},
): CopilotClient {
  const { client, cleanup } = isolatedClient(FAKE, { extraEnv: fakeEnv, ...options });
  cleanups.push(cleanup);
  return client;
}

/** Awaits `promise` (fulfilled or rejected) and asserts it settled within `maxMs`. Returns the outcome and the time taken. */
export async function settlesWithin<T>(promise: Promise<T>, maxMs: number): Promise<{ value?: T; error?: unknown; ms: number }> {
  const started = performance.now();
  let timer: ReturnType<typeof setTimeout> | undefined;
  const outcome = await Promise.race([
    promise.then(
      (value) => ({ value }),
      (error: unknown) => ({ error }),
    ),
    new Promise<"hung">((resolve) => (timer = setTimeout(() => resolve("hung"), maxMs + 5_000))),
  ]);
  clearTimeout(timer);
  const ms = performance.now() - started;
  expect(outcome, `did not settle within ${maxMs + 5_000} ms`).not.toBe("hung");
  expect(ms, `settled in ${Math.round(ms)} ms, bound ${maxMs} ms`).toBeLessThanOrEqual(maxMs);
  return { ...(outcome as { value?: T; error?: unknown }), ms };
}

export { runtimeTag } from "../../../../test-support/e2e.js";

/** Live (non-zombie) processes that carry `tag` in their environment, or are in process group `pgid`. */
export function leftovers(tag: string, pgid?: number): number[] {
  return taggedProcesses(tag, pgid === undefined ? {} : { pgid });
}

/** Waits until `predicate` holds (polling), or fails after `ms`. */
export async function waitFor(predicate: () => boolean, ms = 10_000, what = "condition"): Promise<void> {
  const deadline = Date.now() + ms;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}
