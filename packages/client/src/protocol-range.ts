/**
 * The one place the client's supported protocol range is declared. The client negotiates within
 * it on `connect` and, on a mismatch, says which side to update and to what.
 */
export const SUPPORTED_PROTOCOL_VERSIONS = { min: 3, max: 3 } as const;

import { SdkError } from "@flightdeck/copilot-core";

/** Throws `SdkError("PROTOCOL_MISMATCH")` naming both versions and which side to update. */
export function checkProtocolVersion(runtimeProtocol: number | undefined, runtimeVersion: string | undefined): number {
  const { min, max } = SUPPORTED_PROTOCOL_VERSIONS;
  const runtime = `the runtime${runtimeVersion ? ` ${runtimeVersion}` : ""}`;
  if (typeof runtimeProtocol !== "number") {
    throw new SdkError(
      "PROTOCOL_MISMATCH",
      `${runtime} did not report a protocol version; this SDK supports protocol ${min}–${max}. Update the runtime (npm install @github/copilot@latest).`,
      {
        details: { runtimeVersion, supported: { min, max } },
      },
    );
  }
  if (runtimeProtocol < min) {
    throw new SdkError(
      "PROTOCOL_MISMATCH",
      `${runtime} speaks protocol ${runtimeProtocol}, but this SDK needs protocol ${min}–${max}. Update the runtime to one that speaks protocol ${min} or newer (npm install @github/copilot@latest).`,
      {
        details: { runtimeProtocol, runtimeVersion, supported: { min, max } },
      },
    );
  }
  if (runtimeProtocol > max) {
    throw new SdkError(
      "PROTOCOL_MISMATCH",
      `${runtime} speaks protocol ${runtimeProtocol}, newer than this SDK supports (${min}–${max}). Update @flightdeck/copilot-sdk to a version that supports protocol ${runtimeProtocol}, or pin the runtime to one that speaks protocol ${max}.`,
      {
        details: { runtimeProtocol, runtimeVersion, supported: { min, max } },
      },
    );
  }
  return runtimeProtocol;
}
