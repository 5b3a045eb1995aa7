/**
 * `createScriptedRequestHandler`: the scripted model without a server. Plug its `handler` into
 * `CopilotClient({ requestHandler })` and the runtime's model requests come to it over the
 * JSON-RPC connection; nothing listens on any port. Same core (script, wire output, request log)
 * as `startScriptedModel`: this file only adapts `InterceptedRequest` to it.
 */
import type { InterceptedRequest, ModelRequestHandler } from "@flightdeck/copilot-sdk";
import type { WireApi } from "./model-request.js";
import type { ScriptedTurn } from "./script.js";
import {
  checkCoreOptions,
  createScriptedModelCore,
  providerConfig,
  type RecordedRequest,
  type ScriptedModelState,
  type ScriptedProviderConfig,
} from "./scripted-model-core.js";

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
export interface ScriptedRequestHandler extends ScriptedModelState {
  /** Give it to `new CopilotClient({ requestHandler: model.handler })`. */
  readonly handler: ModelRequestHandler;
  /**
   * A BYOK provider config whose `baseUrl` is on an unroutable host (`scripted-model.invalid`,
   * RFC 2606): if a request ever bypassed the handler, it would fail instead of reaching anything.
   */
  provider(options?: { wireApi?: WireApi; apiKey?: string }): ScriptedProviderConfig;
  /** Resolves with the first `n` model calls once they have arrived. */
  waitForRequests(n: number, options?: { timeoutMs?: number }): Promise<RecordedRequest[]>;
}

/** The host of {@link ScriptedRequestHandler.provider}'s baseUrl. */
export const SCRIPTED_MODEL_UNROUTABLE_BASE_URL = "http://scripted-model.invalid/v1";

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
  checkCoreOptions(options, "createScriptedRequestHandler");
  const core = createScriptedModelCore(options, {
    entry: "createScriptedRequestHandler",
    timeoutHint: "is it the client's requestHandler, and the session's provider model.provider()?",
  });

  const handler: ModelRequestHandler = (request: InterceptedRequest) =>
    core.handle({
      method: request.method,
      path: new URL(request.url).pathname,
      headers: request.headers,
      body: { bytes: request.body.length, text: () => request.text() },
      signal: request.signal,
    });

  return {
    handler,
    requests: core.requests,
    get unexpectedRequests() {
      return core.unexpectedRequests;
    },
    get remainingTurns() {
      return core.remainingTurns;
    },
    provider: (providerOptions) => providerConfig(SCRIPTED_MODEL_UNROUTABLE_BASE_URL, "test-key", providerOptions),
    push: (...turns) => core.push(...turns),
    waitForRequests: (n, waitOptions = {}) => core.waitForRequests(n, { timeoutMs: waitOptions.timeoutMs }),
    assertDone: () => core.assertDone(),
  };
}
