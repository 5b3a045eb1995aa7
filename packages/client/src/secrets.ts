/**
 * Which values the client was given are credentials, so core's redaction masks them by value
 * (not only by key name) in the debug log, error messages, error details and causes:
 * the GitHub token, TCP connection tokens, secret-named `env` entries, and in session configs the
 * provider keys and bearer tokens, the value of every provider header and of every MCP server
 * header and environment entry (wherever they are nested: providers, custom agents, …).
 */
import { isSecretKey } from "@flightdeck/copilot-core";

// Maps whose every value is a credential or may hold one.
const ALL_VALUES_SECRET = new Set(["headers", "env", "requestheaders", "httpheaders"]);
// Environment variable names that hold credentials in a client's `env`.
const SECRET_ENV_NAME = /(TOKEN|SECRET|PASSWORD|PASSWD|API_?KEY|AUTH|CREDENTIAL|PRIVATE_?KEY|_KEY$)/i;

function collect(value: unknown, out: string[], depth: number, allSecret: boolean): void {
  if (depth > 12 || value === null || value === undefined) return;
  if (typeof value === "string") {
    if (allSecret) out.push(value);
    return;
  }
  if (typeof value !== "object" || typeof value === "function") return;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) collect(value[i], out, depth + 1, allSecret);
    return;
  }
  // Runs on every createSession/resumeSession over the whole config (tools and their schemas
  // included): indexed and without entry pairs, so it leaves little garbage behind.
  const record = value as Record<string, unknown>;
  const keys = Object.keys(record);
  for (let i = 0; i < keys.length; i++) {
    const key = keys[i]!;
    const item = record[key];
    if (typeof item === "function" || item === null || item === undefined) continue;
    if (typeof item !== "object" && typeof item !== "string") continue;
    collect(item, out, depth + 1, allSecret || isSecretKey(key) || ALL_VALUES_SECRET.has(key.toLowerCase()));
  }
}

/** Credential values in a session config (provider, providers, MCP servers, agents, …). */
export function configSecrets(config: unknown): string[] {
  const out: string[] = [];
  collect(config, out, 0, false);
  return out;
}

/** Credential values in the client's options: tokens, secret-named env entries, the connection's env. */
export function clientSecrets(options: {
  gitHubToken?: unknown;
  env?: Record<string, string | undefined>;
  connection?: { kind?: string; connectionToken?: string; env?: Readonly<Record<string, string | undefined>> };
}): string[] {
  const out: string[] = [];
  if (typeof options.gitHubToken === "string") out.push(options.gitHubToken);
  if (typeof options.connection?.connectionToken === "string") out.push(options.connection.connectionToken);
  for (const env of [options.env, options.connection?.env]) {
    if (typeof env !== "object" || env === null) continue;
    for (const [name, value] of Object.entries(env)) if (typeof value === "string" && SECRET_ENV_NAME.test(name)) out.push(value);
  }
  return out;
}
