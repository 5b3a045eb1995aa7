/**
 * The files of a throw-away consumer project: what a user of the published packages writes.
 * `smoke` runs a whole session on the real runtime with the scripted model; the type-check
 * sources touch every entry point so each resolves, with `skipLibCheck: false`, under
 * `nodenext` (ESM and CommonJS), `node16` (CommonJS) and `bundler`.
 */

export const SMOKE_ANSWER = "Hello from the packed packages.";

/** The smoke scenario body, shared by the ESM and CommonJS variants. */
function smokeBody(): string {
  return `
async function main() {
  const runtimePath = process.env.COPILOT_CLI_PATH;
  if (!runtimePath) throw new Error("smoke: set COPILOT_CLI_PATH to a Copilot runtime executable");
  const model = await startScriptedModel({ script: [{ text: ${JSON.stringify(SMOKE_ANSWER)} }] });
  const iso = createIsolatedEnvironment();
  const client = new CopilotClient({
    env: { ...iso.env, COPILOT_CLI_PATH: runtimePath },
    workingDirectory: iso.workingDirectory,
    useLoggedInUser: false,
  });
  try {
    const session = await client.createSession({ model: "scripted-model", provider: model.provider(), onPermissionRequest: approveAll });
    const deltas = [];
    session.on("assistant.message", (event) => deltas.push(event.data.content));
    const answer = await session.sendAndWait("Say hello", { timeoutMs: 30000 });
    if (answer?.data.content !== ${JSON.stringify(SMOKE_ANSWER)}) throw new Error("smoke: unexpected answer " + JSON.stringify(answer?.data));
    if (deltas.length === 0) throw new Error("smoke: no assistant.message event reached the handler");
    // The validators entry (a lazily loaded subpath) loads and checks an event.
    const { validateSessionEvent } = await import("@flightdeck/copilot-core/validators");
    const bad = validateSessionEvent({ type: "session.idle", id: 42 }, "strict");
    if (bad.ok) throw new Error("smoke: the strict validator accepted a broken event");
    await session.disconnect();
    console.log("smoke ok: " + answer.data.content + " (runtime " + client.runtimeVersion + ", protocol " + client.protocolVersion + ")");
  } finally {
    await client.stop();
    await model.close();
    iso.cleanup();
  }
}
main().catch((error) => {
  console.error(error);
  process.exitCode = 1;
});
`;
}

export function smokeEsm(): string {
  return `import { CopilotClient, approveAll } from "@flightdeck/copilot-sdk";
import { createIsolatedEnvironment, startScriptedModel } from "@flightdeck/copilot-testing";
${smokeBody()}`;
}

export function smokeCjs(): string {
  return `"use strict";
const { CopilotClient, approveAll } = require("@flightdeck/copilot-sdk");
const { createIsolatedEnvironment, startScriptedModel } = require("@flightdeck/copilot-testing");
// The validators' CommonJS entry is a require(esm) shim: it must load under require() too.
if (typeof require("@flightdeck/copilot-core/validators").validateSessionEvent !== "function") throw new Error("smoke: require of the validators failed");
${smokeBody()}`;
}

/** Touches every published entry point's types (everything but the codegen, whose deps are heavy). */
export function typeCheckSource(): string {
  return `import { CopilotClient, approveAll, defineTool, SdkError, type SessionEvent, type CopilotClientOptions } from "@flightdeck/copilot-sdk";
import { JsonRpcConnection, RPC_METHODS, createInMemoryTransportPair, type RpcMethodName } from "@flightdeck/copilot-core";
import { validateSessionEvent, type ValidationResult } from "@flightdeck/copilot-core/validators";
import { StdioTransport, connectTcp } from "@flightdeck/copilot-core/node";
import { INTERNAL_RPC_METHODS } from "@flightdeck/copilot-core/internal";
import { ToolSet } from "@flightdeck/copilot-tools";
import { CopilotSession } from "@flightdeck/copilot-session";
import { RuntimeConnection } from "@flightdeck/copilot-client";
import { createIsolatedEnvironment, startScriptedModel, type ScriptedTurn } from "@flightdeck/copilot-testing";
import { joinSession, defineTool as defineExtensionTool, type JoinSessionConfig } from "@flightdeck/copilot-sdk/extension";

const options: CopilotClientOptions = { connection: RuntimeConnection.forStdio({ path: "/opt/copilot" }), useLoggedInUser: false };
export const client: CopilotClient = new CopilotClient(options);
export const tool = defineTool("lookup", {
  description: "Looks a word up",
  parameters: { type: "object", properties: { word: { type: "string" } }, required: ["word"] } as const,
  handler: (args) => args.word.toUpperCase(),
});
export const set = new ToolSet([tool]);
// A Standard Schema as zod, valibot or arktype make one (the sdk bundles the interface: no @standard-schema/spec here).
const wordSchema = {
  "~standard": {
    version: 1 as const,
    vendor: "consumer",
    validate: (value: unknown) => ({ value: value as { word: string } }),
    types: undefined as unknown as { input: { word: string }; output: { word: string } },
  },
};
export const spell = defineExtensionTool("spell", { description: "Spells a word", parameters: wordSchema, handler: (args) => args.word.length });
export const join: JoinSessionConfig = { onPermissionRequest: approveAll, tools: [spell] };
export const method: RpcMethodName = "ping";
export const known: boolean = method in RPC_METHODS && Object.keys(INTERNAL_RPC_METHODS).length > 0;
export const check: ValidationResult = validateSessionEvent({ type: "session.idle" });
export function describeEvent(event: SessionEvent): string {
  return event.type === "assistant.message" ? event.data.content : event.type;
}
export const turn: ScriptedTurn = { text: "hi" };
export const pair = createInMemoryTransportPair();
export const connection = new JsonRpcConnection(pair[0]);
export const kinds = [typeof StdioTransport, typeof connectTcp, typeof CopilotSession, typeof createIsolatedEnvironment, typeof startScriptedModel, typeof approveAll, typeof joinSession];
export const isSdkError = (error: unknown): error is SdkError => error instanceof SdkError;
`;
}

export interface TsConfigVariant {
  readonly name: string;
  readonly compilerOptions: Record<string, unknown>;
  readonly files: readonly string[];
}

/** The three ways a TypeScript user resolves packages, each with full library checking. */
export function typeCheckVariants(): TsConfigVariant[] {
  const common = { strict: true, skipLibCheck: false, noEmit: true, target: "ES2022", lib: ["ES2023"], types: ["node"] };
  return [
    { name: "nodenext", compilerOptions: { ...common, module: "nodenext", moduleResolution: "nodenext" }, files: ["src/esm.mts", "src/cjs.cts"] },
    { name: "node16-cjs", compilerOptions: { ...common, module: "node16", moduleResolution: "node16" }, files: ["src/cjs.cts"] },
    { name: "bundler", compilerOptions: { ...common, module: "esnext", moduleResolution: "bundler" }, files: ["src/bundler.ts"] },
  ];
}
