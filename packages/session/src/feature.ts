/**
 * The one interface every runtime feature of a session implements (tools, permissions, hooks,
 * MCP servers, …): the `SessionConfig` keys it owns, how it checks them and lowers them to the
 * `session.create` / `session.resume` params, the server→client requests it answers and the
 * events it watches. `features.ts` lists them all; nothing else routes requests or events.
 *
 * Adding a runtime callback is one new file in `features/` plus one line in `features.ts`.
 */
import { RpcError, RpcErrorCode, type RequestHandlerContext } from "@flightdeck/copilot-core";
import type { Cancellation } from "@flightdeck/copilot-core/internal";
import type { SessionEventOf, SessionEventType, SessionRequestMethod, SessionRequestParams, SessionRequestResult, SessionRpc } from "./bindings.js";
import type { Fail } from "./option-checks.js";

/**
 * How sessions get their defaults: `"copilot-cli"` (the runtime's CLI-like defaults) or `"empty"`
 * (multi-tenant servers: nothing ambient; see `features/empty-mode.ts`).
 */
export type CopilotClientMode = "copilot-cli" | "empty";

/** The wire params being built from a config (everything but `sessionId`). */
export type WireDraft = Record<string, unknown>;

/** What lowering a feature's options can see besides them. */
export interface LowerContext {
  /** Throws the `INVALID_OPTION` error for one option (message prefixed with the method). */
  readonly fail: Fail;
  /** `createSession` or `resumeSession`. */
  readonly method: "createSession" | "resumeSession";
  readonly mode: CopilotClientMode;
  /** The whole config, for the few checks that span features (empty mode). */
  readonly config: Readonly<Record<string, unknown>>;
}

/** One run of a user handler answering the runtime; see {@link FeatureContext.startRun}. */
export interface HandlerRun {
  /** Fires when the request is cancelled (answered elsewhere), the turn aborted or the session closed. Built on first read. */
  readonly signal: AbortSignal;
  /** The same cancellation without building the signal (for callees that take a `Cancellation`). */
  readonly cancellation: Cancellation;
  /** True once the signal fired: the handler's late answer is dropped. */
  readonly cancelled: boolean;
  /** Call when the handler settled. */
  end(): void;
}

/** What a feature's handlers get for one session. `O`: its options; `S`: what its `lower` returned. */
export interface FeatureContext<O, S> {
  readonly sessionId: string;
  /** The session's current options (a resume on the same client may replace them). */
  readonly options: O;
  /** What `lower` returned for the current options. */
  readonly state: S;
  readonly mode: CopilotClientMode;
  /** The session's typed RPC (`sessionId` filled in). */
  readonly rpc: SessionRpc;
  /** Sends a session request as is, `sessionId` added to `params` (a fresh object the callee may keep): the tool-call answer's path. */
  request(method: string, params: Record<string, unknown>): Promise<unknown>;
  /** True once the session is closed: answers are no longer sent. */
  readonly closed: boolean;
  /** Sends a problem to the session's `onError`. */
  report(error: unknown): void;
  /** True the first time a broadcast request key is seen (a resume may replay events). */
  firstSight(key: string): boolean;
  /**
   * Starts a handler run under `key` (e.g. `permission:<requestId>`). Its signal fires on
   * {@link cancelRun}, `session.abort()`, an `abort` event, disconnect, or when `linked` fires.
   */
  startRun(key: string, linked?: AbortSignal): HandlerRun;
  /** Cancels the run under `key`, if any (the runtime says the request was settled elsewhere). */
  cancelRun(key: string, reason: unknown): void;
}

/** Answers one server→client request for a session. Throwing sends an error reply (and reports non-RPC errors). */
export type FeatureRequestHandler<O, S, M extends SessionRequestMethod> = (
  ctx: FeatureContext<O, S>,
  params: SessionRequestParams<M>,
  request: RequestHandlerContext,
) => SessionRequestResult<M> | Promise<SessionRequestResult<M>>;

/**
 * Watches one event type of a session. Runs synchronously on the dispatch path, before the
 * session's own handlers get the event: start async work, do not await. Work that must come after
 * them (running a user handler that answers the event) goes in the function it returns, which runs
 * right after the session's handlers, in the same turn.
 */
export type FeatureEventHandler<O, S, T extends SessionEventType> = (ctx: FeatureContext<O, S>, event: SessionEventOf<T>) => void | (() => void);

/** A runtime feature of a session. */
export interface SessionFeature<O extends object = object, S = undefined> {
  /** Names the feature in error messages (usually its main option, e.g. `onUserInputRequest`). */
  readonly name: string;
  /** The `SessionConfig` keys this feature owns; `features.ts` checks that together they cover the config. */
  readonly keys: readonly (keyof O & string)[];
  /** Checks this feature's options and writes their wire form into `wire`; returns the run-time state. */
  lower?(options: O, wire: WireDraft, ctx: LowerContext): S;
  /** Server→client requests this feature answers, by wire name (registered through the generated `register…Handlers`). */
  readonly requests?: { readonly [M in SessionRequestMethod]?: FeatureRequestHandler<O, S, M> };
  /** Events this feature watches, by type. */
  readonly events?: { readonly [T in SessionEventType]?: FeatureEventHandler<O, S, T> };
  /**
   * Steps after `session.create` / `session.resume` answered, before the session is handed out.
   * Returns `undefined` when this session has nothing to do (most sessions: no promise is made).
   */
  afterOpen?(ctx: FeatureContext<O, S>): Promise<void> | undefined;
}

/** The options of `O` that the feature's `keys` do not list. */
type MissingKeys<O, K extends readonly PropertyKey[]> = Exclude<keyof O, K[number]>;

/**
 * Gives a feature object its types, and checks at compile time that its `keys` list every option
 * of `O` (so `SessionConfig`, the intersection of the features' options, has no key that no
 * feature lowers). Curried so `O` is given and the keys are inferred:
 * `defineFeature<UserInputOptions>()({ name, keys: ["onUserInputRequest"], … })`.
 */
export function defineFeature<O extends object, S = undefined>() {
  return <const K extends readonly (keyof O & string)[]>(
    feature: SessionFeature<O, S> & { readonly keys: K } & ([MissingKeys<O, K>] extends [never]
        ? unknown
        : { readonly keys: { missingFromKeys: MissingKeys<O, K> } }),
  ): SessionFeature<O, S> => feature;
}

/** The error reply when a session has no handler for a request the runtime sent anyway. */
export function noHandler(sessionId: string, option: string, method: string): RpcError {
  return new RpcError(RpcErrorCode.MethodNotFound, `Session ${sessionId} has no ${option} configured on this client, so it cannot answer ${method}.`);
}

/**
 * Runs a user handler for an event-borne request (tool call, permission, elicitation, …) and
 * sends its answer, unless the session closed or the run was cancelled meanwhile (a late answer
 * is dropped). Failures of the send are reported while the session is open.
 */
export function answerInBackground<O, S, T>(
  ctx: FeatureContext<O, S>,
  key: string,
  decide: (signal: AbortSignal) => Promise<T>,
  send: (answer: T) => Promise<unknown>,
): void {
  answerRunInBackground(ctx, key, (run) => decide(run.signal), send);
}

/**
 * {@link answerInBackground} for a `decide` that takes the run itself (and may never build its
 * signal). A `decide` that answers without a promise (a tool handler that returned a plain value)
 * is answered in the same turn, with no promise step between the answer and its send.
 */
export function answerRunInBackground<O, S, T>(
  ctx: FeatureContext<O, S>,
  key: string,
  decide: (run: HandlerRun) => T | Promise<T>,
  send: (answer: T) => Promise<unknown>,
): void {
  const run = ctx.startRun(key);
  let answer: T | Promise<T>;
  try {
    answer = decide(run);
  } catch (error) {
    runFailed(ctx, run, error);
    return;
  }
  if (answer instanceof Promise) {
    answer
      .then((value) => {
        run.end();
        return ctx.closed || run.cancelled ? undefined : send(value);
      })
      .then(undefined, (error: unknown) => runFailed(ctx, run, error));
    return;
  }
  run.end();
  if (ctx.closed || run.cancelled) return;
  let sent: Promise<unknown>;
  try {
    sent = send(answer);
  } catch (error) {
    runFailed(ctx, run, error);
    return;
  }
  sent.then(undefined, (error: unknown) => runFailed(ctx, run, error));
}

/** A run's decision or send failed: reported while the session is open and the run was not cancelled. */
function runFailed<O, S>(ctx: FeatureContext<O, S>, run: HandlerRun, error: unknown): void {
  run.end();
  if (!ctx.closed && !run.cancelled) ctx.report(error);
}
