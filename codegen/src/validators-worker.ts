/** Emits the validator data off the main thread (it ran ajv once; now cheap, kept so generate.ts needs no change). */
import { parentPort, workerData } from "node:worker_threads";
import { CodegenError } from "./errors.js";
import type { CodegenIr } from "./ir.js";
import { emitValidators } from "./emit/validators.js";

try {
  const data = workerData as { ir: CodegenIr; runtimeModule: string };
  const files = emitValidators(data.ir, data.runtimeModule);
  parentPort!.postMessage({ files: [...files] });
} catch (err) {
  const e = err as CodegenError;
  parentPort!.postMessage({ error: { message: e.message, codegen: err instanceof CodegenError, stack: e.stack } });
}
