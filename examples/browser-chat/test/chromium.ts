/**
 * The browser test drives Debian's Chromium. On a fresh machine the test command provisions it
 * itself: when `/usr/bin/chromium` is missing and we are root (or have password-less sudo) on a
 * Debian-like system, it runs `apt-get install -y chromium`. Otherwise it returns a message
 * naming the command to run, which the test reports as its failure.
 */
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";

export const CHROMIUM = "/usr/bin/chromium";
const INSTALL = "apt-get update && apt-get install -y chromium";

function run(argv: string[]): { ok: boolean; output: string } {
  const [cmd, ...args] = argv as [string, ...string[]];
  const r = spawnSync(cmd, args, {
    encoding: "utf8",
    env: { ...process.env, DEBIAN_FRONTEND: "noninteractive" },
    timeout: 15 * 60_000,
  });
  return { ok: r.status === 0, output: `${r.stdout ?? ""}${r.stderr ?? ""}${r.error ? String(r.error) : ""}` };
}

/** `undefined` when Chromium is there (installed now if need be), else why not and what to run. */
export function ensureChromium(): string | undefined {
  if (existsSync(CHROMIUM)) return undefined;
  const manual = `${CHROMIUM} not found: the browser-chat test drives Debian's Chromium. Install it with \`${INSTALL}\` (as root), then rerun \`pnpm test\`.`;
  if (process.platform !== "linux" || !existsSync("/usr/bin/apt-get")) return manual;
  const root = process.getuid?.() === 0;
  const sudo = !root && run(["sudo", "-n", "true"]).ok;
  if (!root && !sudo) return `${manual} (not installed automatically: not root and no password-less sudo)`;
  const prefix = root ? [] : ["sudo", "-n"];
  console.log(`[browser-chat test] ${CHROMIUM} is missing: running \`${INSTALL}\` (once; takes a minute or two)`);
  for (const argv of [
    ["apt-get", "update", "-qq"],
    ["apt-get", "install", "-y", "-qq", "chromium"],
  ]) {
    const r = run([...prefix, ...argv]);
    if (!r.ok) return `${manual} (automatic install failed: \`${argv.join(" ")}\` said: ${r.output.trim().split("\n").slice(-5).join(" | ")})`;
  }
  return existsSync(CHROMIUM) ? undefined : `${manual} (apt-get installed chromium but ${CHROMIUM} is still missing)`;
}
