/**
 * Node-only transports: a child process's stdio and TCP. Kept out of the main entry so
 * `@flightdeck/copilot-core` stays platform-neutral.
 */
// First: the Node.js version check also guards this entry (a user may import only `/node`).
export { SUPPORTED_NODE_RANGE } from "./node-version.js";
import { parseRuntimeUri } from "./connect-uri.js";
import { connectTcp, type TcpTransport } from "./tcp-transport.js";

export { parseRuntimeUri, type RuntimeAddress } from "./connect-uri.js";
export { StdioTransport, spawnStdioTransport, type SpawnStdioOptions, type StdioTransportOptions } from "./stdio-transport.js";
export { TcpTransport, connectTcp, type ConnectTcpOptions } from "./tcp-transport.js";

/**
 * Connects to a runtime by URI: `"tcp://host:port"`, `"host:port"`, `"http://host:port"` or a port.
 * Rejects with `INVALID_OPTION` for a bad URI, else as {@link connectTcp}.
 *
 * @example const transport = await connectUri("tcp://127.0.0.1:3000");
 */
export function connectUri(uri: string, options: { timeoutMs?: number; signal?: AbortSignal } = {}): Promise<TcpTransport> {
  let address;
  try {
    address = parseRuntimeUri(uri);
  } catch (error) {
    return Promise.reject(error);
  }
  return connectTcp({ ...address, ...options });
}
