/**
 * Refuses option keys a function does not understand, with a did-you-mean: a misspelled
 * `timeoutMs` must fail the test, not silently mean the default. A leaf module (imports only the
 * error type).
 */
import { TestingError } from "./errors.js";

function distance(a: string, b: string): number {
  const x = a.toLowerCase();
  const y = b.toLowerCase();
  let prev = Array.from({ length: y.length + 1 }, (_, j) => j);
  for (let i = 1; i <= x.length; i++) {
    const row = [i];
    for (let j = 1; j <= y.length; j++) {
      row[j] = Math.min(prev[j]! + 1, row[j - 1]! + 1, prev[j - 1]! + (x[i - 1] === y[j - 1] ? 0 : 1));
    }
    prev = row;
  }
  return prev[y.length]!;
}

/** The known key closest to `key`, if it is close enough to be a typo (or a prefix/suffix of it, like `timeout` → `timeoutMs`). */
export function didYouMean(key: string, known: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestScore = Number.POSITIVE_INFINITY;
  for (const candidate of known) {
    const lower = candidate.toLowerCase();
    const k = key.toLowerCase();
    const score = lower.startsWith(k) || k.startsWith(lower) ? 0.5 : distance(key, candidate);
    if (score < bestScore) {
      best = candidate;
      bestScore = score;
    }
  }
  return best !== undefined && bestScore <= Math.max(2, Math.floor(key.length / 3)) ? best : undefined;
}

/**
 * Throws `TestingError("INVALID_OPTION")` for the first key of `options` not in `known`, naming
 * where (`createTestClient: options.model`), the closest known key and the full list.
 */
export function refuseUnknownKeys(options: object | undefined, known: readonly string[], where: string): void {
  if (options === undefined || options === null || typeof options !== "object") return;
  for (const key of Object.keys(options)) {
    if (known.includes(key)) continue;
    const guess = didYouMean(key, known);
    throw new TestingError(
      "INVALID_OPTION",
      `${where}: unknown option \`${key}\`.${guess !== undefined ? ` Did you mean \`${guess}\`?` : ""} Known options: ${known.join(", ")}.`,
    );
  }
}
