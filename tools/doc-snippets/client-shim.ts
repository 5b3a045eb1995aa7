/**
 * What `@flightdeck/copilot-client` resolves to when the docs' code blocks run: the workspace
 * client, with the harness's isolated `CopilotClient` (see ./sdk-shim.ts).
 */
// eslint-disable-next-line no-restricted-syntax -- a test shim standing in for the whole package
export * from "../../packages/client/src/index.js";
export { CopilotClient } from "./sdk-shim.js";
