/**
 * Seeded fuzz of the framing and the connection (≥ 10,000 cases). A failure prints the seed and
 * case number; rerun with FUZZ_SEED=<seed> to reproduce.
 */
import { describe, expect, it } from "vitest";
import {
  FrameDecoder,
  JsonRpcConnection,
  RpcError,
  SdkError,
  classifyMessage,
  createInMemoryTransportPair,
  encodeMessage,
  type FlightdeckError,
  type FrameEvent,
  type JsonRpcMessage,
} from "@flightdeck/copilot-core";
import { seededRng, type SeededRng } from "../../../test-support/seeded-rng.js";

const SEED = Number(process.env.FUZZ_SEED ?? 20_251_122);

type Rng = SeededRng;
const rng = seededRng;

const ALPHABET = ["a", "Z", "0", " ", "\n", '"', "\\", "é", "€", "😀", "中", "\u0000", "\u2028", "{", "}", ":"];
function randomString(r: Rng, max = 24): string {
  let s = "";
  const n = r.int(max);
  for (let i = 0; i < n; i++) s += r.pick(ALPHABET);
  return s;
}
function randomJson(r: Rng, depth = 0): unknown {
  switch (r.int(depth > 2 ? 4 : 6)) {
    case 0:
      return randomString(r);
    case 1:
      return r.int(2) ? r.int(1_000_000) - 500_000 : r.next();
    case 2:
      return r.int(2) === 0;
    case 3:
      return null;
    case 4:
      return Array.from({ length: r.int(4) }, () => randomJson(r, depth + 1));
    default: {
      const o: Record<string, unknown> = {};
      for (let i = r.int(4); i > 0; i--) o[`k${randomString(r, 6)}`] = randomJson(r, depth + 1);
      return o;
    }
  }
}
function randomParams(r: Rng): Record<string, unknown> {
  const o: Record<string, unknown> = {};
  for (let i = r.int(4); i > 0; i--) o[`p${i}`] = randomJson(r);
  return o;
}
function randomMessage(r: Rng): JsonRpcMessage {
  const id = r.int(2) ? r.int(10_000) : `id-${randomString(r, 6)}`;
  switch (r.int(4)) {
    case 0:
      return { jsonrpc: "2.0", id, method: `m.${randomString(r, 8) || "x"}`, params: randomParams(r) };
    case 1:
      return { jsonrpc: "2.0", method: `n.${randomString(r, 8) || "x"}`, params: randomParams(r) };
    case 2:
      return { jsonrpc: "2.0", id, result: randomJson(r) };
    default:
      return { jsonrpc: "2.0", id, error: { code: -32_000 - r.int(700), message: randomString(r) } };
  }
}
function concat(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}
/** Random chunking: sometimes single bytes, sometimes big runs. */
function split(r: Rng, bytes: Uint8Array): Uint8Array[] {
  const chunks: Uint8Array[] = [];
  let i = 0;
  const mode = r.int(3);
  while (i < bytes.length) {
    const n = mode === 0 ? 1 + r.int(3) : mode === 1 ? 1 + r.int(64) : 1 + r.int(bytes.length);
    chunks.push(bytes.slice(i, i + n));
    i += n;
  }
  return chunks;
}
function decodeAll(d: FrameDecoder, chunks: Uint8Array[]): FrameEvent[] {
  const events: FrameEvent[] = [];
  for (const c of chunks) events.push(...d.push(c));
  return events;
}

/** Invariants every event sequence must satisfy, whatever the input. */
function checkEvents(events: FrameEvent[], d: FrameDecoder): void {
  let fatalSeen = false;
  for (const e of events) {
    expect(fatalSeen, "nothing after a fatal error").toBe(false);
    if (e.type === "message") {
      expect("kind" in classifyMessage(e.message)).toBe(true);
    } else {
      expect(e.error).toBeInstanceOf(SdkError);
      expect(e.error.code).toBe("INVALID_FRAME");
      expect(typeof e.error.details?.reason).toBe("string");
      if (e.fatal) fatalSeen = true;
    }
  }
  if (fatalSeen) expect(d.fatalError).not.toBeNull();
}

describe(`framing fuzz (seed ${SEED})`, () => {
  it("4,000 valid streams decode identically under random splits", () => {
    const r = rng(SEED);
    for (let c = 0; c < 4000; c++) {
      const msgs = Array.from({ length: 1 + r.int(6) }, () => randomMessage(r));
      const stream = concat(msgs.map((m) => encodeMessage(m)));
      const d = new FrameDecoder();
      const events = decodeAll(d, split(r, stream));
      const decoded = events.map((e) => (e.type === "message" ? e.message : e.error.message));
      // JSON round trip is the reference: encodeMessage → JSON text → parse
      expect(decoded, `case ${c}`).toEqual(msgs.map((m) => JSON.parse(JSON.stringify(m))));
      expect(d.bufferedBytes).toBe(0);
      expect(d.end()).toEqual([]);
    }
  });

  it("4,000 corrupted, truncated and oversized streams never throw and yield typed errors", () => {
    const r = rng(SEED + 1);
    let fatal = 0;
    let recoverable = 0;
    for (let c = 0; c < 4000; c++) {
      const msgs = Array.from({ length: 1 + r.int(4) }, () => randomMessage(r));
      let stream = concat(msgs.map((m) => encodeMessage(m)));
      const kind = r.int(6);
      if (kind === 0) {
        // random byte flips anywhere (headers and bodies)
        stream = stream.slice();
        for (let i = 1 + r.int(4); i > 0; i--) stream[r.int(stream.length)] = r.int(256);
      } else if (kind === 1) {
        stream = stream.slice(0, r.int(stream.length)); // truncated
      } else if (kind === 2) {
        stream = Uint8Array.from({ length: 1 + r.int(200) }, () => r.int(256)); // pure garbage
      } else if (kind === 3) {
        const huge = 1025 + r.int(1e9);
        stream = concat([stream, new TextEncoder().encode(`Content-Length: ${huge}\r\n\r\n`), new Uint8Array(r.int(50))]);
      } else if (kind === 4) {
        // a well-framed body that is not a message, between valid ones
        const bodies = ["", "nope", "[1]", "null", '{"jsonrpc":"1.0"}', '{"jsonrpc":"2.0","id":{}}', randomString(r)];
        const body = new TextEncoder().encode(r.pick(bodies));
        stream = concat([stream, new TextEncoder().encode(`Content-Length: ${body.length}\r\n\r\n`), body, encodeMessage(msgs[0]!)]);
      } else {
        // a header variant with a bad length value
        const bad = r.pick(["-1", "x", "1e3", "", " 12 34", "0x10", "99999999999999999999"]);
        stream = concat([stream, new TextEncoder().encode(`Content-Length: ${bad}\r\n\r\n{}`)]);
      }
      const d = new FrameDecoder({ maxMessageBytes: 1024 * 1024 });
      let events: FrameEvent[] = [];
      expect(() => {
        events = decodeAll(d, split(r, stream));
        events.push(...d.end());
      }, `case ${c}`).not.toThrow();
      checkEvents(events, d);
      for (const e of events) if (e.type === "error") e.fatal ? fatal++ : recoverable++;
      if (kind === 3 || kind === 5) expect(d.fatalError, `case ${c}`).not.toBeNull();
      if (kind === 4)
        expect(
          events.some((e) => e.type === "error"),
          `case ${c}`,
        ).toBe(true);
    }
    // the mix really exercised both paths
    expect(fatal).toBeGreaterThan(1000);
    expect(recoverable).toBeGreaterThan(500);
  });

  it("2,100 connection sessions over a hostile peer: no crash, every request settles, state stays consistent", async () => {
    const r = rng(SEED + 2);
    const outcomes = { resolved: 0, rpcError: 0, closed: 0, invalid: 0, timeout: 0 };
    for (let c = 0; c < 2100; c++) {
      const [clientSide, peer] = createInMemoryTransportPair({ chunk: (b) => split(r, b) });
      const reported: FlightdeckError[] = [];
      const conn = new JsonRpcConnection(clientSide, { onError: (e) => reported.push(e) });
      conn.onRequest("srv.ask", (p) => p);
      conn.onNotification("srv.note", () => {
        if (r.int(4) === 0) throw new Error("handler bug");
      });
      const ids: number[] = [];
      peer.onData((chunk) => {
        // collect request ids the client sent (ids are small increasing integers)
        for (const m of new TextDecoder().decode(chunk).matchAll(/"id":(\d+),"method":"c\./g)) ids.push(Number(m[1]));
      });
      const n = 1 + r.int(5);
      const calls = Array.from({ length: n }, (_, i) =>
        conn.request(`c.m${i}`, { i }, r.int(5) === 0 ? { timeoutMs: 1 } : undefined).then(
          () => "resolved",
          (e: unknown) => e,
        ),
      );
      await new Promise((res) => setImmediate(res));
      // The peer answers some requests (validly, with errors, with garbage), sends noise, then closes or corrupts.
      const outgoing: Uint8Array[] = [];
      for (const id of ids) {
        const choice = r.int(6);
        if (choice === 0) outgoing.push(encodeMessage({ jsonrpc: "2.0", id, result: randomJson(r) }));
        else if (choice === 1) outgoing.push(encodeMessage({ jsonrpc: "2.0", id, error: { code: -32603, message: "nope" } }));
        else if (choice === 2) outgoing.push(new TextEncoder().encode(`Content-Length: 8\r\n\r\n{"id":${id}`.slice(0, 30)));
        else if (choice === 3) outgoing.push(encodeMessage({ jsonrpc: "2.0", id, result: 1, error: { code: 1, message: "both" } }));
        // else: never answered
        if (r.int(3) === 0) outgoing.push(encodeMessage({ jsonrpc: "2.0", method: "srv.note", params: {} }));
        if (r.int(4) === 0) outgoing.push(encodeMessage({ jsonrpc: "2.0", id: 10_000 + id, method: "srv.ask", params: { q: 1 } }));
        if (r.int(5) === 0) outgoing.push(encodeMessage({ jsonrpc: "2.0", id: 10_000 + id, method: "srv.unknown" }));
        if (r.int(8) === 0) outgoing.push(Uint8Array.from({ length: 1 + r.int(20) }, () => r.int(256)));
      }
      for (const b of shuffleKeepingSome(r, outgoing)) for (const part of split(r, b)) clientSide.receive(part);
      // Mostly no delay; sometimes long enough for the 1 ms timeouts to fire first.
      await new Promise((res) => (r.int(8) === 0 ? setTimeout(res, 2) : setImmediate(res)));
      peer.closeWith({ reason: "fuzz peer exit", initiatedLocally: false, exitCode: r.int(3) });
      const results = await Promise.all(calls);
      await conn.closed;
      for (const res of results) {
        if (res === "resolved") outcomes.resolved++;
        else if (res instanceof RpcError) outcomes.rpcError++;
        else {
          expect(res, `case ${c}`).toBeInstanceOf(SdkError);
          const code = (res as SdkError).code;
          expect(["CONNECTION_CLOSED", "INVALID_FRAME", "TIMEOUT"], `case ${c}: ${code}`).toContain(code);
          outcomes[code === "CONNECTION_CLOSED" ? "closed" : code === "TIMEOUT" ? "timeout" : "invalid"]++;
        }
      }
      expect(conn.pendingRequestCount, `case ${c}`).toBe(0);
      expect(conn.isClosed).toBe(true);
      await expect(conn.request("after")).rejects.toMatchObject({ code: "CONNECTION_CLOSED" });
      for (const e of reported) expect(["INVALID_FRAME", "HANDLER_FAILED"]).toContain((e as SdkError).code);
    }
    for (const v of Object.values(outcomes)) expect(v).toBeGreaterThan(0);
  });
});

function shuffleKeepingSome(r: Rng, xs: Uint8Array[]): Uint8Array[] {
  const out = xs.slice();
  for (let i = out.length - 1; i > 0; i--) {
    if (r.int(2)) continue;
    const j = r.int(i + 1);
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}
