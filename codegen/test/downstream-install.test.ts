/**
 * @flightdeck/copilot-codegen as someone who only installed it uses it: core and codegen are built
 * and packed, the tarballs `npm install`ed into an empty folder, and there the CLI generates from
 * the bundled schemas, `tsc` type-checks and compiles the output with a program that uses it, node
 * runs it, and the custom emitter from the README runs as written. Needs the npm registry for the
 * packages' own dependencies (~1-2 min).
 */
import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { REPO } from "./helpers.js";

const work = mkdtempSync(join(tmpdir(), "fd-downstream-"));
const app = join(work, "app");
afterAll(() => rmSync(work, { recursive: true, force: true }));

const run = (cmd: string, args: string[], cwd: string) =>
  execFileSync(cmd, args, { cwd, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"], maxBuffer: 64 * 1024 * 1024 });

const MAIN = `import { createServerRpc, createSessionRpc, ENUM_VALUES, SESSION_EVENT_TYPES, type SessionEvent } from "./protocol/index.js";
import { VALIDATION_TABLES } from "./protocol/validators/index.js";
import { createEventGuards, createValidators, type RpcCaller } from "@flightdeck/copilot-core/runtime";

const sent: [string, unknown][] = [];
const conn: RpcCaller = {
  request: async <T>(method: string, params?: unknown) => (sent.push([method, params]), { pong: true } as T),
  notify: async (method, params) => void sent.push([method, params]),
};
await createServerRpc(conn).ping({ message: "hi" });
await createSessionRpc(conn, "s-1").model.list();
const { validateSessionEvent } = createValidators(VALIDATION_TABLES);
const guards = createEventGuards<SessionEvent>(SESSION_EVENT_TYPES);
const idle = { id: "0b6f3c52-8d1e-4a7b-9c2d-3e4f5a6b7c8d", timestamp: "2026-01-01T00:00:00.000Z", parentId: null, ephemeral: true, type: "session.idle", data: {} };
const broken = { ...idle, data: { unexpected: 1 } };
console.log(JSON.stringify({ sent, valid: validateSessionEvent(idle, "strict").ok, brokenValid: validateSessionEvent(broken, "strict").ok, known: guards.isKnown(idle), results: ENUM_VALUES.ToolResultType }));
`;

beforeAll(() => {
  for (const dir of ["packages/core", "codegen"]) {
    run("pnpm", ["run", "build"], join(REPO, dir));
    run("pnpm", ["pack", "--pack-destination", work], join(REPO, dir));
  }
  mkdirSync(join(app, "src"), { recursive: true });
  writeFileSync(join(app, "package.json"), JSON.stringify({ name: "downstream-app", private: true, type: "module" }));
  const tarballs = readdirSync(work)
    .filter((f) => f.endsWith(".tgz"))
    .map((f) => join(work, f));
  expect(tarballs).toHaveLength(2);
  run("npm", ["install", "--no-audit", "--no-fund", "--prefer-offline", ...tarballs, "typescript@5.9.3", "@types/node@20"], app);
}, 600_000);

describe("the packed codegen in an empty project", () => {
  it("generates from the bundled schemas (overlay included) output that imports only published packages", () => {
    run("npx", ["flightdeck-codegen", "generate", "--out", "src/protocol"], app);
    const files = readdirSync(join(app, "src/protocol"), { recursive: true, encoding: "utf8" }).filter((f) => f.endsWith(".ts"));
    const specifiers = new Set<string>();
    for (const f of files) {
      for (const m of readFileSync(join(app, "src/protocol", f), "utf8").matchAll(/^(?:import|export)[^;]*?from\s+"([^"]+)"/gm)) specifiers.add(m[1]!);
    }
    expect([...specifiers].filter((s) => !s.startsWith("./"))).toEqual(["@flightdeck/copilot-core/runtime"]);
    // The overlay came along: the lifecycle methods exist.
    expect(readFileSync(join(app, "src/protocol/internal-methods.ts"), "utf8")).toContain('"session.create"');
  });

  it("type-checks strictly with tsc (nodenext) and runs", () => {
    writeFileSync(join(app, "src/main.ts"), MAIN);
    writeFileSync(
      join(app, "tsconfig.json"),
      JSON.stringify({
        compilerOptions: {
          target: "ES2022",
          module: "nodenext",
          moduleResolution: "nodenext",
          strict: true,
          skipLibCheck: false,
          outDir: "out",
          types: ["node"],
        },
        include: ["src"],
      }),
    );
    run("npx", ["tsc", "-p", "."], app);
    const out = JSON.parse(run("node", ["out/main.js"], app)) as Record<string, unknown>;
    expect(out).toEqual({
      sent: [
        ["ping", { message: "hi" }],
        ["session.model.list", { sessionId: "s-1" }],
      ],
      valid: true,
      brokenValid: false,
      known: true,
      results: ["success", "failure", "timeout", "rejected", "denied"],
    });
  });

  it("runs the README's custom emitter as written", () => {
    const readme = readFileSync(join(REPO, "codegen/README.md"), "utf8");
    const block = /```js\n(\/\/ emit-methods\.mjs[\s\S]*?)```/.exec(readme)?.[1];
    expect(block, "the README's emitter example").toBeDefined();
    expect(block!.split("\n").length).toBeLessThanOrEqual(32);
    writeFileSync(join(app, "emit-methods.mjs"), block!);
    const md = run("node", ["emit-methods.mjs"], app);
    expect(md).toMatch(/^# @github\/copilot-sdk-linux-x64 \S+ \(runtime \S+\)/);
    expect(md).toContain("## `session.send`");
    expect(md).toMatch(/- params: `SendRequest`\n- result: `SendResult`\n- fields: `prompt`/);
  });

  it("writes another language's types to stdout", () => {
    const py = run("npx", ["flightdeck-codegen", "types", "--lang", "python"], app);
    expect(py.startsWith("# DO NOT EDIT: generated by @flightdeck/copilot-codegen")).toBe(true);
    expect(py).toContain("class AssistantMessageData");
  });
});
