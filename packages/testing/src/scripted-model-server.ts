import { createServer } from "node:http";
import type { IncomingMessage, Server, ServerResponse } from "node:http";
import type { Socket } from "node:net";
import { TestingError } from "./errors.js";
import type { WireApi } from "./model-request.js";
import type { ScriptedTurn } from "./script.js";
import {
  checkCoreOptions,
  createScriptedModelCore,
  DEFAULT_MAX_BODY_BYTES,
  providerConfig,
  type CoreBody,
  type CoreResponse,
  type RecordedRequest,
  type ScriptedModelCore,
  type ScriptedModelState,
  type ScriptedProviderConfig,
  type WaitForRequestsOptions,
} from "./scripted-model-core.js";

export type { RecordedRequest, ScriptedProviderConfig, WaitForRequestsOptions } from "./scripted-model-core.js";

/** Options of {@link startScriptedModel}. */
export interface ScriptedModelOptions {
  /** Turns answered in order, one per model request. More can be added later with `push`. */
  script?: ScriptedTurn[];
  /** Model ids served by `GET /v1/models`. Default `["gpt-4.1"]`. */
  models?: string[];
  /** Characters per streamed text or argument chunk, unless a turn says otherwise. Default 16. */
  chunkSize?: number;
  /** Pause between streamed chunks, unless a turn says otherwise. Default 0. */
  chunkDelayMs?: number;
  /**
   * When set, requests must carry `Authorization: Bearer <apiKey>`; others get 401 and are
   * recorded as unexpected. Default: any key is accepted.
   */
  apiKey?: string;
  /** Port on 127.0.0.1. Default 0 (an ephemeral port). */
  port?: number;
  /** Largest request body accepted, in bytes. Default 32 MiB. */
  maxBodyBytes?: number;
}

/** A running scripted OpenAI-compatible model server. */
export interface ScriptedModelServer extends ScriptedModelState {
  /** `http://127.0.0.1:PORT/v1`: the provider `baseUrl`. */
  readonly baseUrl: string;
  readonly port: number;
  /** A ready BYOK provider config: `{ type: "openai", baseUrl, apiKey, wireApi }`. */
  provider(options?: { wireApi?: WireApi; apiKey?: string }): ScriptedProviderConfig;
  /** Resolves with the first `n` counted requests once they have arrived (see `filter`). */
  waitForRequests(n: number, options?: WaitForRequestsOptions): Promise<RecordedRequest[]>;
  /** Stops listening, drops every open connection and pending delay. Idempotent. */
  close(): Promise<void>;
}

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { "content-type": "application/json", "content-length": Buffer.byteLength(text) });
  res.end(text);
}

/** Reads the whole body (so a client never sees a reset while still sending), keeping at most `max` bytes. */
async function readBody(req: IncomingMessage, max: number): Promise<CoreBody> {
  const chunks: Buffer[] = [];
  let bytes = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    bytes += chunk.length;
    if (bytes <= max) chunks.push(chunk);
  }
  return { bytes, text: () => Buffer.concat(chunks).toString("utf8") };
}

/** Writes the core's answer; an iterable body that throws drops the connection (a truncated reply). */
async function writeResponse(res: ServerResponse, response: CoreResponse): Promise<void> {
  if (typeof response.body === "string") {
    res.writeHead(response.status, { ...response.headers, "content-length": Buffer.byteLength(response.body) });
    res.end(response.body);
    return;
  }
  res.writeHead(response.status, response.headers);
  res.flushHeaders();
  try {
    for await (const chunk of response.body) res.write(chunk);
  } catch {
    res.destroy();
    return;
  }
  res.end();
}

/**
 * Starts a scripted OpenAI-compatible model server on 127.0.0.1 (an ephemeral port). Give the
 * session `provider: model.provider()` and any model name; each model request consumes the next
 * turn of the script. Serves chat completions and responses, streaming or not, and `GET /v1/models`.
 *
 * @example
 * const model = await startScriptedModel({
 *   script: [{ toolCalls: [{ name: "get_weather", arguments: { city: "Paris" } }] },
 *            (req) => ({ text: `It is ${toolResults(req).at(-1)?.content}` })],
 * });
 * // session.create({ model: "gpt-4.1", provider: model.provider(), ... })
 * await model.close();
 */
export async function startScriptedModel(options: ScriptedModelOptions = {}): Promise<ScriptedModelServer> {
  checkCoreOptions(options, "startScriptedModel", ["port"]);
  const port = options.port;
  if (port !== undefined && (typeof port !== "number" || !Number.isInteger(port) || port < 0)) {
    throw new TestingError("INVALID_OPTION", `startScriptedModel: options.port must be an integer >= 0 (got ${JSON.stringify(port)}).`);
  }
  let baseUrl = "";
  const core = createScriptedModelCore(options, {
    entry: "startScriptedModel",
    get timeoutHint() {
      return `is the session's provider baseUrl ${baseUrl}?`;
    },
  });
  const server = createServer(requestListener(core, options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES));
  const sockets = trackSockets(server);
  const boundPort = await listenLocal(server, port ?? 0);
  baseUrl = `http://127.0.0.1:${boundPort}/v1`;
  let closed: Promise<void> | undefined;

  return {
    baseUrl,
    port: boundPort,
    requests: core.requests,
    get unexpectedRequests() {
      return core.unexpectedRequests;
    },
    get remainingTurns() {
      return core.remainingTurns;
    },
    provider: (providerOptions) => providerConfig(baseUrl, options.apiKey ?? "test-key", providerOptions),
    push: (...turns) => core.push(...turns),
    waitForRequests: (n, waitOptions) => core.waitForRequests(n, waitOptions),
    assertDone: () => core.assertDone(),
    close() {
      closed ??= new Promise<void>((resolve) => {
        core.close();
        server.close(() => resolve());
        for (const socket of sockets) socket.destroy();
        sockets.clear();
      });
      return closed;
    },
  };
}

/** Answers each HTTP request through the core; a bug or a dropped client never crashes the test process. */
function requestListener(core: ScriptedModelCore, maxBodyBytes: number): (req: IncomingMessage, res: ServerResponse) => void {
  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    // Stop delays and streams early when the client goes away or the server closes.
    const gone = new AbortController();
    const abort = () => gone.abort();
    res.on("close", abort);
    core.closed.addEventListener("abort", abort, { once: true });
    try {
      const response = await core.handle({
        method: req.method ?? "GET",
        path: (req.url ?? "/").split("?")[0] ?? "/",
        headers: req.headers,
        body: readBody(req, maxBodyBytes),
        signal: gone.signal,
      });
      if (!gone.signal.aborted) await writeResponse(res, response);
    } finally {
      core.closed.removeEventListener("abort", abort);
    }
  }
  return (req, res) => {
    handle(req, res).catch((error: unknown) => {
      // A bug or a dropped client: answer if we still can, never crash the test process.
      if (!res.headersSent && !res.destroyed) {
        sendJson(res, 500, { error: { message: `scripted model: internal error: ${String(error)}`, type: "server_error", param: null, code: null } });
      } else res.destroy();
    });
  };
}

/** The server's open sockets (so close() can end them), and a 400 for bad HTTP instead of a throw. */
function trackSockets(server: Server): Set<Socket> {
  const sockets = new Set<Socket>();
  server.on("connection", (socket) => {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
  });
  // A client error (bad HTTP) must not throw; answer 400 when the socket is still usable.
  server.on("clientError", (_error, socket) => {
    if (socket.writable) socket.end("HTTP/1.1 400 Bad Request\r\nconnection: close\r\ncontent-length: 0\r\n\r\n");
    else socket.destroy();
  });
  return sockets;
}

/** Listens on 127.0.0.1 and resolves with the bound port. */
async function listenLocal(server: Server, port: number): Promise<number> {
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, "127.0.0.1", () => {
      server.off("error", reject);
      resolve();
    });
  });
  const address = server.address();
  return typeof address === "object" && address !== null ? address.port : 0;
}
