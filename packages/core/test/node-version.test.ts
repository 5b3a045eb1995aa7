/**
 * The Node.js version guard: the range logic, and the real import path with a faked
 * `process.versions.node` (a --require preload runs before any SDK module is evaluated).
 */
import { execFile } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it } from "vitest";
import { SUPPORTED_NODE_RANGE, isSupportedNodeVersion } from "../src/index.js";

const entry = fileURLToPath(new URL("../src/index.ts", import.meta.url));
const dir = mkdtempSync(join(tmpdir(), "fd-node-version-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function importWithNode(version: string, env: Record<string, string> = {}): Promise<string> {
  const preload = join(dir, `fake-${version}.cjs`);
  writeFileSync(preload, `Object.defineProperty(process.versions, "node", { value: ${JSON.stringify(version)}, enumerable: true });\n`);
  const script = `import(${JSON.stringify(entry)}).then(() => console.log("LOADED"), (e) => console.log("ERROR " + e.name + " " + e.code + " " + e.message));`;
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      ["--require", preload, "--import", "tsx", "-e", script],
      { env: { ...process.env, FLIGHTDECK_SKIP_NODE_CHECK: "", ...env }, timeout: 30_000 },
      (error, stdout, stderr) => {
        if (error) reject(new Error(`${error.message}\n${stderr}`));
        else resolve(stdout);
      },
    );
  });
}

describe("isSupportedNodeVersion", () => {
  it.each([
    ["20.19.0", true],
    ["v20.20.2", true],
    ["22.12.0", true],
    ["24.1.0", true],
    ["23.0.0", true],
    ["20.18.3", false],
    ["18.19.0", false],
    ["21.7.3", false],
    ["22.11.0", false],
    ["not-a-version", false],
  ])("%s → %s", (version, supported) => {
    expect(isSupportedNodeVersion(version)).toBe(supported);
  });

  it("names the range the packages declare in engines", () => {
    expect(SUPPORTED_NODE_RANGE).toBe("^20.19.0 || >=22.12.0");
  });
});

describe("importing on an unsupported Node.js", () => {
  it("fails at import with an SdkError naming the range and the version", async () => {
    const out = await importWithNode("18.19.0");
    expect(out).toContain("ERROR SdkError UNSUPPORTED_NODE");
    expect(out).toContain(SUPPORTED_NODE_RANGE);
    expect(out).toContain("this is Node.js 18.19.0");
  });

  it("loads on a supported version, and with FLIGHTDECK_SKIP_NODE_CHECK=1 on an unsupported one", async () => {
    expect(await importWithNode("22.12.0")).toContain("LOADED");
    expect(await importWithNode("21.1.0", { FLIGHTDECK_SKIP_NODE_CHECK: "1" })).toContain("LOADED");
  });
});
