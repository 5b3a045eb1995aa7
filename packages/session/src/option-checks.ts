/**
 * Shared checks for option values and the words used in their error messages. A leaf module: it
 * imports nothing of this package, so every feature can use it without forming a circle.
 */
import { SdkError } from "@flightdeck/copilot-core";

/** Throws `SdkError("INVALID_OPTION")` for `option`; `problem` says what is wrong and the fix. */
export type Fail = (option: string, problem: string, cause?: unknown) => never;

/** A `Fail` whose messages start with `where` (`createSession`, `send`, …). */
export function optionFailure(where: string): Fail {
  return (option, problem, cause) => {
    throw new SdkError("INVALID_OPTION", `${where}: \`${option}\` ${problem}`, { cause, details: { option } });
  };
}

/** Describes a value for an error message without dumping it (it may be large or secret). */
export function describe(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "an array";
  if (typeof value === "function") return "a function";
  if (typeof value === "object") return "an object";
  if (typeof value === "string") return value.length > 60 ? `a string of ${value.length} characters` : JSON.stringify(value);
  return `${typeof value} ${String(value)}`;
}

/** The message of any thrown value. */
export function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

export function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** Checks an optional array of non-empty strings (`disabledSkills`, `tools`, …). */
export function checkStringList(value: unknown, option: string, fail: Fail): void {
  if (value === undefined) return;
  if (!Array.isArray(value)) fail(option, `must be an array of strings, got ${describe(value)}.`);
  (value as unknown[]).forEach((item, i) => {
    if (typeof item !== "string" || item === "") fail(`${option}[${i}]`, `must be a non-empty string, got ${describe(item)}.`);
  });
}

/** Checks a string-to-string map; `secret` values are never echoed (env and headers carry tokens). */
export function checkStringMap(value: unknown, option: string, fail: Fail, secret: boolean): void {
  if (value === undefined) return;
  if (!isObject(value)) fail(option, `must be an object of string values, got ${describe(value)}.`);
  for (const [key, v] of Object.entries(value as Record<string, unknown>)) {
    if (typeof v !== "string") fail(`${option}.${key}`, `must be a string, got ${secret ? `a ${v === null ? "null" : typeof v}` : describe(v)}.`);
  }
}

/** Checks an optional function option. */
export function checkFunction(value: unknown, option: string, fail: Fail): void {
  if (value !== undefined && typeof value !== "function") fail(option, `must be a function, got ${describe(value)}.`);
}

/** Checks an optional boolean option. */
export function checkBoolean(value: unknown, option: string, fail: Fail): void {
  if (value !== undefined && typeof value !== "boolean") fail(option, `must be true or false, got ${describe(value)}.`);
}

export function isAbsolutePath(path: string): boolean {
  return path.startsWith("/") || /^[A-Za-z]:[\\/]/.test(path) || path.startsWith("\\\\");
}

/** Edit distance, for did-you-mean suggestions (small strings only). */
function distance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let prev = row[0]!;
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const next = Math.min(row[j]! + 1, row[j - 1]! + 1, prev + (a[i - 1] === b[j - 1] ? 0 : 1));
      prev = row[j]!;
      row[j] = next;
    }
  }
  return row[b.length]!;
}

/**
 * The known option closest to a misspelled one, if any is close: case differences, a known
 * name that starts with it (`timeout` → `timeoutMs`), or a few letters apart.
 */
export function closestOption(key: string, known: Iterable<string>): string | undefined {
  const lower = key.toLowerCase();
  let best: { name: string; score: number } | undefined;
  for (const name of known) {
    const n = name.toLowerCase();
    const score = n === lower ? 0 : n.startsWith(lower) || lower.startsWith(n) ? 1 : distance(lower, n);
    if (score <= Math.max(2, Math.floor(key.length / 4)) && (best === undefined || score < best.score)) best = { name, score };
  }
  return best?.name;
}

/** Refuses keys of `value` not in `known`, suggesting the closest known one. */
export function refuseUnknownKeys(value: Record<string, unknown>, known: ReadonlySet<string>, fail: Fail, what: string, prefix = ""): void {
  for (const key of Object.keys(value)) {
    if (known.has(key)) continue;
    const guess = closestOption(key, known);
    fail(`${prefix}${key}`, `is not ${what}${guess ? `; did you mean \`${guess}\`?` : ` (options: ${[...known].sort().join(", ")}).`}`);
  }
}
