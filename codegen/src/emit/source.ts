/** source.ts: which schemas (and so which runtime) the bindings were generated from, as data. */
import type { CodegenIr } from "../ir.js";
import { tsHeader } from "./header.js";

export function emitSource(ir: CodegenIr): string {
  const s = ir.source;
  return `${tsHeader(ir)}
/**
 * The schemas these bindings were generated from: the npm package and version they were copied
 * from, the runtime version that speaks them, and its protocol version.
 */
export const PROTOCOL_SCHEMA_SOURCE = {
  package: ${JSON.stringify(s.package)},
  version: ${JSON.stringify(s.version)},
  runtimeVersion: ${JSON.stringify(s.runtimeVersion)},
  protocolVersion: ${JSON.stringify(s.protocolVersion)},
} as const;
`;
}
