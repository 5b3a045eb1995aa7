/**
 * The runtime as an installed sdk finds it: the optional dependency with nothing configured, and
 * the message a user gets when there is none.
 */
import { existsSync, mkdirSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { type Context, fail, run } from "./verify-kit.js";

/**
 * `npm install --omit=optional @flightdeck/copilot-sdk` (or a platform without a runtime package):
 * what a user sees when no runtime can be found anywhere.
 */
export async function missingRuntime(ctx: Context): Promise<void> {
  const dir = join(ctx.work, "consumer-no-runtime");
  mkdirSync(dir, { recursive: true });
  const sdk = ctx.tarballs.get("@flightdeck/copilot-sdk") as string;
  writeFileSync(
    join(dir, "package.json"),
    `${JSON.stringify({ name: "no-runtime", private: true, version: "0.0.0", dependencies: { "@flightdeck/copilot-sdk": `file:${sdk}` } }, null, 2)}\n`,
  );
  await run("npm", ["install", "--omit=optional", "--no-audit", "--no-fund", "--loglevel=error", "--ignore-scripts"], { cwd: dir, timeoutMs: 180_000 });
  if (existsSync(join(dir, "node_modules/@github"))) fail("npm install --omit=optional still installed a @github package");
  writeFileSync(
    join(dir, "start.mjs"),
    [
      'import { CopilotClient } from "@flightdeck/copilot-sdk";',
      "const client = new CopilotClient();",
      "try {",
      "  await client.start();",
      '  console.log("started without a runtime?");',
      "} catch (error) {",
      "  console.log(JSON.stringify({ name: error.name, code: error.code, message: error.message }));",
      "}",
      "",
    ].join("\n"),
  );
  const env: NodeJS.ProcessEnv = { ...process.env, FLIGHTDECK_DEBUG: "" };
  delete env.COPILOT_CLI_PATH;
  delete env.NODE_PATH;
  env.PATH = dirname(process.execPath); // no `copilot` on PATH
  // The process must end by itself: a start() that failed leaves nothing running.
  const out = await run(process.execPath, ["start.mjs"], { cwd: dir, env, timeoutMs: 30_000 }).catch((error: Error) =>
    fail(`start() without a runtime did not end cleanly:\n${error.message}`),
  );
  const line = out.trim().split("\n").pop() ?? "";
  const seen = (() => {
    try {
      return JSON.parse(line) as { code?: string; message?: string };
    } catch {
      return fail(`start() without a runtime printed no error:\n${out}`);
    }
  })();
  const install = `npm install @github/copilot-sdk-${process.platform}-${process.arch}`;
  if (seen.code !== "RUNTIME_NOT_FOUND" || !seen.message?.includes(install)) {
    fail(`start() without a runtime: expected RUNTIME_NOT_FOUND naming \`${install}\`, got:\n${line}`);
  }
}

/** What `npm install @flightdeck/copilot-sdk` users get: a runtime, found with nothing configured. */
export async function bundledRuntime(ctx: Context): Promise<void> {
  const dir = ctx.consumer as string;
  const env: NodeJS.ProcessEnv = { ...process.env, FLIGHTDECK_DEBUG: "" };
  delete env.COPILOT_CLI_PATH;
  // Only the consumer's own node_modules: PATH without a `copilot` and no pnpm NODE_PATH.
  env.PATH = dirname(process.execPath);
  delete env.NODE_PATH;
  writeFileSync(
    join(dir, "bundled-runtime.mjs"),
    [
      // The sdk (which bundles the client) carries the runtime packages as optional dependencies.
      'import { resolveRuntime } from "@flightdeck/copilot-sdk";',
      'import { createTestClient, lastUserText } from "@flightdeck/copilot-testing";',
      "const found = resolveRuntime();",
      'if (found.source !== "@github/copilot-sdk") throw new Error("runtime found from " + found.source + ", expected the optional dependency");',
      // No `await using`: Node 20 (a supported version) cannot parse it.
      'const t = await createTestClient({ model: { script: [{ text: "Hello from the scripted model." }] } });',
      "try {",
      '  const session = await t.client.createSession({ model: "gpt-4.1", provider: t.model.provider(), onPermissionRequest: () => ({ kind: "approve-once" }) });',
      '  const answer = await session.sendAndWait("Hi there");',
      '  if (answer?.data.content !== "Hello from the scripted model.") throw new Error("unexpected answer " + JSON.stringify(answer?.data));',
      '  if (lastUserText(t.model.requests[0]) !== "Hi there") throw new Error("prompt decoration not hidden: " + JSON.stringify(lastUserText(t.model.requests[0])));',
      '  console.log("runtime ok: " + found.path.split("node_modules/").at(-1) + " (" + t.runtime.name + ")");',
      "} finally {",
      "  await t.cleanup();",
      "}",
      "",
    ].join("\n"),
  );
  const out = await run(process.execPath, ["bundled-runtime.mjs"], { cwd: dir, env, timeoutMs: 90_000 }).catch((error: Error) =>
    fail(`bundled runtime: ${error.message}`),
  );
  if (!out.includes("runtime ok:")) fail(`bundled runtime printed no success line:\n${out}`);
  console.log(`    ${out.trim()}`);
}
