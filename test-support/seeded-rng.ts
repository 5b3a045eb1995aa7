/**
 * A small seeded random source (mulberry32) for the fuzz and differential tests: the same seed
 * gives the same cases on every machine, so a failure prints its seed and reruns exactly.
 */
export function seededRng(seed: number) {
  let a = seed >>> 0;
  const next = (): number => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  /** A whole number in [0, n). */
  const int = (n: number): number => Math.floor(next() * n);
  const pick = <T>(xs: readonly T[]): T => xs[int(xs.length)]!;
  /** True with probability p. */
  const chance = (p: number): boolean => next() < p;
  return { next, int, pick, chance };
}

export type SeededRng = ReturnType<typeof seededRng>;
