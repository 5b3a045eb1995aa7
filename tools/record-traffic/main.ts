/**
 * Records real runtime traffic for the overlay schema (repo tooling, never published).
 *
 *   pnpm exec tsx tools/record-traffic/main.ts [--runtime sdk|cli] [--out <dir>] [--only <scenario>]
 *
 * `sdk` runs the pinned runtime of @github/copilot-sdk-linux-x64, `cli` the @github/copilot CLI
 * binary. Each scenario gets a fresh runtime in an isolated HOME/COPILOT_HOME/XDG/TMPDIR and a
 * scripted OpenAI-compatible model on 127.0.0.1; frames are normalized and written as
 * `<out>/<scenario>.jsonl` (default out: schemas/recordings/runtime-<version> or cli-<version>).
 */
import { mkdirSync, readdirSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { ScriptedModelServer } from "./model-server.js";
import { Normalizer, toJsonl } from "./normalize.js";
import { RuntimePeer, type RuntimeCommand } from "./runtime-peer.js";
import { scenarios } from "./scenarios.js";

const repoRoot = fileURLToPath(new URL("../..", import.meta.url));

function runtimeCommand(kind: string): RuntimeCommand {
  if (kind === "sdk") {
    return { command: join(repoRoot, "node_modules/@github/copilot-sdk-linux-x64/prebuilds/linux-x64/copilot-runtime"), prefixArgs: [] };
  }
  if (kind === "cli") {
    const pnpmDir = join(repoRoot, "node_modules/.pnpm");
    const pkg = readdirSync(pnpmDir).find((d) => d.startsWith("@github+copilot-linux-x64@"));
    if (!pkg) throw new Error("record-traffic: @github/copilot-linux-x64 is not installed; run pnpm install");
    return { command: join(pnpmDir, pkg, "node_modules/@github/copilot-linux-x64/copilot"), prefixArgs: [] };
  }
  throw new Error(`record-traffic: --runtime must be "sdk" or "cli", got ${JSON.stringify(kind)}`);
}

function parseArgs(argv: string[]): { runtime: string; out?: string; only?: string } {
  const out: { runtime: string; out?: string; only?: string } = { runtime: "sdk" };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const v = argv[i + 1];
    if ((a === "--runtime" || a === "--out" || a === "--only") && v === undefined) throw new Error(`record-traffic: ${a} needs a value`);
    if (a === "--runtime") out.runtime = argv[++i]!;
    else if (a === "--out") out.out = argv[++i]!;
    else if (a === "--only") out.only = argv[++i]!;
    else throw new Error(`record-traffic: unknown argument ${JSON.stringify(a)}; use --runtime sdk|cli, --out <dir>, --only <scenario>`);
  }
  return out;
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  const runtime = runtimeCommand(args.runtime);
  const pkgCache = join(tmpdir(), "flightdeck-copilot-pkg-cache");
  mkdirSync(pkgCache, { recursive: true });
  const selected = scenarios.filter((s) => !args.only || s.name === args.only);
  if (selected.length === 0)
    throw new Error(`record-traffic: no scenario named ${JSON.stringify(args.only)}; known: ${scenarios.map((s) => s.name).join(", ")}`);
  let outDir = args.out ? resolve(args.out) : undefined;
  for (const scenario of selected) {
    const model = new ScriptedModelServer(scenario.reply);
    const baseUrl = await model.start();
    const peer = new RuntimePeer(runtime, { pkgCache });
    const started = Date.now();
    try {
      await scenario.run({ peer, baseUrl });
      // Let trailing notifications (lifecycle, usage) arrive before closing.
      await new Promise((r) => setTimeout(r, 300));
    } catch (e) {
      console.error(`record-traffic: scenario ${scenario.name} failed: ${(e as Error).message}\nstderr tail:\n${peer.stderrText.slice(-3000)}`);
      process.exitCode = 1;
    } finally {
      const version =
        (peer.frames.find((f) => f.dir === "in" && (f.msg.result as { version?: string } | undefined)?.version)?.msg.result as { version: string } | undefined)
          ?.version ?? "unknown";
      outDir ??= join(repoRoot, "schemas/recordings", `${args.runtime === "sdk" ? "runtime" : "cli"}-${version}`);
      const frames = [...peer.frames];
      await peer.close();
      await model.stop();
      const normalizer = new Normalizer({
        paths: [
          [peer.root, "/recording"],
          [pkgCache, "/pkg-cache"],
          [repoRoot.replace(/\/$/, ""), "/repo"],
        ],
      });
      mkdirSync(outDir, { recursive: true });
      const file = join(outDir, `${scenario.name}.jsonl`);
      writeFileSync(file, toJsonl(normalizer.frames(frames)));
      console.log(`${scenario.name}: ${frames.length} frames, ${model.requests.length} model requests, ${Date.now() - started} ms → ${file}`);
    }
  }
}

main().catch((e: unknown) => {
  console.error(e instanceof Error ? e.message : e);
  process.exit(1);
});
