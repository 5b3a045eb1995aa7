/**
 * The long-function rule behind `pnpm check`: a function over 80 lines is reported unless a
 * `// long: <reason>` comment stands right above it or above the declaration holding it.
 */
import { describe, expect, it } from "vitest";
import { longFunctionsIn, MAX_FUNCTION_LINES } from "../function-length.js";

/** A body of `n` statement lines. */
const body = (n: number) => Array.from({ length: n }, (_, i) => `  const v${i} = ${i};`).join("\n");

describe("long functions", () => {
  it("reports a declaration over the limit without a reason, and nothing at the limit", () => {
    const text = [`function long() {\n${body(MAX_FUNCTION_LINES - 1)}\n}`, `function fits() {\n${body(MAX_FUNCTION_LINES - 2)}\n}`].join("\n");
    expect(longFunctionsIn("a.ts", text)).toEqual([{ where: "a.ts:1 long", lines: MAX_FUNCTION_LINES + 1, reason: undefined }]);
  });

  it("takes the reason from a `// long:` comment above the function, its const, its method or its property", () => {
    const text = [
      `// long: one table of handlers\nexport function declared() {\n${body(85)}\n}`,
      `/** Doc first. */\n// long: a state machine read top to bottom\nexport const arrow = async () => {\n${body(85)}\n};`,
      `class C {\n  // long: the hot path\n  private method(): void {\n${body(85)}\n  }\n}`,
      `const table = {\n  // long: mirrors the wire\n  "a.b": async () => {\n${body(85)}\n  },\n};`,
    ].join("\n");
    expect(longFunctionsIn("b.ts", text).map((f) => [f.where.replace(/:\d+/, ""), f.reason])).toEqual([
      ["b.ts declared", "one table of handlers"],
      ["b.ts arrow", "a state machine read top to bottom"],
      ["b.ts method", "the hot path"],
      ['b.ts "a.b"', "mirrors the wire"],
    ]);
  });

  it("does not count an empty reason, another comment, or a marker inside the body", () => {
    const text = [
      `// long:\nfunction empty() {\n${body(85)}\n}`,
      `// ~90 lines: an old-style note\nfunction other() {\n${body(85)}\n}`,
      `function inside() {\n  // long: too late here\n${body(85)}\n}`,
    ].join("\n");
    expect(longFunctionsIn("c.ts", text).map((f) => f.reason)).toEqual([undefined, undefined, undefined]);
  });

  it("does not let a reason above an outer function cover a long function nested in it", () => {
    const text = `// long: the outer one\nfunction outer() {\n  function inner() {\n${body(85)}\n  }\n  return inner;\n}`;
    const found = longFunctionsIn("d.ts", text);
    expect(found.map((f) => [f.where, f.reason])).toEqual([
      ["d.ts:2 outer", "the outer one"],
      ["d.ts:3 inner", undefined],
    ]);
  });
});
