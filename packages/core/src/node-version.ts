/**
 * Fails at import on a Node.js this SDK does not support, with an error that names the supported
 * range, instead of an obscure failure later (no `require(esm)` before 20.19 / 22.12, missing
 * `Symbol.asyncDispose`, …). Runs once, when core's entry is evaluated (before every other package).
 */
import { SdkError } from "./errors.js";

/** The Node.js versions Flightdeck supports (the `engines` range of every package). */
export const SUPPORTED_NODE_RANGE = "^20.19.0 || >=22.12.0";

/** True when `version` (`"20.19.0"` or `"v22.12.1"`) is in {@link SUPPORTED_NODE_RANGE}. */
export function isSupportedNodeVersion(version: string): boolean {
  const match = /^v?(\d+)\.(\d+)\./.exec(version);
  if (!match) return false;
  const major = Number(match[1]);
  const minor = Number(match[2]);
  if (major === 20) return minor >= 19;
  if (major === 22) return minor >= 12;
  return major >= 23;
}

function checkNodeVersion(): void {
  const proc = (globalThis as { process?: { versions?: { node?: string }; env?: Record<string, string | undefined> } }).process;
  const version = proc?.versions?.node;
  // Not Node.js (a browser bundle), or the user chose to try an unsupported version anyway.
  if (version === undefined || proc?.env?.FLIGHTDECK_SKIP_NODE_CHECK === "1") return;
  if (!isSupportedNodeVersion(version)) {
    throw new SdkError(
      "UNSUPPORTED_NODE",
      `Flightdeck (@flightdeck/copilot-*) needs Node.js ${SUPPORTED_NODE_RANGE}, but this is Node.js ${version}. Upgrade Node.js (e.g. \`nvm install 22\`), or set FLIGHTDECK_SKIP_NODE_CHECK=1 to try anyway.`,
      { details: { version, supported: SUPPORTED_NODE_RANGE } },
    );
  }
}

checkNodeVersion();
