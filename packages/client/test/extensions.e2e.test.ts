/**
 * Extensions end to end on the Copilot CLI 1.0.102 (the pinned runtime that launches extensions):
 * an app starts a session with `requestExtensions: true` and `extensionSdkPath` pointing at
 * Flightdeck's extension bundle (built here from the sources with esbuild); the runtime launches
 * `.github/extensions/weather/extension.mjs`, which imports `joinSession` and registers a tool and
 * an environment-variable request. Checked: the request reaches the app as a permission prompt and
 * its approval puts the value in the extension's `process.env`, the model calls the extension's
 * tool, and the extension's process ends with the runtime. Runtime 1.0.85 does not launch
 * extensions: the option is refused there with a typed error naming the runtime version.
 */
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestClient, toolResults } from "@flightdeck/copilot-testing";
import { ExtensionError, joinSession } from "@flightdeck/copilot-client";
import { IN_PROCESS, RUNTIMES, isAlive } from "../../../test-support/e2e.js";

const repo = fileURLToPath(new URL("../../../", import.meta.url));
let sdkDir: string;

beforeAll(async () => {
  // The extension bundle, as an app would ship it: one ESM file the runtime's resolver loads for
  // the extension's `@github/copilot-sdk/extension` import.
  sdkDir = mkdtempSync(join(tmpdir(), "flightdeck-ext-sdk-"));
  const { build } = await import("esbuild");
  await build({
    entryPoints: { extension: join(repo, "packages/sdk/src/extension.ts"), index: join(repo, "packages/sdk/src/index.ts") },
    outdir: sdkDir,
    bundle: true,
    format: "esm",
    platform: "node",
    target: "node20",
    tsconfig: join(repo, "tsconfig.json"),
    logLevel: "error",
    banner: { js: "import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);" },
  });
}, 60_000);

afterAll(() => rmSync(sdkDir, { recursive: true, force: true }));

const EXTENSION = `
import { writeFileSync } from "node:fs";
import { joinSession, defineTool, defineWorkflow } from "@github/copilot-sdk/extension";
const record = new URL("./record.json", import.meta.url);
const state = { pid: process.pid };
const note = (data) => writeFileSync(record, JSON.stringify(Object.assign(state, data)));
note({ started: true, tokenBefore: process.env.GITHUB_TOKEN ?? null });
try {
  const session = await joinSession({
    requestedEnvironmentVariables: ["GITHUB_TOKEN"],
    workflows: [defineWorkflow({ name: "echo", description: "Echo the input", run: (ctx) => ({ echoed: ctx.input }) })],
    tools: [
      defineTool("ext_weather", {
        description: "Weather for a city, from the weather extension",
        parameters: { type: "object", properties: { city: { type: "string" } }, required: ["city"] },
        skipPermission: true,
        handler: ({ city }) => "Extension says sunny in " + city + "; token " + (process.env.GITHUB_TOKEN === "gho_extension_test" ? "granted" : "missing"),
      }),
    ],
  });
  note({ joined: session.sessionId, tokenAfter: process.env.GITHUB_TOKEN === "gho_extension_test" });
} catch (error) {
  note({ error: String(error && error.message || error), name: error && error.name, code: error && error.code });
}
`;

const [sdkRuntime, cliRuntime] = RUNTIMES;

describe.skipIf(IN_PROCESS || cliRuntime === undefined)(`${cliRuntime?.name ?? "cli"} launches a Flightdeck extension`, { timeout: 120_000 }, () => {
  it("the extension joins, its env-var request is approved by the app, the model calls its tool, and it ends with the runtime", async () => {
    const t = await createTestClient({
      runtime: cliRuntime!,
      isolation: { extraEnv: { GITHUB_TOKEN: "gho_extension_test" } },
      model: {
        script: [{ toolCalls: [{ name: "ext_weather", arguments: { city: "Oslo" } }] }, (req) => ({ text: `Relayed: ${toolResults(req).at(-1)?.content}` })],
      },
      client: { onError: () => {} },
    });
    try {
      const dir = join(t.iso.workingDirectory, ".github", "extensions", "weather");
      mkdirSync(dir, { recursive: true });
      writeFileSync(join(dir, "extension.mjs"), EXTENSION);
      const prompts: Array<Record<string, unknown>> = [];
      const session = await t.client.createSession({
        model: "gpt-4.1",
        provider: t.model.provider(),
        requestExtensions: true,
        extensionSdkPath: sdkDir,
        onPermissionRequest: (request) => {
          prompts.push(request as unknown as Record<string, unknown>);
          return { kind: "approve-once" };
        },
      });
      const recordPath = join(dir, "record.json");
      const read = () => (existsSync(recordPath) ? (JSON.parse(readFileSync(recordPath, "utf8")) as Record<string, unknown>) : {});
      for (const deadline = Date.now() + 60_000; read().joined === undefined && read().error === undefined && Date.now() < deadline; )
        await new Promise((r) => setTimeout(r, 100));
      const record = read();
      expect(record.error).toBeUndefined();
      expect(record.tokenBefore).toBeNull(); // stripped by the runtime before approval
      expect(record.joined).toBe(session.sessionId);
      expect(record.tokenAfter).toBe(true);
      expect(JSON.stringify(prompts)).toContain("GITHUB_TOKEN");

      // The extension registered a workflow under the CLI's spelling (workflows, workflow.*): the
      // runtime accepted the join; running it is gated on the Copilot account, so offline it is a typed refusal.
      expect(await session.workflows.listRuns()).toMatchObject({ runs: [] });
      await expect(session.workflows.run("echo", { input: { a: 1 } })).rejects.toMatchObject({
        name: "WorkflowsUnavailableError",
        runtimeCode: "dynamic_workflows_unavailable",
      });

      const reply = await session.sendAndWait("Weather in Oslo?", { timeoutMs: 60_000 });
      expect(reply?.data.content).toBe("Relayed: Extension says sunny in Oslo; token granted");

      const pid = record.pid as number;
      expect(isAlive(pid)).toBe(true);
      await t.client.stop();
      for (const deadline = Date.now() + 10_000; isAlive(pid) && Date.now() < deadline; ) await new Promise((r) => setTimeout(r, 100));
      expect(isAlive(pid)).toBe(false);
    } finally {
      await t.cleanup();
    }
  });
});

describe.skipIf(sdkRuntime === undefined)("extensions on a runtime that cannot launch them, and outside a runtime", () => {
  it(`${sdkRuntime?.name ?? "copilot-runtime"}: requestExtensions is refused with a typed error naming the runtime version`, async () => {
    const t = await createTestClient({ runtime: sdkRuntime!, client: { onError: () => {} } });
    try {
      const error = await t.client.createSession({ model: "gpt-4.1", requestExtensions: true, extensionSdkPath: sdkDir }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ExtensionError);
      expect((error as ExtensionError).code).toBe("RUNTIME_CANNOT_LAUNCH");
      expect((error as Error).message).toMatch(/runtime 1\.0\.85 does not launch extensions/);
      // The client goes on.
      expect((await t.client.ping()).protocolVersion).toBe(3);
    } finally {
      await t.cleanup();
    }
  });

  it("joinSession outside a runtime-launched process: ExtensionError NOT_IN_RUNTIME naming what to do", async () => {
    const saved = process.env.SESSION_ID;
    delete process.env.SESSION_ID;
    try {
      const error = await joinSession({}).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ExtensionError);
      expect((error as ExtensionError).code).toBe("NOT_IN_RUNTIME");
      expect((error as Error).message).toMatch(/\.github\/extensions\/<name>\/extension\.mjs.*requestExtensions: true/);
    } finally {
      if (saved !== undefined) process.env.SESSION_ID = saved;
    }
  });
});
