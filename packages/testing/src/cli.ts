#!/usr/bin/env node
/**
 * `flightdeck-scripted-model --script <file.json|file.mjs> [--port N] [--api-key KEY]`: runs the
 * scripted model server on 127.0.0.1 until Ctrl-C, printing its base URL and each request.
 * A `.json` file holds an array of static turns; an `.mjs`/`.js` file default-exports an array
 * that may contain functions (dynamic turns).
 */
import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { parseArgs } from "node:util";
import { startScriptedModel } from "./scripted-model-server.js";
import type { ScriptedTurn } from "./script.js";

async function loadScript(file: string): Promise<ScriptedTurn[]> {
  const path = resolve(file);
  if (path.endsWith(".json")) return JSON.parse(readFileSync(path, "utf8")) as ScriptedTurn[];
  const module = (await import(pathToFileURL(path).href)) as { default?: ScriptedTurn[] };
  return module.default ?? [];
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      script: { type: "string" },
      port: { type: "string" },
      "api-key": { type: "string" },
      help: { type: "boolean" },
    },
  });
  if (values.help || values.script === undefined) {
    console.log("usage: flightdeck-scripted-model --script <turns.json|turns.mjs> [--port N] [--api-key KEY]");
    process.exitCode = values.help ? 0 : 2;
    return;
  }
  const model = await startScriptedModel({
    script: await loadScript(values.script),
    ...(values.port !== undefined ? { port: Number(values.port) } : {}),
    ...(values["api-key"] !== undefined ? { apiKey: values["api-key"] } : {}),
  });
  console.log(`scripted model listening: ${model.baseUrl}`);
  console.log(`provider: ${JSON.stringify(model.provider())}`);
  let seen = 0;
  const timer = setInterval(() => {
    for (const r of model.requests.slice(seen)) {
      console.log(`#${r.index} ${r.method} ${r.path} → ${r.status}${r.unexpected ? ` UNEXPECTED: ${r.problem}` : ""}`);
    }
    seen = model.requests.length;
  }, 100);
  const stop = () => {
    clearInterval(timer);
    void model.close();
  };
  process.once("SIGINT", stop);
  process.once("SIGTERM", stop);
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exitCode = 1;
});
