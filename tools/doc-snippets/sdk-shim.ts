/**
 * What `@flightdeck/copilot-sdk` resolves to when the docs' code blocks run (tools/doc-snippets):
 * the real SDK from the workspace sources, with `CopilotClient` defaulting to an isolated
 * environment (own HOME, no login, nothing of this machine's Copilot state) and, for sessions
 * created without a `provider`, the harness's scripted model. Everything else is the SDK itself, so
 * a block runs as written against the real runtime.
 */
import { CopilotClient as RealCopilotClient } from "../../packages/sdk/src/index.js";
import { createIsolatedEnvironment, startScriptedModel, type IsolatedEnvironment, type ScriptedModelServer } from "../../packages/testing/src/index.js";
import { genericScript } from "./generic-model.js";

// eslint-disable-next-line no-restricted-syntax -- a test shim standing in for the whole SDK
export * from "../../packages/sdk/src/index.js";

type ClientOptions = ConstructorParameters<typeof RealCopilotClient>[0];
type SessionConfig = Parameters<RealCopilotClient["createSession"]>[0];
type ResumeConfig = Parameters<RealCopilotClient["resumeSession"]>[1];

let model: Promise<ScriptedModelServer> | undefined;
const scriptedModel = (): Promise<ScriptedModelServer> => (model ??= startScriptedModel({ script: genericScript(200) }));
const environments: IsolatedEnvironment[] = [];
process.on("exit", () => {
  for (const iso of environments) iso.cleanup();
});

/** The SDK's client, isolated, with the scripted model as the default provider. */
export class CopilotClient extends RealCopilotClient {
  constructor(options: ClientOptions = {}) {
    const iso = createIsolatedEnvironment();
    environments.push(iso);
    const { gitHubToken: _token, useLoggedInUser: _login, ...rest } = options ?? {};
    super({
      ...rest,
      env: { ...iso.env, ...(options?.env ?? {}) },
      workingDirectory: options?.workingDirectory ?? iso.workingDirectory,
      useLoggedInUser: false,
    });
  }

  override async createSession(config: SessionConfig): Promise<Awaited<ReturnType<RealCopilotClient["createSession"]>>> {
    // A BYOK provider needs a model name; the scripted model answers to any.
    return super.createSession(
      config?.provider === undefined ? { ...config, model: config?.model ?? "gpt-4.1", provider: (await scriptedModel()).provider() } : config,
    );
  }

  override async resumeSession(sessionId: string, config?: ResumeConfig): Promise<Awaited<ReturnType<RealCopilotClient["resumeSession"]>>> {
    return super.resumeSession(
      sessionId,
      config?.provider === undefined ? { ...config, model: config?.model ?? "gpt-4.1", provider: (await scriptedModel()).provider() } : config,
    );
  }

  override async stop(): ReturnType<RealCopilotClient["stop"]> {
    try {
      return await super.stop();
    } finally {
      await model?.then((m) => m.close());
      model = undefined;
    }
  }

  override async forceStop(): ReturnType<RealCopilotClient["forceStop"]> {
    try {
      return await super.forceStop();
    } finally {
      await model?.then((m) => m.close());
      model = undefined;
    }
  }
}
