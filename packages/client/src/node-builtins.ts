/**
 * The Node built-ins this package calls synchronously, reached through `process.getBuiltinModule`
 * (Node >= 20.16) at the call instead of an `import` at the top: an ES import of `node:fs` builds
 * that module's facade, which reads every export and so loads Node's stream modules, and
 * `node:module` loads Node's source-map support. Nothing needs either before a runtime is resolved
 * or started, and every `import "@flightdeck/copilot-sdk"` would otherwise pay for them.
 */
export const nodeFs = () => process.getBuiltinModule("node:fs");
export const nodeModule = () => process.getBuiltinModule("node:module");
