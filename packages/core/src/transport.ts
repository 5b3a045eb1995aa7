/**
 * The byte pipe under a `JsonRpcConnection`, plus a platform-neutral in-memory pair for tests.
 * Node transports (stdio, TCP) live in `@flightdeck/copilot-core/node`.
 */
import { SdkError } from "./errors.js";
import type { Unsubscribe } from "./rpc-types.js";

/** Why and how a transport closed. Everything here ends up in `CONNECTION_CLOSED` errors. */
export interface TransportCloseInfo {
  /** One sentence on why it closed, e.g. "the runtime process exited". */
  reason: string;
  /** True when this side asked for the close (`close()`), false when the peer or the OS did. */
  initiatedLocally: boolean;
  /** Exit code of the runtime process, when the transport owns one. */
  exitCode?: number | null;
  /** Signal that ended the runtime process, when the transport owns one. */
  signal?: string | null;
  /** The last lines the runtime wrote to stderr, oldest first. */
  stderrTail?: string[];
  /** The I/O error that closed the transport, if any. */
  error?: Error;
}

/**
 * A duplex byte stream. Implementations must:
 * - deliver each `write` as exactly one write to the underlying stream/socket;
 * - hold data that arrives before the first `onData` listener and deliver it to that listener;
 * - call `onClose` listeners exactly once, and call a listener added after the close at once
 *   (asynchronously) with the same info.
 */
export interface Transport {
  /** Sends bytes. Throws `SdkError("CONNECTION_CLOSED")` once the transport is closed. */
  write(bytes: Uint8Array): void;
  /**
   * Optional: sends one message given as its JSON text, the transport adding the
   * `Content-Length` header (counting UTF-8 bytes). When a transport has it, the connection
   * uses it instead of encoding the frame to bytes itself (the stdio and TCP transports hand
   * the text to the stream, which encodes it natively). Same errors as `write`. A transport
   * that has it is a stream: nothing it receives is delivered during the call (the connection
   * writes a request before recording it as pending).
   */
  writeMessage?(json: string): void;
  onData(listener: (chunk: Uint8Array) => void): Unsubscribe;
  onClose(listener: (info: TransportCloseInfo) => void): Unsubscribe;
  /** Closes the transport; idempotent. Resolves once it is closed. */
  close(): Promise<void>;
  /** True once closed (locally or by the peer). */
  readonly isClosed: boolean;
}

/**
 * Listener bookkeeping shared by transports: buffers data that arrives before the first listener,
 * fires close listeners once, replays the close to late subscribers.
 */
export abstract class BaseTransport implements Transport {
  private dataListeners: Array<(chunk: Uint8Array) => void> = [];
  private closeListeners: Array<(info: TransportCloseInfo) => void> = [];
  private pendingData: Uint8Array[] | null = [];
  private closeInfo: TransportCloseInfo | null = null;
  private readonly closedPromise: Promise<TransportCloseInfo>;
  private resolveClosed!: (info: TransportCloseInfo) => void;

  constructor() {
    this.closedPromise = new Promise((resolve) => {
      this.resolveClosed = resolve;
    });
  }

  abstract write(bytes: Uint8Array): void;
  abstract close(): Promise<void>;

  get isClosed(): boolean {
    return this.closeInfo !== null;
  }

  /** Resolves with the close info once the transport has closed. Never rejects. */
  get closed(): Promise<TransportCloseInfo> {
    return this.closedPromise;
  }

  onData(listener: (chunk: Uint8Array) => void): Unsubscribe {
    this.dataListeners.push(listener);
    const buffered = this.pendingData;
    if (buffered !== null) {
      this.pendingData = null;
      for (const chunk of buffered) listener(chunk);
    }
    return () => {
      this.dataListeners = this.dataListeners.filter((l) => l !== listener);
    };
  }

  onClose(listener: (info: TransportCloseInfo) => void): Unsubscribe {
    const info = this.closeInfo;
    if (info !== null) {
      let active = true;
      queueMicrotask(() => {
        if (active) listener(info);
      });
      return () => {
        active = false;
      };
    }
    this.closeListeners.push(listener);
    return () => {
      this.closeListeners = this.closeListeners.filter((l) => l !== listener);
    };
  }

  /** For implementations: hands a received chunk to the listeners (or buffers it). */
  protected emitData(chunk: Uint8Array): void {
    if (this.closeInfo !== null) return;
    if (this.pendingData !== null) {
      this.pendingData.push(chunk);
      return;
    }
    for (const listener of this.dataListeners) listener(chunk);
  }

  /** For implementations: marks the transport closed and notifies listeners once. */
  protected emitClose(info: TransportCloseInfo): void {
    if (this.closeInfo !== null) return;
    this.closeInfo = info;
    const listeners = this.closeListeners;
    this.closeListeners = [];
    this.dataListeners = [];
    this.pendingData = null;
    for (const listener of listeners) listener(info);
    this.resolveClosed(info);
  }

  /** For implementations: the error `write` throws after the close. */
  protected closedWriteError(): SdkError {
    const info = this.closeInfo;
    return new SdkError("CONNECTION_CLOSED", `Cannot write: the transport is closed (${info?.reason ?? "closed"}). Open a new connection.`, {
      cause: info?.error,
      details: info ? { reason: info.reason } : undefined,
    });
  }
}

/** Options of {@link createInMemoryTransportPair}. */
export interface InMemoryTransportOptions {
  /**
   * Splits each written buffer into the chunks the other side receives, to exercise framing
   * (e.g. random splits in fuzz tests). Default: delivered whole.
   */
  chunk?: (bytes: Uint8Array) => Uint8Array[];
}

/** One end of an in-memory pair; counts writes so tests can assert "one write per message". */
export class InMemoryTransport extends BaseTransport {
  /** Number of `write` calls so far. */
  writeCount = 0;
  /** @internal */ peer: InMemoryTransport | null = null;
  private readonly chunker: ((bytes: Uint8Array) => Uint8Array[]) | undefined;

  constructor(options: InMemoryTransportOptions = {}) {
    super();
    this.chunker = options.chunk;
  }

  write(bytes: Uint8Array): void {
    if (this.isClosed) throw this.closedWriteError();
    this.writeCount++;
    const copy = bytes.slice(); // the writer may reuse its buffer
    const peer = this.peer;
    const chunks = this.chunker ? this.chunker(copy) : [copy];
    // Deliver asynchronously, in order, like a real stream.
    queueMicrotask(() => {
      for (const c of chunks) peer?.receive(c);
    });
  }

  /** Injects raw bytes as if the peer had written them (for tests of garbage on the wire). */
  receive(bytes: Uint8Array): void {
    this.emitData(bytes);
  }

  /** Closes this side and, after in-flight writes are delivered, the peer. */
  close(): Promise<void> {
    this.closeWith({ reason: "the in-memory transport was closed", initiatedLocally: true });
    return Promise.resolve();
  }

  /** Closes both sides with the given info (for tests simulating a crash, exit code, stderr). */
  closeWith(info: TransportCloseInfo): void {
    if (this.isClosed) return;
    this.emitClose(info);
    const peer = this.peer;
    queueMicrotask(() => peer?.emitClose({ ...info, reason: `the peer closed: ${info.reason}`, initiatedLocally: false }));
  }
}

/**
 * Two connected in-memory transports: what one writes, the other receives (asynchronously, in
 * order). Closing either closes both. For unit tests and in-process peers.
 *
 * @example
 * const [clientSide, serverSide] = createInMemoryTransportPair();
 * const client = new JsonRpcConnection(clientSide);
 * const server = new JsonRpcConnection(serverSide);
 * server.onRequest("ping", () => ({ message: "pong" }));
 * await client.request("ping");
 */
export function createInMemoryTransportPair(options: InMemoryTransportOptions = {}): [InMemoryTransport, InMemoryTransport] {
  const a = new InMemoryTransport(options);
  const b = new InMemoryTransport(options);
  a.peer = b;
  b.peer = a;
  return [a, b];
}
