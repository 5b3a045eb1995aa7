/**
 * The docs run, not only type-check: every TypeScript block of README.md, docs/ and the package
 * READMEs runs against the real runtime with a scripted model (tools/doc-snippets/), or carries the
 * visible note `> Not run by the docs test: <reason>`.
 */
import { spawnSync } from "node:child_process";
import { readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { documentationFiles, extractSnippets, type Snippet } from "../extract-doc-snippets.js";
import { planSnippet, RUN_DIR, runFile, writeRunConfig } from "../doc-snippets/run-snippets.js";
import { repoRoot } from "../packaging/published-packages.js";

const snippets: Snippet[] = documentationFiles().flatMap((file) => extractSnippets(readFileSync(join(repoRoot, file), "utf8"), file));
const name = (s: Snippet) => `${s.file}:${s.line}`;
const fileName = (s: Snippet, ext: string) => `${s.file.replace(/[^A-Za-z0-9]+/g, "-")}-${s.line}${ext}`;
const tsconfig = writeRunConfig();

afterAll(() => rmSync(RUN_DIR, { recursive: true, force: true }));

describe("docs code blocks run", () => {
  it("there are blocks, and every one either runs or says why not", () => {
    expect(snippets.length).toBeGreaterThan(20);
    const problems = snippets.flatMap((s) => {
      const plan = planSnippet(s);
      return plan.kind === "unrunnable" ? [`${name(s)}: cannot run: ${plan.reason}`] : [];
    });
    expect(problems).toEqual([]);
  });

  for (const snippet of snippets) {
    const plan = planSnippet(snippet);
    if (plan.kind !== "program") continue;
    it(`${name(snippet)} runs`, async () => {
      const file = join(RUN_DIR, fileName(snippet, ".ts"));
      writeFileSync(file, plan.source);
      const { code, output } = await runFile(file, tsconfig, 60_000);
      expect(code, `${name(snippet)} exited ${code}:\n${output}`).toBe(0);
    }, 90_000);
  }

  const tests = snippets.filter((s) => planSnippet(s).kind === "vitest");
  it.runIf(tests.length > 0)(
    `the test blocks pass under vitest (${tests.map(name).join(", ")})`,
    () => {
      for (const s of tests) writeFileSync(join(RUN_DIR, fileName(s, ".test.ts")), s.code);
      // The packages from source, as a user's project would import them (no shim: these tests bring their own model).
      const config = join(RUN_DIR, "vitest.config.mts");
      const alias = (pkg: string, path: string) => `{ find: /^${pkg.replace(/[/-]/g, "\\$&")}$/, replacement: ${JSON.stringify(join(repoRoot, path))} }`;
      writeFileSync(
        config,
        `import { defineConfig } from "vitest/config";\nexport default defineConfig({ resolve: { alias: [${[
          alias("@flightdeck/copilot-core/node", "packages/core/src/node.ts"),
          alias("@flightdeck/copilot-core/validators", "packages/core/src/validators.ts"),
          alias("@flightdeck/copilot-core/internal", "packages/core/src/internal.ts"),
          alias("@flightdeck/copilot-core", "packages/core/src/index.ts"),
          alias("@flightdeck/copilot-tools", "packages/tools/src/index.ts"),
          alias("@flightdeck/copilot-session", "packages/session/src/index.ts"),
          alias("@flightdeck/copilot-client", "packages/client/src/index.ts"),
          alias("@flightdeck/copilot-sdk", "packages/sdk/src/index.ts"),
          alias("@flightdeck/copilot-testing", "packages/testing/src/index.ts"),
          alias("zod", "packages/tools/node_modules/zod"),
        ].join(", ")}] }, test: { include: ["*.test.ts"], testTimeout: 60000 } });\n`,
      );
      const r = spawnSync(process.execPath, [join(repoRoot, "node_modules/vitest/vitest.mjs"), "run", "--config", config, "--root", RUN_DIR], {
        cwd: RUN_DIR,
        encoding: "utf8",
        env: { ...process.env, CI: "true" },
      });
      expect(r.status, `${r.stdout}\n${r.stderr}`).toBe(0);
      expect(r.stdout).toMatch(new RegExp(`Tests\\s+.*${tests.length} passed`));
    },
    180_000,
  );
});
