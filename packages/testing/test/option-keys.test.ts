import { describe, expect, it } from "vitest";
import {
  createIsolatedEnvironment,
  createScriptedRequestHandler,
  createTestClient,
  resolveTestRuntime,
  runtimeArgs,
  startScriptedModel,
  TestingError,
} from "@flightdeck/copilot-testing";
import { didYouMean } from "../src/option-keys.js";

async function refused(run: () => unknown, message: RegExp): Promise<void> {
  const error = await Promise.resolve()
    .then(run)
    .then(
      () => undefined,
      (e: unknown) => e,
    );
  expect(error).toBeInstanceOf(TestingError);
  expect((error as TestingError).code).toBe("INVALID_OPTION");
  expect((error as Error).message).toMatch(message);
}

describe("testing kit options refuse unknown keys, with a did-you-mean", () => {
  it("createTestClient", async () => {
    await refused(
      () => createTestClient({ modle: { script: [] } } as never),
      /^createTestClient: options: unknown option `modle`\. Did you mean `model`\?.*Known options: runtime, model, client, isolation, transport\./,
    );
    await refused(() => createTestClient({ transprot: "tcp" } as never), /Did you mean `transport`\?/);
  });
  it("the scripted model and its waitForRequests (a misspelled timeout is not the default)", async () => {
    await refused(() => startScriptedModel({ chunksize: 3 } as never), /^startScriptedModel: options: unknown option `chunksize`\. Did you mean `chunkSize`\?/);
    await refused(() => createScriptedRequestHandler({ scirpt: [] } as never), /Did you mean `script`\?/);
    const model = await startScriptedModel({ script: [] });
    try {
      await refused(
        () => model.waitForRequests(1, { timeout: 50 } as never),
        /^waitForRequests\(n, options\): unknown option `timeout`\. Did you mean `timeoutMs`\?/,
      );
    } finally {
      await model.close();
    }
  });
  it("the isolated environment and runtimeArgs", async () => {
    await refused(() => createIsolatedEnvironment({ kepp: true } as never), /Did you mean `keep`\?/);
    await refused(() => runtimeArgs({ logLvl: "debug" } as never), /^runtimeArgs: options: unknown option `logLvl`\. Did you mean `logLevel`\?/);
  });
  it("no suggestion when nothing is close", () => {
    expect(didYouMean("timeout", ["timeoutMs", "filter"])).toBe("timeoutMs");
    expect(didYouMean("zzzzzz", ["timeoutMs", "filter"])).toBeUndefined();
  });
});

describe("resolveTestRuntime", () => {
  it("resolves one runtime by name, and refuses other names", async () => {
    expect(resolveTestRuntime().name).toBe("copilot-runtime 1.0.85");
    expect(resolveTestRuntime("copilot-runtime").path).toMatch(/copilot-sdk-linux-x64.*prebuilds.*copilot-runtime$/);
    expect(resolveTestRuntime("cli").name).toMatch(/^copilot 1\.0\.\d+$/);
    await refused(() => resolveTestRuntime("node" as never), /^resolveTestRuntime: expected "copilot-runtime" or "cli", got "node"\.$/);
  });
});
