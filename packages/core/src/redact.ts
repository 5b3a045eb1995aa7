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
  [
    /\b((?:Proxy-)?Authorization"?\s*[:=]\s*"?(?!(?:(?:Bearer|Basic|Digest|Token|Negotiate)\s+)?\[REDACTED\])(?:(?:Bearer|Basic|Digest|Token|Negotiate)\s+)?)[^\s",;}]+/gi,
    `$1${REDACTED}`,
  ],
  [/\b(sk-)[A-Za-z0-9_-]{16,}/g, `$1${REDACTED}`],
  // `apikey=…`, `api_key: …`, `"password":"…"`, `client_secret=…` in log lines and messages.
  [
    /\b((?:x-)?api[-_]?key|access[-_]?token|refresh[-_]?token|auth[-_]?token|client[-_]?secret|secret|password|passwd)("?\s*[:=]\s*"?)(?!\[REDACTED\])[^\s"&,;}]+/gi,
    `$1$2${REDACTED}`,
  ],
  // Credentials inside URLs: scheme://user:password@host
  [/\b([a-z][a-z0-9+.-]*:\/\/[^\s:/@]*:)[^\s@/]+@/gi, `$1${REDACTED}@`],
];

// Matches wherever one of SECRET_PATTERNS could (a literal part of each, case ignored): text
// without a match is left as it is.
const MAY_HOLD_SECRET = /gh[pousr]_|github_pat_|bearer|authorization|sk-|api[-_]?key|token|secret|passw|:\/\//i;

// Values registered as secrets (provider keys, header values, MCP env values, tokens), masked
// wherever they appear. Shared across duplicate copies of this module, like the error brand.
const REGISTRY_KEY = Symbol.for("@flightdeck/copilot-core:secret-values");
const MIN_SECRET_LENGTH = 6;

function secretValues(): Set<string> {
  const holder = globalThis as unknown as Record<symbol, Set<string> | undefined>;
  return (holder[REGISTRY_KEY] ??= new Set<string>());
}

/**
 * Registers credential values (API keys, header values, tokens, MCP env values) so that
 * `redactString`, `redact`, every Flightdeck error and the debug log mask them by value, wherever
 * they appear. Values shorter than 6 characters are ignored (they would mask ordinary text).
 * The SDK registers what it is given; call this for secrets it cannot know about.
 */
export function registerSecretValues(values: Iterable<unknown>): void {
  const set = secretValues();
  for (const value of values) {
    if (typeof value !== "string") continue;
    const trimmed = value.trim();
    if (trimmed.length < MIN_SECRET_LENGTH || set.has(trimmed)) continue;
    set.add(trimmed);
    // A URL's password is masked on its own too (it may appear without the rest of the URL).
    const password = /^[a-z][a-z0-9+.-]*:\/\/[^\s:/@]*:([^\s@/]+)@/i.exec(trimmed)?.[1];
    if (password !== undefined && password.length >= MIN_SECRET_LENGTH) set.add(password);
  }
  sortedSecrets = undefined;
}

let sortedSecrets: string[] | undefined;

function maskRegistered(text: string): string {
  const set = secretValues();
  if (set.size === 0) return text;
  // Longest first, so a value that contains another is masked whole.
  sortedSecrets ??= [...set].sort((a, b) => b.length - a.length);
  let out = text;
  for (const secret of sortedSecrets) if (out.includes(secret)) out = out.split(secret).join(REDACTED);
  return out;
}

/** True when a property with this name holds a credential (`token`, `apiKey`, `authorization`, `gitHubToken`, …). */
export function isSecretKey(key: string): boolean {
  const k = key.toLowerCase().replace(/[-_]/g, "");
  // `...Token` names are secrets; `...Tokens`/`tokenLimit` are LLM usage counts and stay.
  return (
    SECRET_KEYS.has(k) ||
    k.endsWith("token") ||
    k.endsWith("apikey") ||
    k.endsWith("secret") ||
    k.endsWith("subscriptionkey") ||
    k.endsWith("password") ||
    k.endsWith("credentials") ||
    // `X-Custom-Auth`, `proxy_auth`: a header or variable named for authentication
    /[-_]auth$/i.test(key)
  );
}

/**
 * Masks registered secret values (see {@link registerSecretValues}) and credential shapes in a
 * string: `ghp_…`, `gho_…`, `github_pat_…`, `Bearer …`, `Authorization: …`, `sk-…`,
 * `apikey=…`, `password: …`, and the password of a `scheme://user:password@host` URL.
 */
export function redactString(text: string): string {
  let out = maskRegistered(text);
  // Most text (every error message) has none of the shapes: one scan instead of seven.
  if (!MAY_HOLD_SECRET.test(out)) return out;
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
  return redactValue(value, []) as T;
}

/** `path`: the objects from the root down to `value` (a cycle leads back into it). Short, so a list beats a WeakSet. */
function redactValue(value: unknown, path: object[]): unknown {
  if (typeof value === "string") return redactString(value);
  if (value === null || typeof value !== "object") return value;
  if (path.includes(value)) return "[Circular]";
  path.push(value);
  try {
    if (Array.isArray(value)) return value.map((item) => redactValue(item, path));
    if (value instanceof Error) {
      const copy = new Error(redactString(value.message));
      copy.name = value.name;
      return copy;
    }
    if (ArrayBuffer.isView(value)) return value;
    const out: Record<string, unknown> = {};
    for (const [key, item] of Object.entries(value)) {
      out[key] = isSecretKey(key) && item !== null && (typeof item === "string" || typeof item === "object") ? REDACTED : redactValue(item, path);
    }
    return out;
  } finally {
    path.pop();
  }
}
