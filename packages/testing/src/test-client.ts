/**
 * `createTestClient`: a `CopilotClient` on a pinned runtime in a fresh isolated environment, plus
 * a started scripted model, so an offline agent test is a few lines.
 */
import { CopilotClient, RuntimeConnection, type CopilotClientOptions } from "@flightdeck/copilot-sdk";
import { TestingError } from "./errors.js";
import { refuseUnknownKeys } from "./option-keys.js";
import { createIsolatedEnvironment, type IsolatedEnvironment, type IsolatedEnvironmentOptions } from "./isolated-environment.js";
import { TEST_CONNECTION_ENV, resolveTestRuntime, type TestRuntime } from "./runtimes.js";
import { startScriptedModel, type ScriptedModelOptions, type ScriptedModelServer } from "./scripted-model-server.js";

/** Client options a test may set; the runtime, environment and login are owned by the helper. */
export type TestClientOptionsOverrides = Omit<
  CopilotClientOptions,
  "connection" | "env" | "workingDirectory" | "useLoggedInUser" | "gitHubToken" | "baseDirectory"
>;

/** Options of {@link createTestClient}. */
export interface TestClientOptions {
  /**
   * Which pinned runtime: a {@link TestRuntime} from `resolveTestRuntimes()`, or `"copilot-runtime"`
   * (runtime 1.0.85, fast to start; default) or `"cli"` (the Copilot CLI single executable).
   */
  runtime?: TestRuntime | "copilot-runtime" | "cli";
  /** Options of the scripted model (its `script`, `chunkSize`, …). */
  model?: ScriptedModelOptions;
  /** Extra `CopilotClient` options (`onError`, `validation`, `stopGraceMs`, …). */
  client?: TestClientOptionsOverrides;
  /** Options of the isolated environment (`keep` to inspect it after the test, `extraEnv`). */
  isolation?: IsolatedEnvironmentOptions;
  /**
   * `"stdio"`, `"tcp"`, or `"inprocess"` (the runtime library loaded into this process; the
   * `copilot-runtime` runtime only). Default: `"inprocess"` when the `FLIGHTDECK_TEST_CONNECTION`
   * environment variable is `inprocess` (the in-process cell of the e2e suite), else `"stdio"`.
   */
  transport?: "stdio" | "tcp" | "inprocess";
}

/** What {@link createTestClient} returns. */
export interface TestClient {
  /** A client on the chosen runtime, not started yet (it starts on first use). */
  readonly client: CopilotClient;
  /** The started scripted model: give sessions `provider: model.provider()`. */
  readonly model: ScriptedModelServer;
  /** The isolated environment the runtime runs in (`workingDirectory` is the session's default cwd). */
  readonly iso: IsolatedEnvironment;
  /** The runtime in use. */
  readonly runtime: TestRuntime;
  /**
   * Kills the runtime and everything it started, closes the model server and deletes the temp folder.
   * Idempotent; never throws. Call it in `afterEach` / `finally`.
   */
  cleanup(): Promise<void>;
  /** Same as {@link TestClient.cleanup}, for `await using`. */
  [Symbol.asyncDispose](): Promise<void>;
}

/** The transport `createTestClient` uses by default: `FLIGHTDECK_TEST_CONNECTION=inprocess` switches the suite to in-process. */
export function defaultTestConnection(): "stdio" | "inprocess" {
  const value = process.env[TEST_CONNECTION_ENV];
  if (value === undefined || value === "" || value === "stdio") return "stdio";
  if (value === "inprocess") return "inprocess";
  throw new TestingError("INVALID_OPTION", `${TEST_CONNECTION_ENV}="${value}" is not a test connection. Use "inprocess" or "stdio" (or leave it unset).`);
}

/**
 * The connection to `runtime` for the current test cell: `RuntimeConnection.forInProcess()` when
 * `FLIGHTDECK_TEST_CONNECTION=inprocess` (and the runtime has an in-process library), else
 * `RuntimeConnection.forStdio()` on its executable.
 */
export function testRuntimeConnection(runtime: Pick<TestRuntime, "path" | "args" | "inProcessLibrary">): RuntimeConnection {
  if (defaultTestConnection() === "inprocess" && runtime.inProcessLibrary !== undefined)
    return RuntimeConnection.forInProcess({ libraryPath: runtime.inProcessLibrary });
  return RuntimeConnection.forStdio({ path: runtime.path, args: runtime.args });
}

function pickRuntime(choice: TestClientOptions["runtime"]): TestRuntime {
  if (typeof choice === "object" && choice !== null) {
    if (typeof choice.path !== "string" || !Array.isArray(choice.args)) {
      throw new TestingError("INVALID_OPTION", 'createTestClient: `runtime` must be the result of resolveTestRuntime(), "copilot-runtime" or "cli".');
    }
    return choice;
  }
  // Only the chosen runtime's package needs to be installed.
  if (choice === undefined || choice === "copilot-runtime") return resolveTestRuntime("copilot-runtime");
  if (choice === "cli") {
    if (defaultTestConnection() === "inprocess")
      throw new TestingError(
        "INVALID_OPTION",
        `createTestClient: the CLI runtime cannot run in process, and ${TEST_CONNECTION_ENV}=inprocess restricts the runtimes to those that can.`,
      );
    return resolveTestRuntime("cli");
  }
  throw new TestingError(
    "INVALID_OPTION",
    `createTestClient: \`runtime\` must be "copilot-runtime", "cli" or an entry of resolveTestRuntimes(), got ${JSON.stringify(choice)}.`,
  );
}

/**
 * Starts a scripted model and builds a `CopilotClient` on a pinned runtime in a fresh isolated
 * environment (own HOME / COPILOT_HOME / XDG / TMPDIR, explicit env, `useLoggedInUser: false`).
 * Nothing leaves 127.0.0.1 and nothing of your own Copilot state is read.
 *
 * @example
 * ```ts
 * const t = await createTestClient({ model: { script: [{ text: "Hello!" }] } });
 * try {
 *   const session = await t.client.createSession({ model: "gpt-4.1", provider: t.model.provider() });
 *   expect((await session.sendAndWait("Hi"))?.data.content).toBe("Hello!");
 *   t.model.assertDone();
 * } finally {
 *   await t.cleanup();
 * }
 * ```
 * @throws {TestingError} `INVALID_OPTION` for a bad option, `RUNTIME_NOT_FOUND` when the runtime is not installed.
 */
export async function createTestClient(options: TestClientOptions = {}): Promise<TestClient> {
  if (typeof options !== "object" || options === null) {
    throw new TestingError("INVALID_OPTION", "createTestClient: pass an options object (or nothing).");
  }
  refuseUnknownKeys(options, ["runtime", "model", "client", "isolation", "transport"], "createTestClient: options");
  const transport = options.transport ?? defaultTestConnection();
  if (transport !== "stdio" && transport !== "tcp" && transport !== "inprocess") {
    throw new TestingError("INVALID_OPTION", `createTestClient: \`transport\` must be "stdio", "tcp" or "inprocess", got ${JSON.stringify(transport)}.`);
  }
  const overrides = (options.client ?? {}) as Record<string, unknown>;
  for (const key of ["connection", "env", "workingDirectory", "useLoggedInUser", "gitHubToken", "baseDirectory"]) {
    if (overrides[key] !== undefined) {
      throw new TestingError(
        "INVALID_OPTION",
        `createTestClient: \`client.${key}\` is set by the helper to keep the test isolated; leave it out (use \`isolation.extraEnv\` for extra environment variables).`,
      );
    }
  }
  const runtime = pickRuntime(options.runtime);
  if (transport === "inprocess" && runtime.inProcessLibrary === undefined) {
    throw new TestingError(
      "INVALID_OPTION",
      `createTestClient: ${runtime.name} has no in-process library (only the copilot-runtime package ships one). Use transport "stdio" or "tcp" for it.`,
    );
  }
  const model = await startScriptedModel(options.model);
  let iso: IsolatedEnvironment;
  let client: CopilotClient;
  try {
    iso = createIsolatedEnvironment(options.isolation);
    try {
      const connection =
        transport === "inprocess"
          ? RuntimeConnection.forInProcess({ libraryPath: runtime.inProcessLibrary! })
          : transport === "tcp"
            ? RuntimeConnection.forTcp({ path: runtime.path, args: runtime.args })
            : RuntimeConnection.forStdio({ path: runtime.path, args: runtime.args });
      client = new CopilotClient({ ...options.client, connection, env: { ...iso.env }, workingDirectory: iso.workingDirectory, useLoggedInUser: false });
    } catch (error) {
      iso.cleanup();
      throw error;
    }
  } catch (error) {
    await model.close();
    throw error;
  }
  let cleaning: Promise<void> | undefined;
  const cleanup = (): Promise<void> => {
    cleaning ??= (async () => {
      // Kill at once: a test's teardown must not wait on a graceful shutdown.
      await client.forceStop().catch(() => {});
      await model.close().catch(() => {});
      iso.cleanup();
    })();
    return cleaning;
  };
  return { client, model, iso, runtime, cleanup, [Symbol.asyncDispose]: cleanup };
}
