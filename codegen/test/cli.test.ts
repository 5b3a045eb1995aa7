import { execFile } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";
import { FIXTURE, REPO, fixtureWith, tempDir } from "./helpers.js";

const run = async (args: string[]) => {
  try {
    const r = await promisify(execFile)(process.execPath, ["--import", "tsx", join(REPO, "codegen/src/cli.ts"), ...args], { cwd: REPO });
    return { code: 0, stdout: r.stdout, stderr: r.stderr };
  } catch (err) {
    const e = err as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
};

describe("flightdeck-codegen CLI", () => {
  it("--help prints usage and exits 0", async () => {
    const r = await run(["--help"]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/flightdeck-codegen generate --schemas <dir> --out <dir>/);
  });
  // Four cold CLI processes: side by side, with room for a fresh clone's empty tsx cache on a busy machine.
  it("bad arguments give a usage error and exit 2", async () => {
    const cases = [["generate", "--schemas", FIXTURE], ["generate", "--bogus"], ["frobnicate"], ["ir"]];
    const results = await Promise.all(cases.map((args) => run(args)));
    results.forEach((r, i) => {
      expect(r.code, cases[i]!.join(" ")).toBe(2);
      expect(r.stderr).toMatch(/^flightdeck-codegen: .+\n\nUsage:/);
    });
  }, 90_000);
  it("generate writes the bindings and reports counts", async () => {
    const out = join(tempDir(), "gen");
    const r = await run(["generate", "--schemas", FIXTURE, "--out", out]);
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/12 methods, 2 events, \d+ types → \d+ files/);
    expect(readFileSync(join(out, "rpc.ts"), "utf8")).toContain("export function createSessionRpc(");
  });
  it("ir --json writes the IR with irVersion", async () => {
    const file = join(tempDir(), "ir.json");
    const r = await run(["ir", "--json", "--schemas", FIXTURE, "--out", file]);
    expect(r.code).toBe(0);
    const ir = JSON.parse(readFileSync(file, "utf8")) as { irVersion: number; methods: { name: string }[]; events: unknown[] };
    expect(ir.irVersion).toBe(1);
    expect(ir.methods.map((m) => m.name)).toContain("session.tools.handlePendingToolCall");
    expect(ir.events).toHaveLength(2);
  });
  it("bad schemas exit 1 with the file, pointer and fix, and write nothing", async () => {
    const out = join(tempDir(), "gen");
    const r = await run(["generate", "--schemas", fixtureWith(({ api }) => (api.definitions.Kind.dependentSchemas = {})), "--out", out]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/api.schema.json#\/definitions\/Kind\/dependentSchemas: keyword "dependentSchemas" is not handled[\s\S]*Fix: /);
    expect(existsSync(out)).toBe(false);
  });
});
