/**
 * The packages we publish, in dependency order (core first). Every packaging check reads this
 * list, so a new package is added here once.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

export const repoRoot = fileURLToPath(new URL("../..", import.meta.url));

export interface PublishedPackage {
  /** npm name, e.g. `@flightdeck/copilot-core`. */
  readonly name: string;
  /** Folder relative to the repo root. */
  readonly dir: string;
  /** The short name used for report files: `copilot-core`. */
  readonly slug: string;
}

export const PUBLISHED_PACKAGES: readonly PublishedPackage[] = [
  { name: "@flightdeck/copilot-core", dir: "packages/core", slug: "copilot-core" },
  { name: "@flightdeck/copilot-tools", dir: "packages/tools", slug: "copilot-tools" },
  { name: "@flightdeck/copilot-session", dir: "packages/session", slug: "copilot-session" },
  { name: "@flightdeck/copilot-client", dir: "packages/client", slug: "copilot-client" },
  { name: "@flightdeck/copilot-sdk", dir: "packages/sdk", slug: "copilot-sdk" },
  { name: "@flightdeck/copilot-testing", dir: "packages/testing", slug: "copilot-testing" },
  { name: "@flightdeck/copilot-postgres", dir: "packages/postgres", slug: "copilot-postgres" },
  { name: "@flightdeck/copilot-codegen", dir: "codegen", slug: "copilot-codegen" },
];

export interface ExportTarget {
  readonly types: string;
  readonly default: string;
}

export interface PackageManifest {
  name: string;
  version: string;
  exports: Record<string, string | { import: ExportTarget; require: ExportTarget }>;
  dependencies?: Record<string, string>;
  [key: string]: unknown;
}

export function readManifest(pkg: PublishedPackage): PackageManifest {
  return JSON.parse(readFileSync(join(repoRoot, pkg.dir, "package.json"), "utf8")) as PackageManifest;
}

/** The code subpaths of a package's `exports` (`.`, `./node`, …), without `./package.json`. */
export function codeSubpaths(manifest: PackageManifest): string[] {
  return Object.keys(manifest.exports).filter((key) => key !== "./package.json");
}

/** The import-side targets of one subpath (`types` and `default`). */
export function importTarget(manifest: PackageManifest, subpath: string): ExportTarget {
  const entry = manifest.exports[subpath];
  if (entry === undefined || typeof entry === "string") throw new Error(`${manifest.name}: exports["${subpath}"] has no import/require conditions`);
  return entry.import;
}

/** The specifier a consumer writes: `@flightdeck/copilot-core/node`. */
export function specifier(name: string, subpath: string): string {
  return subpath === "." ? name : `${name}/${subpath.slice(2)}`;
}
