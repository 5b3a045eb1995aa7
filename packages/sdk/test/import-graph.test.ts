/**
 * What `import "@flightdeck/copilot-sdk"` loads, checked on the sdk's real build (its tsup config,
 * declarations aside, then scripts/merge-chunks.mjs) rather than by a timing: the modules reached
 * by static imports from dist/index.js, the source files bundled into them, and the Node built-ins
 * a fresh process loads. Everything not needed before `start()` (the validators and their schema
 * data; the connecting steps: runtime process, in-process runtime, JSON-RPC connection and framing,
 * sessionFs / requestHandler serving code; the session host and the session features; joinSession's
 * connection; Node's stream, crypto, zlib and network modules) must stay behind an `import()`; see
 * bench/README.md.
 */
import { spawnSync } from "node:child_process";
import { cpSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { build, type Options } from "tsup";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import config from "../tsup.config.js";
// @ts-expect-error: a plain .mjs build script, without declarations
import { mergeChunks } from "../scripts/merge-chunks.mjs";

const sdkDir = fileURLToPath(new URL("..", import.meta.url));
let outDir = "";

/** Relative specifiers of the top-level `import … from` / `export … from` / `import "…"` statements (not `import()`). */
function staticImports(code: string): string[] {
  return [...code.matchAll(/^(?:import|export)\b[^;()]*?from\s*['"]([^'"]+)['"]|^import\s*['"]([^'"]+)['"]/gm)].map((m) => (m[1] ?? m[2]) as string);
}

/** The files loaded by importing `entry`, following static imports only. */
function importClosure(entry: string): { files: string[]; builtins: Set<string> } {
  const files: string[] = [];
  const builtins = new Set<string>();
  const visit = (file: string) => {
    if (files.includes(file)) return;
    files.push(file);
    for (const spec of staticImports(readFileSync(join(outDir, file), "utf8"))) {
      if (spec.startsWith("./")) visit(spec.slice(2));
      else builtins.add(spec.replace(/^node:/, ""));
    }
  };
  visit(entry);
  return { files, builtins };
}

/** The source files esbuild bundled into `files` (from its metafile), as `<package>/src/…` paths. */
function bundledSources(files: readonly string[]): Set<string> {
  const meta = JSON.parse(readFileSync(join(outDir, "metafile-esm.json"), "utf8")) as { outputs: Record<string, { inputs: Record<string, unknown> }> };
  const sources = new Set<string>();
  for (const [output, { inputs }] of Object.entries(meta.outputs)) {
    if (!files.some((f) => output.endsWith(`/${f}`))) continue;
    for (const input of Object.keys(inputs)) sources.add(input.replace(/^(?:\.\.\/)*(?:packages\/)?/, ""));
  }
  return sources;
}

beforeAll(async () => {
  outDir = mkdtempSync(join(tmpdir(), "flightdeck-sdk-import-graph-"));
  const options = config as Options;
  await build({
    ...options,
    config: false,
    entry: Object.fromEntries(Object.entries(options.entry as Record<string, string>).map(([name, path]) => [name, join(sdkDir, path)])),
    tsconfig: join(sdkDir, "tsconfig.json"),
    dts: false,
    metafile: true,
    outDir,
    silent: true,
  });
  // As in the package: its .js files are ES modules, re-chunked by the build's second step.
  writeFileSync(join(outDir, "package.json"), '{ "type": "module" }\n');
  await (mergeChunks as (dir: string) => Promise<string[]>)(outDir);
}, 180_000);

afterAll(() => {
  if (outDir) rmSync(outDir, { recursive: true, force: true });
});

describe("import of the built sdk", () => {
  it("statically reaches only the code a plain session needs", () => {
    const { files } = importClosure("index.js");
    const sources = bundledSources(files);
    // Sanity: the walk found the client and session code, so an empty set cannot pass by accident.
    expect(sources).toContain("client/src/copilot-client.ts");
    expect(sources).toContain("session/src/copilot-session.ts");
    const lazy = [...sources].filter(
      (s) =>
        /^core\/src\/(validators|validation|schema-check|schema-compiled|schema-function)\.ts$/.test(s) ||
        s.startsWith("core/src/generated/validators/") ||
        /^client\/src\/(in-process-runtime|runtime-connect|runtime-process|process-tree|session-fs-handlers|request-handler|copilot-request-server|extension-join)\.ts$/.test(
          s,
        ) ||
        /^core\/src\/(json-rpc-connection|json-rpc-incoming|json-rpc-pending|framing|stdio-transport|tcp-transport)\.ts$/.test(s) ||
        /^session\/src\/(session-host|feature-runtime|features|session-config)\.ts$/.test(s) ||
        s.startsWith("session/src/features/"),
    );
    expect(lazy, "modules that belong behind an import()").toEqual([]);
  });

  it("keeps the lazily loaded code in chunks of its own, reached by import()", () => {
    const all = readdirSync(outDir).filter((f) => f.endsWith(".js"));
    const eager = new Set(importClosure("index.js").files);
    const lazySources = bundledSources(all.filter((f) => !eager.has(f)));
    for (const source of [
      "core/src/validators.ts",
      "client/src/runtime-connect.ts",
      "client/src/runtime-process.ts",
      "client/src/in-process-runtime.ts",
      "client/src/session-fs-handlers.ts",
      "client/src/request-handler.ts",
      "client/src/copilot-request-server.ts",
      "client/src/extension-join.ts",
      "core/src/json-rpc-connection.ts",
      "core/src/framing.ts",
      "session/src/session-host.ts",
      "session/src/features.ts",
      "session/src/features/tools.ts",
      "session/src/features/permissions.ts",
    ]) {
      expect(lazySources, source).toContain(source);
    }
  });

  it("is two files: the entry and one chunk (Node's loader costs ~0.2 ms per module)", () => {
    expect(importClosure("index.js").files).toHaveLength(2);
  });

  it("imports no Node built-in but node:path at the top of its modules", () => {
    expect([...importClosure("index.js").builtins]).toEqual(["path"]);
  });

  it("stays under its size budget (bytes of JS parsed by an import)", () => {
    const bytes = importClosure("index.js").files.reduce((sum, f) => sum + readFileSync(join(outDir, f)).byteLength, 0);
    // ~315 KB today (the validators alone are ~420 KB); raise it only for code a plain import needs.
    expect(bytes).toBeLessThan(340_000);
  });

  it("is ASCII only, so V8 parses each file as one-byte text", () => {
    for (const file of readdirSync(outDir).filter((f) => f.endsWith(".js"))) {
      expect(/[\u0080-\uffff]/.test(readFileSync(join(outDir, file), "utf8")), file).toBe(false);
    }
  });

  it("parses the protocol's schemas one definition at a time, as events are validated", () => {
    // What loading the validators and checking a few events leaves on the heap, in a fresh
    // process after the sdk's import: ~0.45 MB (up to ~1.1 MB on a busy machine); parsing every definition at once (the build before 2026-12-06) made it
    // ~1.7 MB, right when the first sessions open (see bench/README.md, idle sessions' RSS).
    const chunk = readdirSync(outDir).find((f) => /^validators-.*\.js$/.test(f));
    expect(chunk).toBeDefined();
    const probe = `
      // The ES module loader's and zlib's own first-use cost is not the validators', nor is the
      // sdk's import (the chunk it shares with the validators is loaded by then).
      await import("data:text/javascript,export default 1");
      await import("node:zlib");
      await import(${JSON.stringify(pathToFileURL(join(outDir, "index.js")).href)});
      gc(); gc();
      const before = process.memoryUsage().heapUsed;
      const m = await import(${JSON.stringify(pathToFileURL(join(outDir, chunk!)).href)});
      const event = (type, data) => ({ id: "00000000-0000-4000-8000-000000000000", timestamp: "2026-01-01T00:00:00.000Z", parentId: null, type, data });
      const results = [
        m.validateSessionEvent(event("assistant.message", { messageId: "m", content: "x" })),
        m.validateSessionEvent(event("assistant.message", { messageId: "m" })),
        m.validateSessionEvent(event("session.idle", {}), "strict"),
        m.validateSessionEvent(event("no.such_event", {})),
      ];
      gc(); gc();
      process.stdout.write(JSON.stringify({ grew: process.memoryUsage().heapUsed - before, results }));`;
    const r = spawnSync(process.execPath, ["--expose-gc", "--input-type=module", "-e", probe], { encoding: "utf8", env: { ...process.env, NODE_OPTIONS: "" } });
    expect(r.status, r.stderr).toBe(0);
    const { grew, results } = JSON.parse(r.stdout) as {
      grew: number;
      results: Array<{ ok: boolean; known?: boolean; errors?: Array<{ message: string; schemaPath: string }> }>;
    };
    // The same verdicts as the plain table: valid, a missing field named, a strict check, an unknown type.
    expect(results[0]).toEqual({ ok: true });
    expect(results[1]?.errors?.map((e) => e.message)).toEqual(['/data missing required property "content"']);
    expect(results[2]?.known).toBe(true);
    expect(results[3]).toMatchObject({ ok: false, known: false });
    expect(grew).toBeLessThan(1.25 * 1024 * 1024);
  });

  it("loads none of Node's stream, crypto, zlib, network or child-process modules in a fresh process, from ESM or CommonJS", () => {
    const url = pathToFileURL(join(outDir, "index.js")).href;
    const probe = (code: string, type: string) => {
      const r = spawnSync(process.execPath, [`--input-type=${type}`, "-e", code], { encoding: "utf8", env: { ...process.env, NODE_OPTIONS: "" } });
      expect(r.status, r.stderr).toBe(0);
      return JSON.parse(r.stdout) as { exported: boolean; loaded: string[] };
    };
    const body = `const before = new Set(process.moduleLoadList); const m = IMPORT; const out = JSON.stringify({ exported: typeof m.CopilotClient === "function", loaded: process.moduleLoadList.filter((x) => !before.has(x)) }); process.stdout.write(out);`;
    for (const result of [
      probe(body.replace("IMPORT", `await import(${JSON.stringify(url)})`), "module"),
      probe(body.replace("IMPORT", `require(${JSON.stringify(join(outDir, "index.js"))})`), "commonjs"),
    ]) {
      expect(result.exported).toBe(true);
      const heavy = result.loaded.filter((m) => /\b(stream|streams|crypto|zlib|child_process|net|http|https|http2|tls|worker_threads|fs\/streams)\b/.test(m));
      expect(heavy).toEqual([]);
    }
  });

  it("turns a lazy chunk that cannot be loaded into a typed error, not a hang", () => {
    const damaged = mkdtempSync(join(tmpdir(), "flightdeck-sdk-import-graph-damaged-"));
    try {
      cpSync(outDir, damaged, { recursive: true });
      for (const file of readdirSync(damaged).filter((f) => /^(session-host|extension-join)-.*\.js$/.test(f))) rmSync(join(damaged, file));
      const code = `
        const { CopilotClient, RuntimeConnection } = await import(${JSON.stringify(pathToFileURL(join(damaged, "index.js")).href)});
        const { joinSession } = await import(${JSON.stringify(pathToFileURL(join(damaged, "extension.js")).href)});
        const outcome = (p) => p.then(() => ({ ok: true }), (e) => ({ name: e.constructor.name, code: e.code, message: e.message }));
        const client = new CopilotClient({ connection: RuntimeConnection.forUri("127.0.0.1:9") });
        const start = await outcome(client.start());
        process.env.SESSION_ID = "s-1";
        const join = await outcome(joinSession({}));
        process.stdout.write(JSON.stringify({ start, join }));`;
      const r = spawnSync(process.execPath, ["--input-type=module", "-e", code], {
        encoding: "utf8",
        timeout: 20_000,
        env: { ...process.env, NODE_OPTIONS: "" },
      });
      expect(r.status, r.stderr).toBe(0);
      const { start, join: joined } = JSON.parse(r.stdout) as Record<string, { name: string; code: string; message: string }>;
      expect(start).toMatchObject({ name: "SdkError", code: "CONNECT_FAILED" });
      expect(start?.message).toMatch(/Could not load the session host.*reinstall/);
      expect(joined).toMatchObject({ name: "ExtensionError", code: "JOIN_FAILED" });
      expect(joined?.message).toMatch(/Could not load/);
    } finally {
      rmSync(damaged, { recursive: true, force: true });
    }
  });
});
