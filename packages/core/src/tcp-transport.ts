/** Transport over a TCP socket (Node only; exported from `./node`). */
import type { Socket } from "node:net";
import { SdkError } from "./errors.js";
import { BaseTransport, type TransportCloseInfo } from "./transport.js";

/**
 * Frames over a TCP socket, with Nagle's algorithm off (`setNoDelay(true)`): with it on, a small
 * request waits for the previous segment's ACK and costs ~40 ms. Each `write` is one `socket.write`.
 */
export class TcpTransport extends BaseTransport {
  readonly socket: Socket;
  private closeRequested = false;
  private ioError: Error | undefined;
  private destroyTimer: ReturnType<typeof setTimeout> | undefined;

  /** Wraps a connected socket (either side: tests use it for the server end too). */
  constructor(socket: Socket) {
    super();
    this.socket = socket;
    socket.setNoDelay(true);
    socket.on("data", (chunk: Buffer) => this.emitData(chunk));
    socket.on("error", (error) => {
      this.ioError ??= error;
    });
    socket.on("close", () => {
      if (this.destroyTimer !== undefined) clearTimeout(this.destroyTimer);
      const info: TransportCloseInfo = {
        reason: this.closeRequested ? "the TCP connection was closed by this side" : "the TCP connection was closed by the peer",
        initiatedLocally: this.closeRequested,
      };
      if (this.ioError) info.error = this.ioError;
      this.emitClose(info);
    });
  }

  write(bytes: Uint8Array): void {
    if (this.isClosed || this.closeRequested) throw this.closedWriteError();
    this.socket.write(bytes);
  }

  writeMessage(json: string): void {
    if (this.isClosed || this.closeRequested) throw this.closedWriteError();
    this.socket.write(`Content-Length: ${Buffer.byteLength(json)}\r\n\r\n${json}`);
  }

  /** Ends the socket gracefully; destroys it if the peer has not closed within 1 s. */
  close(): Promise<void> {
    if (!this.closeRequested && !this.isClosed) {
      this.closeRequested = true;
      this.socket.end();
      this.destroyTimer = setTimeout(() => this.socket.destroy(), 1000);
    }
    return this.closed.then(() => undefined);
  }
}

export interface ConnectTcpOptions {
  /** Host name or address (default "127.0.0.1"). */
  host?: string;
  port: number;
  /** Give up connecting after this many ms (default 10 000). */
  timeoutMs?: number;
  /** Cancels the connection attempt. */
  signal?: AbortSignal;
}

/**
 * Connects to a runtime listening on TCP (`copilot --headless --port N`).
 * Rejects with `INVALID_OPTION` (bad port/host), `TIMEOUT`, `ABORTED` or `CONNECT_FAILED`.
 */
export function connectTcp(options: ConnectTcpOptions): Promise<TcpTransport> {
  const host = options.host ?? "127.0.0.1";
  const { port } = options;
  const timeoutMs = options.timeoutMs ?? 10_000;
  if (!Number.isInteger(port) || port < 1 || port > 65_535) {
    return Promise.reject(new SdkError("INVALID_OPTION", `connectTcp: port must be an integer from 1 to 65535, got ${String(port)}.`));
  }
  if (typeof host !== "string" || host.length === 0) {
    return Promise.reject(new SdkError("INVALID_OPTION", "connectTcp: host must be a non-empty host name or address."));
  }
  if (!(timeoutMs > 0)) {
    return Promise.reject(new SdkError("INVALID_OPTION", `connectTcp: timeoutMs must be a positive number, got ${String(timeoutMs)}.`));
  }
  const where = `${host}:${port}`;
  if (options.signal?.aborted) {
    return Promise.reject(new SdkError("ABORTED", `Connecting to ${where} was aborted.`, { cause: options.signal.reason }));
  }
  // Loaded on first use: node:net costs ~3 ms at import, and stdio users never need it.
  return import("node:net").then(
    ({ connect: netConnect }) =>
      new Promise<TcpTransport>((resolve, reject) => {
        const socket = netConnect({ host, port });
        socket.setNoDelay(true);
        const cleanup = () => {
          clearTimeout(timer);
          options.signal?.removeEventListener("abort", onAbort);
          socket.off("connect", onConnect);
          socket.off("error", onError);
        };
        const fail = (error: SdkError) => {
          cleanup();
          socket.destroy();
          reject(error);
        };
        const onConnect = () => {
          cleanup();
          resolve(new TcpTransport(socket));
        };
        const onError = (cause: NodeJS.ErrnoException) => {
          const hint =
            cause.code === "ECONNREFUSED"
              ? "nothing is listening there; start the runtime with --port or check the port"
              : cause.code === "ENOTFOUND"
                ? "the host name does not resolve; check the host"
                : "check the host and port";
          fail(new SdkError("CONNECT_FAILED", `Cannot connect to ${where}: ${cause.message}; ${hint}.`, { cause, details: { host, port, errno: cause.code } }));
        };
        const onAbort = () => fail(new SdkError("ABORTED", `Connecting to ${where} was aborted.`, { cause: options.signal?.reason }));
        const timer = setTimeout(
          () =>
            fail(
              new SdkError(
                "TIMEOUT",
                `Connecting to ${where} took longer than ${timeoutMs} ms; check that the runtime is listening there, or raise timeoutMs.`,
                { details: { host, port, timeoutMs } },
              ),
            ),
          timeoutMs,
        );
        socket.once("connect", onConnect);
        socket.once("error", onError);
        options.signal?.addEventListener("abort", onAbort, { once: true });
      }),
  );
}
