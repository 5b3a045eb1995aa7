import { readFile } from "node:fs/promises";
import { basename, dirname, resolve } from "node:path";
import { isDeepStrictEqual } from "node:util";
import { brotliCompressSync, constants } from "node:zlib";
import { transform } from "esbuild";
import { defineConfig, type Options } from "tsup";

type EsbuildPlugin = NonNullable<Options["esbuildPlugins"]>[number];
type TsupPlugin = NonNullable<Options["plugins"]>[number];

/**
 * The sdk ships one self-contained bundle: the code of core, tools, session and client is built
 * into dist/ (`noExternal`), so `import "@flightdeck/copilot-sdk"` loads two module files instead of
 * five packages' worth, and an install is this package alone (its declarations are bundled too, by
 * `dts.resolve`). The other packages stay published on their own for users who want one layer.
 *
 * ESM only here; `scripts/finish-build.mjs` then adds the CommonJS entry (a `require()` of the ESM
 * build, Node >= 20.19) and the declaration pair (one full `.d.cts`, a re-exporting `.d.ts`).
 */

/** Core's Node-version guard runs for its side effect; its package says `sideEffects: false`. */
const keepNodeGuard: EsbuildPlugin = {
  name: "keep-node-guard",
  setup(build) {
    build.onResolve({ filter: /[/\\]node-version\.js$/ }, (args) => ({
      path: resolve(args.resolveDir, args.path.replace(/\.js$/, ".ts")),
      sideEffects: true,
    }));
  },
};

/**
 * The generated validator data (the protocol's JSON Schemas, ~380 KB of JSON, and the event and
 * method tables naming them, ~40 KB) is only read when the first session event is validated, from
 * a lazily imported chunk. It is stored there brotli-compressed (~10× smaller on disk) and inflated
 * once on load (~2 ms, node:zlib). Only plain-data tables are packed (checked by a round trip).
 *
 * The schemas table (`DEFINITIONS`) is inflated to bytes, not parsed: each definition is parsed
 * when the validators first read it (`definitions[key]`, see `LAZY_DEFINITIONS` below). An app
 * validates a few dozen of its ~1,000 definitions; parsing all of them made ~1 MB of objects right
 * when the first sessions open, which outlive a young-generation GC and so make V8 double its
 * young generation (measured: the idle-session RSS figure in bench/README.md).
 */
/**
 * The bytes `lazyDefinitions` reads: a line with the keys (a JSON array), a line with where each
 * definition's JSON ends (UTF-8 byte offsets after the second line), then the definitions' JSON,
 * one after the other.
 */
function definitionsBytes(table: Record<string, unknown>): Buffer {
  const keys = Object.keys(table);
  const bodies = keys.map((k) => Buffer.from(JSON.stringify(table[k]), "utf8"));
  let end = 0;
  const ends = bodies.map((b) => (end += b.length));
  return Buffer.concat([Buffer.from(`${JSON.stringify(keys)}\n${JSON.stringify(ends)}\n`, "utf8"), ...bodies]);
}

/**
 * Reads `definitionsBytes`' layout: the object the validators index (`definitions[key]`, never
 * enumerated) parses a definition on its first read and keeps it. Keys it has not got read as
 * `undefined`, as on a plain object (the validators then say "regenerate").
 */
const LAZY_DEFINITIONS = `const lazyDefinitions = (data) => {
  const bytes = brotliDecompressSync(Buffer.from(data, "base64"));
  const keysEnd = bytes.indexOf(10);
  const bodies = bytes.indexOf(10, keysEnd + 1) + 1;
  const keys = JSON.parse(bytes.toString("utf8", 0, keysEnd));
  const ends = JSON.parse(bytes.toString("utf8", keysEnd + 1, bodies - 1));
  const at = new Map();
  for (let i = 0; i < keys.length; i++) at.set(keys[i], i);
  const parsed = Object.create(null);
  const read = (key) => {
    const i = typeof key === "string" ? at.get(key) : undefined;
    if (i === undefined) return undefined;
    return (parsed[key] ??= JSON.parse(bytes.toString("utf8", bodies + (i === 0 ? 0 : ends[i - 1]), bodies + ends[i])));
  };
  return new Proxy(parsed, {
    get: (_, key) => read(key),
    has: (_, key) => typeof key === "string" && at.has(key),
    ownKeys: () => keys,
    getOwnPropertyDescriptor: (_, key) => {
      const value = read(key);
      return value === undefined ? undefined : { value, writable: false, enumerable: true, configurable: true };
    },
    set: () => false,
    defineProperty: () => false,
    deleteProperty: () => false,
  });
};
`;

const compressValidatorData: EsbuildPlugin = {
  name: "compress-validator-data",
  setup(build) {
    const packedFiles = new Set<string>();
    build.onLoad({ filter: /[/\\]generated[/\\]validators[/\\](definitions|index)\.[jt]s$/ }, async (args) => {
      const { code } = await transform(await readFile(args.path, "utf8"), { loader: "ts", format: "esm" });
      let out = code;
      const tables = /^const (\w+) = (\/\* @__PURE__ \*\/ JSON\.parse\(.*\)|\{\n[\s\S]*?\n\});$/gm;
      for (const match of code.matchAll(tables)) {
        const value: unknown = new Function(`return (${match[2]});`)();
        const json = JSON.stringify(value);
        if (json === undefined || !isDeepStrictEqual(JSON.parse(json), value)) continue;
        const lazy = match[1] === "DEFINITIONS";
        const packed = brotliCompressSync(lazy ? definitionsBytes(value as Record<string, unknown>) : json, {
          params: { [constants.BROTLI_PARAM_QUALITY]: 11 },
        }).toString("base64");
        out = out.replace(match[0], `const ${match[1]} = /* @__PURE__ */ ${lazy ? "lazyDefinitions" : "inflate"}(${JSON.stringify(packed)});`);
      }
      if (out === code) throw new Error(`compress-validator-data: no plain-data table found in ${args.path}; update packages/sdk/tsup.config.ts`);
      packedFiles.add(basename(args.path).replace(/\.[jt]s$/, ""));
      const inflate =
        'import { brotliDecompressSync } from "node:zlib";\nconst inflate = (data) => JSON.parse(brotliDecompressSync(Buffer.from(data, "base64")).toString("utf8"));\n';
      return { contents: inflate + LAZY_DEFINITIONS + out, loader: "js", resolveDir: dirname(args.path) };
    });
    // A renamed generated file once made this plugin match nothing, shipping ~370 KB of raw JSON.
    build.onEnd((result) => {
      if (packedFiles.size < 2 && result.errors.length === 0) {
        throw new Error(
          "compress-validator-data: the generated validator tables (definitions, index) were not all found; update the filter in packages/sdk/tsup.config.ts",
        );
      }
    });
  },
};

/**
 * The fields of a method table row the sdk's code reads: those of `StubInfo` in core's
 * rpc-stubs.ts (scope, kind, params), read from that file so the two cannot drift apart.
 */
let stubKeys: Promise<readonly string[]> | undefined;
const stubInfoKeys = (rpcStubsPath: string) =>
  (stubKeys ??= readFile(rpcStubsPath, "utf8").then((src) => {
    const body = /\binterface StubInfo \{([^}]*)\}/.exec(src)?.[1];
    const keys = [...(body ?? "").matchAll(/^\s*(?:readonly\s+)?(\w+)\??:/gm)].map((m) => m[1] as string);
    if (keys.length === 0) throw new Error("method-tables-as-json: no `interface StubInfo { … }` in core/src/rpc-stubs.ts; update tsup.config.ts");
    return keys;
  }));

/**
 * A method table's rows keep only the fields the stubs read: the rest (direction, visibility,
 * stability, deprecated, result type, …) is codegen-only data, ~2/3 of the table. The sdk exports
 * no table, so nothing else can read them. Values that are not method tables pass unchanged.
 */
function stubRows(value: unknown, keys: readonly string[]): unknown {
  if (typeof value !== "object" || value === null || Array.isArray(value)) return value;
  const rows = Object.values(value);
  const isTable = rows.length > 0 && rows.every((row) => typeof row === "object" && row !== null && keys.every((k) => k in row));
  if (!isTable) return value;
  return Object.fromEntries(
    Object.entries(value).map(([method, row]) => [method, Object.fromEntries(keys.map((k) => [k, (row as Record<string, unknown>)[k]]))]),
  );
}

/**
 * The generated method tables (~100 KB of object literals, read on every import; ~35 KB once
 * trimmed by `stubRows`) are emitted as
 * `JSON.parse("…")`: V8 scans a JSON string several times faster than it parses and compiles the
 * same object literal. Only plain-data tables are rewritten (checked by a round trip); anything
 * else is left as the generator wrote it.
 */
const methodTablesAsJson: EsbuildPlugin = {
  name: "method-tables-as-json",
  setup(build) {
    build.onLoad({ filter: /[/\\]generated[/\\](internal-)?methods\.ts$/ }, async (args) => {
      const { code } = await transform(await readFile(args.path, "utf8"), { loader: "ts", format: "esm" });
      let out = code;
      for (const match of code.matchAll(/^(export )?const (\w+) = \{\n[\s\S]*?\n\};$/gm)) {
        const literal = match[0].slice(match[0].indexOf("{"), -1);
        const value: unknown = new Function(`return (${literal});`)();
        if (JSON.stringify(value) === undefined || !isDeepStrictEqual(JSON.parse(JSON.stringify(value)), value)) continue;
        const json = JSON.stringify(stubRows(value, await stubInfoKeys(resolve(dirname(args.path), "../rpc-stubs.ts"))));
        out = out.replace(match[0], `${match[1] ?? ""}const ${match[2]} = /* @__PURE__ */ JSON.parse(${JSON.stringify(json)});`);
      }
      if (out === code) console.warn(`method-tables-as-json: no plain-data table found in ${args.path}; left as is`);
      return { contents: out, loader: "js", resolveDir: dirname(args.path) };
    });
  },
};

/**
 * Modules the sdk loads only by an `import()` (on the first start(), session or join), although a
 * package index re-exports them. esbuild puts every module a bundle entry reaches (re-exports
 * included) into a chunk that entry loads, i.e. on `import "@flightdeck/copilot-sdk"`; so the sdk
 * bundles those indexes without these re-exports. The sdk re-exports none of their values (one it
 * did import fails the build: "No matching export"); type re-exports are erased anyway.
 *
 * - core: the JSON-RPC connection, its framing and message classification, loaded with the
 *   connecting steps (client/src/rpc-connection.ts, below).
 * - client: the serving code of `sessionFs` (session-fs-handlers.ts) and of model requests
 *   (request-handler.ts, copilot-request-server.ts), loaded with the connecting steps.
 * - session: `SessionHost` and, through it, the session features (features.ts and features/*),
 *   loaded by the first start() or joinSession() (client/src/lazy-session.ts, below).
 */
const LAZY_REEXPORTS: ReadonlyArray<{ index: RegExp; modules: readonly string[] }> = [
  { index: /[/\\]core[/\\]src[/\\]index\.ts$/, modules: ["framing", "json-rpc-message", "json-rpc-connection"] },
  { index: /[/\\]client[/\\]src[/\\]index\.ts$/, modules: ["session-fs-handlers", "request-handler", "copilot-request-server"] },
  { index: /[/\\]session[/\\]src[/\\]index\.ts$/, modules: ["session-host"] },
];
const lazyReexports: EsbuildPlugin = {
  name: "lazy-reexports",
  setup(build) {
    for (const { index, modules } of LAZY_REEXPORTS) {
      build.onLoad({ filter: index }, async (args) => {
        let contents = await readFile(args.path, "utf8");
        for (const lazyModule of modules) {
          const reexport = new RegExp(`^export \\{[^}]*\\} from "\\./${lazyModule}\\.js";\\n`, "m");
          if (!reexport.test(contents))
            throw new Error(`lazy-reexports: ${args.path} has no \`export { … } from "./${lazyModule}.js"\`; update tsup.config.ts`);
          contents = contents.replace(reexport, "");
        }
        return { contents, loader: "ts", resolveDir: dirname(args.path) };
      });
    }
  },
};

/**
 * Imports that, in the sdk's bundle, go straight to the module defining what they take instead of
 * through a package index (which no longer re-exports it, see above, or would bring more along):
 * - client/src/lazy-session.ts's `import("@flightdeck/copilot-session")` loads session-host.ts,
 *   which becomes a chunk of its own with the session features;
 * - client/src/rpc-connection.ts's `JsonRpcConnection` comes from core's json-rpc-connection.ts;
 * - client/src/runtime-connection.ts's `parseRuntimeUri` (for `RuntimeConnection.forUri`) comes
 *   from core's connect-uri.ts, not the `/node` entry, which also holds the stdio and TCP transports.
 * A name the importer takes that the target does not define fails the build ("No matching export").
 */
const DIRECT_IMPORTS: ReadonlyArray<{ importer: RegExp; specifier: string; target: string }> = [
  { importer: /[/\\]client[/\\]src[/\\]lazy-session\.ts$/, specifier: "@flightdeck/copilot-session", target: "../../session/src/session-host.ts" },
  { importer: /[/\\]client[/\\]src[/\\]rpc-connection\.ts$/, specifier: "@flightdeck/copilot-core", target: "../../core/src/json-rpc-connection.ts" },
  { importer: /[/\\]client[/\\]src[/\\]runtime-connection\.ts$/, specifier: "@flightdeck/copilot-core/node", target: "../../core/src/connect-uri.ts" },
];
const directImports: EsbuildPlugin = {
  name: "direct-imports",
  setup(build) {
    build.onResolve({ filter: /^@flightdeck\/copilot-(core|session)(\/node)?$/ }, (args) => {
      const direct = DIRECT_IMPORTS.find((d) => d.specifier === args.path && d.importer.test(args.importer));
      return direct ? { path: resolve(args.resolveDir, direct.target) } : undefined;
    });
  },
};

/**
 * The generated stubs take `buildStubs`, `checkSessionId` and `registerHandlers` from core's public
 * `runtime.js`, which also re-exports `createValidators`; esbuild puts every module a bundle entry
 * can reach into a chunk that entry loads, so the validation code (otherwise only behind the
 * validators' `import()`) would load with the sdk. In the sdk's bundle those imports go straight to
 * rpc-stubs.ts, where the three live; a value the generator starts importing from elsewhere fails
 * the build ("No matching export").
 */
const stubsFromRpcStubs: EsbuildPlugin = {
  name: "stubs-from-rpc-stubs",
  setup(build) {
    build.onResolve({ filter: /^\.\.\/runtime\.js$/ }, (args) =>
      /[/\\]generated[/\\](internal-)?rpc\.ts$/.test(args.importer) ? { path: resolve(args.resolveDir, "../rpc-stubs.ts") } : undefined,
    );
  },
};

/**
 * The shipped JS is ASCII only. One non-ASCII character anywhere in a file (esbuild escapes them in
 * strings, not in the comments it keeps) makes Node hand V8 the whole file as UTF-16: decoding and
 * scanning it then cost ~10% of the instructions of an `import` (measured on this sdk). Comments get ASCII look-alikes;
 * a non-ASCII character outside a comment line fails the build rather than being changed.
 */
const ASCII_LOOKALIKES: Record<string, string> = {
  "\u2026": "...",
  "\u2192": "->",
  "\u2190": "<-",
  "\u2014": "--",
  "\u2013": "-",
  "\u2264": "<=",
  "\u2265": ">=",
  "\u00d7": "x",
};
const asciiOutput: TsupPlugin = {
  name: "ascii-output",
  renderChunk(code, chunk) {
    const nonAscii = /[\u0080-\uffff]/g;
    if (!chunk.path.endsWith(".js") || !/[\u0080-\uffff]/.test(code)) return undefined;
    const lines = code.split("\n").map((line, i) => {
      if (!/[\u0080-\uffff]/.test(line)) return line;
      if (!/^\s*(\/\/|\/\*|\*)/.test(line))
        throw new Error(`ascii-output: ${chunk.path}:${i + 1} has a non-ASCII character outside a comment; escape it in the source`);
      return line.replace(nonAscii, (c) => ASCII_LOOKALIKES[c] ?? `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`);
    });
    return { code: lines.join("\n") };
  },
};

export default defineConfig({
  entry: { index: "src/index.ts", extension: "src/extension.ts" },
  format: ["esm"],
  // Declarations of the bundled workspace packages are inlined (only what the sdk's exports reach),
  // and so are the Standard Schema interfaces (types only, MIT, made to be copied; notice in
  // dist/THIRD-PARTY-NOTICES.md): an install needs no @standard-schema/spec package.
  dts: { resolve: [/^@flightdeck\//, /^@standard-schema\/spec$/] },
  sourcemap: false, // the JS is shipped unminified and readable; maps would double the install size
  clean: true,
  target: "node20",
  // The validators (and the data above) stay in their own chunk, loaded by a dynamic import.
  splitting: true,
  treeshake: true,
  noExternal: [/^@flightdeck\//],
  esbuildPlugins: [keepNodeGuard, compressValidatorData, methodTablesAsJson, lazyReexports, directImports, stubsFromRpcStubs],
  plugins: [asciiOutput],
});
