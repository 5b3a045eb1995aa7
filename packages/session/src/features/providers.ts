/**
 * BYOK model providers: one `provider` for the whole session, or several named `providers` with
 * their `models`, and bearer tokens fetched per model request (`providerToken.getToken`): a provider with `bearerTokenProvider` is sent as `hasBearerTokenProvider: true`
 * and the runtime asks `providerToken.getToken` before each request. Tokens go to the runtime
 * only: never into an error message, a log line or `details`.
 */
import { RpcError, RpcErrorCode, SdkError } from "@flightdeck/copilot-core";
import type { ProviderModelConfig, WireNamedProviderConfig, WireProviderConfig } from "../bindings.js";
import { defineFeature } from "../feature.js";
import { describe, errorMessage, isObject, type Fail } from "../option-checks.js";

/** Gets a bearer token for one model request; the runtime does no caching, so cache in here if fetching is slow. */
export type BearerTokenProvider = (context: { sessionId: string; providerName: string }) => string | Promise<string>;

/**
 * A named BYOK provider for `providers`. Its models are listed in `models` and selected as
 * `<provider name>/<model id>` (in `model` or `session.setModel`).
 */
export type NamedProviderConfig = Omit<WireNamedProviderConfig, "hasBearerTokenProvider"> & {
  /** Called before every request to this provider; its token is sent as `Authorization: Bearer <token>` (it wins over `apiKey` / `bearerToken`). */
  bearerTokenProvider?: BearerTokenProvider;
};

/** A model served by one of `providers`. */
export type { ProviderModelConfig };

/**
 * BYOK provider: the session talks to this endpoint instead of the Copilot API. With
 * `bearerTokenProvider`, a fresh token is fetched before every model request.
 */
export type ProviderConfig = Omit<WireProviderConfig, "hasBearerTokenProvider"> & { bearerTokenProvider?: BearerTokenProvider };

export interface ProviderOptions {
  /** BYOK provider (`openai` | `azure` | `anthropic`); `baseUrl` is required, and so is `model`. */
  provider?: ProviderConfig;
  /**
   * Named BYOK providers, used alongside (not instead of) Copilot API auth; cannot be combined
   * with `provider`. Each may fetch a bearer token per request with `bearerTokenProvider`.
   */
  providers?: NamedProviderConfig[];
  /** BYOK models served by `providers`, selected as `<provider>/<id>` (in `model` or `setModel`). */
  models?: ProviderModelConfig[];
}

export const providersFeature = defineFeature<ProviderOptions>()({
  name: "provider",
  keys: ["provider", "providers", "models"],
  lower(options, wire, { fail, config, method }) {
    if (options.providers !== undefined) {
      if (options.provider !== undefined) {
        fail(
          "providers",
          "cannot be combined with `provider` (the runtime rejects both): move the single provider into `providers` with a name, and its model into `models`.",
        );
      }
      wire.providers = providersToWire(options.providers, fail);
    }
    if (options.provider !== undefined) {
      if (!isObject(options.provider))
        fail("provider", `must be an object like { type: "openai", baseUrl: "https://…/v1", apiKey }, got ${describe(options.provider)}.`);
      wire.provider = checkProvider(options.provider as unknown as Record<string, unknown>, "provider", fail);
      // The runtime otherwise falls back to a Copilot model name the provider does not serve.
      if (config.model === undefined && method === "createSession")
        fail("model", 'is required with a BYOK `provider`: name the model the provider serves (e.g. "gpt-4.1" or your deployment name).');
      if (config.gitHubToken !== undefined)
        fail(
          "gitHubToken",
          "cannot be combined with a BYOK `provider` (the runtime refuses both): drop `gitHubToken`, or use `providers` + `models` beside Copilot auth.",
        );
    }
    if (options.models !== undefined)
      wire.models = modelsToWire(
        options.models,
        ((wire.providers as Array<{ name: string }> | undefined) ?? []).map((p) => p.name),
        fail,
      );
    return undefined;
  },
  requests: {
    "providerToken.getToken": (ctx, params) =>
      answerProviderToken(ctx.sessionId, ctx.options, params as unknown as Record<string, unknown>, (error) => ctx.report(error)),
  },
});

const PROVIDER_TYPES = ["openai", "azure", "anthropic"];
const WIRE_APIS = ["completions", "responses"];

/**
 * Checks one provider object (shared by `provider` and `providers[i]`) and returns its wire form:
 * a `bearerTokenProvider` function becomes `hasBearerTokenProvider: true`.
 */
function checkProvider(value: Record<string, unknown>, option: string, fail: Fail): Record<string, unknown> {
  if (value.baseUrl === undefined || value.baseUrl === "") {
    fail(`${option}.baseUrl`, 'is required: the endpoint of the provider\'s API, e.g. "https://api.openai.com/v1" or "http://127.0.0.1:11434/v1".');
  }
  if (typeof value.baseUrl !== "string" || !URL.canParse(value.baseUrl))
    fail(`${option}.baseUrl`, `must be an absolute URL such as "https://api.openai.com/v1", got ${describe(value.baseUrl)}.`);
  if (value.type !== undefined && (typeof value.type !== "string" || !PROVIDER_TYPES.includes(value.type)))
    fail(`${option}.type`, `must be "openai", "azure" or "anthropic", got ${describe(value.type)}.`);
  if (value.wireApi !== undefined && (typeof value.wireApi !== "string" || !WIRE_APIS.includes(value.wireApi)))
    fail(`${option}.wireApi`, `must be "completions" or "responses", got ${describe(value.wireApi)}.`);
  // Secrets: say what is wrong without echoing the value.
  for (const key of ["apiKey", "bearerToken"]) {
    if (value[key] !== undefined && typeof value[key] !== "string")
      fail(`${option}.${key}`, `must be a string (got a ${value[key] === null ? "null" : typeof value[key]}).`);
  }
  if ("hasBearerTokenProvider" in value)
    fail(`${option}.hasBearerTokenProvider`, "is set by this SDK; pass `bearerTokenProvider: ({ providerName }) => token` instead.");
  if (value.bearerTokenProvider !== undefined && typeof value.bearerTokenProvider !== "function") {
    fail(`${option}.bearerTokenProvider`, `must be a function ({ sessionId, providerName }) => token, got ${describe(value.bearerTokenProvider)}.`);
  }
  const out: Record<string, unknown> = {};
  for (const [key, v] of Object.entries(value)) if (v !== undefined && key !== "bearerTokenProvider") out[key] = v;
  if (value.bearerTokenProvider !== undefined) out.hasBearerTokenProvider = true;
  return out;
}

/** Checks `providers` and returns the wire value. */
function providersToWire(value: unknown, fail: Fail): WireNamedProviderConfig[] {
  if (!Array.isArray(value))
    return fail("providers", `must be an array like [{ name: "local", baseUrl: "http://127.0.0.1:11434/v1" }], got ${describe(value)}.`);
  const seen = new Set<string>();
  return value.map((provider: unknown, i) => {
    if (typeof provider !== "object" || provider === null || Array.isArray(provider))
      return fail(`providers[${i}]`, `must be a provider like { name, baseUrl, type? }, got ${describe(provider)}.`);
    const p = provider as Record<string, unknown>;
    if (typeof p.name !== "string" || !/^[A-Za-z0-9][A-Za-z0-9._-]*$/.test(p.name)) {
      fail(`providers[${i}].name`, `must be a name of letters, digits, ".", "_" or "-" (models are selected as "<name>/<model id>"), got ${describe(p.name)}.`);
    }
    if (seen.has(p.name as string)) fail(`providers[${i}].name`, `"${p.name as string}" is used by two providers; names must be unique.`);
    seen.add(p.name as string);
    return checkProvider(p, `providers.${p.name as string}`, fail) as unknown as WireNamedProviderConfig;
  });
}

/** Checks `models` against the provider names; an unknown provider fails naming it. */
function modelsToWire(value: unknown, providerNames: readonly string[], fail: Fail): ProviderModelConfig[] {
  if (!Array.isArray(value)) return fail("models", `must be an array like [{ id: "llama3", provider: "local" }], got ${describe(value)}.`);
  return value.map((model: unknown, i) => {
    if (typeof model !== "object" || model === null || Array.isArray(model))
      return fail(`models[${i}]`, `must be a model like { id, provider }, got ${describe(model)}.`);
    const m = model as Record<string, unknown>;
    if (typeof m.id !== "string" || m.id.trim() === "") fail(`models[${i}].id`, `must be the provider's model id, got ${describe(m.id)}.`);
    if (typeof m.provider !== "string" || !providerNames.includes(m.provider)) {
      fail(
        `models[${i}].provider`,
        providerNames.length === 0
          ? `names the provider ${describe(m.provider)}, but \`providers\` is empty; add it there.`
          : `names the provider ${describe(m.provider)}, which is not in \`providers\` (${providerNames.map((n) => `"${n}"`).join(", ")}).`,
      );
    }
    return { ...m } as unknown as ProviderModelConfig;
  });
}

/**
 * Answers `providerToken.getToken`: calls the provider's `bearerTokenProvider`. A failure is
 * reported (without the token) and answered with an error the runtime turns into a failed model
 * request, so nothing hangs.
 */
async function answerProviderToken(
  sessionId: string,
  providers: { provider?: { bearerTokenProvider?: BearerTokenProvider }; providers?: readonly NamedProviderConfig[] },
  params: Record<string, unknown>,
  report: (error: unknown) => void,
): Promise<{ token: string }> {
  const providerName = typeof params.providerName === "string" ? params.providerName : "";
  const named = providers.providers?.find((p) => p.name === providerName);
  // The whole-session `provider` has no name of its own: the runtime passes an implicit one.
  const fetcher = named ? named.bearerTokenProvider : (providers.provider?.bearerTokenProvider ?? undefined);
  if (!fetcher) {
    throw new RpcError(RpcErrorCode.MethodNotFound, `Session ${sessionId} has no bearerTokenProvider for provider "${providerName}" on this client.`);
  }
  let token: unknown;
  try {
    token = await fetcher({ sessionId, providerName });
  } catch (error) {
    const message = `The bearerTokenProvider of provider "${providerName}" (session ${sessionId}) threw: ${errorMessage(error)}. The model request fails.`;
    report(new SdkError("HANDLER_FAILED", message, { cause: error, details: { sessionId, providerName } }));
    throw new RpcError(RpcErrorCode.InternalError, message);
  }
  if (typeof token !== "string" || token === "") {
    const message = `The bearerTokenProvider of provider "${providerName}" (session ${sessionId}) returned ${token === "" ? "an empty string" : `a ${token === null ? "null" : typeof token}`} instead of a token string. The model request fails.`;
    report(new SdkError("HANDLER_FAILED", message, { details: { sessionId, providerName } }));
    throw new RpcError(RpcErrorCode.InternalError, message);
  }
  return { token };
}
