/**
 * `SessionHost` (and with it the session features: tools, permissions, hooks, MCP, …) is loaded
 * by the first `start()` or `joinSession()`, not by importing the package: a plain import needs
 * only the classes users name. In the sdk's bundle this `import()` goes straight to the host's
 * module (see `packages/sdk/tsup.config.ts`), so the host and the features are a chunk of their own.
 */
import { SdkError } from "@flightdeck/copilot-core";
import type { SessionHost } from "@flightdeck/copilot-session";

let loaded: typeof SessionHost | undefined;

/**
 * The `SessionHost` class, loaded once. A load that fails (a damaged install) rejects with
 * `SdkError("CONNECT_FAILED")` naming the fix, and the next call tries again.
 */
export async function loadSessionHost(): Promise<typeof SessionHost> {
  if (loaded) return loaded;
  try {
    loaded = (await import("@flightdeck/copilot-session")).SessionHost;
  } catch (cause) {
    throw lazyLoadError("the session host", cause);
  }
  return loaded;
}

/** The error of a part of the sdk that could not be loaded on first use. */
export function lazyLoadError(what: string, cause: unknown): SdkError {
  const reason = cause instanceof Error ? cause.message : String(cause);
  return new SdkError(
    "CONNECT_FAILED",
    `Could not load ${what}, a part of the Flightdeck SDK loaded on first use: ${reason}. The installed package is incomplete or damaged; reinstall it (e.g. \`npm install @flightdeck/copilot-sdk\`).`,
    { cause },
  );
}
