import { describe, expect, it } from "vitest";
import { FrameDecoder, SdkError, encodeMessage, type FrameEvent } from "@flightdeck/copilot-core";

const enc = new TextEncoder();
const bytes = (s: string) => enc.encode(s);
const frame = (body: string, header = "Content-Length") => {
  const b = enc.encode(body);
  return concat(bytes(`${header}: ${b.length}\r\n\r\n`), b);
};
function concat(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}
const messages = (events: FrameEvent[]) => events.filter((e) => e.type === "message").map((e) => (e as { message: unknown }).message);
const errors = (events: FrameEvent[]) => events.filter((e) => e.type === "error") as Array<Extract<FrameEvent, { type: "error" }>>;
const reasonOf = (e: { error: SdkError }) => e.error.details?.reason;

const ping = { jsonrpc: "2.0", id: 1, method: "ping", params: {} };

describe("encodeMessage", () => {
  it("produces one buffer: header + UTF-8 body with the byte length", () => {
    const msg = { jsonrpc: "2.0", method: "n", params: { s: "héllo ✓ 😀" } };
    const out = encodeMessage(msg);
    const text = new TextDecoder().decode(out);
    const body = JSON.stringify(msg);
    expect(text).toBe(`Content-Length: ${enc.encode(body).length}\r\n\r\n${body}`);
  });
  it("encodes ASCII bodies exactly", () => {
    const out = encodeMessage(ping);
    expect(new TextDecoder().decode(out)).toBe(`Content-Length: ${JSON.stringify(ping).length}\r\n\r\n${JSON.stringify(ping)}`);
  });
  it("throws on unserializable values", () => {
    expect(() => encodeMessage({ n: 1n })).toThrow(TypeError);
  });
});

describe("FrameDecoder", () => {
  it("decodes one whole message and classifies it", () => {
    const events = new FrameDecoder().push(encodeMessage(ping));
    expect(events).toEqual([{ type: "message", kind: "request", message: ping, byteLength: JSON.stringify(ping).length }]);
  });

  it("decodes coalesced messages from one chunk, in order", () => {
    const a = { jsonrpc: "2.0", id: 1, result: "a" };
    const b = { jsonrpc: "2.0", method: "evt", params: { x: 1 } };
    const c = { jsonrpc: "2.0", id: 2, error: { code: -32601, message: "nope" } };
    const events = new FrameDecoder().push(concat(encodeMessage(a), encodeMessage(b), encodeMessage(c)));
    expect(events.map((e) => e.type === "message" && e.kind)).toEqual(["response", "notification", "response"]);
    expect(messages(events)).toEqual([a, b, c]);
  });

  it("decodes a message split byte by byte, including a multi-byte UTF-8 char split across chunks", () => {
    const msg = { jsonrpc: "2.0", method: "evt", params: { s: "€😀é" } };
    const all = encodeMessage(msg);
    const d = new FrameDecoder();
    const events: FrameEvent[] = [];
    for (let i = 0; i < all.length; i++) events.push(...d.push(all.subarray(i, i + 1)));
    expect(messages(events)).toEqual([msg]);
    expect(d.bufferedBytes).toBe(0);
  });

  it("splits exactly inside the header terminator and inside the body", () => {
    const all = concat(encodeMessage(ping), encodeMessage(ping));
    const headerEnd = new TextDecoder().decode(all).indexOf("\r\n\r\n");
    for (const cut of [headerEnd + 1, headerEnd + 2, headerEnd + 3, headerEnd + 4, headerEnd + 10]) {
      const d = new FrameDecoder();
      const events = [...d.push(all.subarray(0, cut)), ...d.push(all.subarray(cut))];
      expect(messages(events)).toEqual([ping, ping]);
    }
  });

  it("accepts header name case and whitespace variants and extra headers", () => {
    const body = JSON.stringify(ping);
    const n = enc.encode(body).length;
    for (const header of [
      `content-length: ${n}`,
      `CONTENT-LENGTH:${n}`,
      `Content-Length :   ${n}  `,
      `Content-Type: application/vscode-jsonrpc; charset=utf-8\r\nContent-Length: ${n}`,
      `Content-Length: ${n}\r\nContent-Type: application/json`,
      `Content-Length: ${n}\r\nContent-Length: ${n}`,
    ]) {
      const events = new FrameDecoder().push(concat(bytes(`${header}\r\n\r\n`), bytes(body)));
      expect(messages(events), header).toEqual([ping]);
    }
  });

  const fatalCases: Array<[string, string, string]> = [
    ["no Content-Length", "Content-Type: application/json\r\n\r\n{}", "missing-content-length"],
    ["non-numeric", "Content-Length: abc\r\n\r\n{}", "invalid-content-length"],
    ["negative", "Content-Length: -2\r\n\r\n{}", "invalid-content-length"],
    ["fractional", "Content-Length: 2.5\r\n\r\n{}", "invalid-content-length"],
    ["empty value", "Content-Length:\r\n\r\n{}", "invalid-content-length"],
    ["conflicting", "Content-Length: 2\r\nContent-Length: 3\r\n\r\n{}", "conflicting-content-length"],
    ["line without colon", "Content-Length 2\r\n\r\n{}", "malformed-header-line"],
    ["unframed JSON", '{"jsonrpc":"2.0","method":"x"}\n', "unframed-json"],
    ["binary garbage", "\u0000\u0001\u0002garbage", "non-ascii-header"],
  ];
  for (const [name, input, reason] of fatalCases) {
    it(`a bad header (${name}) is one fatal INVALID_FRAME error; later input is ignored`, () => {
      const d = new FrameDecoder();
      const events = d.push(bytes(input));
      expect(events).toHaveLength(1);
      const [e] = errors(events);
      expect(e!.fatal).toBe(true);
      expect(e!.error).toBeInstanceOf(SdkError);
      expect(e!.error.code).toBe("INVALID_FRAME");
      expect(reasonOf(e!)).toBe(reason);
      expect(d.fatalError).toBe(e!.error);
      expect(d.push(encodeMessage(ping))).toEqual([]);
    });
  }

  it("rejects non-ASCII bytes in a header", () => {
    const [e] = errors(new FrameDecoder().push(bytes("Content-Léngth: 2\r\n\r\n{}")));
    expect(reasonOf(e!)).toBe("non-ascii-header");
  });

  it("rejects an oversized Content-Length before buffering the body", () => {
    const d = new FrameDecoder({ maxMessageBytes: 100 });
    const events = d.push(bytes("Content-Length: 101\r\n\r\n"));
    const [e] = errors(events);
    expect(e!.fatal).toBe(true);
    expect(reasonOf(e!)).toBe("message-too-large");
    expect(e!.error.message).toMatch(/maxMessageBytes/);
    expect(d.bufferedBytes).toBe(0);
    // exactly the limit is fine
    const ok = new FrameDecoder({ maxMessageBytes: JSON.stringify(ping).length });
    expect(messages(ok.push(encodeMessage(ping)))).toEqual([ping]);
  });

  it("rejects a huge Content-Length (default limit 64 MiB) without allocating it", () => {
    const d = new FrameDecoder();
    const [e] = errors(d.push(bytes("Content-Length: 9999999999999\r\n\r\n")));
    expect(reasonOf(e!)).toBe("message-too-large");
  });

  it("rejects a header that never ends within maxHeaderBytes", () => {
    const d = new FrameDecoder({ maxHeaderBytes: 64 });
    const events: FrameEvent[] = [];
    for (let i = 0; i < 10; i++) events.push(...d.push(bytes("X-Filler: aaaaaaaaaa\r\n")));
    const [e] = errors(events);
    expect(reasonOf(e!)).toBe("header-too-large");
    expect(errors(events)).toHaveLength(1);
  });

  const recoverable: Array<[string, Uint8Array, string]> = [
    ["bad JSON", frame("{not json"), "invalid-json"],
    ["empty body", frame(""), "invalid-json"],
    ["invalid UTF-8", concat(bytes("Content-Length: 2\r\n\r\n"), new Uint8Array([0xc3, 0x28])), "invalid-utf8"],
    ["a JSON number", frame("42"), "not-json-rpc"],
    ["a batch", frame("[]"), "not-json-rpc"],
    ["no jsonrpc member", frame('{"id":1,"method":"x"}'), "not-json-rpc"],
    ["a response with result and error", frame('{"jsonrpc":"2.0","id":1,"result":1,"error":{"code":1,"message":"m"}}'), "not-json-rpc"],
    ["params not structured", frame('{"jsonrpc":"2.0","id":1,"method":"x","params":3}'), "not-json-rpc"],
    ["an error without a code", frame('{"jsonrpc":"2.0","id":1,"error":{"message":"m"}}'), "not-json-rpc"],
  ];
  for (const [name, input, reason] of recoverable) {
    it(`a well-framed body that is ${name} is a recoverable error and decoding continues`, () => {
      const d = new FrameDecoder();
      const events = d.push(concat(input, encodeMessage(ping)));
      const errs = errors(events);
      expect(errs).toHaveLength(1);
      expect(errs[0]!.fatal).toBe(false);
      expect(errs[0]!.error.code).toBe("INVALID_FRAME");
      expect(reasonOf(errs[0]!)).toBe(reason);
      expect(messages(events)).toEqual([ping]);
      expect(d.fatalError).toBeNull();
    });
  }

  it("hands the parsed value of a non-JSON-RPC body to the caller (so an id can still be answered)", () => {
    const [e] = errors(new FrameDecoder().push(frame('{"jsonrpc":"2.0","id":9,"method":"x","params":1}')));
    expect(e!.value).toEqual({ jsonrpc: "2.0", id: 9, method: "x", params: 1 });
  });

  it("end() reports a truncated body or header as fatal, and nothing for a clean end", () => {
    const all = encodeMessage(ping);
    const mid = new FrameDecoder();
    mid.push(all.subarray(0, all.length - 3));
    const [e] = errors(mid.end());
    expect(reasonOf(e!)).toBe("truncated");
    expect(e!.error.message).toMatch(/of \d+ bytes/);
    const head = new FrameDecoder();
    head.push(bytes("Content-Len"));
    expect(reasonOf(errors(head.end())[0]!)).toBe("truncated");
    const clean = new FrameDecoder();
    clean.push(all);
    expect(clean.end()).toEqual([]);
  });

  // `Content-Length: <digits>\r\n\r\n` is read from the bytes; these pin that it accepts and rejects exactly what the general header parser does.
  it("reads the usual one-line header the same way as the general parser, at its boundaries", () => {
    const body = JSON.stringify(ping);
    const n = body.length;
    // Leading zeros, and the same frame under a header only the general parser reads.
    for (const header of [`Content-Length: ${n}`, `Content-Length: 000${n}`, `content-length: ${n}`, `Content-Length:  ${n}`]) {
      expect(messages(new FrameDecoder().push(bytes(`${header}\r\n\r\n${body}`))), header).toEqual([ping]);
    }
    // Three frames in one chunk, then the same bytes cut at every position.
    const three = bytes(`Content-Length: ${n}\r\n\r\n${body}`.repeat(3));
    expect(messages(new FrameDecoder().push(three))).toEqual([ping, ping, ping]);
    for (let cut = 1; cut < three.length; cut++) {
      const d = new FrameDecoder();
      expect([...messages(d.push(three.subarray(0, cut))), ...messages(d.push(three.subarray(cut)))], `cut at ${cut}`).toEqual([ping, ping, ping]);
    }
    // A header exactly as long as maxHeaderBytes allows is read; one byte over is header-too-large, both ways.
    const header = `Content-Length: ${n}`;
    expect(messages(new FrameDecoder({ maxHeaderBytes: header.length }).push(bytes(`${header}\r\n\r\n${body}`)))).toEqual([ping]);
    const [tooLong] = errors(new FrameDecoder({ maxHeaderBytes: header.length - 1 }).push(bytes(`${header}\r\n\r\n${body}`)));
    expect(reasonOf(tooLong!)).toBe("header-too-large");
    // 15 and 16 digits: both end as message-too-large with the announced length (the 16th digit goes the general way).
    for (const digits of ["999999999999999", "9999999999999999"]) {
      const [e] = errors(new FrameDecoder().push(bytes(`Content-Length: ${digits}\r\n\r\n`)));
      expect(reasonOf(e!), digits).toBe("message-too-large");
      expect(e!.error.details?.contentLength, digits).toBe(Number(digits));
    }
    // 17 digits, a missing digit, a line that is not the end of the header: the general parser's errors.
    const cases: Array<[string, string]> = [
      ["Content-Length: 12345678901234567\r\n\r\n", "invalid-content-length"],
      ["Content-Length: \r\n\r\n{}", "invalid-content-length"],
      ["Content-Length: 2x\r\n\r\n{}", "invalid-content-length"],
      ["Content-Length: 2\r\nContent-Length: 3\r\n\r\n{}", "conflicting-content-length"],
    ];
    for (const [input, reason] of cases) expect(reasonOf(errors(new FrameDecoder().push(bytes(input)))[0]!), input).toBe(reason);
    // An empty body is read as one and reported (not JSON), and the next frame still decodes.
    const events = new FrameDecoder().push(bytes(`Content-Length: 0\r\n\r\nContent-Length: ${n}\r\n\r\n${body}`));
    expect(errors(events).map(reasonOf)).toEqual(["invalid-json"]);
    expect(messages(events)).toEqual([ping]);
  });

  it("validates its options", () => {
    expect(() => new FrameDecoder({ maxMessageBytes: 0 })).toThrow(/maxMessageBytes/);
    expect(() => new FrameDecoder({ maxHeaderBytes: 1.5 })).toThrow(/maxHeaderBytes/);
  });

  it("does not keep a reference to the caller's chunk for a partial header", () => {
    const all = encodeMessage(ping);
    const chunk = all.slice(0, 5);
    const d = new FrameDecoder();
    d.push(chunk);
    chunk.fill(0); // the caller reuses its buffer
    expect(messages(d.push(all.subarray(5)))).toEqual([ping]);
  });
});
