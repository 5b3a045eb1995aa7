/**
 * Masks secrets before anything reaches a log, an error message or error data.
 * Used by the error classes and by debug frame logging.
 */

/** What a masked value is replaced with. */
export const REDACTED = "[REDACTED]";

// Keys whose values are credentials, compared lower-cased with `_`/`-` removed.
const SECRET_KEYS = new Set([
  "token",
  "apikey",
  "xapikey",
  "authorization",
  "proxyauthorization",
  "bearertoken",
  "githubtoken",
  "ghtoken",
  "connectiontoken",
  "accesstoken",
  "refreshtoken",
  "idtoken",
  "authtoken",
  "password",
  "passwd",
  "secret",
  "clientsecret",
  "cookie",
  "setcookie",
  "privatekey",
]);

// Token shapes worth masking wherever they appear inside a string.
const SECRET_PATTERNS: ReadonlyArray<[RegExp, string]> = [
  [/\b(gh[pousr]_)[A-Za-z0-9]{8,}/g, `$1${REDACTED}`],
  [/\b(github_pat_)[A-Za-z0-9_]{8,}/g, `$1${REDACTED}`],
  [/\b(Bearer)(\s+)[A-Za-z0-9\-._~+/]{8,}=*/gi, `$1$2${REDACTED}`],
  [/\b(sk-)[A-Za-z0-9_-]{16,}/g, `$1${REDACTED}`],
];

/** True when a property with this name holds a credential (`token`, `apiKey`, `authorization`, `gitHubToken`, …). */
export function isSecretKey(key: string): boolean {
  const k = key.toLowerCase().replace(/[-_]/g, "");
  // `...Token` names are secrets; `...Tokens`/`tokenLimit` are LLM usage counts and stay.
  return SECRET_KEYS.has(k) || k.endsWith("token") || k.endsWith("apikey") || k.endsWith("secret");
}

/** Masks token-shaped substrings (`ghp_…`, `gho_…`, `github_pat_…`, `Bearer …`, `sk-…`) in a string. */
export function redactString(text: string): string {
  let out = text;
  for (const [pattern, replacement] of SECRET_PATTERNS) out = out.replace(pattern, replacement);
  return out;
}

/**
 * Returns a deep copy of `value` with credentials masked: values of secret-named keys
 * (see {@link isSecretKey}) become `"[REDACTED]"` and token-shaped substrings in every string are
 * masked. Numbers, booleans and `null` under secret keys are kept (they cannot be credentials).
 * Cycles are preserved as `"[Circular]"`. The input is never modified.
 *
 * @example
 * redact({ provider: { apiKey: "sk-live-123…" }, note: "Bearer abcdefgh1234" })
 * // → { provider: { apiKey: "[REDACTED]" }, note: "Bearer [REDACTED]" }
 */
export function redact<T>(value: T): T {
  return redactValue(value, new WeakSet()) as T;
}

function redactValue(value: unknown, seen: WeakSet<object>): unknown {
  if (typeof value === "string") return redactString(value);
  if (value === null || typeof value !== "object") return value;
  if (seen.has(value)) return "[Circular]";
  seen.add(value);
  try {
    if (Array.isArray(value)) return value.map((item) => redactValue(item, seen));
    if (value instanceof Error) {
      const copy = new Error(redactString(value.message));
      copy.name = value.name;
      return copy;
    }
    if (ArrayBuffer.isView(value)) return value;
    const out: Record<string, unknown> = {};
    for (const [key, item] of Object.entries(value)) {
      out[key] = isSecretKey(key) && item !== null && (typeof item === "string" || typeof item === "object") ? REDACTED : redactValue(item, seen);
    }
    return out;
  } finally {
    seen.delete(value);
  }
}
