/** Orchestration: schemas → IR → every emitter → an atomic swap of the output folder. */
import { existsSync, mkdirSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { pathToFileURL } from "node:url";
import { Worker } from "node:worker_threads";
import { basename, dirname, join, resolve } from "node:path";
import { CodegenError } from "./errors.js";
import { buildIr, type CodegenIr } from "./ir.js";
import { loadSchemas } from "./load.js";
import { byString } from "./util.js";
import { emitBarrel, emitReadme } from "./emit/barrel.js";
import { DEFAULT_RUNTIME_MODULE } from "./emit/common.js";
import { emitEnums } from "./emit/enums.js";
import { emitEvents } from "./emit/events.js";
import { emitSource } from "./emit/source.js";
import { emitMethods } from "./emit/methods.js";
import { emitRpc } from "./emit/rpc.js";
import { emitTypes } from "./emit/types.js";
import { emitValidators } from "./emit/validators.js";

export interface GenerateOptions {
  /** Folder with api.schema.json, session-events.schema.json and optionally overlay/*.json. */
  readonly schemasDir: string;
  /** Folder to (re)write. Replaced as a whole, only when every emitter succeeded. */
  readonly outDir: string;
  /**
   * Module the output imports its hand-written behaviour from (stub builder, handler
   * registration, validator types). Default `@flightdeck/copilot-core/runtime`; a relative
   * specifier is taken relative to `outDir` (this repo passes `../runtime.js`).
   */
  readonly runtimeModule?: string;
}

/** Options of {@link generateFiles}. */
export interface GenerateFilesOptions {
  /** `false`: emit the validators on this thread (tests); default: in a worker. */
  readonly parallel?: boolean;
  /** See {@link GenerateOptions.runtimeModule}. */
  readonly runtimeModule?: string;
}

/** Runs every emitter; returns file path (relative, `/`-separated) → contents, sorted by path. */
export async function generateFiles(ir: CodegenIr, options: GenerateFilesOptions = {}): Promise<Map<string, string>> {
  const files = new Map<string, string>();
  const runtime = options.runtimeModule ?? DEFAULT_RUNTIME_MODULE;
  // ajv compilation is the slowest step: run it beside json-schema-to-typescript.
  const validators = options.parallel === false ? Promise.resolve(emitValidators(ir, runtime)) : validatorsInWorker(ir, runtime);
  validators.catch(() => {});
  const types = await emitTypes(ir);
  files.set("types.ts", types.file);
  files.set("methods.ts", emitMethods(ir, "public", runtime));
  files.set("internal-methods.ts", emitMethods(ir, "internal", runtime));
  files.set("events.ts", emitEvents(ir));
  files.set("enums.ts", emitEnums(ir));
  files.set("source.ts", emitSource(ir));
  const rpc = emitRpc(ir, "public", runtime);
  const irpc = emitRpc(ir, "internal", runtime);
  files.set("rpc.ts", rpc.text);
  files.set("internal-rpc.ts", irpc.text);
  for (const [name, text] of await validators) files.set(`validators/${name}`, text);

  files.set(
    "index.ts",
    emitBarrel(
      ir,
      [
        { from: "./types.js", types: types.names.filter((n) => n !== "SessionEvent"), values: [] },
        {
          from: "./events.js",
          types: [
            "SessionEvent",
            "SessionEventDataOf",
            "SessionEventInfo",
            "SessionEventOf",
            "SessionEventType",
            "UnknownWireSessionEvent",
            "WireSessionEvent",
          ],
          values: ["SESSION_EVENT_INFO", "SESSION_EVENT_TYPES"],
        },
        { from: "./enums.js", types: [], values: ["ENUM_VALUES", "UNION_DISCRIMINATORS"] },
        { from: "./source.js", types: [], values: ["PROTOCOL_SCHEMA_SOURCE"] },
        {
          from: "./methods.js",
          types: ["RpcMethodName", "RpcMethodTypes", "RpcParamsOf", "RpcResultOf", "RpcWireParamsOf"],
          values: ["RPC_METHODS", "RPC_PARAM_KEYS"],
        },
        { from: "./rpc.js", types: rpc.typeNames, values: rpc.valueNames },
      ],
      "The public generated surface. Validators are a separate entry point (`@flightdeck/copilot-core/validators`).",
    ),
  );
  files.set(
    "internal-index.ts",
    emitBarrel(
      ir,
      [
        {
          from: "./internal-methods.js",
          types: ["InternalRpcMethodName", "InternalRpcMethodTypes", "InternalRpcParamsOf", "InternalRpcResultOf", "InternalRpcWireParamsOf"],
          values: ["INTERNAL_RPC_METHODS", "INTERNAL_RPC_PARAM_KEYS"],
        },
        { from: "./internal-rpc.js", types: irpc.typeNames, values: irpc.valueNames },
      ],
      "Runtime-internal methods (`visibility: internal`): re-exported by `@flightdeck/copilot-core/internal` only.",
    ),
  );
  const names = [...files.keys(), "README.md"].sort(byString);
  files.set("README.md", emitReadme(ir, names));
  return new Map([...files.entries()].sort(([a], [b]) => byString(a, b)));
}

function validatorsInWorker(ir: CodegenIr, runtimeModule: string): Promise<Map<string, string>> {
  const self = new URL(import.meta.url);
  const entry = new URL(self.pathname.endsWith(".ts") ? "./validators-worker.ts" : "./validators-worker.js", self);
  return new Promise((resolvePromise, reject) => {
    // Running from sources: register tsx inside the worker (loader flags are not inherited by workers).
    const worker = self.pathname.endsWith(".ts")
      ? new Worker(
          `(async () => { const { register } = await import(${JSON.stringify(
            pathToFileURL(
              createRequire(import.meta.url)
                .resolve("tsx/esm/api")
                .replace(/\.cjs$/, ".mjs"),
            ).href,
          )}); register(); await import(${JSON.stringify(entry.href)}); })()`,
          { eval: true, workerData: { ir, runtimeModule } },
        )
      : new Worker(entry, { workerData: { ir, runtimeModule } });
    worker.once("message", (msg: { files?: [string, string][]; error?: { message: string; codegen: boolean; stack?: string } }) => {
      void worker.terminate();
      if (msg.files) resolvePromise(new Map(msg.files));
      else if (msg.error?.codegen) reject(new CodegenError(msg.error.message));
      else reject(new Error(msg.error?.stack ?? msg.error?.message ?? "validator worker failed"));
    });
    worker.once("error", reject);
    worker.once("exit", (code) => {
      if (code !== 0) reject(new Error(`validator worker exited with code ${code}`));
    });
  });
}

/**
 * Generates into a fresh sibling folder and swaps it in only when everything succeeded, so a
 * failing run never leaves a half-written `generated/`.
 */
export async function generate(options: GenerateOptions): Promise<{ ir: CodegenIr; files: string[] }> {
  const ir = buildIr(loadSchemas(resolve(options.schemasDir)));
  const files = await generateFiles(ir, { runtimeModule: options.runtimeModule });
  const out = resolve(options.outDir);
  const parent = dirname(out);
  mkdirSync(parent, { recursive: true });
  const tmp = join(parent, `.${basename(out)}.tmp-${process.pid}`);
  const old = join(parent, `.${basename(out)}.old-${process.pid}`);
  rmSync(tmp, { recursive: true, force: true });
  try {
    for (const [name, text] of files) {
      const full = join(tmp, name);
      mkdirSync(dirname(full), { recursive: true });
      writeFileSync(full, text);
    }
    if (existsSync(out)) renameSync(out, old);
    renameSync(tmp, out);
    rmSync(old, { recursive: true, force: true });
  } catch (err) {
    rmSync(tmp, { recursive: true, force: true });
    if (existsSync(old) && !existsSync(out)) renameSync(old, out);
    throw new CodegenError(`could not write ${out}: ${(err as Error).message}`, undefined, undefined, "check the folder is writable; nothing was changed");
  }
  return { ir, files: [...files.keys()] };
}
