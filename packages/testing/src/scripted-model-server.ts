import { createServer } from "node:http";
import type { IncomingMessage, ServerResponse } from "node:http";
import type { Socket } from "node:net";
import { TestingError } from "./errors.js";
import type { ModelRequest, WireApi } from "./model-request.js";
import type { ReplyContext } from "./reply-context.js";
import { estimateTokens, outputTokens } from "./reply-context.js";
import type { ErrorTurn, MalformedTurn, ReplyTurn, ScriptedTurn, StaticTurn } from "./script.js";
import { validateScript, validateTurn } from "./script.js";
import { completionsJson, completionsStreamFrames } from "./wire-completions.js";
import { responsesJson, responsesStreamFrames } from "./wire-responses.js";

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

/** One entry of the request log. */
export interface RecordedRequest extends ModelRequest {
  /** 1-based number among model calls (chat completions / responses POSTs); `undefined` for others. */
  readonly call: number | undefined;
  /** 0-based index of the script turn that answered, or `undefined`. */
  readonly turnIndex: number | undefined;
  /** The turn that answered (a dynamic turn's result), or `undefined`. */
  readonly turn: StaticTurn | undefined;
  /** HTTP status of the reply. */
  readonly status: number;
  /** `true` for requests the script did not plan for: bad body, unknown path, no turn left, wrong key, a dynamic turn that threw. */
  readonly unexpected: boolean;
  /** Why the request was unexpected. */
  readonly problem: string | undefined;
}

/** A BYOK provider config for `session.create`, pointing at the scripted model. */
export interface ScriptedProviderConfig {
  type: "openai";
  baseUrl: string;
  apiKey: string;
  wireApi: WireApi;
}

/** Options of {@link ScriptedModelServer.waitForRequests}. */
export interface WaitForRequestsOptions {
  /** Reject with `TestingError("TIMEOUT")` after this long. Default 10 000. */
  timeoutMs?: number;
  /** Which log entries count. Default: model calls (`call !== undefined`). */
  filter?: (request: RecordedRequest) => boolean;
}

/** A running scripted OpenAI-compatible model server. */
export interface ScriptedModelServer {
  /** `http://127.0.0.1:PORT/v1`: the provider `baseUrl`. */
  readonly baseUrl: string;
  readonly port: number;
  /** Every request received, in arrival order (a live array; copy it to snapshot). */
  readonly requests: readonly RecordedRequest[];
  /** The requests the script did not plan for. A passing test usually expects none. */
  readonly unexpectedRequests: readonly RecordedRequest[];
  /** Turns not consumed yet. */
  readonly remainingTurns: number;
  /** A ready BYOK provider config: `{ type: "openai", baseUrl, apiKey, wireApi }`. */
  provider(options?: { wireApi?: WireApi; apiKey?: string }): ScriptedProviderConfig;
  /** Appends turns to the script (validated now). */
  push(...turns: ScriptedTurn[]): void;
  /** Resolves with the first `n` counted requests once they have arrived (see `filter`). */
  waitForRequests(n: number, options?: WaitForRequestsOptions): Promise<RecordedRequest[]>;
  /** Throws `TestingError("SCRIPT_NOT_DONE")` if turns are left or unexpected requests arrived. */
  assertDone(): void;
  /** Stops listening, drops every open connection and pending delay. Idempotent. */
  close(): Promise<void>;
}

// Credential-bearing headers never reach the log.
const SECRET_HEADER = /^(authorization|proxy-authorization|cookie|api-key|x-api-key)$|token|secret|password/i;

const DEFAULT_ERROR_TYPE: Record<number, string> = {
  400: "invalid_request_error",
  401: "authentication_error",
  403: "permission_error",
  404: "not_found_error",
  429: "rate_limit_error",
};

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function redactHeaders(raw: IncomingMessage["headers"]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(raw)) {
    if (value === undefined) continue;
    out[name] = SECRET_HEADER.test(name) ? "[redacted]" : Array.isArray(value) ? value.join(", ") : value;
  }
  return out;
}

/** Resolves after `ms`, or early when `signal` aborts; never leaves a timer behind. */
function sleep(ms: number, signal: AbortSignal): Promise<void> {
  if (ms <= 0 || signal.aborted) return Promise.resolve();
  return new Promise((resolve) => {
    const onAbort = () => {
      clearTimeout(timer);
      resolve();
    };
    const timer = setTimeout(() => {
      signal.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    signal.addEventListener("abort", onAbort, { once: true });
  });
}

function routeOf(method: string, path: string): ModelRequest["wireApi"] {
  const p = path.replace(/\/+$/, "");
  if (method === "POST" && (p === "/v1/chat/completions" || p === "/chat/completions")) return "completions";
  if (method === "POST" && (p === "/v1/responses" || p === "/responses")) return "responses";
  if (method === "GET" && (p === "/v1/models" || p === "/models")) return "models";
  return "unknown";
}

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { "content-type": "application/json", "content-length": Buffer.byteLength(text) });
  res.end(text);
}

function errorBody(message: string, type: string, code: string | null = null) {
  return { error: { message, type, param: null, code } };
}

function checkOptions(options: ScriptedModelOptions): void {
  const positiveInt = (name: keyof ScriptedModelOptions, min: number) => {
    const v = options[name];
    if (v !== undefined && (typeof v !== "number" || !Number.isInteger(v) || v < min)) {
      throw new TestingError("INVALID_OPTION", `startScriptedModel: options.${name} must be an integer >= ${min} (got ${JSON.stringify(v)}).`);
    }
  };
  positiveInt("chunkSize", 1);
  positiveInt("chunkDelayMs", 0);
  positiveInt("port", 0);
  positiveInt("maxBodyBytes", 1);
  if (options.models !== undefined && (!Array.isArray(options.models) || options.models.some((m) => typeof m !== "string" || m === ""))) {
    throw new TestingError("INVALID_OPTION", "startScriptedModel: options.models must be an array of non-empty model id strings.");
  }
  if (options.apiKey !== undefined && (typeof options.apiKey !== "string" || options.apiKey === "")) {
    throw new TestingError("INVALID_OPTION", "startScriptedModel: options.apiKey must be a non-empty string or left out.");
  }
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
  checkOptions(options);
  const script: ScriptedTurn[] = [...validateScript(options.script ?? [], "startScriptedModel: options.script")];
  const models = options.models ?? ["gpt-4.1"];
  const defaultChunkSize = options.chunkSize ?? 16;
  const defaultChunkDelay = options.chunkDelayMs ?? 0;
  const maxBodyBytes = options.maxBodyBytes ?? 32 * 1024 * 1024;

  const requests: RecordedRequest[] = [];
  const sockets = new Set<Socket>();
  const closing = new AbortController();
  const waiters = new Set<() => void>();
  let nextTurn = 0;
  let calls = 0;
  let arrivals = 0;

  const record = (entry: RecordedRequest) => {
    requests.push(entry);
    for (const wake of [...waiters]) wake();
  };

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const receivedAt = Date.now();
    const method = req.method ?? "GET";
    const path = (req.url ?? "/").split("?")[0] ?? "/";
    const headers = redactHeaders(req.headers);
    const route = routeOf(method, path);
    const index = ++arrivals;

    // Read the whole body first so a client never sees a reset while it is still sending.
    const chunks: Buffer[] = [];
    let size = 0;
    let tooLarge = false;
    for await (const chunk of req as AsyncIterable<Buffer>) {
      size += chunk.length;
      if (size > maxBodyBytes) tooLarge = true;
      else chunks.push(chunk);
    }
    const rawBody = Buffer.concat(chunks).toString("utf8");

    let body: unknown;
    let parseProblem: string | undefined;
    if (tooLarge) parseProblem = `request body is larger than maxBodyBytes (${maxBodyBytes})`;
    else if (rawBody.length > 0) {
      try {
        body = JSON.parse(rawBody);
      } catch (error) {
        parseProblem = `request body is not valid JSON (${(error as Error).message})`;
      }
    }
    const stream = isRecord(body) && body["stream"] === true;
    const base: ModelRequest = { index, method, path, headers, body, wireApi: route, stream, receivedAt };
    const reject = (status: number, problem: string, type: string, call?: number) => {
      record({ ...base, call, turnIndex: undefined, turn: undefined, status, unexpected: true, problem });
      sendJson(res, status, errorBody(`scripted model: ${problem}`, type));
    };

    if (route === "unknown") {
      return reject(404, `no route for ${method} ${path} (serves POST /v1/chat/completions, POST /v1/responses, GET /v1/models)`, "not_found_error");
    }
    if (options.apiKey !== undefined && req.headers.authorization !== `Bearer ${options.apiKey}`) {
      return reject(401, "missing or wrong API key (send Authorization: Bearer <the apiKey given to startScriptedModel>)", "authentication_error");
    }
    if (route === "models") {
      record({ ...base, call: undefined, turnIndex: undefined, turn: undefined, status: 200, unexpected: false, problem: undefined });
      return sendJson(res, 200, {
        object: "list",
        data: models.map((id) => ({ id, object: "model", created: 0, owned_by: "flightdeck-scripted" })),
      });
    }
    if (parseProblem !== undefined) return reject(tooLarge ? 413 : 400, parseProblem, "invalid_request_error");
    const field = route === "completions" ? "messages" : "input";
    const value = isRecord(body) ? body[field] : undefined;
    if (!Array.isArray(value) && !(route === "responses" && typeof value === "string")) {
      return reject(400, `request body must be a JSON object with a "${field}" ${route === "responses" ? "array or string" : "array"}`, "invalid_request_error");
    }

    const call = ++calls;
    if (nextTurn >= script.length) {
      return reject(500, `no turn left for request #${call} (the script has ${script.length} turn(s); add more or push() them)`, "server_error", call);
    }
    const turnIndex = nextTurn++;
    let turn: StaticTurn;
    try {
      const scripted = script[turnIndex]!;
      turn = typeof scripted === "function" ? validateTurn(await scripted(base), `script[${turnIndex}] (returned by the function)`) : scripted;
    } catch (error) {
      return reject(500, `turn ${turnIndex} failed: ${(error as Error)?.message ?? String(error)}`, "server_error", call);
    }
    const isError = "error" in turn && turn.error !== undefined;
    record({
      ...base,
      call,
      turnIndex,
      turn,
      status: isError ? (turn as ErrorTurn).error.status : 200,
      unexpected: false,
      problem: undefined,
    });

    // Stop delays early when the client goes away or the server closes.
    const gone = new AbortController();
    const abort = () => gone.abort();
    res.on("close", abort);
    closing.signal.addEventListener("abort", abort, { once: true });
    try {
      await sleep(turn.delayMs ?? 0, gone.signal);
      if (gone.signal.aborted) return;
      await reply(res, route, call, turn, body as Record<string, unknown>, rawBody.length, gone.signal);
    } finally {
      closing.signal.removeEventListener("abort", abort);
    }
  }

  async function reply(
    res: ServerResponse,
    api: WireApi,
    call: number,
    turn: StaticTurn,
    body: Record<string, unknown>,
    bodyChars: number,
    signal: AbortSignal,
  ): Promise<void> {
    if ("error" in turn && turn.error !== undefined) {
      const e = turn.error;
      return sendJson(res, e.status, errorBody(e.message, e.type ?? DEFAULT_ERROR_TYPE[e.status] ?? "server_error", e.code ?? null));
    }
    const stream = body["stream"] === true;
    if ("malformed" in turn && turn.malformed !== undefined) return malformed(res, api, stream, (turn as MalformedTurn).malformed);

    const replyTurn = turn as ReplyTurn;
    const ctx: ReplyContext = {
      id: api === "completions" ? `chatcmpl-scripted-${call}` : `resp_scripted_${call}`,
      model: typeof body["model"] === "string" ? body["model"] : (models[0] ?? "scripted"),
      created: Math.floor(Date.now() / 1000),
      chunkSize: replyTurn.chunkSize ?? defaultChunkSize,
      toolCallIds: (replyTurn.toolCalls ?? []).map((c, i) => c.id ?? `call_${call}_${i}`),
      inputTokens: replyTurn.usage?.inputTokens ?? estimateTokens(bodyChars),
      outputTokens: outputTokens(replyTurn),
    };
    if (!stream) return sendJson(res, 200, api === "completions" ? completionsJson(replyTurn, ctx) : responsesJson(replyTurn, ctx));

    const options = isRecord(body["stream_options"]) ? body["stream_options"] : {};
    const frames =
      api === "completions"
        ? completionsStreamFrames(replyTurn, ctx, options["include_usage"] === true)
        : responsesStreamFrames(replyTurn, ctx);
    const chunkDelay = turn.chunkDelayMs ?? defaultChunkDelay;
    res.writeHead(200, { "content-type": "text/event-stream", "cache-control": "no-cache", connection: "keep-alive" });
    res.flushHeaders();
    for (const [i, frame] of frames.entries()) {
      if (i > 0) await sleep(chunkDelay, signal);
      if (signal.aborted) return;
      res.write(frame);
    }
    res.end();
  }

  function malformed(res: ServerResponse, api: WireApi, stream: boolean, kind: MalformedTurn["malformed"]): void {
    if (!stream) {
      const partial = '{"id":"broken","object":';
      if (kind === "invalid-json") {
        res.writeHead(200, { "content-type": "application/json" });
        res.end(`${partial}}`);
      } else {
        // Promise more bytes than we send, then drop the connection.
        res.writeHead(200, { "content-type": "application/json", "content-length": partial.length * 4 });
        res.write(partial, () => res.destroy());
      }
      return;
    }
    res.writeHead(200, { "content-type": "text/event-stream", "cache-control": "no-cache" });
    const first =
      api === "completions"
        ? `data: ${JSON.stringify({ id: "chatcmpl-broken", object: "chat.completion.chunk", created: 0, model: "scripted", choices: [{ index: 0, delta: { role: "assistant", content: "" }, finish_reason: null }] })}\n\n`
        : `event: response.created\ndata: ${JSON.stringify({ type: "response.created", sequence_number: 0, response: { id: "resp_broken", object: "response", status: "in_progress", output: [] } })}\n\n`;
    if (kind === "invalid-json") {
      res.end(`${first}data: {"this is": not json\n\n`);
    } else {
      res.write(first, () => res.destroy());
    }
  }

  const server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      // A bug or a dropped client: answer if we still can, never crash the test process.
      if (!res.headersSent && !res.destroyed) sendJson(res, 500, errorBody(`scripted model: internal error: ${String(error)}`, "server_error"));
      else res.destroy();
    });
  });
  server.on("connection", (socket) => {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
  });
  // A client error (bad HTTP) must not throw; answer 400 when the socket is still usable.
  server.on("clientError", (_error, socket) => {
    if (socket.writable) socket.end("HTTP/1.1 400 Bad Request\r\nconnection: close\r\ncontent-length: 0\r\n\r\n");
    else socket.destroy();
  });

  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? 0, "127.0.0.1", () => {
      server.off("error", reject);
      resolve();
    });
  });
  const address = server.address();
  const port = typeof address === "object" && address !== null ? address.port : 0;
  const baseUrl = `http://127.0.0.1:${port}/v1`;
  let closed: Promise<void> | undefined;

  return {
    baseUrl,
    port,
    requests,
    get unexpectedRequests() {
      return requests.filter((r) => r.unexpected);
    },
    get remainingTurns() {
      return script.length - nextTurn;
    },
    provider(providerOptions = {}) {
      const wireApi = providerOptions.wireApi ?? "completions";
      if (wireApi !== "completions" && wireApi !== "responses") {
        throw new TestingError("INVALID_OPTION", `provider(): wireApi must be "completions" or "responses" (got ${JSON.stringify(wireApi)}).`);
      }
      return { type: "openai", baseUrl, apiKey: providerOptions.apiKey ?? options.apiKey ?? "test-key", wireApi };
    },
    push(...turns) {
      script.push(...validateScript(turns, "push()"));
    },
    waitForRequests(n, waitOptions = {}) {
      if (!Number.isInteger(n) || n < 1) {
        return Promise.reject(new TestingError("INVALID_OPTION", `waitForRequests(n): n must be an integer >= 1 (got ${JSON.stringify(n)}).`));
      }
      const filter = waitOptions.filter ?? ((r: RecordedRequest) => r.call !== undefined);
      const timeoutMs = waitOptions.timeoutMs ?? 10_000;
      const counted = () => requests.filter(filter);
      return new Promise<RecordedRequest[]>((resolve, reject) => {
        const check = () => {
          const got = counted();
          if (got.length >= n) finish(() => resolve(got.slice(0, n)));
          else if (closing.signal.aborted) {
            finish(() => reject(new TestingError("SERVER_CLOSED", `waitForRequests(${n}): the server closed after ${got.length} request(s).`)));
          }
        };
        const timer = setTimeout(() => {
          const got = counted().length;
          finish(() =>
            reject(
              new TestingError(
                "TIMEOUT",
                `waitForRequests(${n}): only ${got} request(s) arrived within ${timeoutMs} ms; is the session's provider baseUrl ${baseUrl}?`,
              ),
            ),
          );
        }, timeoutMs);
        const finish = (settle: () => void) => {
          clearTimeout(timer);
          waiters.delete(check);
          closing.signal.removeEventListener("abort", check);
          settle();
        };
        waiters.add(check);
        closing.signal.addEventListener("abort", check, { once: true });
        check();
      });
    },
    assertDone() {
      const problems: string[] = [];
      const left = script.length - nextTurn;
      if (left > 0) problems.push(`${left} turn(s) never requested`);
      for (const r of requests.filter((x) => x.unexpected)) problems.push(`unexpected request #${r.index} ${r.method} ${r.path}: ${r.problem}`);
      if (problems.length > 0) {
        throw new TestingError("SCRIPT_NOT_DONE", `scripted model: ${problems.join("; ")}`);
      }
    },
    close() {
      closed ??= new Promise<void>((resolve) => {
        closing.abort();
        server.close(() => resolve());
        for (const socket of sockets) socket.destroy();
        sockets.clear();
      });
      return closed;
    },
  };
}
