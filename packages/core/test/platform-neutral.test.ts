import { readFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const src = fileURLToPath(new URL("../src/", import.meta.url));

/** Every module reachable from `entry` through relative imports. */
function reachable(entry: string): Map<string, string> {
  const seen = new Map<string, string>();
  const visit = (file: string) => {
    if (seen.has(file)) return;
    const text = readFileSync(file, "utf8");
    seen.set(file, text);
    // JSDoc examples show imports too: only code counts.
    const code = text.replace(/\/\*[\s\S]*?\*\//g, "");
    for (const m of code.matchAll(/(?:import|export)[^"']*?from\s+["'](\.[^"']+)["']/g)) {
      visit(resolve(dirname(file), m[1]!.replace(/\.js$/, ".ts")));
    }
  };
  visit(entry);
  return seen;
}

describe("package entry points", () => {
  it("nothing reachable from src/index.ts imports a Node built-in", () => {
    const files = reachable(join(src, "index.ts"));
    expect(files.size).toBeGreaterThan(5);
    for (const [file, source] of files) {
      // Only code counts: JSDoc examples may mention `process.stdout`.
      const text = source.replace(/\/\*[\s\S]*?\*\//g, "").replace(/^\s*\/\/.*$/gm, "");
      expect(text, file).not.toMatch(/from\s+["'](node:|child_process|net|fs|path|os)["']/);
      expect(text, file).not.toMatch(/\bBuffer\b|\bprocess\./);
    }
  });

  it("the node subpath holds the child-process and socket transports", () => {
    const files = [...reachable(join(src, "node.ts")).keys()].map((f) => f.slice(src.length));
    expect(files).toEqual(expect.arrayContaining(["stdio-transport.ts", "tcp-transport.ts", "connect-uri.ts"]));
  });
});
