/** Where the bench finds the workspace's built packages, and building them when dist/ is missing. */
import { spawnSync } from "node:child_process";
import { existsSync, readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

export const REPO = fileURLToPath(new URL("../../", import.meta.url));
export const BENCH_DIR = join(REPO, "bench");

/** The SDK and the packages it is made of: what a user's `import` loads. */
const SDK_CLOSURE = ["core", "tools", "session", "client", "sdk"] as const;
/** Files that must exist for the built SDK to load (core's subpaths are imported by the client). */
const REQUIRED_FILES = [...SDK_CLOSURE.map((p) => `packages/${p}/dist/index.js`), "packages/core/dist/node.js", "packages/core/dist/internal.js"];

export function missingBuildOutputs(): string[] {
  return REQUIRED_FILES.filter((f) => !existsSync(join(REPO, f)));
}

function newestMtime(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const full = join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestMtime(full) : statSync(full).mtimeMs);
  }
  return newest;
}

/** Packages whose src/ changed after their dist/index.js was built (their numbers may be out of date). */
export function staleBuilds(): string[] {
  return SDK_CLOSURE.filter((p) => {
    const dist = join(REPO, "packages", p, "dist/index.js");
    // The sdk's dist bundles the code of the packages below it: any of their sources counts.
    const sources = p === "sdk" ? SDK_CLOSURE : [p];
    return existsSync(dist) && Math.max(...sources.map((s) => newestMtime(join(REPO, "packages", s, "src")))) > statSync(dist).mtimeMs;
  }).map((p) => `@flightdeck/copilot-${p}`);
}

/** Builds the SDK and its workspace dependencies with turbo (tsup; takes a minute or two). */
export function buildSdk(log: (line: string) => void): void {
  log("building @flightdeck/copilot-sdk and its dependencies (turbo run build)…");
  const r = spawnSync("pnpm", ["exec", "turbo", "run", "build", "--filter=@flightdeck/copilot-sdk...", "--output-logs=errors-only"], {
    cwd: REPO,
    stdio: ["ignore", "inherit", "inherit"],
    env: { ...process.env, TURBO_TELEMETRY_DISABLED: "1" },
  });
  if (r.status !== 0) throw new Error("Building @flightdeck/copilot-sdk failed (see the output above); the bench needs the built packages.");
}

export function distUrl(pkg: "sdk" | "client"): string {
  return pathToFileURL(join(REPO, "packages", pkg, "dist/index.js")).href;
}

/** The commit the checkout is on, for the record (read-only). */
export function gitCommit(): string | undefined {
  const r = spawnSync("git", ["rev-parse", "--short", "HEAD"], { cwd: REPO, encoding: "utf8" });
  return r.status === 0 ? r.stdout.trim() : undefined;
}
