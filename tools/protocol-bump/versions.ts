/** Versions of a protocol bump: ordering, the registry check, and the runtime pins in the manifests. */
import { existsSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { runCommand, type Tracker } from "./report.js";
import { ProtocolBumpError } from "./types.js";

/** Compares package versions (`1.0.15-preview.4` < `1.0.15` < `1.0.16`); negative when `a` is older. */
export function compareVersions(a: string, b: string): number {
  const parse = (v: string) => {
    const [core, pre] = v.split(/-(.*)/s) as [string, string | undefined];
    return { nums: core.split(".").map(Number), pre: pre === undefined ? null : pre.split(".") };
  };
  const x = parse(a);
  const y = parse(b);
  for (let i = 0; i < 3; i++) if ((x.nums[i] ?? 0) !== (y.nums[i] ?? 0)) return (x.nums[i] ?? 0) - (y.nums[i] ?? 0);
  if (x.pre === null || y.pre === null) return x.pre === y.pre ? 0 : x.pre === null ? 1 : -1;
  for (let i = 0; i < Math.max(x.pre.length, y.pre.length); i++) {
    const [p, q] = [x.pre[i], y.pre[i]];
    if (p === undefined || q === undefined) return p === undefined ? -1 : 1;
    if (p === q) continue;
    const [np, nq] = [Number(p), Number(q)];
    if (Number.isInteger(np) && Number.isInteger(nq)) return np - nq;
    return p < q ? -1 : 1;
  }
  return 0;
}

/**
 * Asks the registry whether `<pkg>@<version>` exists (`npm view`), before anything slow runs.
 * Throws NO_SUCH_VERSION or NETWORK_FAILED with the fix.
 */
export async function checkVersionExists(packageName: string, version: string, npmCommand = "npm", track?: Tracker): Promise<void> {
  const spec = `${packageName}@${version}`;
  let r: { code: number; output: string };
  try {
    r = await runCommand(npmCommand, ["view", spec, "version", "--json", "--fetch-retries=0"], tmpdir(), track);
  } catch (e) {
    throw new ProtocolBumpError("NETWORK_FAILED", `could not run ${npmCommand} to look up ${spec}: ${(e as Error).message}`, undefined, { cause: e });
  }
  const text = r.output.trim();
  if (r.code === 0 && /"?\d+\.\d+\.\d+/.test(text)) return;
  if (r.code === 0 || /\bE404\b|\bETARGET\b|No matching version|is not in this registry/i.test(text)) {
    throw new ProtocolBumpError(
      "NO_SUCH_VERSION",
      `version ${version} of ${packageName} does not exist on the npm registry; list the versions with \`npm view ${packageName} versions\``,
    );
  }
  const why = /E[A-Z_]{3,}/.exec(text)?.[0] ?? `exit ${r.code}`;
  throw new ProtocolBumpError(
    "NETWORK_FAILED",
    `could not reach the npm registry to check that ${spec} exists (${why}); check the network (or pass --tarball <file> to bump offline)`,
  );
}

/** The package.json files that may pin the runtime: the root's and every workspace package's. */
export function manifestFiles(root: string): string[] {
  const dirs = ["packages", "examples"].flatMap((d) =>
    existsSync(join(root, d))
      ? readdirSync(join(root, d))
          .sort()
          .map((p) => join(root, d, p))
      : [],
  );
  return [join(root, "package.json"), ...dirs.map((d) => join(d, "package.json"))].filter((f) => existsSync(f));
}

/**
 * Moves every pin of the schemas' runtime package and its platform siblings (`@github/copilot-sdk-*`:
 * the root's devDependency the tests run on, the SDK's optional dependencies) from the old version
 * to the new one, editing only those lines. Returns the old version of `packageName` (null when
 * nothing pins it).
 */
export function moveRuntimeDependency(root: string, packageName: string, version: string): string | null {
  const family = packageName.replace(/-(?:darwin|linux|win32)-[a-z0-9]+$/, "-");
  let old: string | null = null;
  for (const file of manifestFiles(root)) {
    const text = readFileSync(file, "utf8");
    const json = JSON.parse(text) as Record<string, Record<string, string> | undefined>;
    const pinned = ["dependencies", "devDependencies", "optionalDependencies"].map((k) => json[k]?.[packageName]).find((v) => v !== undefined);
    if (pinned === undefined) continue;
    old ??= pinned;
    if (pinned === version) continue;
    const escaped = family.replace(/[/\\^$*+?.()|[\]{}-]/g, "\\$&");
    const line = new RegExp(`("${escaped}[a-z0-9-]+"\\s*:\\s*)"${pinned.replace(/[.]/g, "\\.")}"`, "g");
    writeFileSync(file, text.replace(line, `$1"${version}"`));
  }
  return old;
}
