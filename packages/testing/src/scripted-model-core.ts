/**
 * The scripted model's request handling, independent of how requests arrive: the HTTP server
 * (`startScriptedModel`) and the in-process `requestHandler` adapter (`createScriptedRequestHandler`)
 * both hand each request to one core, so routing, body checks, the script, the request log and the
 * wire output cannot drift apart. The adapters only translate their transport to and from here.
 */
import { TestingError } from "./errors.js";
import { refuseUnknownKeys } from "./option-keys.js";
import type { ModelRequest, WireApi } from "./model-request.js";
import { estimateTokens, outputTokens, type ReplyContext } from "./reply-context.js";
import type { ErrorTurn, MalformedTurn, ReplyTurn, ScriptedTurn, StaticTurn } from "./script.js";
import { validateScript, validateTurn } from "./script.js";
import { completionsJson, completionsStreamFrames } from "./wire-completions.js";
import { responsesJson, responsesStreamFrames } from "./wire-responses.js";

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

/** Options of `waitForRequests`. */
export interface WaitForRequestsOptions {
  /** Reject with `TestingError("TIMEOUT")` after this long. Default 10 000. */
  timeoutMs?: number;
  /** Which log entries count. Default: model calls (`call !== undefined`). */
  filter?: (request: RecordedRequest) => boolean;
}

/** Options shared by every front end of the scripted model. */
export interface CoreOptions {
  script?: ScriptedTurn[];
  models?: string[];
  chunkSize?: number;
  chunkDelayMs?: number;
  apiKey?: string;
  maxBodyBytes?: number;
}

/** Where the core is used from: names the entry point in errors and says where to look on a timeout. */
export interface CoreLabels {
  /** `startScriptedModel` or `createScriptedRequestHandler`. */
  readonly entry: string;
  /** Appended to a `waitForRequests` timeout message. */
  readonly timeoutHint: string;
}

/** The request body: its size and (lazily) its text, so an oversized body is never decoded. */
export interface CoreBody {
  readonly bytes: number;
  text(): string;
}

/** A request as the core sees it, whatever carried it. */
export interface CoreRequest {
  readonly method: string;
  /** The URL path, without the query. */
  readonly path: string;
  /** Raw headers, lowercased names; credentials are redacted before they reach the log. */
  readonly headers: Readonly<Record<string, string | readonly string[] | undefined>>;
  /** The body, or a promise of it: arrival order and time are taken before it is awaited. */
  readonly body: CoreBody | Promise<CoreBody>;
  /** Aborts when the client goes away or the front end closes; stops delays and streams. */
  readonly signal: AbortSignal;
}

/**
 * What to answer. A `body` iterable that throws means "drop the connection here" (a truncated
 * reply); an iterable body stops early once the request's signal aborts.
 */
export interface CoreResponse {
  readonly status: number;
  readonly headers: Record<string, string>;
  readonly body: string | AsyncIterable<string>;
}

/** The script and request log, the same whichever front end serves the model. */
export interface ScriptedModelState {
  /** Every request received, in arrival order (a live array; copy it to snapshot). */
  readonly requests: readonly RecordedRequest[];
  /** The requests the script did not plan for. A passing test usually expects none. */
  readonly unexpectedRequests: readonly RecordedRequest[];
  /** Turns not consumed yet. */
  readonly remainingTurns: number;
  /** Appends turns to the script (validated now). */
  push(...turns: ScriptedTurn[]): void;
  /** Throws `TestingError("SCRIPT_NOT_DONE")` if turns are left or unexpected requests arrived. */
  assertDone(): void;
}

/** The scripted model minus its transport. */
export interface ScriptedModelCore extends ScriptedModelState {
  /** Answers one request; records it in the log before any delay starts. */
  handle(request: CoreRequest): Promise<CoreResponse>;
  waitForRequests(n: number, options?: WaitForRequestsOptions): Promise<RecordedRequest[]>;
  /** Aborts pending `waitForRequests` with `SERVER_CLOSED`. Idempotent. */
  close(): void;
  /** Aborts once `close()` is called. */
  readonly closed: AbortSignal;
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

const JSON_HEADERS = { "content-type": "application/json" };
const SSE_HEADERS = { "content-type": "text/event-stream", "cache-control": "no-cache" };

/** Default largest request body, in bytes. */
export const DEFAULT_MAX_BODY_BYTES = 32 * 1024 * 1024;

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function redactHeaders(raw: CoreRequest["headers"]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(raw)) {
    if (value === undefined) continue;
    out[name] = SECRET_HEADER.test(name) ? "[redacted]" : typeof value === "string" ? value : value.join(", ");
  }
  return out;
}

/** Resolves after `ms`, or early when `signal` aborts; never leaves a timer behind. */
export function sleep(ms: number, signal: AbortSignal): Promise<void> {
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

// Suffix match: the in-process handler sees whatever baseUrl path the provider was given.
function routeOf(method: string, path: string): ModelRequest["wireApi"] {
  const p = path.replace(/\/+$/, "");
  if (method === "POST" && p.endsWith("/chat/completions")) return "completions";
  if (method === "POST" && p.endsWith("/responses")) return "responses";
  if (method === "GET" && p.endsWith("/models")) return "models";
  return "unknown";
}

function json(status: number, body: unknown): CoreResponse {
  return { status, headers: { ...JSON_HEADERS }, body: JSON.stringify(body) };
}

function errorBody(message: string, type: string, code: string | null = null) {
  return { error: { message, type, param: null, code } };
}

/** The keys of {@link CoreOptions} (kept next to it; a test pins it to the type). */
export const CORE_OPTION_KEYS = ["script", "models", "chunkSize", "chunkDelayMs", "apiKey", "maxBodyBytes"] as const satisfies readonly (keyof CoreOptions)[];
// Fails to compile when CoreOptions gains a key the list above lacks.
const coreKeysComplete: Exclude<keyof CoreOptions, (typeof CORE_OPTION_KEYS)[number]> extends never ? true : false = true;
void coreKeysComplete;

/** Checks the options every front end shares (a front end checks its own extras, e.g. `port`); throws `TestingError("INVALID_OPTION")` naming the bad one. */
export function checkCoreOptions(options: unknown, entry: string, extraKeys: readonly string[] = []): asserts options is CoreOptions {
  if (typeof options !== "object" || options === null) throw new TestingError("INVALID_OPTION", `${entry}: pass an options object (or nothing).`);
  refuseUnknownKeys(options, [...CORE_OPTION_KEYS, ...extraKeys], `${entry}: options`);
  const o = options as Record<string, unknown>;
  for (const [name, min] of [
    ["chunkSize", 1],
    ["chunkDelayMs", 0],
    ["maxBodyBytes", 1],
  ] as const) {
    const v = o[name];
    if (v !== undefined && (typeof v !== "number" || !Number.isInteger(v) || v < min)) {
      throw new TestingError("INVALID_OPTION", `${entry}: options.${name} must be an integer >= ${min} (got ${JSON.stringify(v)}).`);
    }
  }
  const models = o["models"];
  if (models !== undefined && (!Array.isArray(models) || models.some((m) => typeof m !== "string" || m === ""))) {
    throw new TestingError("INVALID_OPTION", `${entry}: options.models must be an array of non-empty model id strings.`);
  }
  const apiKey = o["apiKey"];
  if (apiKey !== undefined && (typeof apiKey !== "string" || apiKey === "")) {
    throw new TestingError("INVALID_OPTION", `${entry}: options.apiKey must be a non-empty string or left out.`);
  }
}

/** A `provider()` config for `baseUrl`; throws on an unknown `wireApi`. */
export function providerConfig(baseUrl: string, defaultApiKey: string, options: { wireApi?: WireApi; apiKey?: string } = {}): ScriptedProviderConfig {
  const wireApi = options.wireApi ?? "completions";
  if (wireApi !== "completions" && wireApi !== "responses") {
    throw new TestingError("INVALID_OPTION", `provider(): wireApi must be "completions" or "responses" (got ${JSON.stringify(wireApi)}).`);
  }
  return { type: "openai", baseUrl, apiKey: options.apiKey ?? defaultApiKey, wireApi };
}

/** A request body read for the log: parsed JSON, its length in characters, or why it could not be read. */
interface ReadBody {
  readonly body: unknown;
  readonly bodyChars: number;
  readonly problem: string | undefined;
  readonly tooLarge: boolean;
}

function readBody(raw: CoreBody, maxBodyBytes: number): ReadBody {
  if (raw.bytes > maxBodyBytes) return { body: undefined, bodyChars: 0, problem: `request body is larger than maxBodyBytes (${maxBodyBytes})`, tooLarge: true };
  if (raw.bytes === 0) return { body: undefined, bodyChars: 0, problem: undefined, tooLarge: false };
  const text = raw.text();
  try {
    return { body: JSON.parse(text), bodyChars: text.length, problem: undefined, tooLarge: false };
  } catch (error) {
    return { body: undefined, bodyChars: text.length, problem: `request body is not valid JSON (${(error as Error).message})`, tooLarge: false };
  }
}

/** Defaults a reply falls back on when its turn does not say. */
interface ReplyDefaults {
  readonly models: readonly string[];
  readonly chunkSize: number;
  readonly chunkDelayMs: number;
}

/** A scripted reply turn as a JSON body or an SSE stream, in the request's wire API. */
function replyResponse(
  api: WireApi,
  call: number,
  turn: ReplyTurn,
  body: Record<string, unknown>,
  bodyChars: number,
  signal: AbortSignal,
  defaults: ReplyDefaults,
): CoreResponse {
  const ctx: ReplyContext = {
    id: api === "completions" ? `chatcmpl-scripted-${call}` : `resp_scripted_${call}`,
    model: typeof body["model"] === "string" ? body["model"] : (defaults.models[0] ?? "scripted"),
    created: Math.floor(Date.now() / 1000),
    chunkSize: turn.chunkSize ?? defaults.chunkSize,
    toolCallIds: (turn.toolCalls ?? []).map((c, i) => c.id ?? `call_${call}_${i}`),
    inputTokens: turn.usage?.inputTokens ?? estimateTokens(bodyChars),
    outputTokens: outputTokens(turn),
  };
  if (body["stream"] !== true) return json(200, api === "completions" ? completionsJson(turn, ctx) : responsesJson(turn, ctx));
  const streamOptions = isRecord(body["stream_options"]) ? body["stream_options"] : {};
  const frames = api === "completions" ? completionsStreamFrames(turn, ctx, streamOptions["include_usage"] === true) : responsesStreamFrames(turn, ctx);
  const chunkDelay = turn.chunkDelayMs ?? defaults.chunkDelayMs;
  return {
    status: 200,
    headers: { ...SSE_HEADERS },
    body: (async function* () {
      for (const [i, frame] of frames.entries()) {
        if (i > 0) await sleep(chunkDelay, signal);
        if (signal.aborted) return;
        yield frame;
      }
    })(),
  };
}

/** A malformed reply: invalid JSON, or a connection dropped after the first bytes. */
function malformedResponse(api: WireApi, stream: boolean, kind: MalformedTurn["malformed"]): CoreResponse {
  const dropAfter = (first: string, what: string) =>
    (async function* () {
      yield first;
      throw new Error(`scripted model: connection dropped ${what} (malformed: truncated)`);
    })();
  if (!stream) {
    const partial = '{"id":"broken","object":';
    return { status: 200, headers: { ...JSON_HEADERS }, body: kind === "invalid-json" ? `${partial}}` : dropAfter(partial, "mid-reply") };
  }
  const first =
    api === "completions"
      ? `data: ${JSON.stringify({ id: "chatcmpl-broken", object: "chat.completion.chunk", created: 0, model: "scripted", choices: [{ index: 0, delta: { role: "assistant", content: "" }, finish_reason: null }] })}\n\n`
      : `event: response.created\ndata: ${JSON.stringify({ type: "response.created", sequence_number: 0, response: { id: "resp_broken", object: "response", status: "in_progress", output: [] } })}\n\n`;
  return {
    status: 200,
    headers: { ...SSE_HEADERS },
    body: kind === "invalid-json" ? `${first}data: {"this is": not json\n\n` : dropAfter(first, "mid-stream"),
  };
}

/** The request log a `waitForRequests` watches: woken by every recorded request and by close. */
interface RequestLog {
  readonly requests: readonly RecordedRequest[];
  readonly waiters: Set<() => void>;
  readonly closed: AbortSignal;
}

function waitForRequests(log: RequestLog, n: number, waitOptions: WaitForRequestsOptions, timeoutHint: string): Promise<RecordedRequest[]> {
  if (!Number.isInteger(n) || n < 1) {
    return Promise.reject(new TestingError("INVALID_OPTION", `waitForRequests(n): n must be an integer >= 1 (got ${JSON.stringify(n)}).`));
  }
  try {
    refuseUnknownKeys(waitOptions, ["timeoutMs", "filter"], "waitForRequests(n, options)");
  } catch (error) {
    return Promise.reject(error);
  }
  const filter = waitOptions.filter ?? ((r: RecordedRequest) => r.call !== undefined);
  const timeoutMs = waitOptions.timeoutMs ?? 10_000;
  const counted = () => log.requests.filter(filter);
  return new Promise<RecordedRequest[]>((resolve, reject) => {
    const check = () => {
      const got = counted();
      if (got.length >= n) finish(() => resolve(got.slice(0, n)));
      else if (log.closed.aborted) {
        finish(() => reject(new TestingError("SERVER_CLOSED", `waitForRequests(${n}): the server closed after ${got.length} request(s).`)));
      }
    };
    const timer = setTimeout(() => {
      const got = counted().length;
      finish(() => reject(new TestingError("TIMEOUT", `waitForRequests(${n}): only ${got} request(s) arrived within ${timeoutMs} ms; ${timeoutHint}`)));
    }, timeoutMs);
    const finish = (settle: () => void) => {
      clearTimeout(timer);
      log.waiters.delete(check);
      log.closed.removeEventListener("abort", check);
      settle();
    };
    log.waiters.add(check);
    log.closed.addEventListener("abort", check, { once: true });
    check();
  });
}

/** What the handlers of one scripted model share: the script and its cursor, the log, the counters. */
interface CoreState {
  readonly options: CoreOptions;
  readonly labels: CoreLabels;
  readonly script: ScriptedTurn[];
  readonly models: readonly string[];
  readonly defaults: ReplyDefaults;
  readonly maxBodyBytes: number;
  readonly requests: RecordedRequest[];
  readonly waiters: Set<() => void>;
  /** Appends to the log and wakes the waiters. */
  record(entry: RecordedRequest): void;
  nextTurn: number;
  calls: number;
  arrivals: number;
}

/** Answers one request: routes and checks it, consumes the next turn, records it before any delay. */
async function handleRequest(state: CoreState, request: CoreRequest): Promise<CoreResponse> {
  const { options, labels, script, models } = state;
  const index = ++state.arrivals;
  const receivedAt = Date.now();
  const { method, path } = request;
  const route = routeOf(method, path);
  const { body, bodyChars, problem: parseProblem, tooLarge } = readBody(await request.body, state.maxBodyBytes);
  const stream = isRecord(body) && body["stream"] === true;
  const base: ModelRequest = { index, method, path, headers: redactHeaders(request.headers), body, wireApi: route, stream, receivedAt };
  const reject = (status: number, problem: string, type: string, call?: number) => {
    state.record({ ...base, call, turnIndex: undefined, turn: undefined, status, unexpected: true, problem });
    return json(status, errorBody(`scripted model: ${problem}`, type));
  };

  if (route === "unknown") {
    return reject(404, `no route for ${method} ${path} (serves POST …/chat/completions, POST …/responses, GET …/models)`, "not_found_error");
  }
  if (options.apiKey !== undefined && request.headers["authorization"] !== `Bearer ${options.apiKey}`) {
    return reject(401, `missing or wrong API key (send Authorization: Bearer <the apiKey given to ${labels.entry}>)`, "authentication_error");
  }
  if (route === "models") {
    state.record({ ...base, call: undefined, turnIndex: undefined, turn: undefined, status: 200, unexpected: false, problem: undefined });
    return json(200, { object: "list", data: models.map((id) => ({ id, object: "model", created: 0, owned_by: "flightdeck-scripted" })) });
  }
  if (parseProblem !== undefined) return reject(tooLarge ? 413 : 400, parseProblem, "invalid_request_error");
  const field = route === "completions" ? "messages" : "input";
  const value = isRecord(body) ? body[field] : undefined;
  if (!Array.isArray(value) && !(route === "responses" && typeof value === "string")) {
    return reject(400, `request body must be a JSON object with a "${field}" ${route === "responses" ? "array or string" : "array"}`, "invalid_request_error");
  }

  const call = ++state.calls;
  if (state.nextTurn >= script.length) {
    return reject(500, `no turn left for request #${call} (the script has ${script.length} turn(s); add more or push() them)`, "server_error", call);
  }
  const turnIndex = state.nextTurn++;
  let turn: StaticTurn;
  try {
    const scripted = script[turnIndex]!;
    turn = typeof scripted === "function" ? validateTurn(await scripted(base), `script[${turnIndex}] (returned by the function)`) : scripted;
  } catch (error) {
    return reject(500, `turn ${turnIndex} failed: ${(error as Error)?.message ?? String(error)}`, "server_error", call);
  }
  const isError = "error" in turn && turn.error !== undefined;
  state.record({ ...base, call, turnIndex, turn, status: isError ? (turn as ErrorTurn).error.status : 200, unexpected: false, problem: undefined });

  await sleep(turn.delayMs ?? 0, request.signal);
  if (isError) {
    const e = (turn as ErrorTurn).error;
    return json(e.status, errorBody(e.message, e.type ?? DEFAULT_ERROR_TYPE[e.status] ?? "server_error", e.code ?? null));
  }
  if ("malformed" in turn && turn.malformed !== undefined) return malformedResponse(route, stream, (turn as MalformedTurn).malformed);
  return replyResponse(route, call, turn as ReplyTurn, body as Record<string, unknown>, bodyChars, request.signal, state.defaults);
}

/**
 * Builds the transport-agnostic scripted model. Options must have passed {@link checkCoreOptions}.
 */
export function createScriptedModelCore(options: CoreOptions, labels: CoreLabels): ScriptedModelCore {
  const models = options.models ?? ["gpt-4.1"];
  const requests: RecordedRequest[] = [];
  const waiters = new Set<() => void>();
  const closing = new AbortController();
  const state: CoreState = {
    options,
    labels,
    script: [...validateScript(options.script ?? [], `${labels.entry}: options.script`)],
    models,
    defaults: { models, chunkSize: options.chunkSize ?? 16, chunkDelayMs: options.chunkDelayMs ?? 0 },
    maxBodyBytes: options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES,
    requests,
    waiters,
    record(entry) {
      requests.push(entry);
      for (const wake of [...waiters]) wake();
    },
    nextTurn: 0,
    calls: 0,
    arrivals: 0,
  };
  const { script } = state;

  return {
    requests,
    get unexpectedRequests() {
      return requests.filter((r) => r.unexpected);
    },
    get remainingTurns() {
      return script.length - state.nextTurn;
    },
    handle: (request) => handleRequest(state, request),
    push(...turns) {
      script.push(...validateScript(turns, "push()"));
    },
    waitForRequests: (n, waitOptions = {}) => waitForRequests({ requests, waiters, closed: closing.signal }, n, waitOptions, labels.timeoutHint),
    assertDone() {
      const problems: string[] = [];
      const left = script.length - state.nextTurn;
      if (left > 0) problems.push(`${left} turn(s) never requested`);
      for (const r of requests.filter((x) => x.unexpected)) problems.push(`unexpected request #${r.index} ${r.method} ${r.path}: ${r.problem}`);
      if (problems.length > 0) throw new TestingError("SCRIPT_NOT_DONE", `scripted model: ${problems.join("; ")}`);
    },
    close() {
      closing.abort();
    },
    closed: closing.signal,
  };
}
