/**
 * Vitest global setup: the test command provisions the Debian packages its tests drive, so
 * `pnpm install && pnpm test` passes on a fresh machine. Chromium (the browser-chat example) and
 * PostgreSQL (copilot-postgres and the fleet example start their own server from it) are
 * installed with apt-get when missing and the run selects tests that need them (the whole suite,
 * or a filter naming them). Where they cannot be installed (not root, no sudo, not Debian), the
 * run goes on and the tests that need them fail with a message naming the command to run.
 */
import { spawnSync } from "node:child_process";
import { existsSync, readdirSync } from "node:fs";
import { join } from "node:path";

interface SystemPackage {
  /** Debian package name. */
  name: string;
  /** Whether it is installed. */
  present: () => boolean;
  /** Test paths that need it: a filter matching one of these selects the package. */
  neededBy: readonly string[];
}

const PACKAGES: readonly SystemPackage[] = [
  { name: "chromium", present: () => existsSync("/usr/bin/chromium"), neededBy: ["examples/browser-chat"] },
  {
    name: "postgresql",
    present: () => {
      const base = "/usr/lib/postgresql";
      return existsSync(base) && readdirSync(base).some((v) => existsSync(join(base, v, "bin", "initdb")));
    },
    neededBy: ["packages/postgres", "examples/fleet", "postgres", "fleet"],
  },
  // codegen's verified language: its types are compiled and round-tripped (codegen/test/lang-python.test.ts).
  { name: "python3", present: () => spawnSync("python3", ["--version"]).status === 0, neededBy: ["codegen/test/lang-python", "codegen"] },
];

/** The positional filters of `vitest run [filters…]` (none: the whole suite). */
export function testFilters(argv: readonly string[]): string[] {
  const i = argv.findIndex((a) => a === "run" || a === "watch" || a === "related");
  const rest = i === -1 ? argv.slice(2) : argv.slice(i + 1);
  const filters: string[] = [];
  for (let k = 0; k < rest.length; k++) {
    const a = rest[k]!;
    if (a.startsWith("-")) {
      // `--flag value` forms used with this suite; `--flag=value` needs no skip.
      if (!a.includes("=") && /^(--(reporter|outputFile[\w.]*|project|config|root|dir|testNamePattern)|-t|-c)$/.test(a)) k++;
      continue;
    }
    filters.push(a);
  }
  return filters;
}

/** The packages the selected tests need, given the filters (none = every package). */
export function packagesFor(filters: readonly string[]): SystemPackage[] {
  if (filters.length === 0) return [...PACKAGES];
  return PACKAGES.filter((p) => filters.some((f) => p.neededBy.some((n) => f.includes(n) || n.includes(f))));
}

function run(argv: string[]): { ok: boolean; output: string } {
  const [cmd, ...args] = argv as [string, ...string[]];
  const r = spawnSync(cmd, args, { encoding: "utf8", env: { ...process.env, DEBIAN_FRONTEND: "noninteractive" }, timeout: 15 * 60_000 });
  return { ok: r.status === 0, output: `${r.stdout ?? ""}${r.stderr ?? ""}${r.error ? String(r.error) : ""}` };
}

export default function setup(): void {
  const missing = packagesFor(testFilters(process.argv)).filter((p) => !p.present());
  if (missing.length === 0) return;
  const names = missing.map((p) => p.name).join(" ");
  const manual = `apt-get update && apt-get install -y ${names}`;
  if (process.platform !== "linux" || !existsSync("/usr/bin/apt-get")) {
    console.warn(`[pnpm test] missing Debian package(s) ${names}: the tests that need them will fail. Install them with \`${manual}\` (as root).`);
    return;
  }
  const root = process.getuid?.() === 0;
  const sudo = !root && run(["sudo", "-n", "true"]).ok;
  if (!root && !sudo) {
    console.warn(`[pnpm test] missing ${names}; not installed automatically (not root, no password-less sudo). Run \`${manual}\` as root.`);
    return;
  }
  const prefix = root ? [] : ["sudo", "-n"];
  console.log(`[pnpm test] installing the Debian package(s) the tests drive: ${names} (once; a minute or two)`);
  for (const argv of [
    ["apt-get", "update", "-qq"],
    ["apt-get", "install", "-y", "-qq", ...missing.map((p) => p.name)],
  ]) {
    const r = run([...prefix, ...argv]);
    if (!r.ok) {
      console.warn(`[pnpm test] \`${argv.join(" ")}\` failed: ${r.output.trim().split("\n").slice(-5).join(" | ")}. Run \`${manual}\` as root.`);
      return;
    }
  }
}
