/**
 * `pnpm verify:packages`: everything a user of the published packages depends on, checked on the
 * packed tarballs rather than on the workspace. In order:
 *
 *   build     turbo build (cached)
 *   pack      `pnpm pack` each published package (workspace:* becomes the version)
 *   publint   publint --strict on each tarball
 *   attw      @arethetypeswrong/cli on each tarball (ESM + CJS types for node10/node16/bundler)
 *   api       API reports regenerated and compared with api/ (see `pnpm api:check`)
 *   install   npm install of the tarballs into a fresh temp project (registry for third-party deps)
 *   types     that project type-checked with skipLibCheck:false under nodenext, node16 (CJS), bundler
 *   smoke     a session end to end (real runtime, scripted model) from ESM, CJS, esbuild bundles
 *             (CJS and ESM, run outside any node_modules) and a pnpm (strict layout) install
 *   node      the Node version guard: an unsupported Node gets a clear error at import
 *   size      per-package budgets: tarball, unpacked, bundled+gzipped entries, and what installing the
 *             sdk puts on disk with its dependencies, optional ones aside (tools/packaging/size-budgets.json)
 *   docs      TypeScript blocks of README.md, docs/*.md and packages/*\/README.md type-check
 *   examples  examples/minimal and examples/cli-chat run on the real runtime
 *   runtime   with no COPILOT_CLI_PATH: the runtime the sdk brings as an optional dependency
 *             starts, and the testing kit's createTestClient() answers a turn on it
 *   no-runtime the sdk installed with `--omit=optional` and no runtime anywhere: start() fails at
 *             once with RUNTIME_NOT_FOUND and the exact `npm install` line, and the process exits
 *   codegen   the codegen tarball alone in a fresh project: require() (CommonJS) and import (ESM),
 *             then generate() into a temp folder
 *
 * `--only a,b` runs some steps (the ones they need still run first); `--keep` keeps the temp project.
 * The runtime comes from COPILOT_CLI_PATH, else the workspace's pinned copilot-runtime.
 * Exits non-zero when any step fails and prints one line per step with its time.
 */
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { apiReport } from "./api-report.js";
import { smokeCjs, smokeEsm, typeCheckSource, typeCheckVariants } from "./packaging/consumer-project.js";
import { PUBLISHED_PACKAGES, codeSubpaths, readManifest, repoRoot, specifier } from "./packaging/published-packages.js";
import { checkSizes, type SizeBudgets, type SizeMeasurement } from "./packaging/size-check.js";
import { listTarball } from "./packaging/tarball.js";
import { bundledRuntime, missingRuntime } from "./packaging/runtime-steps.js";
import { type Context, fail, inParallel, run } from "./packaging/verify-kit.js";

const bin = (name: string) => join(repoRoot, "node_modules/.bin", name);

function defaultRuntimePath(): string {
  const fromEnv = process.env.COPILOT_CLI_PATH;
  if (fromEnv) return fromEnv;
  const exe = process.platform === "win32" ? ".exe" : "";
  const platform = `${process.platform}-${process.arch}`;
  return join(repoRoot, "node_modules", `@github/copilot-sdk-${platform}`, "prebuilds", platform, `copilot-runtime${exe}`);
}

// --- steps -----------------------------------------------------------------------------------

async function build(): Promise<void> {
  await run("pnpm", ["build", "--output-logs=errors-only"], { cwd: repoRoot, timeoutMs: 300_000 });
}

async function pack(ctx: Context): Promise<void> {
  const dest = join(ctx.work, "packs");
  mkdirSync(dest, { recursive: true });
  const failures = await inParallel(PUBLISHED_PACKAGES, 2, async (pkg) => {
    const out = await run("pnpm", ["pack", "--pack-destination", dest], { cwd: join(repoRoot, pkg.dir) });
    const tarball = out
      .trim()
      .split("\n")
      .reverse()
      .find((line) => line.trim().endsWith(".tgz"))
      ?.trim();
    if (!tarball || !existsSync(tarball)) fail(`${pkg.name}: pnpm pack printed no tarball path:\n${out}`);
    ctx.tarballs.set(pkg.name, tarball);
    const files = listTarball(tarball).map((entry) => entry.path);
    for (const required of ["package.json", "README.md"]) if (!files.includes(required)) fail(`${pkg.name}: ${required} is not in the tarball`);
    const manifest = JSON.parse(await run("tar", ["-xOzf", tarball, "package/package.json"])) as { dependencies?: Record<string, string> };
    for (const [dep, range] of Object.entries(manifest.dependencies ?? {})) {
      if (range.startsWith("workspace:")) fail(`${pkg.name}: dependency ${dep} is still "${range}" in the tarball`);
    }
  });
  if (failures.length > 0) fail(failures.join("\n"));
}

async function publintStep(ctx: Context): Promise<void> {
  const { publint } = await import("publint");
  const { formatMessage } = await import("publint/utils");
  const problems: string[] = [];
  for (const pkg of PUBLISHED_PACKAGES) {
    const data = readFileSync(ctx.tarballs.get(pkg.name) as string);
    const tarball = data.buffer.slice(data.byteOffset, data.byteOffset + data.byteLength) as ArrayBuffer;
    const result = await publint({ pack: { tarball }, strict: true, level: "suggestion" });
    for (const message of result.messages) problems.push(`${pkg.name}: ${message.type}: ${formatMessage(message, result.pkg) ?? message.code}`);
  }
  if (problems.length > 0) fail(problems.join("\n"));
}

async function attwStep(ctx: Context): Promise<void> {
  const failures = await inParallel(PUBLISHED_PACKAGES, 2, async (pkg) => {
    await run(bin("attw"), [ctx.tarballs.get(pkg.name) as string, "--format", "ascii", "--no-color", "--no-emoji"], { cwd: ctx.work }).catch((error: Error) => {
      fail(`${pkg.name}: attw found problems\n${error.message}`);
    });
  });
  if (failures.length > 0) fail(failures.join("\n"));
}

async function apiStep(): Promise<void> {
  const problems = await apiReport("check");
  if (problems.length > 0) fail(`API reports differ (rewritten: review \`git diff api/\`, commit if intended):\n  ${problems.join("\n  ")}`);
}

/** The consumer packages: everything but the codegen (a build tool with heavy deps of its own). */
const CONSUMED = PUBLISHED_PACKAGES.filter((pkg) => pkg.name !== "@flightdeck/copilot-codegen");

function consumerManifest(ctx: Context, extra: Record<string, unknown> = {}): string {
  const deps = Object.fromEntries(CONSUMED.map((pkg) => [pkg.name, `file:${ctx.tarballs.get(pkg.name)}`]));
  return `${JSON.stringify({ name: "flightdeck-consumer", private: true, version: "0.0.0", dependencies: deps, devDependencies: { "@types/node": "^20.19.0" }, ...extra }, null, 2)}\n`;
}

async function install(ctx: Context): Promise<void> {
  const dir = join(ctx.work, "consumer-npm");
  mkdirSync(join(dir, "src"), { recursive: true });
  writeFileSync(join(dir, "package.json"), consumerManifest(ctx));
  await run("npm", ["install", "--no-audit", "--no-fund", "--loglevel=error", "--ignore-scripts"], { cwd: dir, timeoutMs: 180_000 });
  ctx.consumer = dir;
}

async function types(ctx: Context): Promise<void> {
  const dir = ctx.consumer as string;
  const source = typeCheckSource();
  writeFileSync(join(dir, "src/esm.mts"), source);
  writeFileSync(join(dir, "src/cjs.cts"), source);
  writeFileSync(join(dir, "src/bundler.ts"), source);
  const tsc = join(repoRoot, "node_modules/typescript/bin/tsc");
  const failures = await inParallel(typeCheckVariants(), 2, async (variant) => {
    const config = join(dir, `tsconfig.${variant.name}.json`);
    writeFileSync(config, JSON.stringify({ compilerOptions: variant.compilerOptions, files: variant.files }, null, 2));
    await run(process.execPath, [tsc, "-p", config], { cwd: dir }).catch((error: Error) => fail(`type-check (${variant.name}) failed:\n${error.message}`));
  });
  if (failures.length > 0) fail(failures.join("\n"));
}

async function smoke(ctx: Context): Promise<void> {
  const dir = ctx.consumer as string;
  const env = { ...process.env, COPILOT_CLI_PATH: ctx.runtimePath, FLIGHTDECK_DEBUG: "" };
  if (!existsSync(ctx.runtimePath)) fail(`no runtime at ${ctx.runtimePath}: set COPILOT_CLI_PATH or run pnpm install`);
  writeFileSync(join(dir, "smoke.mjs"), smokeEsm());
  writeFileSync(join(dir, "smoke.cjs"), smokeCjs());

  // Bundles run from a folder with no node_modules anywhere above it: everything must be inside.
  const bundles = mkdtempSync(join(tmpdir(), "flightdeck-bundle-"));
  try {
    const esbuild = bin("esbuild");
    await run(
      esbuild,
      ["smoke.mjs", "--bundle", "--platform=node", "--target=node20", "--format=cjs", `--outfile=${join(bundles, "smoke.cjs")}`, "--log-level=error"],
      { cwd: dir },
    );
    await run(
      esbuild,
      ["smoke.mjs", "--bundle", "--platform=node", "--target=node20", "--format=esm", `--outfile=${join(bundles, "smoke.mjs")}`, "--log-level=error"],
      { cwd: dir },
    );
    const runs: [string, string, string][] = [
      ["npm install, ESM", dir, "smoke.mjs"],
      ["npm install, CommonJS", dir, "smoke.cjs"],
      ["esbuild bundle, CommonJS", bundles, "smoke.cjs"],
      ["esbuild bundle, ESM", bundles, "smoke.mjs"],
    ];
    const failures = await inParallel(runs, 2, async ([label, cwd, file]) => {
      const out = await run(process.execPath, [file], { cwd, env, timeoutMs: 90_000 }).catch((error: Error) =>
        fail(`smoke (${label}) failed:\n${error.message}`),
      );
      if (!out.includes("smoke ok:")) fail(`smoke (${label}) printed no success line:\n${out}`);
    });
    if (failures.length > 0) fail(failures.join("\n"));
  } finally {
    rmSync(bundles, { recursive: true, force: true });
  }

  // pnpm's strict layout: each package sees only its declared dependencies.
  const strict = join(ctx.work, "consumer-pnpm");
  mkdirSync(strict, { recursive: true });
  const overrides = Object.fromEntries(CONSUMED.map((pkg) => [pkg.name, `file:${ctx.tarballs.get(pkg.name)}`]));
  writeFileSync(join(strict, "package.json"), consumerManifest(ctx, { pnpm: { overrides } }));
  writeFileSync(join(strict, "smoke.mjs"), smokeEsm());
  await run("pnpm", ["install", "--ignore-workspace", "--config.node-linker=isolated", "--reporter=silent"], { cwd: strict, timeoutMs: 180_000 });
  const out = await run(process.execPath, ["smoke.mjs"], { cwd: strict, env, timeoutMs: 90_000 }).catch((error: Error) =>
    fail(`smoke (pnpm strict layout) failed:\n${error.message}`),
  );
  if (!out.includes("smoke ok:")) fail(`smoke (pnpm strict layout) printed no success line:\n${out}`);
}

async function nodeGuard(ctx: Context): Promise<void> {
  const dir = ctx.consumer as string;
  // A preload that makes Node report an old version before any package code runs.
  writeFileSync(join(dir, "old-node.cjs"), `Object.defineProperty(process.versions, "node", { value: "18.19.0", enumerable: true });\n`);
  const cases: [string, string][] = [
    ["ESM", `import("@flightdeck/copilot-sdk")`],
    ["CommonJS", `Promise.resolve().then(() => require("@flightdeck/copilot-sdk"))`],
  ];
  for (const [label, load] of cases) {
    const script = `${load}.then(() => { console.log("LOADED"); }, (e) => { console.log("ERROR " + e.name + " " + (e.code ?? "") + " " + e.message); });`;
    const out = await run(process.execPath, ["--require", "./old-node.cjs", "-e", script], { cwd: dir });
    if (!out.includes("ERROR") || !out.includes("^20.19.0 || >=22.12.0") || !out.includes("18.19.0")) {
      fail(`node guard (${label}): importing under Node 18.19.0 should fail naming the supported range, got:\n${out}`);
    }
    const ok = await run(process.execPath, ["-e", script], { cwd: dir });
    if (!ok.includes("LOADED")) fail(`node guard (${label}): importing on this Node failed:\n${ok}`);
  }
}

async function size(ctx: Context): Promise<void> {
  const dir = ctx.consumer as string;
  const esbuild = await import("esbuild");
  for (const pkg of PUBLISHED_PACKAGES) {
    const tarball = ctx.tarballs.get(pkg.name) as string;
    const entries = listTarball(tarball);
    const measurement: SizeMeasurement = {
      name: pkg.name,
      tarball: readFileSync(tarball).length,
      unpacked: entries.reduce((sum, entry) => sum + entry.size, 0),
      entries: {},
    };
    if (pkg.name !== "@flightdeck/copilot-codegen") {
      for (const subpath of codeSubpaths(readManifest(pkg))) {
        // What an app bundling this entry ships: the entry and its dependencies, minified.
        const result = await esbuild.build({
          stdin: { contents: `export * from ${JSON.stringify(specifier(pkg.name, subpath))};`, resolveDir: dir, loader: "js" },
          bundle: true,
          minify: true,
          platform: "node",
          format: "esm",
          target: "node20",
          write: false,
          logLevel: "silent",
        });
        const code = result.outputFiles[0]?.contents ?? new Uint8Array();
        measurement.entries[subpath] = { minified: code.length, gzip: gzipSync(code, { level: 9 }).length };
      }
    }
    ctx.sizes.push(measurement);
  }
  const budgets = JSON.parse(readFileSync(join(repoRoot, "tools/packaging/size-budgets.json"), "utf8")) as SizeBudgets;
  const problems = checkSizes(ctx.sizes, budgets);
  console.log(formatSizes(ctx.sizes));
  // What `npm install @flightdeck/copilot-sdk` puts on disk, runtimes aside: the sdk and its
  // dependencies, transitively (npm's flat layout in the consumer), optional ones left out.
  const du = await run("du", ["-sbc", ...installedTree(dir, "@flightdeck/copilot-sdk")]);
  const footprint = Number(du.trim().split("\n").at(-1)?.split(/\s+/)[0]);
  console.log(`    installed footprint of @flightdeck/copilot-sdk (no runtime): ${kb(footprint)}`);
  const limit = budgets["installed:@flightdeck/copilot-sdk"]?.unpacked;
  if (limit === undefined) problems.push(`"installed:@flightdeck/copilot-sdk" has no budget in tools/packaging/size-budgets.json`);
  else if (footprint > limit) problems.push(`the installed @flightdeck/copilot-sdk is ${footprint} bytes, over its budget of ${limit}`);
  if (problems.length > 0) fail(problems.join("\n"));
}

/** The folders of `name` and of its non-optional dependencies, transitively, in `dir`'s node_modules. */
function installedTree(dir: string, name: string): string[] {
  const seen = new Set<string>();
  const visit = (pkg: string) => {
    if (seen.has(pkg)) return;
    seen.add(pkg);
    const manifest = JSON.parse(readFileSync(join(dir, "node_modules", pkg, "package.json"), "utf8")) as { dependencies?: Record<string, string> };
    for (const dep of Object.keys(manifest.dependencies ?? {})) visit(dep);
  };
  visit(name);
  return [...seen].map((pkg) => join(dir, "node_modules", pkg));
}

function kb(bytes: number): string {
  return `${(bytes / 1024).toFixed(1)} KB`;
}

function formatSizes(sizes: readonly SizeMeasurement[]): string {
  const lines = sizes.map((s) => {
    const entries = Object.entries(s.entries)
      .map(([sub, e]) => `${sub} ${kb(e.minified)} min / ${kb(e.gzip)} gz`)
      .join("; ");
    return `    ${s.name}: tarball ${kb(s.tarball)}, unpacked ${kb(s.unpacked)}${entries ? `; ${entries}` : ""}`;
  });
  return lines.join("\n");
}

async function docs(): Promise<void> {
  await run(process.execPath, ["--import", "tsx", join(repoRoot, "tools/extract-doc-snippets.ts"), "--check"], { cwd: repoRoot, timeoutMs: 180_000 });
}

async function examples(ctx: Context): Promise<void> {
  const env = { ...process.env, COPILOT_CLI_PATH: ctx.runtimePath, CI: "true" };
  for (const example of ["examples/minimal/src/main.ts", "examples/cli-chat/src/main.ts"]) {
    const out = await run(process.execPath, ["--import", "tsx", join(repoRoot, example)], { cwd: repoRoot, env, timeoutMs: 90_000 }).catch((error: Error) =>
      fail(`${example} failed:\n${error.message}`),
    );
    if (!out.includes("[done]") && !out.includes("\nBye!")) fail(`${example} did not finish (no "[done]" or "Bye!" line):\n${out}`);
  }
}

// --- driver ----------------------------------------------------------------------------------

interface Step {
  readonly name: string;
  readonly needs: readonly string[];
  readonly run: (ctx: Context) => Promise<void>;
}

const STEPS: readonly Step[] = [
  { name: "build", needs: [], run: build },
  { name: "pack", needs: ["build"], run: pack },
  { name: "publint", needs: ["pack"], run: publintStep },
  { name: "attw", needs: ["pack"], run: attwStep },
  { name: "api", needs: ["build"], run: apiStep },
  { name: "install", needs: ["pack"], run: install },
  { name: "types", needs: ["install"], run: types },
  { name: "smoke", needs: ["install"], run: smoke },
  { name: "node", needs: ["install"], run: nodeGuard },
  { name: "size", needs: ["install"], run: size },
  { name: "docs", needs: ["build"], run: docs },
  { name: "examples", needs: [], run: examples },
  { name: "runtime", needs: ["install"], run: bundledRuntime },
  { name: "no-runtime", needs: ["pack"], run: missingRuntime },
  { name: "codegen", needs: ["pack"], run: codegenFromTarball },
];

/** The codegen package from its tarball (with core, its one workspace dependency): both module systems load it and generate() works. */
async function codegenFromTarball(ctx: Context): Promise<void> {
  const dir = join(ctx.work, "consumer-codegen");
  mkdirSync(dir, { recursive: true });
  const tarball = ctx.tarballs.get("@flightdeck/copilot-codegen") as string;
  writeFileSync(
    join(dir, "package.json"),
    `${JSON.stringify({ name: "codegen-consumer", private: true, version: "0.0.0", dependencies: { "@flightdeck/copilot-codegen": `file:${tarball}`, "@flightdeck/copilot-core": `file:${ctx.tarballs.get("@flightdeck/copilot-core") as string}` } }, null, 2)}\n`,
  );
  await run("npm", ["install", "--no-audit", "--no-fund", "--loglevel=error", "--ignore-scripts"], { cwd: dir, timeoutMs: 300_000 });
  const schemas = join(repoRoot, "schemas");
  const script = (load: string) =>
    `${load}.then(async (m) => { const r = await m.generate({ schemasDir: ${JSON.stringify(schemas)}, outDir: require("node:path").join(${JSON.stringify(dir)}, "out-" + process.pid) }); console.log("generated " + r.files.length + " files"); }).catch((e) => { console.error(e); process.exit(1); });`;
  for (const [label, load] of [
    ["CommonJS", `Promise.resolve(require("@flightdeck/copilot-codegen"))`],
    ["ESM", `import("@flightdeck/copilot-codegen")`],
  ] as const) {
    const out = await run(process.execPath, ["-e", script(load)], { cwd: dir, timeoutMs: 120_000 }).catch((error: Error) =>
      fail(`codegen (${label}): ${error.message}`),
    );
    if (!/generated \d+ files/.test(out)) fail(`codegen (${label}) printed no success line:\n${out}`);
    console.log(`    codegen from the tarball, ${label}: ${out.trim()}`);
  }
}

function selectSteps(only: readonly string[] | undefined): Step[] {
  if (!only) return [...STEPS];
  const wanted = new Set<string>();
  const add = (name: string) => {
    const step = STEPS.find((s) => s.name === name);
    if (!step) throw new Error(`--only: unknown step "${name}". Steps: ${STEPS.map((s) => s.name).join(", ")}`);
    for (const need of step.needs) add(need);
    wanted.add(name);
  };
  for (const name of only) add(name);
  return STEPS.filter((s) => wanted.has(s.name));
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const onlyIndex = args.indexOf("--only");
  const only = onlyIndex >= 0 ? (args[onlyIndex + 1] ?? "").split(",").filter(Boolean) : undefined;
  const keep = args.includes("--keep");
  const steps = selectSteps(only);
  const ctx: Context = { work: mkdtempSync(join(tmpdir(), "flightdeck-verify-")), tarballs: new Map(), runtimePath: defaultRuntimePath(), sizes: [] };
  const started = Date.now();
  const results: { name: string; ok: boolean; ms: number }[] = [];
  const done = new Set<string>();
  try {
    for (const step of steps) {
      if (step.needs.some((need) => !done.has(need))) {
        console.log(`--- ${step.name}: skipped (needs ${step.needs.join(", ")})`);
        results.push({ name: step.name, ok: false, ms: 0 });
        continue;
      }
      console.log(`--- ${step.name}`);
      const t0 = Date.now();
      try {
        await step.run(ctx);
        done.add(step.name);
        results.push({ name: step.name, ok: true, ms: Date.now() - t0 });
      } catch (error) {
        console.error(error instanceof Error ? error.message : error);
        results.push({ name: step.name, ok: false, ms: Date.now() - t0 });
      }
    }
  } finally {
    if (keep) console.log(`kept: ${ctx.work}`);
    else rmSync(ctx.work, { recursive: true, force: true });
  }
  console.log("\nverify:packages");
  for (const r of results) console.log(`  ${r.ok ? "ok  " : "FAIL"} ${r.name.padEnd(9)} ${(r.ms / 1000).toFixed(1)} s`);
  const failed = results.filter((r) => !r.ok).length;
  console.log(`verify:packages: ${results.length - failed} steps ok, ${failed} failed (${((Date.now() - started) / 1000).toFixed(1)} s)`);
  process.exitCode = failed > 0 ? 1 : 0;
}

if (import.meta.url === `file://${process.argv[1]}`) await main();
