import { spawn, type ChildProcessWithoutNullStreams } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import { RuntimeConnection, type CopilotClientOptions } from "@flightdeck/copilot-sdk";
import { migrate } from "@flightdeck/copilot-postgres";
import {
  createIsolatedEnvironment,
  lastUserText,
  resolveTestRuntimes,
  startScriptedModel,
  startTestPostgres,
  type IsolatedEnvironment,
  type ScriptedModelServer,
  type ScriptedTurn,
  type TestPostgres,
} from "@flightdeck/copilot-testing";
import { afterAll, afterEach, beforeAll } from "vitest";

export const RUNTIME = resolveTestRuntimes()[0]!;
const PACKAGE_DIR = fileURLToPath(new URL("..", import.meta.url));

/** A scripted model turn answering "echo: <the user's text>", after `delayMs` when the text says `slow:<ms>`. */
export const echo: ScriptedTurn = (request) => {
  const text = lastUserText(request) ?? "";
  const prompt = text.replace(/<current_datetime>.*?<\/current_datetime>\s*/s, "").trim();
  const slow = /slow:(\d+)/.exec(prompt);
  return { text: `echo: ${prompt}`, ...(slow && { delayMs: Number(slow[1]) }) };
};
export const echoes = (n: number): ScriptedTurn[] => Array.from({ length: n }, () => echo);

/** Client options for one pooled runtime in a fresh isolated environment. */
export function runtimeOptions(cleanups: Array<() => unknown>): CopilotClientOptions {
  const iso: IsolatedEnvironment = createIsolatedEnvironment();
  cleanups.push(() => iso.cleanup());
  return {
    connection: RuntimeConnection.forStdio({ path: RUNTIME.path, args: RUNTIME.args }),
    env: { ...iso.env },
    workingDirectory: iso.workingDirectory,
    useLoggedInUser: false,
  };
}

/** A host process (test/fixtures/host.ts) driven over stdin/stdout. */
export interface HostProcess {
  readonly child: ChildProcessWithoutNullStreams;
  readonly runtimePid: number;
  command(cmd: Record<string, unknown>): Promise<Record<string, unknown>>;
  /** SIGKILL to the host and its runtime (its whole process group). */
  kill(): void;
  cleanup(): Promise<void>;
}

export async function startHostProcess(env: Record<string, string>): Promise<HostProcess> {
  const isoParent = mkdtempSync(join(tmpdir(), "flightdeck-host-"));
  const child = spawn(process.execPath, ["--import", "tsx", "test/fixtures/host.ts"], {
    cwd: PACKAGE_DIR,
    env: { PATH: process.env.PATH ?? "", HOME: isoParent, ISO_PARENT: isoParent, ...env },
    detached: true,
    stdio: ["pipe", "pipe", "pipe"],
  });
  let stderr = "";
  child.stderr.on("data", (d: Buffer) => void (stderr += d.toString()));
  const lines = createInterface({ input: child.stdout })[Symbol.asyncIterator]();
  const next = async (): Promise<Record<string, unknown>> => {
    const r = await lines.next();
    if (r.done) throw new Error(`host process ended: ${stderr}`);
    return JSON.parse(r.value) as Record<string, unknown>;
  };
  const ready = await next();
  let queue = Promise.resolve();
  const kill = () => {
    try {
      process.kill(-child.pid!, "SIGKILL");
    } catch {
      // already gone
    }
  };
  return {
    child,
    runtimePid: ready.runtimePid as number,
    command: (cmd) => {
      const result = queue.then(async () => {
        child.stdin.write(`${JSON.stringify(cmd)}\n`);
        return next();
      });
      queue = result.then(
        () => {},
        () => {},
      );
      return result;
    },
    kill,
    cleanup: async () => {
      kill();
      await new Promise((r) => setTimeout(r, 100));
      rmSync(isoParent, { recursive: true, force: true });
    },
  };
}

// One copy of the process probe for every package's tests.
export { isAlive } from "../../../test-support/e2e.js";

/**
 * One PostgreSQL server (migrated) and one scripted model answering `turns` echo turns for the
 * file's tests, started before them and stopped after; `cleanups` run after each test, last first.
 */
export function usePostgresAndModel(turns: number): {
  readonly db: TestPostgres;
  readonly model: ScriptedModelServer;
  readonly cleanups: Array<() => unknown>;
} {
  const shared = { cleanups: [] as Array<() => unknown> } as { db: TestPostgres; model: ScriptedModelServer; cleanups: Array<() => unknown> };
  beforeAll(async () => {
    shared.db = await startTestPostgres();
    await migrate({ connectionString: shared.db.url });
    shared.model = await startScriptedModel({ script: echoes(turns) });
  });
  afterEach(async () => {
    for (const c of shared.cleanups.splice(0).reverse()) await c();
  });
  afterAll(async () => {
    await shared.model?.close();
    await shared.db?.cleanup();
  });
  return shared;
}
