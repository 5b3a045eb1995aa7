/**
 * Vitest global setup: tests leave no temp folders behind. The run gets a temp folder of its own
 * (TMPDIR, read by `os.tmpdir()` in the workers, which inherit this environment); at the end
 * anything left in it fails the run, listed by name, then is removed. A folder of its own, not a
 * before/after diff of the shared temp dir, so other programs writing there at the same time
 * cannot make the check flaky.
 */
import { mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

// Caches that tools keep in the temp dir on purpose and manage themselves (tsx: `tsx-<uid>`).
const CACHES = /^tsx-\d+$/;

/** What is left in `dir`, by name, sorted (known tool caches aside). */
export function leftovers(dir: string): string[] {
  try {
    return readdirSync(dir)
      .filter((name) => !CACHES.test(name))
      .sort();
  } catch {
    return [];
  }
}

export default function setup(): () => void {
  const previous = process.env.TMPDIR;
  // The CLI's unpacked executable (~235 MB) stays cached across runs, outside the run's folder.
  process.env.FLIGHTDECK_PKG_CACHE_DIR ??= join(tmpdir(), "flightdeck-copilot-pkg-cache");
  const dir = mkdtempSync(join(tmpdir(), "flightdeck-test-run-"));
  process.env.TMPDIR = dir;
  return () => {
    if (previous === undefined) delete process.env.TMPDIR;
    else process.env.TMPDIR = previous;
    const left = leftovers(dir);
    rmSync(dir, { recursive: true, force: true, maxRetries: 5, retryDelay: 100 });
    if (left.length > 0) {
      // Vitest reports an error thrown here but still exits 0: fail the process ourselves.
      process.exitCode = 1;
      throw new Error(
        `Tests left ${left.length} temp folder(s)/file(s) behind: ${left.join(", ")}. ` +
          "Find the test that creates each one (the name prefix says which) and remove it in a finally/afterEach/afterAll.",
      );
    }
  };
}
