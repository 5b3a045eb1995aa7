/**
 * The building blocks of `pnpm verify:packages` (the full run packs and installs, so it is a script,
 * not a unit test): size budgets, tarball listing, doc snippet extraction and checking, API reports.
 */
import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { checkSnippets, documentationFiles, extractSnippets } from "../extract-doc-snippets.js";
import { byCodeUnit, generatedExportNames } from "../packaging/api-report.js";
import { PUBLISHED_PACKAGES, repoRoot } from "../packaging/published-packages.js";
import { checkSizes, type SizeMeasurement } from "../packaging/size-check.js";
import { listTarball } from "../packaging/tarball.js";

const work = mkdtempSync(join(tmpdir(), "fd-verify-test-"));
afterAll(() => rmSync(work, { recursive: true, force: true }));

describe("checkSizes", () => {
  const measured: SizeMeasurement = { name: "@x/a", tarball: 1000, unpacked: 5000, entries: { ".": { minified: 900, gzip: 300 } } };

  it("passes within budget", () => {
    expect(checkSizes([measured], { "@x/a": { tarball: 1000, unpacked: 5000, gzip: { ".": 300 } } })).toEqual([]);
  });

  it("names what is over, by how much, and where the budget lives", () => {
    const problems = checkSizes([measured], { "@x/a": { tarball: 800, unpacked: 5000, gzip: { ".": 200 } } });
    expect(problems).toHaveLength(2);
    expect(problems[0]).toContain("@x/a tarball is 1000 bytes, over its budget of 800 (25.0% over)");
    expect(problems[0]).toContain("tools/packaging/size-budgets.json");
    expect(problems[1]).toContain('@x/a entry "." (bundled, gzipped) is 300 bytes');
  });

  it("fails a package or an entry without a budget", () => {
    expect(checkSizes([measured], {})).toEqual(["@x/a has no size budget: add one to tools/packaging/size-budgets.json"]);
    expect(checkSizes([measured], { "@x/a": { tarball: 1e6, unpacked: 1e6 } })[0]).toContain('entry "." has no gzip budget');
  });
});

describe("listTarball", () => {
  it("lists the files of an npm-style tarball with their sizes", () => {
    const src = join(work, "pkg");
    mkdirSync(join(src, "package/dist"), { recursive: true });
    writeFileSync(join(src, "package/package.json"), '{"name":"x"}');
    writeFileSync(join(src, "package/dist/index.js"), "x".repeat(1500));
    const tarball = join(work, "x.tgz");
    execFileSync("tar", ["-czf", tarball, "-C", src, "package"]);
    expect(listTarball(tarball)).toEqual([
      { path: "dist/index.js", size: 1500 },
      { path: "package.json", size: 12 },
    ]);
  });
});

describe("extractSnippets", () => {
  const md = [
    "# Title",
    "```ts",
    "const a = 1;",
    "```",
    "text",
    "```sh",
    "echo no",
    "```",
    "  ```typescript",
    "  const b: string = 2;",
    "  ```",
    "```ts no-check",
    "not code at all",
    "```",
  ].join("\n");

  it("takes ts/typescript blocks (also indented) with their first line, and skips no-check blocks", () => {
    expect(extractSnippets(md, "doc.md")).toEqual([
      { file: "doc.md", line: 3, code: "const a = 1;" },
      { file: "doc.md", line: 10, code: "const b: string = 2;" },
    ]);
  });

  it("reports type errors at the Markdown line, including calls to methods that do not exist", () => {
    const snippets = [
      ...extractSnippets(md, "doc.md"),
      {
        file: "api.md",
        line: 20,
        code: 'import { CopilotClient } from "@flightdeck/copilot-sdk";\nconst client = new CopilotClient();\nawait client.start();\nclient.launchRockets();',
      },
    ];
    const problems = checkSnippets(snippets, join(work, "snippets"));
    // Sorted by file, then line.
    expect(problems.map((p) => `${p.file}:${p.line}`)).toEqual(["api.md:23", "doc.md:10"]);
    expect(problems[0]?.message).toContain("launchRockets");
  }, 90_000); // one TypeScript program over the workspace sources

  it("covers the root README, docs/ guides and every package README", () => {
    const files = documentationFiles();
    expect(files).toContain("README.md");
    for (const pkg of PUBLISHED_PACKAGES) if (pkg.dir.startsWith("packages/")) expect(files).toContain(`${pkg.dir}/README.md`);
    expect(files.filter((f) => f.startsWith("docs/")).length).toBeGreaterThanOrEqual(7);
  });
});

describe("API report helpers", () => {
  it("orders by code unit, the same on every machine", () => {
    expect(["b", "B", "a", "_", "Z"].sort(byCodeUnit)).toEqual(["B", "Z", "_", "a", "b"]);
  });

  it("knows core's generated names (summarized rather than printed in full)", () => {
    const names = generatedExportNames();
    expect(names.has("RPC_METHODS")).toBe(true);
    expect(names.has("SessionEvent")).toBe(true);
    expect(names.has("JsonRpcConnection")).toBe(false);
    expect(repoRoot.endsWith("/")).toBe(true);
  });
});
