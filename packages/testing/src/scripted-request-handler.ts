/**
 * `createScriptedRequestHandler`: the scripted model without a server. Plug its `handler` into
 * `CopilotClient({ requestHandler })` and the runtime's model requests come to it over the
 * JSON-RPC connection; nothing listens on any port. Same script, same wire output, same request
 * log as `startScriptedModel`.
 */
import type { InterceptedRequest, InterceptedResponseInit, ModelRequestHandler } from "@flightdeck/copilot-client";
import { TestingError } from "./errors.js";
import type { ModelRequest, WireApi } from "./model-request.js";
import { estimateTokens, outputTokens, type ReplyContext } from "./reply-context.js";
import type { ErrorTurn, MalformedTurn, ReplyTurn, ScriptedTurn, StaticTurn } from "./script.js";
import { validateScript, validateTurn } from "./script.js";
import type { RecordedRequest, ScriptedProviderConfig } from "./scripted-model-server.js";
import { completionsJson, completionsStreamFrames } from "./wire-completions.js";
import { responsesJson, responsesStreamFrames } from "./wire-responses.js";

/** Options of {@link createScriptedRequestHandler}. */
export interface ScriptedRequestHandlerOptions {
  /** Turns answered in order, one per model request. More can be added with `push`. */
  script?: ScriptedTurn[];
  /** Model ids served by `GET …/models`. Default `["gpt-4.1"]`. */
  models?: string[];
  /** Characters per streamed chunk, unless a turn says otherwise. Default 16. */
  chunkSize?: number;
  /** Pause between streamed chunks, unless a turn says otherwise. Default 0. */
  chunkDelayMs?: number;
}

/** A scripted model served through `requestHandler`. */
export interface ScriptedRequestHandler {
  /** Give it to `new CopilotClient({ requestHandler: model.handler })`. */
  readonly handler: ModelRequestHandler;
  /** Every request received, in arrival order (a live array). */
  readonly requests: readonly RecordedRequest[];
  readonly unexpectedRequests: readonly RecordedRequest[];
  readonly remainingTurns: number;
  /**
   * A BYOK provider config whose `baseUrl` is on an unroutable host (`scripted-model.invalid`,
   * RFC 2606): if a request ever bypassed the handler, it would fail instead of reaching anything.
   */
  provider(options?: { wireApi?: WireApi; apiKey?: string }): ScriptedProviderConfig;
  push(...turns: ScriptedTurn[]): void;
  /** Resolves with the first `n` model calls once they have arrived. */
  waitForRequests(n: number, options?: { timeoutMs?: number }): Promise<RecordedRequest[]>;
  /** Throws `TestingError("SCRIPT_NOT_DONE")` if turns are left or unexpected requests arrived. */
  assertDone(): void;
}

/** The host of {@link ScriptedRequestHandler.provider}'s baseUrl. */
export const SCRIPTED_MODEL_UNROUTABLE_BASE_URL = "http://scripted-model.invalid/v1";

const SECRET_HEADER = /^(authorization|proxy-authorization|cookie|api-key|x-api-key)$|token|secret|password/i;
const DEFAULT_ERROR_TYPE: Record<number, string> = { 400: "invalid_request_error", 401: "authentication_error", 403: "permission_error", 404: "not_found_error", 429: "rate_limit_error" };

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function routeOf(method: string, path: string): ModelRequest["wireApi"] {
  const p = path.replace(/\/+$/, "");
  if (method === "POST" && p.endsWith("/chat/completions")) return "completions";
  if (method === "POST" && p.endsWith("/responses")) return "responses";
  if (method === "GET" && p.endsWith("/models")) return "models";
  return "unknown";
}

function json(status: number, body: unknown): InterceptedResponseInit {
  return { status, headers: { "content-type": "application/json" }, body: JSON.stringify(body) };
}

function errorBody(message: string, type: string, code: string | null = null) {
  return { error: { message, type, param: null, code } };
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  if (ms <= 0 || signal.aborted) return Promise.resolve();
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      signal.removeEventListener("abort", done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal.addEventListener("abort", done, { once: true });
  });
}

/**
 * A scripted model for `requestHandler`: the runtime's model requests are answered in process,
 * with no HTTP server. Give the session `provider: model.provider()`.
 *
 * @example
 * ```ts
 * const model = createScriptedRequestHandler({ script: [{ text: "Hello!" }] });
 * const client = new CopilotClient({ requestHandler: model.handler, … });
 * const session = await client.createSession({ model: "gpt-4.1", provider: model.provider() });
 * await session.sendAndWait("Hi");
 * model.assertDone();
 * ```
 */
export function createScriptedRequestHandler(options: ScriptedRequestHandlerOptions = {}): ScriptedRequestHandler {
  if (typeof options !== "object" || options === null) throw new TestingError("INVALID_OPTION", "createScriptedRequestHandler: pass an options object (or nothing).");
  for (const [name, min] of [["chunkSize", 1], ["chunkDelayMs", 0]] as const) {
    const v = options[name];
    if (v !== undefined && (typeof v !== "number" || !Number.isInteger(v) || v < min)) {
      throw new TestingError("INVALID_OPTION", `createScriptedRequestHandler: options.${name} must be an integer >= ${min} (got ${JSON.stringify(v)}).`);
    }
  }
  const script: ScriptedTurn[] = [...validateScript(options.script ?? [], "createScriptedRequestHandler: options.script")];
  const models = options.models ?? ["gpt-4.1"];
  const requests: RecordedRequest[] = [];
  const waiters = new Set<() => void>();
  let nextTurn = 0;
  let calls = 0;
  let arrivals = 0;
  const record = (entry: RecordedRequest) => {
    requests.push(entry);
    for (const wake of [...waiters]) wake();
  };

  const handler: ModelRequestHandler = async (request: InterceptedRequest) => {
    const index = ++arrivals;
    const path = new URL(request.url).pathname;
    const headers: Record<string, string> = {};
    for (const [name, value] of Object.entries(request.headers)) headers[name] = SECRET_HEADER.test(name) ? "[redacted]" : value;
    const route = routeOf(request.method, path);
    let body: unknown;
    let parseProblem: string | undefined;
    if (request.body.length > 0) {
      try {
        body = JSON.parse(request.text());
      } catch (error) {
        parseProblem = `request body is not valid JSON (${(error as Error).message})`;
      }
    }
    const stream = isRecord(body) && body["stream"] === true;
    const base: ModelRequest = { index, method: request.method, path, headers, body, wireApi: route, stream, receivedAt: Date.now() };
    const reject = (status: number, problem: string, type: string, call?: number) => {
      record({ ...base, call, turnIndex: undefined, turn: undefined, status, unexpected: true, problem });
      return json(status, errorBody(`scripted model: ${problem}`, type));
    };

    if (route === "unknown") return reject(404, `no route for ${request.method} ${path}`, "not_found_error");
    if (route === "models") {
      record({ ...base, call: undefined, turnIndex: undefined, turn: undefined, status: 200, unexpected: false, problem: undefined });
      return json(200, { object: "list", data: models.map((id) => ({ id, object: "model", created: 0, owned_by: "flightdeck-scripted" })) });
    }
    if (parseProblem !== undefined) return reject(400, parseProblem, "invalid_request_error");
    const field = route === "completions" ? "messages" : "input";
    const value = isRecord(body) ? body[field] : undefined;
    if (!Array.isArray(value) && !(route === "responses" && typeof value === "string")) {
      return reject(400, `request body must be a JSON object with a "${field}" array`, "invalid_request_error");
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
    record({ ...base, call, turnIndex, turn, status: isError ? (turn as ErrorTurn).error.status : 200, unexpected: false, problem: undefined });

    await sleep(turn.delayMs ?? 0, request.signal);
    if (isError) {
      const e = (turn as ErrorTurn).error;
      return json(e.status, errorBody(e.message, e.type ?? DEFAULT_ERROR_TYPE[e.status] ?? "server_error", e.code ?? null));
    }
    const api = route;
    if ("malformed" in turn && turn.malformed !== undefined) return malformed(api, stream, (turn as MalformedTurn).malformed);
    const replyTurn = turn as ReplyTurn;
    const b = body as Record<string, unknown>;
    const ctx: ReplyContext = {
      id: api === "completions" ? `chatcmpl-scripted-${call}` : `resp_scripted_${call}`,
      model: typeof b["model"] === "string" ? b["model"] : (models[0] ?? "scripted"),
      created: Math.floor(Date.now() / 1000),
      chunkSize: replyTurn.chunkSize ?? options.chunkSize ?? 16,
      toolCallIds: (replyTurn.toolCalls ?? []).map((c, i) => c.id ?? `call_${call}_${i}`),
      inputTokens: replyTurn.usage?.inputTokens ?? estimateTokens(request.body.length),
      outputTokens: outputTokens(replyTurn),
    };
    if (!stream) return json(200, api === "completions" ? completionsJson(replyTurn, ctx) : responsesJson(replyTurn, ctx));
    const streamOptions = isRecord(b["stream_options"]) ? b["stream_options"] : {};
    const frames = api === "completions" ? completionsStreamFrames(replyTurn, ctx, streamOptions["include_usage"] === true) : responsesStreamFrames(replyTurn, ctx);
    const chunkDelay = turn.chunkDelayMs ?? options.chunkDelayMs ?? 0;
    const signal = request.signal;
    return {
      headers: { "content-type": "text/event-stream", "cache-control": "no-cache" },
      body: (async function* () {
        for (const [i, frame] of frames.entries()) {
          if (i > 0) await sleep(chunkDelay, signal);
          if (signal.aborted) return;
          yield frame;
        }
      })(),
    };
  };

  function malformed(api: WireApi, stream: boolean, kind: MalformedTurn["malformed"]): InterceptedResponseInit {
    if (!stream) {
      const partial = '{"id":"broken","object":';
      if (kind === "invalid-json") return { headers: { "content-type": "application/json" }, body: `${partial}}` };
      return {
        headers: { "content-type": "application/json" },
        body: (async function* () {
          yield partial;
          throw new Error("scripted model: connection dropped mid-reply (malformed: truncated)");
        })(),
      };
    }
    const first =
      api === "completions"
        ? `data: ${JSON.stringify({ id: "chatcmpl-broken", object: "chat.completion.chunk", created: 0, model: "scripted", choices: [{ index: 0, delta: { role: "assistant", content: "" }, finish_reason: null }] })}\n\n`
        : `event: response.created\ndata: ${JSON.stringify({ type: "response.created", sequence_number: 0, response: { id: "resp_broken", object: "response", status: "in_progress", output: [] } })}\n\n`;
    if (kind === "invalid-json") return { headers: { "content-type": "text/event-stream" }, body: `${first}data: {"this is": not json\n\n` };
    return {
      headers: { "content-type": "text/event-stream" },
      body: (async function* () {
        yield first;
        throw new Error("scripted model: connection dropped mid-stream (malformed: truncated)");
      })(),
    };
  }

  return {
    handler,
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
      return { type: "openai", baseUrl: SCRIPTED_MODEL_UNROUTABLE_BASE_URL, apiKey: providerOptions.apiKey ?? "test-key", wireApi };
    },
    push(...turns) {
      script.push(...validateScript(turns, "push()"));
    },
    waitForRequests(n, waitOptions = {}) {
      if (!Number.isInteger(n) || n < 1) return Promise.reject(new TestingError("INVALID_OPTION", `waitForRequests(n): n must be an integer >= 1 (got ${JSON.stringify(n)}).`));
      const timeoutMs = waitOptions.timeoutMs ?? 10_000;
      const counted = () => requests.filter((r) => r.call !== undefined);
      return new Promise((resolve, reject) => {
        const check = () => {
          const got = counted();
          if (got.length >= n) finish(() => resolve(got.slice(0, n)));
        };
        const timer = setTimeout(() => {
          finish(() => reject(new TestingError("TIMEOUT", `waitForRequests(${n}): only ${counted().length} model request(s) reached the handler within ${timeoutMs} ms; is it the client's requestHandler, and the session's provider model.provider()?`)));
        }, timeoutMs);
        const finish = (settle: () => void) => {
          clearTimeout(timer);
          waiters.delete(check);
          settle();
        };
        waiters.add(check);
        check();
      });
    },
    assertDone() {
      const problems: string[] = [];
      const left = script.length - nextTurn;
      if (left > 0) problems.push(`${left} turn(s) never requested`);
      for (const r of requests.filter((x) => x.unexpected)) problems.push(`unexpected request #${r.index} ${r.method} ${r.path}: ${r.problem}`);
      if (problems.length > 0) throw new TestingError("SCRIPT_NOT_DONE", `scripted model: ${problems.join("; ")}`);
    },
  };
}
