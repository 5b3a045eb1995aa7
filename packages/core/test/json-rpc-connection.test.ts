import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import {
  InvalidParamsError,
  JsonRpcConnection,
  MethodNotFoundError,
  RpcError,
  SdkError,
  createInMemoryTransportPair,
  encodeMessage,
  type FlightdeckError,
  type FrameLogEntry,
} from "@flightdeck/copilot-core";

function pair(options: { timeout?: number } = {}) {
  const [a, b] = createInMemoryTransportPair();
  const clientErrors: FlightdeckError[] = [];
  const serverErrors: FlightdeckError[] = [];
  const client = new JsonRpcConnection(a, { onError: (e) => clientErrors.push(e), requestTimeoutMs: options.timeout });
  const server = new JsonRpcConnection(b, { onError: (e) => serverErrors.push(e) });
  return { a, b, client, server, clientErrors, serverErrors };
}

// Timers this test created that are still pending (neither fired nor cleared). Counting only the
// test's own timers keeps the check exact when other test files share the worker process.
const liveTimers = new Set<unknown>();
function timerCount(): number {
  return liveTimers.size;
}

beforeEach(() => {
  liveTimers.clear();
  const realSetTimeout = globalThis.setTimeout;
  const realClearTimeout = globalThis.clearTimeout;
  vi.spyOn(globalThis, "setTimeout").mockImplementation(((callback: (...args: unknown[]) => void, ms?: number, ...args: unknown[]) => {
    const handle = realSetTimeout(
      (...a: unknown[]) => {
        liveTimers.delete(handle);
        callback(...a);
      },
      ms,
      ...args,
    );
    liveTimers.add(handle);
    return handle;
  }) as typeof setTimeout);
  vi.spyOn(globalThis, "clearTimeout").mockImplementation(((handle?: Parameters<typeof clearTimeout>[0]) => {
    liveTimers.delete(handle);
    realClearTimeout(handle);
  }) as typeof clearTimeout);
});

afterEach(() => {
  vi.useRealTimers();
  vi.restoreAllMocks();
});

describe("JsonRpcConnection", () => {
  it("sends requests and resolves with the result, with params passed through", async () => {
    const { client, server } = pair();
    server.onRequest("add", (params) => {
      const { x, y } = params as { x: number; y: number };
      return { sum: x + y };
    });
    await expect(client.request("add", { x: 2, y: 3 })).resolves.toEqual({ sum: 5 });
    expect(client.pendingRequestCount).toBe(0);
  });

  it("a handler returning undefined answers null", async () => {
    const { client, server } = pair();
    server.onRequest("void", () => undefined);
    await expect(client.request("void")).resolves.toBeNull();
  });

  it("delivers notifications to every handler, and unsubscribe removes one", async () => {
    const { client, server } = pair();
    const seen: string[] = [];
    server.onNotification("evt", (p) => void seen.push(`a:${(p as { n: number }).n}`));
    const off = server.onNotification("evt", (p) => void seen.push(`b:${(p as { n: number }).n}`));
    await client.notify("evt", { n: 1 });
    await new Promise((r) => setTimeout(r, 0));
    off();
    off();
    await client.notify("evt", { n: 2 });
    await new Promise((r) => setTimeout(r, 0));
    expect(seen).toEqual(["a:1", "b:1", "a:2"]);
  });

  it("matches concurrent responses answered out of order", async () => {
    const { client, server } = pair();
    server.onRequest("sleep", async (params) => {
      const { ms, tag } = params as { ms: number; tag: string };
      await new Promise((r) => setTimeout(r, ms));
      return tag;
    });
    const results = await Promise.all([
      client.request("sleep", { ms: 30, tag: "slow" }),
      client.request("sleep", { ms: 1, tag: "fast" }),
      client.request("sleep", { ms: 10, tag: "mid" }),
    ]);
    expect(results).toEqual(["slow", "fast", "mid"]);
  });

  it("answers unknown methods with -32601 and keeps working", async () => {
    const { client, server } = pair();
    const error = await client.request("nope").catch((e: unknown) => e);
    expect(error).toBeInstanceOf(MethodNotFoundError);
    expect((error as RpcError).code).toBe(-32601);
    expect((error as RpcError).method).toBe("nope");
    expect((error as Error).message).toMatch(/nope/);
    server.onRequest("ok", () => 1);
    await expect(client.request("ok")).resolves.toBe(1);
  });

  it("turns a throwing handler into -32603 with its message and reports HANDLER_FAILED", async () => {
    const { client, server, serverErrors } = pair();
    server.onRequest("boom", () => {
      throw new Error("kaput with token ghp_abcdefghijklmnopqrstuvwxyz0123456789");
    });
    const error = (await client.request("boom").catch((e: unknown) => e)) as RpcError;
    expect(error.code).toBe(-32603);
    expect(error.message).toMatch(/kaput/);
    expect(error.message).not.toMatch(/abcdefghijklmnop/);
    expect(serverErrors).toHaveLength(1);
    expect((serverErrors[0] as SdkError).code).toBe("HANDLER_FAILED");
    server.onRequest("ok", () => 2);
    await expect(client.request("ok")).resolves.toBe(2);
  });

  it("passes an RpcError thrown by a handler through with its code and data", async () => {
    const { client, server, serverErrors } = pair();
    server.onRequest("bad", async () => {
      throw new RpcError(-32602, "x must be positive", { data: { field: "x" } });
    });
    const error = (await client.request("bad").catch((e: unknown) => e)) as RpcError;
    expect(error).toBeInstanceOf(InvalidParamsError);
    expect(error.data).toEqual({ field: "x" });
    expect(error.rpcMessage).toBe("x must be positive");
    expect(serverErrors).toHaveLength(0);
  });

  it("reports notification handler errors (sync and async) without stopping other handlers", async () => {
    const { client, server, serverErrors } = pair();
    const seen: number[] = [];
    server.onNotification("n", () => {
      throw new Error("sync fail");
    });
    server.onNotification("n", async () => {
      throw new Error("async fail");
    });
    server.onNotification("n", () => void seen.push(1));
    await client.notify("n", {});
    await new Promise((r) => setTimeout(r, 5));
    expect(seen).toEqual([1]);
    expect(serverErrors.map((e) => (e as SdkError).code)).toEqual(["HANDLER_FAILED", "HANDLER_FAILED"]);
    expect(serverErrors.map((e) => e.message).join("\n")).toMatch(/sync fail[\s\S]*async fail/);
  });

  it("times out with TIMEOUT, clears the timer, and drops the late response silently", async () => {
    const { client, server, clientErrors } = pair();
    let release!: () => void;
    let arrived!: () => void;
    const handlerCalled = new Promise<void>((r) => (arrived = r));
    server.onRequest("slow", () => {
      arrived();
      return new Promise<string>((r) => (release = () => r("late")));
    });
    const before = timerCount();
    const p = client.request("slow", {}, { timeoutMs: 20 });
    expect(timerCount()).toBe(before + 1);
    const error = (await p.catch((e: unknown) => e)) as SdkError;
    expect(error).toBeInstanceOf(SdkError);
    expect(error.code).toBe("TIMEOUT");
    expect(timerCount()).toBe(before);
    // On a loaded machine the request may reach the server only after the timeout fired.
    await handlerCalled;
    release();
    await new Promise((r) => setTimeout(r, 5));
    expect(clientErrors).toHaveLength(0);
    expect(client.pendingRequestCount).toBe(0);
  });

  it("clears the timeout timer when the response arrives first", async () => {
    const { client, server } = pair({ timeout: 60_000 });
    server.onRequest("fast", () => "ok");
    const before = timerCount();
    await expect(client.request("fast")).resolves.toBe("ok");
    expect(timerCount()).toBe(before);
  });

  it("with fake timers: the default timeout fires, and 0 disables it per call", async () => {
    vi.useFakeTimers();
    const { client, server } = pair({ timeout: 1000 });
    server.onRequest("never", () => new Promise(() => {}));
    const timed = client.request("never").catch((e: unknown) => e);
    const untimed = client.request("never", {}, { timeoutMs: 0 });
    await vi.advanceTimersByTimeAsync(1001);
    expect(((await timed) as SdkError).code).toBe("TIMEOUT");
    expect(vi.getTimerCount()).toBe(0);
    expect(client.pendingRequestCount).toBe(1);
    void untimed.catch(() => {});
    await client.close();
  });

  it("aborts at once with ABORTED, removes its listener, and drops the late response", async () => {
    const { client, server, clientErrors } = pair();
    let release!: () => void;
    server.onRequest("slow", () => new Promise<string>((r) => (release = () => r("late"))));
    const controller = new AbortController();
    const p = client.request("slow", {}, { signal: controller.signal, timeoutMs: 10_000 });
    await new Promise((r) => setTimeout(r, 1));
    const before = timerCount();
    controller.abort();
    const error = (await p.catch((e: unknown) => e)) as SdkError;
    expect(error.code).toBe("ABORTED");
    expect(timerCount()).toBe(before - 1);
    release();
    await new Promise((r) => setTimeout(r, 5));
    expect(clientErrors).toHaveLength(0);
    expect(client.pendingRequestCount).toBe(0);
  });

  it("rejects an already-aborted signal without sending", async () => {
    const { client, a } = pair();
    const error = (await client.request("x", {}, { signal: AbortSignal.abort() }).catch((e: unknown) => e)) as SdkError;
    expect(error.code).toBe("ABORTED");
    expect(a.writeCount).toBe(0);
  });

  it("rejects bad options and unserializable params with typed errors", async () => {
    const { client } = pair();
    expect(((await client.request("x", {}, { timeoutMs: -1 }).catch((e: unknown) => e)) as SdkError).code).toBe("INVALID_OPTION");
    expect(((await client.request("x", { n: 1n }).catch((e: unknown) => e)) as SdkError).code).toBe("VALIDATION");
    expect(((await client.request("").catch((e: unknown) => e)) as SdkError).code).toBe("INVALID_OPTION");
    expect(() => new JsonRpcConnection(createInMemoryTransportPair()[0], { requestTimeoutMs: Number.NaN })).toThrow(/requestTimeoutMs/);
  });

  it("rejects every pending request at once with CONNECTION_CLOSED carrying the close info", async () => {
    const { client, server, a } = pair();
    server.onRequest("never", () => new Promise(() => {}));
    const pending = [client.request("never"), client.request("never", {}, { timeoutMs: 50_000 }), client.request("never")];
    await new Promise((r) => setTimeout(r, 1));
    const before = timerCount();
    a.closeWith({
      reason: "the runtime process exited",
      initiatedLocally: false,
      exitCode: 3,
      signal: null,
      stderrTail: ["panic: out of cheese", "token=ghp_abcdefghijklmnopqrstuvwxyz0123456789"],
    });
    const errors = (await Promise.all(pending.map((p) => p.catch((e: unknown) => e)))) as SdkError[];
    for (const error of errors) {
      expect(error.code).toBe("CONNECTION_CLOSED");
      expect(error.details?.exitCode).toBe(3);
      expect(error.message).toMatch(/exit code 3/);
      expect(error.message).toMatch(/out of cheese/);
      expect(error.message).not.toMatch(/abcdefghijklmnop/);
    }
    expect(timerCount()).toBe(before - 1);
    // later calls reject immediately with the same information
    const later = (await client.request("ping").catch((e: unknown) => e)) as SdkError;
    expect(later.code).toBe("CONNECTION_CLOSED");
    expect(later.details?.exitCode).toBe(3);
    await expect(client.notify("x")).rejects.toMatchObject({ code: "CONNECTION_CLOSED" });
    expect((await client.closed).exitCode).toBe(3);
    expect(client.closeError?.code).toBe("CONNECTION_CLOSED");
  });

  it("close() is idempotent, rejects pending, aborts in-flight handlers, and notifies onClose", async () => {
    const { client, server } = pair();
    let handlerSignal: AbortSignal | undefined;
    server.onRequest("hold", (_p, ctx) => {
      handlerSignal = ctx.signal;
      return new Promise(() => {});
    });
    const closes: string[] = [];
    client.onClose((info, error) => closes.push(`${info.initiatedLocally}:${error.code}`));
    const p = client.request("hold").catch((e: unknown) => e);
    await new Promise((r) => setTimeout(r, 1));
    await Promise.all([client.close(), client.close()]);
    await client.close();
    expect(((await p) as SdkError).code).toBe("CONNECTION_CLOSED");
    expect(closes).toEqual(["true:CONNECTION_CLOSED"]);
    await server.closed;
    expect(server.isClosed).toBe(true);
    expect(handlerSignal?.aborted).toBe(true);
    const late: string[] = [];
    client.onClose(() => late.push("late"));
    await new Promise((r) => setTimeout(r, 0));
    expect(late).toEqual(["late"]);
  });

  it("reports a response with an unknown id and keeps going", async () => {
    const { client, clientErrors, a } = pair();
    a.receive(encodeMessage({ jsonrpc: "2.0", id: 999, result: 1 }));
    expect(clientErrors).toHaveLength(1);
    expect((clientErrors[0] as SdkError).code).toBe("INVALID_FRAME");
    expect(client.isClosed).toBe(false);
  });

  it("rejects the pending request whose response is malformed", async () => {
    const [a, b] = createInMemoryTransportPair();
    const errors: FlightdeckError[] = [];
    const client = new JsonRpcConnection(a, { onError: (e) => errors.push(e) });
    const received: string[] = [];
    b.onData((chunk) => received.push(new TextDecoder().decode(chunk)));
    const p = client.request("x").catch((e: unknown) => e);
    await new Promise((r) => setTimeout(r, 0));
    expect(received.join("")).toMatch(/"id":1/);
    // a response with both result and error is not JSON-RPC, but its id tells us who waits
    b.write(encodeMessage({ jsonrpc: "2.0", id: 1, result: 1, error: { code: 1, message: "x" } }));
    const error = (await p) as SdkError;
    expect(error.code).toBe("INVALID_FRAME");
    expect(error.message).toMatch(/^x: /);
    expect(client.pendingRequestCount).toBe(0);
    expect(errors.map((e) => (e as SdkError).code)).toEqual(["INVALID_FRAME"]);
  });

  it("closes with INVALID_FRAME on a corrupt header and rejects pending with CONNECTION_CLOSED", async () => {
    const { client, a, clientErrors } = pair();
    const p = client.request("x").catch((e: unknown) => e);
    a.receive(new TextEncoder().encode("Content-Length: -5\r\n\r\n"));
    const error = (await p) as SdkError;
    expect(error.code).toBe("CONNECTION_CLOSED");
    expect((error.cause as SdkError).code).toBe("INVALID_FRAME");
    expect(clientErrors.map((e) => (e as SdkError).code)).toEqual(["INVALID_FRAME"]);
    expect(client.isClosed).toBe(true);
  });

  it("answers a well-framed but invalid request with -32600 and continues", async () => {
    const { b, server, serverErrors } = pair();
    const replies: unknown[] = [];
    server.onRequest("ok", () => "fine");
    const writes: Uint8Array[] = [];
    const origWrite = b.write.bind(b);
    b.write = (bytes) => {
      writes.push(bytes);
      origWrite(bytes);
    };
    b.receive(encodeMessage({ jsonrpc: "2.0", id: 7, method: "ok", params: 5 }));
    b.receive(new TextEncoder().encode("Content-Length: 5\r\n\r\n{bad}"));
    b.receive(encodeMessage({ jsonrpc: "2.0", id: 8, method: "ok" }));
    await new Promise((r) => setTimeout(r, 5));
    for (const w of writes) replies.push(JSON.parse(new TextDecoder().decode(w).split("\r\n\r\n")[1]!));
    expect(replies).toEqual([
      { jsonrpc: "2.0", id: 7, error: { code: -32600, message: expect.stringMatching(/params/) } },
      { jsonrpc: "2.0", id: 8, result: "fine" },
    ]);
    expect(serverErrors.map((e) => (e as SdkError).code)).toEqual(["INVALID_FRAME", "INVALID_FRAME"]);
  });

  it("shows every frame in and out to onFrame listeners, one write per message", async () => {
    const { client, server, a } = pair();
    const frames: FrameLogEntry[] = [];
    client.onFrame((f) => frames.push(f));
    server.onRequest("echo", (p) => p);
    await client.request("echo", { s: "héllo" });
    await client.notify("n");
    expect(frames.map((f) => `${f.direction}:${"method" in f.message ? f.message.method : "response"}`)).toEqual(["out:echo", "in:response", "out:n"]);
    expect(frames[0]!.byteLength).toBe(new TextEncoder().encode(JSON.stringify(frames[0]!.message)).length);
    expect(a.writeCount).toBe(2);
  });
});

describe("JsonRpcConnection: frames of one chunk", () => {
  const frame = (method: string, params: unknown) => encodeMessage({ jsonrpc: "2.0", method, params });

  it("dispatches each frame before decoding the next one, and a chunk delivered from a handler after the current one", async () => {
    const { b, server } = pair();
    const seen: string[] = [];
    const parse = vi.spyOn(JSON, "parse");
    server.onNotification("evt", (p) => {
      const n = (p as { n: number }).n;
      seen.push(`evt ${n} (bodies parsed: ${parse.mock.calls.length})`);
      // A peer that answers inside the handler: its bytes arrive while this chunk is being read.
      if (n === 1) b.receive(frame("evt", { n: 3 }));
    });
    b.receive(Buffer.concat([frame("evt", { n: 1 }), frame("evt", { n: 2 })]));
    expect(seen).toEqual(["evt 1 (bodies parsed: 1)", "evt 2 (bodies parsed: 2)", "evt 3 (bodies parsed: 3)"]);
  });
});
