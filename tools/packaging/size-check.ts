/** Size budgets: what each published package may weigh, packed, unpacked and bundled. */

export interface EntrySize {
  /** The entry bundled with its dependencies and minified (esbuild), in bytes. */
  readonly minified: number;
  /** The same, gzipped at level 9. */
  readonly gzip: number;
}

export interface SizeMeasurement {
  readonly name: string;
  /** The `.tgz` as published. */
  readonly tarball: number;
  /** The sum of the files in the tarball. */
  readonly unpacked: number;
  /** Per `exports` subpath (`.`, `./validators`, …). */
  readonly entries: Record<string, EntrySize>;
}

export interface SizeBudget {
  readonly tarball: number;
  readonly unpacked: number;
  /** Budgets for the gzipped bundle of each subpath. */
  readonly gzip?: Record<string, number>;
}

/**
 * `{ "<package name>": budget }`, in bytes. The session, client, sdk and testing bundles include
 * core's validators: the session loads them lazily, but a bundler inlines them.
 * `installed:<name>` budgets what `npm install <name>` puts on disk (its `unpacked`).
 */
export type SizeBudgets = Record<string, SizeBudget>;

/** Every measurement over its budget, and every package or entry without one, as messages. */
export function checkSizes(measured: readonly SizeMeasurement[], budgets: SizeBudgets): string[] {
  const problems: string[] = [];
  const over = (what: string, actual: number, budget: number) =>
    problems.push(
      `${what} is ${actual} bytes, over its budget of ${budget} (${((actual / budget - 1) * 100).toFixed(1)}% over). Shrink it, or raise the budget in tools/packaging/size-budgets.json with a reason.`,
    );
  for (const m of measured) {
    const budget = budgets[m.name];
    if (!budget) {
      problems.push(`${m.name} has no size budget: add one to tools/packaging/size-budgets.json`);
      continue;
    }
    if (m.tarball > budget.tarball) over(`${m.name} tarball`, m.tarball, budget.tarball);
    if (m.unpacked > budget.unpacked) over(`${m.name} unpacked`, m.unpacked, budget.unpacked);
    for (const [subpath, size] of Object.entries(m.entries)) {
      const limit = budget.gzip?.[subpath];
      if (limit === undefined) problems.push(`${m.name} entry "${subpath}" has no gzip budget: add one to tools/packaging/size-budgets.json`);
      else if (size.gzip > limit) over(`${m.name} entry "${subpath}" (bundled, gzipped)`, size.gzip, limit);
    }
  }
  return problems;
}
