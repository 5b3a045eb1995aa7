/**
 * Content-Length framing (the LSP base protocol) for JSON-RPC 2.0, platform-neutral.
 *
 * Encoding produces ONE buffer per message (header + body) so each message is one write.
 * Decoding accumulates bytes and decodes only whole bodies, so a multi-byte UTF-8 character split
 * across chunks is never corrupted.
 *
 * How the decoder resynchronizes after bad input:
 * - A bad header (no or non-numeric or negative `Content-Length`, non-ASCII bytes, JSON without a
 *   header, no header end within `maxHeaderBytes`, a `Content-Length` above `maxMessageBytes`) is
 *   FATAL: on a byte stream we can no longer tell where the next message starts. The decoder reports
 *   one fatal `INVALID_FRAME` error and ignores everything after it; the connection closes.
 * - A well-framed body that is not UTF-8, not JSON, or not a JSON-RPC 2.0 message is RECOVERABLE:
 *   the length told us where it ends, so the decoder reports it and carries on with the next frame.
 */
import { SdkError } from "./errors.js";
import { messageKind, type JsonRpcMessage, type JsonRpcMessageKind } from "./json-rpc-message.js";
import { redactString } from "./redact.js";

/** Default limit on one message body: 64 MiB. */
export const DEFAULT_MAX_MESSAGE_BYTES = 64 * 1024 * 1024;
/** Default limit on one header block. */
export const DEFAULT_MAX_HEADER_BYTES = 8 * 1024;

const CR = 13;
/** A header block that is exactly one `Content-Length` line (name in any case, value as the general parser accepts it). */
const ONLY_CONTENT_LENGTH = /^[ \t]*content-length[ \t]*:[ \t]*([0-9]{1,16})[ \t]*$/i;
const LF = 10;
const textEncoder = new TextEncoder();
/** `Content-Length: ` as bytes: the header block every known peer writes, read without making a string. */
const CONTENT_LENGTH_PREFIX = Uint8Array.from("Content-Length: ", (c) => c.charCodeAt(0));
/** Digits the byte-level reading takes (exact as a double); longer values go the general way. */
const QUICK_MAX_DIGITS = 15;

/**
 * Serializes a JSON-RPC message into a single `Content-Length` framed buffer.
 * Throws a `TypeError` if the message cannot be serialized (cycles, `BigInt`).
 */
export function encodeMessage(message: JsonRpcMessage | object): Uint8Array {
  return frameJson(messageJson(message));
}

/** The JSON text of a message. Throws a `TypeError` if it cannot be serialized (cycles, `BigInt`). */
export function messageJson(message: JsonRpcMessage | object): string {
  const json = JSON.stringify(message);
  if (json === undefined) throw new TypeError("message is not JSON-serializable");
  return json;
}

/** A message's JSON text behind its `Content-Length` header, as bytes. */
export function frameJson(json: string): Uint8Array {
  // Optimistic path: ASCII-only JSON has as many bytes as characters, so encode straight into the
  // final buffer behind a header sized for that length (one allocation, one copy).
  const asciiHeader = `Content-Length: ${json.length}\r\n\r\n`;
  const out = new Uint8Array(asciiHeader.length + json.length);
  const r = textEncoder.encodeInto(json, out.subarray(asciiHeader.length));
  if (r.read === json.length && r.written === json.length) {
    writeAscii(out, asciiHeader);
    return out;
  }
  const body = textEncoder.encode(json);
  const header = `Content-Length: ${body.length}\r\n\r\n`;
  const framed = new Uint8Array(header.length + body.length);
  writeAscii(framed, header);
  framed.set(body, header.length);
  return framed;
}

function writeAscii(target: Uint8Array, text: string): void {
  for (let i = 0; i < text.length; i++) target[i] = text.charCodeAt(i);
}

/** Why a frame was rejected; carried in `SdkError.details.reason` of `INVALID_FRAME` errors. */
export type InvalidFrameReason =
  | "unframed-json"
  | "non-ascii-header"
  | "header-too-large"
  | "malformed-header-line"
  | "missing-content-length"
  | "invalid-content-length"
  | "conflicting-content-length"
  | "message-too-large"
  | "invalid-utf8"
  | "invalid-json"
  | "not-json-rpc"
  | "truncated";

/** One result of feeding bytes to a {@link FrameDecoder}. */
export type FrameEvent =
  | { type: "message"; kind: JsonRpcMessageKind; message: JsonRpcMessage; byteLength: number }
  | {
      type: "error";
      /** An `SdkError` with code `INVALID_FRAME`; `details.reason` says which check failed. */
      error: SdkError;
      /** `true` when the stream cannot be resynchronized and the connection must close. */
      fatal: boolean;
      /** The parsed JSON value, when the body was JSON but not a JSON-RPC message. */
      value?: unknown;
    };

export interface FrameDecoderOptions {
  /** Largest body accepted, in bytes (default 64 MiB). A larger `Content-Length` is fatal and nothing of it is buffered. */
  maxMessageBytes?: number;
  /** Largest header block accepted, in bytes (default 8 KiB). */
  maxHeaderBytes?: number;
}

function frameError(reason: InvalidFrameReason, message: string, fatal: boolean, extra?: Record<string, unknown>): SdkError {
  return new SdkError("INVALID_FRAME", message, { details: { reason, fatal, ...extra } });
}

function positiveIntegerOption(name: string, value: number | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  if (!Number.isSafeInteger(value) || value <= 0) {
    throw new SdkError("INVALID_OPTION", `${name} must be a positive integer number of bytes, got ${String(value)}.`);
  }
  return value;
}

/** Where {@link FrameDecoder.pushTo} hands each decoded event (an array collects them). */
export interface FrameSink {
  push(event: FrameEvent): unknown;
}

/**
 * Incremental decoder of a Content-Length framed byte stream. Feed it chunks of any size with
 * {@link FrameDecoder.push}; it never throws on bad input (see the module comment for recovery).
 *
 * @example
 * const decoder = new FrameDecoder();
 * for (const event of decoder.push(chunk)) {
 *   if (event.type === "message") handle(event.message);
 *   else if (event.fatal) closeConnection(event.error);
 * }
 */
export class FrameDecoder {
  readonly maxMessageBytes: number;
  readonly maxHeaderBytes: number;
  private readonly textDecoder = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });
  /** Header bytes carried over from earlier chunks (always < maxHeaderBytes + 4). */
  private header: Uint8Array | null = null;
  /** Body being filled, allocated once at its final size. */
  private body: Uint8Array | null = null;
  private bodyFilled = 0;
  private failedWith: SdkError | null = null;

  constructor(options: FrameDecoderOptions = {}) {
    this.maxMessageBytes = positiveIntegerOption("maxMessageBytes", options.maxMessageBytes, DEFAULT_MAX_MESSAGE_BYTES);
    this.maxHeaderBytes = positiveIntegerOption("maxHeaderBytes", options.maxHeaderBytes, DEFAULT_MAX_HEADER_BYTES);
  }

  /** The fatal error that stopped this decoder, if any. After it, input is ignored. */
  get fatalError(): SdkError | null {
    return this.failedWith;
  }

  /** Bytes held waiting for the rest of a frame. */
  get bufferedBytes(): number {
    return (this.header?.length ?? 0) + this.bodyFilled;
  }

  /** Feeds one chunk; returns the messages and errors it completed, in stream order. */
  push(chunk: Uint8Array): FrameEvent[] {
    const events: FrameEvent[] = [];
    this.pushTo(chunk, events);
    return events;
  }

  /**
   * Feeds one chunk and hands each message or error to `sink` as soon as it is decoded, in stream
   * order: a message is handled before the frames after it in the chunk are decoded. `sink` must
   * not feed this decoder again from inside `push` (queue such chunks until it returns).
   */
  pushTo(chunk: Uint8Array, sink: FrameSink): void {
    const events = sink;
    let pos = 0;
    while (pos < chunk.length && this.failedWith === null) {
      const body = this.body;
      if (body !== null) {
        const take = Math.min(body.length - this.bodyFilled, chunk.length - pos);
        body.set(chunk.subarray(pos, pos + take), this.bodyFilled);
        this.bodyFilled += take;
        pos += take;
        if (this.bodyFilled === body.length) {
          this.body = null;
          this.bodyFilled = 0;
          this.decodeBody(body, events);
        }
      } else {
        pos = this.readHeader(chunk, pos, events);
      }
    }
  }

  /** Signals the end of the stream; reports a frame cut off in the middle as a fatal `truncated` error. */
  end(): FrameEvent[] {
    if (this.failedWith !== null) return [];
    const events: FrameEvent[] = [];
    if (this.body !== null) {
      this.fail(
        events,
        frameError(
          "truncated",
          `The stream ended in the middle of a message body (${this.bodyFilled} of ${this.body.length} bytes arrived); the peer closed or crashed mid-write.`,
          true,
          { received: this.bodyFilled, expected: this.body.length },
        ),
      );
    } else if (this.header !== null) {
      this.fail(
        events,
        frameError(
          "truncated",
          `The stream ended in the middle of a message header (${this.header.length} bytes without the blank line that ends it); the peer closed or crashed mid-write.`,
          true,
        ),
      );
    }
    this.header = null;
    this.body = null;
    return events;
  }

  private fail(events: FrameSink, error: SdkError): void {
    this.failedWith = error;
    this.header = null;
    this.body = null;
    this.bodyFilled = 0;
    events.push({ type: "error", error, fatal: true });
  }

  /** Looks for a complete header starting at `pos`; returns the position after what it consumed. */
  // long: the per-frame hot path, one scan of the header bytes with each corruption exit in place.
  private readHeader(chunk: Uint8Array, pos: number, events: FrameSink): number {
    if (this.header === null) {
      const quickEnd = this.quickHeader(chunk, pos);
      if (quickEnd >= 0) {
        const length = this.checkLength(this.quickLength, events);
        return length < 0 ? chunk.length : this.startBody(chunk, quickEnd, length, events);
      }
    }
    const carried = this.header?.length ?? 0;
    let data: Uint8Array;
    let base: number;
    if (this.header !== null) {
      // Copy only as much of the chunk as a header can possibly need.
      const extra = chunk.subarray(pos, Math.min(chunk.length, pos + this.maxHeaderBytes + 4));
      data = new Uint8Array(carried + extra.length);
      data.set(this.header, 0);
      data.set(extra, carried);
      base = 0;
    } else {
      data = chunk;
      base = pos;
    }

    const first = data[base];
    if (first === 0x7b /* { */ || first === 0x5b /* [ */) {
      this.fail(
        events,
        frameError(
          "unframed-json",
          "Received JSON without a Content-Length header; the peer is not speaking Content-Length framed JSON-RPC (is it the Copilot runtime started with --stdio?).",
          true,
        ),
      );
      return chunk.length;
    }

    const limit = Math.min(data.length, base + this.maxHeaderBytes + 4);
    let end = -1;
    for (let i = base; i < limit; i++) {
      const c = data[i]!;
      if (c === LF) {
        if (i >= base + 3 && data[i - 1] === CR && data[i - 2] === LF && data[i - 3] === CR) {
          end = i + 1;
          break;
        }
      } else if (c >= 0x80 || (c < 0x20 && c !== CR && c !== 9)) {
        this.fail(
          events,
          frameError(
            "non-ascii-header",
            `A message header contains the non-ASCII/control byte 0x${c.toString(16).padStart(2, "0")}; the stream is corrupt or the peer wrote something other than framed JSON-RPC.`,
            true,
          ),
        );
        return chunk.length;
      }
    }

    if (end === -1) {
      if (data.length - base > this.maxHeaderBytes + 3) {
        this.fail(
          events,
          frameError(
            "header-too-large",
            `No end of header (blank line) within ${this.maxHeaderBytes} bytes; the stream is corrupt or the peer is not speaking Content-Length framing.`,
            true,
          ),
        );
        return chunk.length;
      }
      this.header = data.slice(base);
      return chunk.length;
    }

    const headerLength = end - base - 4;
    const nextPos = this.header !== null ? pos + (end - carried) : end;
    this.header = null;
    const length = this.parseHeader(data, base, headerLength, events);
    if (length < 0) return chunk.length;
    return this.startBody(chunk, nextPos, length, events);
  }

  /** Length read by the last successful {@link quickHeader}. */
  private quickLength = 0;

  /**
   * The usual header block, exactly `Content-Length: <1–15 digits>\r\n\r\n`, wholly in `chunk`
   * at `pos`: read from the bytes (no string, no regexp). Returns the position after it (the
   * length in `quickLength`), or -1 for anything else, which the general path then reads (and
   * judges) as before. Takes only headers the general path accepts with the same length.
   */
  private quickHeader(chunk: Uint8Array, pos: number): number {
    const prefix = CONTENT_LENGTH_PREFIX.length;
    if (chunk.length - pos < prefix + 5) return -1;
    for (let i = 0; i < prefix; i++) if (chunk[pos + i] !== CONTENT_LENGTH_PREFIX[i]) return -1;
    let i = pos + prefix;
    let n = 0;
    const digitsEnd = Math.min(chunk.length, i + QUICK_MAX_DIGITS);
    for (; i < digitsEnd; i++) {
      const d = chunk[i]! - 48;
      if (d < 0 || d > 9) break;
      n = n * 10 + d;
    }
    const digits = i - pos - prefix;
    // No digit, a 16th digit, or a header longer than maxHeaderBytes: the general path decides.
    if (digits === 0 || prefix + digits > this.maxHeaderBytes || i + 4 > chunk.length) return -1;
    if (chunk[i] !== CR || chunk[i + 1] !== LF || chunk[i + 2] !== CR || chunk[i + 3] !== LF) return -1;
    this.quickLength = n;
    return i + 4;
  }

  /** A header ended at `nextPos` announcing `length` bytes: decodes the body if all of it is here, else starts filling it. */
  private startBody(chunk: Uint8Array, nextPos: number, length: number, events: FrameSink): number {
    if (chunk.length - nextPos >= length) {
      // Whole body is in this chunk: decode it in place, no copy.
      this.decodeBody(chunk.subarray(nextPos, nextPos + length), events);
      return nextPos + length;
    }
    this.body = new Uint8Array(length);
    this.bodyFilled = 0;
    return nextPos;
  }

  /** Returns the Content-Length, or -1 after reporting a fatal error. */
  private parseHeader(data: Uint8Array, start: number, length: number, events: FrameSink): number {
    // readHeader checked that every byte is printable ASCII (or CR, LF, tab): one native call decodes them.
    const text = String.fromCharCode.apply(null, data.subarray(start, start + length) as unknown as number[]);
    // The usual header, one `Content-Length` line: read it without splitting lines.
    const only = ONLY_CONTENT_LENGTH.exec(text);
    if (only !== null) return this.checkLength(Number(only[1]), events);
    let contentLength = -1;
    for (const line of text.split("\r\n")) {
      if (line.trim() === "") continue;
      const colon = line.indexOf(":");
      if (colon <= 0) {
        this.fail(
          events,
          frameError(
            "malformed-header-line",
            `Malformed header line ${JSON.stringify(redactString(line.slice(0, 80)))} (expected "Name: value"); the stream is corrupt.`,
            true,
          ),
        );
        return -1;
      }
      const name = line.slice(0, colon).trim().toLowerCase();
      if (name !== "content-length") continue; // Content-Type and others are allowed and ignored.
      const value = line.slice(colon + 1).trim();
      if (!/^[0-9]{1,16}$/.test(value)) {
        const what = value.startsWith("-") ? "negative" : value === "" ? "empty" : "not a non-negative integer";
        this.fail(
          events,
          frameError(
            "invalid-content-length",
            `Content-Length ${JSON.stringify(value.slice(0, 40))} is ${what}; the stream is corrupt and the connection must close.`,
            true,
          ),
        );
        return -1;
      }
      const n = Number(value);
      if (contentLength !== -1 && contentLength !== n) {
        this.fail(
          events,
          frameError(
            "conflicting-content-length",
            `Two different Content-Length headers (${contentLength} and ${n}) in one message; the stream is corrupt.`,
            true,
          ),
        );
        return -1;
      }
      contentLength = n;
    }
    if (contentLength === -1) {
      this.fail(
        events,
        frameError(
          "missing-content-length",
          "A message header has no Content-Length; the stream is corrupt or the peer is not speaking Content-Length framed JSON-RPC.",
          true,
        ),
      );
      return -1;
    }
    return this.checkLength(contentLength, events);
  }

  /** `contentLength`, or -1 after reporting it as above `maxMessageBytes`. */
  private checkLength(contentLength: number, events: FrameSink): number {
    if (contentLength > this.maxMessageBytes) {
      this.fail(
        events,
        frameError(
          "message-too-large",
          `A message of ${contentLength} bytes exceeds maxMessageBytes (${this.maxMessageBytes}); raise the connection's maxMessageBytes option if such messages are expected.`,
          true,
          { contentLength, maxMessageBytes: this.maxMessageBytes },
        ),
      );
      return -1;
    }
    return contentLength;
  }

  private decodeBody(bytes: Uint8Array, events: FrameSink): void {
    let text: string;
    try {
      text = this.textDecoder.decode(bytes);
    } catch (cause) {
      events.push({
        type: "error",
        fatal: false,
        error: new SdkError("INVALID_FRAME", `A ${bytes.length}-byte message body is not valid UTF-8; it was skipped.`, {
          cause,
          details: { reason: "invalid-utf8", fatal: false },
        }),
      });
      return;
    }
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch (cause) {
      events.push({
        type: "error",
        fatal: false,
        error: new SdkError(
          "INVALID_FRAME",
          `A ${bytes.length}-byte message body is not valid JSON (${(cause as Error).message}); it was skipped. Starts with: ${JSON.stringify(text.slice(0, 60))}`,
          { cause, details: { reason: "invalid-json", fatal: false } },
        ),
      });
      return;
    }
    const kind = messageKind(value);
    if (typeof kind !== "string") {
      events.push({
        type: "error",
        fatal: false,
        value,
        error: new SdkError("INVALID_FRAME", `A message is not JSON-RPC 2.0: ${kind.problem}; it was skipped.`, {
          details: { reason: "not-json-rpc", fatal: false },
        }),
      });
      return;
    }
    events.push({ type: "message", kind, message: value as JsonRpcMessage, byteLength: bytes.length });
  }
}
