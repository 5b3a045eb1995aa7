/**
 * Cold import benchmark: the wall time of a fresh `node` process that imports an SDK's ESM entry,
 * minus that of the same process importing nothing (the baseline), median of N. The three
 * variants run round-robin, rotating who goes first, so machine noise falls on all alike. The
 * time `import()` itself took inside the process is reported too.
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { median } from "./stats.js";

const repoUrl = new URL("../../", import.meta.url).href;

/** A module to import: its label and absolute `file:` URL. */
export interface ImportTarget {
  label: string;
  url: string;
}

export interface ImportBenchResult {
  runs: number;
  /** Median wall time of the empty process, ms. */
  baselineMs: number;
  targets: Record<string, { url: string; wallMs: number; coldImportMs: number; inProcessMs: number }>;
}

// Plain ESM, no TypeScript: it must run under bare `node`, without tsx's loader.
const PROBE = `const t0 = performance.now();
const url = process.argv[2];
if (url !== "baseline") {
  const m = await import(url);
  if (!("CopilotClient" in m)) throw new Error(url + " does not export CopilotClient");
}
process.stdout.write(JSON.stringify({ inProcessMs: performance.now() - t0 }));
`;

function cleanEnv(): NodeJS.ProcessEnv {
  const env = { ...process.env };
  // tsx and pnpm may leave loader flags here; the probe must be a plain node process.
  delete env["NODE_OPTIONS"];
  return env;
}

function runProbe(probe: string, arg: string): { wallMs: number; inProcessMs: number } {
  const t0 = performance.now();
  const r = spawnSync(process.execPath, [probe, arg], { encoding: "utf8", env: cleanEnv() });
  const wallMs = performance.now() - t0;
  if (r.status !== 0) throw new Error(`importing ${arg} in a fresh node process failed:\n${r.stderr}`);
  return { wallMs, inProcessMs: (JSON.parse(r.stdout) as { inProcessMs: number }).inProcessMs };
}

/** Whether `url` imports in a fresh node process and exports `CopilotClient`. */
export function importsClient(url: string): boolean {
  const dir = mkdtempSync(join(tmpdir(), "flightdeck-bench-import-"));
  try {
    const probe = join(dir, "probe.mjs");
    writeFileSync(probe, PROBE);
    runProbe(probe, url);
    return true;
  } catch {
    return false;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The ESM entry `specifier` resolves to from `fromDir`, by Node's own resolution (`import` condition). */
export function resolveEsm(specifier: string, fromDir: string): string {
  const r = spawnSync(process.execPath, ["--input-type=module", "-e", `console.log(import.meta.resolve(${JSON.stringify(specifier)}))`], {
    cwd: fromDir,
    encoding: "utf8",
    env: cleanEnv(),
  });
  if (r.status !== 0) throw new Error(`Cannot resolve ${specifier} from ${fromDir}:\n${r.stderr}`);
  return r.stdout.trim();
}

export function runImportBench(targets: readonly ImportTarget[], runs: number): ImportBenchResult {
  const dir = mkdtempSync(join(tmpdir(), "flightdeck-bench-import-"));
  try {
    const probe = join(dir, "probe.mjs");
    writeFileSync(probe, PROBE);
    const variants = [{ label: "baseline", url: "baseline" }, ...targets];
    const wall = new Map<string, number[]>(variants.map((v) => [v.label, []]));
    const inProcess = new Map<string, number[]>(variants.map((v) => [v.label, []]));
    // One untimed pass warms the OS file cache, as a second start of any app would find it.
    for (const v of variants) runProbe(probe, v.url);
    for (let i = 0; i < runs; i++) {
      for (let k = 0; k < variants.length; k++) {
        const v = variants[(i + k) % variants.length]!;
        const r = runProbe(probe, v.url);
        wall.get(v.label)!.push(r.wallMs);
        inProcess.get(v.label)!.push(r.inProcessMs);
      }
    }
    const baselineMs = median(wall.get("baseline")!);
    const result: ImportBenchResult = { runs, baselineMs, targets: {} };
    for (const t of targets) {
      const wallMs = median(wall.get(t.label)!);
      // Recorded relative to the repo: results are committed, and hold no machine's paths.
      result.targets[t.label] = { url: t.url.replace(repoUrl, ""), wallMs, coldImportMs: wallMs - baselineMs, inProcessMs: median(inProcess.get(t.label)!) };
    }
    return result;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
