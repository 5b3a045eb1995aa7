/**
 * Install footprint: what `npm install` puts into node_modules for a user, without the runtimes.
 *
 * Ours: `pnpm pack` every published package (packages/*, codegen), then install the tarballs of
 * `@flightdeck/copilot-sdk` and the workspace packages it depends on into a fresh project.
 * Incumbent: install `@github/copilot-sdk@1.0.14` from the registry into another fresh project.
 * Both with `npm install --omit=optional --ignore-scripts`; size = `du -sb node_modules` minus any
 * `@github/copilot*` runtime package.
 */
import { spawn, spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

export interface PackedPackage {
  name: string;
  /** Compressed tarball size, bytes. */
  tarballBytes: number;
  /** Sum of the file sizes in the tarball (what lands on disk), bytes. */
  unpackedBytes: number;
  /** Of which `*.map` files, bytes. */
  sourceMapBytes: number;
  /** Of which type declarations (`*.d.ts`, `*.d.cts`), bytes. */
  declarationBytes: number;
  /** False when the package has no dist/ (not built): its tarball is then not what would be published. */
  built: boolean;
}

export interface InstallFootprint {
  /** What was installed. */
  spec: string;
  /** `du -sb node_modules` minus the excluded runtime packages, bytes. */
  bytes: number;
  /** Runtime packages left out of `bytes` (present only if npm installed them anyway). */
  excluded: string[];
  /** Top-level packages in node_modules with their `du -sb` size, largest first. */
  packages: Array<{ name: string; bytes: number }>;
  /** Bytes of `*.map` files in node_modules. */
  sourceMapBytes: number;
}

export interface FootprintResult {
  method: string;
  packed: PackedPackage[];
  flightdeck: InstallFootprint;
  incumbent: InstallFootprint;
}

const INCUMBENT_SPEC = "@github/copilot-sdk@1.0.14";

function duBytes(path: string): number {
  const r = spawnSync("du", ["-sb", path], { encoding: "utf8" });
  if (r.status !== 0) throw new Error(`du -sb ${path} failed: ${r.stderr}`);
  return Number(r.stdout.split("\t")[0]);
}

/** Files in a .tgz with their sizes, from `tar -tzvf`. */
function tarballEntries(file: string): Array<{ path: string; size: number }> {
  const r = spawnSync("tar", ["-tzvf", file], { encoding: "utf8", maxBuffer: 64 * 1024 * 1024 });
  if (r.status !== 0) throw new Error(`tar -tzvf ${file} failed: ${r.stderr}`);
  return r.stdout
    .split("\n")
    .filter((line) => line.startsWith("-"))
    .map((line) => {
      // -rw-r--r-- 0/0   12345 1985-10-26 08:15 package/dist/index.js
      const fields = line.trim().split(/\s+/);
      return { size: Number(fields[2]), path: fields.slice(5).join(" ") };
    });
}

function walkFiles(dir: string, visit: (path: string, size: number) => void): void {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const full = join(dir, entry.name);
    if (entry.isDirectory()) walkFiles(full, visit);
    else if (entry.isFile()) visit(full, statSync(full).size);
  }
}

function run(command: string, args: string[], cwd: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd, stdio: ["ignore", "pipe", "pipe"], env: { ...process.env, npm_config_update_notifier: "false" } });
    let out = "";
    let err = "";
    child.stdout.on("data", (d: Buffer) => (out += d.toString()));
    child.stderr.on("data", (d: Buffer) => (err += d.toString()));
    child.on("error", reject);
    child.on("close", (code) =>
      code === 0 ? resolve(out) : reject(new Error(`${command} ${args.join(" ")} (in ${cwd}) exited ${code}:\n${err.slice(-2000)}`)),
    );
  });
}

interface Manifest {
  name: string;
  version: string;
  private?: boolean;
  dependencies?: Record<string, string>;
}

/** Published packages of the workspace: packages/* and codegen, minus any marked private. */
export function publishedPackageDirs(repo: string): string[] {
  const dirs = [...readdirSync(join(repo, "packages")).map((d) => join(repo, "packages", d)), join(repo, "codegen")];
  return dirs.filter((d) => {
    const file = join(d, "package.json");
    return existsSync(file) && !(JSON.parse(readFileSync(file, "utf8")) as Manifest).private;
  });
}

async function installFootprint(project: string, dependencies: Record<string, string>, spec: string): Promise<InstallFootprint> {
  mkdirSync(project, { recursive: true });
  writeFileSync(join(project, "package.json"), JSON.stringify({ name: "footprint-probe", private: true, version: "0.0.0", dependencies }, null, 2));
  await run("npm", ["install", "--omit=optional", "--ignore-scripts", "--no-audit", "--no-fund", "--loglevel=error", "--no-package-lock"], project);
  const nm = join(project, "node_modules");
  const total = duBytes(nm);
  const packages: Array<{ name: string; bytes: number }> = [];
  const excluded: string[] = [];
  let excludedBytes = 0;
  for (const entry of readdirSync(nm)) {
    if (entry.startsWith(".")) continue;
    const names = entry.startsWith("@") ? readdirSync(join(nm, entry)).map((n) => `${entry}/${n}`) : [entry];
    for (const name of names) {
      const bytes = duBytes(join(nm, name));
      // The runtimes (@github/copilot-sdk-<platform>, @github/copilot*) are not the SDK's footprint.
      if (/^@github\/copilot(-sdk-|-|$)/.test(name) && name !== "@github/copilot-sdk") {
        excluded.push(name);
        excludedBytes += bytes;
        continue;
      }
      packages.push({ name, bytes });
    }
  }
  packages.sort((a, b) => b.bytes - a.bytes);
  let sourceMapBytes = 0;
  walkFiles(nm, (path, size) => {
    if (path.endsWith(".map")) sourceMapBytes += size;
  });
  return { spec, bytes: total - excludedBytes, excluded, packages, sourceMapBytes };
}

/** Packs the workspace packages and installs both SDKs into fresh temp projects. */
export async function runFootprintBench(repo: string, log: (line: string) => void = () => {}): Promise<FootprintResult> {
  const tmp = mkdtempSync(join(tmpdir(), "flightdeck-bench-footprint-"));
  try {
    const tarballs = join(tmp, "tarballs");
    mkdirSync(tarballs);
    const manifests = new Map<string, Manifest>();
    const tgz = new Map<string, string>();
    const packed: PackedPackage[] = [];
    for (const dir of publishedPackageDirs(repo)) {
      const manifest = JSON.parse(readFileSync(join(dir, "package.json"), "utf8")) as Manifest;
      manifests.set(manifest.name, manifest);
      // Another build may be rewriting dist/ right now (files vanish mid-pack): try once more.
      const pack = () => run("pnpm", ["pack", "--pack-destination", tarballs, "--json"], dir);
      const out = await pack().catch(async () => {
        await new Promise((r) => setTimeout(r, 3000));
        return pack();
      });
      const info = JSON.parse(out.slice(out.indexOf("{"))) as { filename: string };
      tgz.set(manifest.name, info.filename);
      // Sizes from the tarball itself: the workspace's dist/ may be rebuilt while we read it.
      let unpackedBytes = 0;
      let sourceMapBytes = 0;
      let declarationBytes = 0;
      for (const f of tarballEntries(info.filename)) {
        unpackedBytes += f.size;
        if (f.path.endsWith(".map")) sourceMapBytes += f.size;
        if (/\.d\.c?ts$/.test(f.path)) declarationBytes += f.size;
      }
      packed.push({
        name: manifest.name,
        tarballBytes: statSync(info.filename).size,
        unpackedBytes,
        sourceMapBytes,
        declarationBytes,
        built: tarballEntries(info.filename).some((f) => f.path.startsWith("package/dist/")),
      });
    }
    log(`packed ${packed.length} packages`);

    // The SDK and, transitively, every workspace package it depends on, all from the tarballs.
    const closure = new Set<string>();
    const visit = (name: string): void => {
      if (closure.has(name) || !manifests.has(name)) return;
      closure.add(name);
      for (const dep of Object.keys(manifests.get(name)!.dependencies ?? {})) visit(dep);
    };
    visit("@flightdeck/copilot-sdk");
    const oursDeps = Object.fromEntries([...closure].sort().map((name) => [name, `file:${tgz.get(name)}`]));

    const [flightdeck, incumbent] = await Promise.all([
      installFootprint(join(tmp, "ours"), oursDeps, [...closure].sort().join(", ")),
      installFootprint(join(tmp, "incumbent"), { "@github/copilot-sdk": "1.0.14" }, INCUMBENT_SPEC),
    ]);
    log("installed both into fresh projects");
    return {
      method: "pnpm pack → npm install --omit=optional --ignore-scripts in a fresh project → du -sb node_modules, minus @github/copilot* runtime packages",
      packed,
      flightdeck,
      incumbent,
    };
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}
