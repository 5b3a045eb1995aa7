/** The guard that fails a test run leaving temp folders behind, run on a small suite of its own. */
import { spawnSync } from "node:child_process";
import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, expect, it } from "vitest";
import { repoRoot } from "../packaging/published-packages.js";

const dir = join(repoRoot, ".tmp/temp-dir-guard-test");
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function runSuite(testBody: string): { status: number | null; output: string } {
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  writeFileSync(
    join(dir, "vitest.config.mts"),
    `import { defineConfig } from "vitest/config";\nexport default defineConfig({ test: { include: ["*.test.ts"], globalSetup: [${JSON.stringify(join(repoRoot, "tools/vitest/temp-dir-guard.ts"))}] } });\n`,
  );
  writeFileSync(
    join(dir, "a.test.ts"),
    `import { mkdtempSync, rmSync } from "node:fs";\nimport { tmpdir } from "node:os";\nimport { join } from "node:path";\nimport { it } from "vitest";\n${testBody}\n`,
  );
  const r = spawnSync(process.execPath, [join(repoRoot, "node_modules/vitest/vitest.mjs"), "run", "--config", join(dir, "vitest.config.mts"), "--root", dir], {
    cwd: dir,
    encoding: "utf8",
  });
  return { status: r.status, output: `${r.stdout}\n${r.stderr}` };
}

it("fails the run, naming what a test left in the temp dir", () => {
  const r = runSuite(`it("leaks", () => { mkdtempSync(join(tmpdir(), "fd-leaky-")); });`);
  expect(r.status).toBe(1);
  expect(r.output).toMatch(/Tests left 1 temp folder\(s\)\/file\(s\) behind: fd-leaky-\w+\./);
}, 60_000);

it("passes a run that cleans up after itself", () => {
  const r = runSuite(`it("cleans", () => { rmSync(mkdtempSync(join(tmpdir(), "fd-tidy-")), { recursive: true }); });`);
  expect(r.output).not.toMatch(/Tests left/);
  expect(r.status).toBe(0);
}, 60_000);
