/**
 * `JsonRpcConnection` for the client's connecting code (runtime-connect.ts, extension-join.ts),
 * which is loaded on the first start() or joinSession(). In the sdk's bundle this import goes
 * straight to core's json-rpc-connection.ts (see `packages/sdk/tsup.config.ts`), so the JSON-RPC
 * connection, its framing and its message handling load with that code, not on import.
 */
export { JsonRpcConnection } from "@flightdeck/copilot-core";
