/**
 * Figures for the generator (a script, not a test): `pnpm exec tsx bench/src/codegen-bench.ts`.
 * - full regeneration wall time (fresh process, as `pnpm codegen` runs it), median of 3
 * - generated sizes (raw and gzip) beside the incumbent's generated files
 * - cold import time of @flightdeck/copilot-core incl. generated bindings, without validators:
 *   bundled with esbuild to a temp file, fresh `node` process minus an empty one, median of 15
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { gzipSync } from "node:zlib";

const root = fileURLToPath(new URL("../..", import.meta.url));
const scratch = mkdtempSync(join(tmpdir(), "fd-codegen-bench-"));
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const kb = (n: number) => `${(n / 1024).toFixed(n < 10240 ? 1 : 0)} KB`;
const env = { ...process.env };
delete env["NODE_OPTIONS"];

function size(files: string[]): { raw: number; gzip: number } {
  const buf = Buffer.concat(files.map((f) => readFileSync(f)));
  return { raw: buf.length, gzip: gzipSync(buf).length };
}

try {
  // 1. Regeneration wall time.
  const times: number[] = [];
  for (let i = 0; i < 3; i++) {
    const t0 = performance.now();
    const r = spawnSync(
      process.execPath,
      ["--import", "tsx", join(root, "codegen/src/cli.ts"), "generate", "--schemas", join(root, "schemas"), "--out", join(scratch, `gen${i}`)],
      { cwd: root, env, encoding: "utf8" },
    );
    if (r.status !== 0) throw new Error(`generate failed:\n${r.stderr}`);
    times.push(performance.now() - t0);
  }

  // 2. Sizes.
  const gen = join(root, "packages/core/src/generated");
  const g = (...f: string[]) => f.map((x) => join(gen, x));
  const incumbent = join(root, "node_modules/.pnpm/@github+copilot-sdk@1.0.14/node_modules/@github/copilot-sdk/dist/generated");
  const incFiles = readdirSync(incumbent)
    .map((f) => join(incumbent, f))
    .filter((f) => statSync(f).isFile());
  const rows: [string, { raw: number; gzip: number }][] = [
    ["types.ts (all type declarations)", size(g("types.ts"))],
    ["stubs: rpc.ts + internal-rpc.ts + rpc-runtime.ts", size(g("rpc.ts", "internal-rpc.ts", "rpc-runtime.ts"))],
    ["method tables: methods.ts + internal-methods.ts", size(g("methods.ts", "internal-methods.ts"))],
    ["events.ts", size(g("events.ts"))],
    ["validators/strict.js", size(g("validators/strict.js"))],
    ["validators/lenient.js", size(g("validators/lenient.js"))],
    ["validators/index.ts + runtime.js", size(g("validators/index.ts", "validators/runtime.js"))],
    ["incumbent generated .d.ts (all)", size(incFiles.filter((f) => f.endsWith(".d.ts")))],
    ["incumbent generated rpc.js", size(incFiles.filter((f) => f.endsWith("rpc.js")))],
    ["incumbent generated .js (all)", size(incFiles.filter((f) => f.endsWith(".js")))],
  ];

  // 3. Emitted JavaScript of the generated bindings and cold import of core (no validators).
  const requireFromTsup = createRequire(createRequire(import.meta.url).resolve("tsup"));
  // esbuild comes with tsup (a root devDependency); bench does not declare it, so type the one call used.
  const esbuild = requireFromTsup("esbuild") as { buildSync(o: Record<string, unknown>): unknown };
  const entry = join(scratch, "entry.ts");
  writeFileSync(entry, `export * from ${JSON.stringify(join(root, "packages/core/src/index.ts"))};\nexport * from ${JSON.stringify(join(gen, "index.ts"))};\n`);
  const bundle = join(scratch, "core.mjs");
  esbuild.buildSync({ entryPoints: [entry], bundle: true, format: "esm", platform: "node", outfile: bundle, logLevel: "silent" });
  const js = join(scratch, "generated.mjs");
  esbuild.buildSync({ entryPoints: [join(gen, "index.ts")], bundle: true, format: "esm", platform: "node", outfile: js, logLevel: "silent" });
  rows.push(["emitted JS of generated/index.ts (bundled)", size([js])], ["core + generated bundle (imported below)", size([bundle])]);
  const probe = join(scratch, "probe.mjs");
  writeFileSync(
    probe,
    `const t0 = performance.now(); if (process.argv[2] !== "baseline") { const m = await import(process.argv[2]); if (typeof m.createSessionRpc !== "function") throw new Error("no createSessionRpc"); } process.stdout.write(String(performance.now() - t0));`,
  );
  const run = (arg: string) => {
    const t0 = performance.now();
    const r = spawnSync(process.execPath, [probe, arg], { env, encoding: "utf8" });
    if (r.status !== 0) throw new Error(r.stderr);
    return { wall: performance.now() - t0, inProcess: Number(r.stdout) };
  };
  const base: number[] = [];
  const core: number[] = [];
  const inproc: number[] = [];
  for (let i = 0; i < 15; i++) {
    base.push(run("baseline").wall);
    const c = run(`file://${bundle}`);
    core.push(c.wall);
    inproc.push(c.inProcess);
  }

  console.log(`| figure | value |\n|---|---|`);
  console.log(
    `| full regeneration (\`pnpm codegen\`, fresh process, median of 3) | ${(median(times) / 1000).toFixed(2)} s (runs: ${times.map((t) => (t / 1000).toFixed(2)).join(", ")} s) |`,
  );
  console.log(
    `| cold import of core + generated bindings, no validators (median of 15, minus empty process) | ${(median(core) - median(base)).toFixed(1)} ms (in-process import() ${median(inproc).toFixed(1)} ms) |`,
  );
  console.log(`\n| file(s) | raw | gzip |\n|---|---|---|`);
  for (const [label, s] of rows) console.log(`| ${label} | ${kb(s.raw)} | ${kb(s.gzip)} |`);
} finally {
  rmSync(scratch, { recursive: true, force: true });
}
