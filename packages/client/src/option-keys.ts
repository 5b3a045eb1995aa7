/**
 * Refuses option keys nobody reads: a misspelled or foreign key throws `INVALID_OPTION` with the
 * closest known key (did-you-mean), instead of being silently ignored. A leaf module.
 */
import { SdkError } from "@flightdeck/copilot-core";

function editDistance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let diagonal = row[0]!;
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const above = row[j]!;
      row[j] = Math.min(row[j]! + 1, row[j - 1]! + 1, diagonal + (a[i - 1] === b[j - 1] ? 0 : 1));
      diagonal = above;
    }
  }
  return row[b.length]!;
}

/** The known key closest to `key` (case-insensitive), if it is close enough to be a typo. */
export function closestKey(key: string, known: readonly string[]): string | undefined {
  const lower = key.toLowerCase();
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const candidate of known) {
    const c = candidate.toLowerCase();
    const distance = c === lower ? 0 : c.includes(lower) || lower.includes(c) ? Math.abs(c.length - lower.length) / 2 + 0.5 : editDistance(lower, c);
    if (distance < bestDistance) {
      bestDistance = distance;
      best = candidate;
    }
  }
  return best !== undefined && bestDistance <= Math.max(2, Math.floor(key.length / 3)) ? best : undefined;
}

/**
 * Throws `SdkError("INVALID_OPTION")` for the first own key of `value` that is not in `known`.
 * `where` names the options object in the message (`CopilotClient options`); `hints` maps keys
 * with a known replacement (e.g. an older SDK's `cliPath`) to the advice to give.
 */
export function checkKnownKeys(where: string, value: object, known: readonly string[], hints: Readonly<Record<string, string>> = {}): void {
  for (const key of Object.keys(value)) {
    if (known.includes(key)) continue;
    const hint = Object.hasOwn(hints, key) ? hints[key] : undefined;
    const suggestion = hint ?? (closestKey(key, known) !== undefined ? `Did you mean "${closestKey(key, known)}"?` : `Known options: ${known.join(", ")}.`);
    throw new SdkError("INVALID_OPTION", `${where}: unknown option "${key}". ${suggestion}`, { details: { option: key } });
  }
}
