/**
 * The serving code of the providers a client can register (`sessionFs`, `requestHandler`), which
 * `registerProviders` loads by `import()` only when a client uses one. One module for the three:
 * an `import()` target is an entry point of the sdk's bundle, and esbuild keeps an entry point's
 * code in the static import graph of any module that also re-exports it (the package index does).
 */
export { serveCopilotRequestHandler } from "./copilot-request-handler-serve.js";
export { serveRequestHandler } from "./request-handler-serve.js";
export { serveSessionFs } from "./session-fs-serve.js";
