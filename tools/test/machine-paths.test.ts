import { execFileSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { findMachinePaths, isCheckedFile, machinePathPatterns } from "../machine-paths.js";

const repoRoot = fileURLToPath(new URL("../..", import.meta.url));
const found = (text: string, root = "/ws/flightdeck") => findMachinePaths("x.ts", text, machinePathPatterns(root)).map((h) => h.path);

describe("machine paths (pnpm check)", () => {
  it("finds checkout, temp and home folders", () => {
    expect(found('const RUNTIME = "/ws/flightdeck/node_modules/x";')).toEqual(["/ws/flightdeck/"]);
    expect(found('const RUNTIME = "/ws/flightdeck/node_modules/x";', "/ws/other/clone")).toEqual(["/ws/"]);
    expect(found('const RUNTIME = "/builds/ci/flightdeck/node_modules/x";', "/builds/ci/flightdeck")).toEqual(["/builds/ci/flightdeck/"]);
    expect(found('dir: "/tmp/fd-x", other: "/var/tmp/y"')).toEqual(["/tmp/", "/var/tmp/"]);
    expect(found('HOME: "/root", b: "/home/alice/src", c: "/Users/bob/x"')).toEqual(["/root", "/home/alice", "/Users/bob"]);
    expect(found(String.raw`const p = "C:\\Users\\carol\\x";`)).toHaveLength(1);
    expect(findMachinePaths("a.json", 'a\n"b": "/tmp/x"', machinePathPatterns("/srv/repo"))).toEqual([{ file: "a.json", line: 2, path: "/tmp/" }]);
  });
  it("leaves system paths, URLs, relative and made-up paths alone", () => {
    expect(
      found('spawn("/usr/bin/chromium"); PATH: "/usr/bin:/bin"; url: "https://example.com/tmp/x"; "./tmp/a"; "/projects/app"; "a/root/b"; "/rootless"'),
    ).toEqual([]);
  });
  it("lets a line marked machine-path-ok (or the line below the marker) name a path on purpose", () => {
    expect(found('// machine-path-ok: the system-wide temp folder\nconst SHARED = "/tmp";\nconst other = "/tmp/x";')).toEqual(["/tmp/"]);
  });
  it("reads sources, tests, configs and scripts, not prose or recorded fixtures", () => {
    expect(["a/b.ts", "x.json", ".ci/run", "a/.npmrc", "c.mjs"].map(isCheckedFile)).toEqual([true, true, true, true, true]);
    expect(["README.md", "pnpm-lock.yaml", "schemas/a.json", "a/fixtures/b.jsonl", "node_modules/x.ts"].map(isCheckedFile)).toEqual([
      false,
      false,
      false,
      false,
      false,
    ]);
  });
  it("pnpm check passes on this checkout", () => {
    expect(execFileSync(process.execPath, ["--import", "tsx", "tools/check-conventions.ts"], { cwd: repoRoot, encoding: "utf8" })).toContain("conventions ok");
  });
});
