/**
 * A JSON-RPC peer playing the runtime's `llmInference` side for the interception unit tests: it
 * serves the handler table under test on the client end of an in-memory pair, records the
 * response frames the client sends back, and says when a request's response ended.
 */
import { afterEach } from "vitest";
import { JsonRpcConnection, createInMemoryTransportPair, type RpcConnectionLike } from "@flightdeck/copilot-core";
import { serveModelRequests, type ModelRequestWireHandlers } from "../src/model-request-wire.js";

export type Frame = { method: string; params: Record<string, unknown> };

const cleanups: Array<() => unknown> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

/** Runs `cleanup` after the current test, before the peers opened in it close. */
export function afterThisTest(cleanup: () => unknown): void {
  cleanups.push(cleanup);
}

/**
 * Serves `create(client, onError)` on a fresh connection pair; `accept` decides the runtime's
 * answer to each response frame (default: accepted). Closed after each test.
 */
export function modelRequestPeer(
  create: (caller: RpcConnectionLike, onError: (error: unknown) => void) => ModelRequestWireHandlers,
  options: { accept?: (frame: Frame) => boolean } = {},
) {
  const [a, b] = createInMemoryTransportPair();
  const client = new JsonRpcConnection(a);
  const runtime = new JsonRpcConnection(b);
  const errors: unknown[] = [];
  const off = serveModelRequests(
    client,
    create(client, (e) => errors.push(e)),
  );
  cleanups.push(async () => {
    off();
    await client.close();
    await runtime.close();
  });
  const frames: Frame[] = [];
  const waiters: Array<() => void> = [];
  for (const method of ["llmInference.httpResponseStart", "llmInference.httpResponseChunk"]) {
    runtime.onRequest(method, (params) => {
      const frame = { method: method.slice("llmInference.".length), params: params as Record<string, unknown> };
      frames.push(frame);
      for (const w of waiters.splice(0)) w();
      return { accepted: options.accept ? options.accept(frame) : true };
    });
  }
  /** Resolves once the response for `requestId` ended (end or error chunk). */
  const done = (requestId: string) =>
    new Promise<Frame[]>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no end for ${requestId}: ${JSON.stringify(frames)}`)), 3_000);
      const check = () => {
        const mine = frames.filter((f) => f.params.requestId === requestId);
        if (mine.some((f) => f.params.end === true || f.params.error !== undefined)) {
          clearTimeout(timer);
          resolve(mine);
        } else waiters.push(check);
      };
      check();
    });
  return { runtime, frames, errors, done };
}
