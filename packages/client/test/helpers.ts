import { readdirSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { createIsolatedEnvironment, resolveTestRuntimes, testRuntimeConnection, type IsolatedEnvironment, type TestRuntime } from "@flightdeck/copilot-testing";
import { CopilotClient, RuntimeConnection, type CopilotClientOptions } from "@flightdeck/copilot-client";

export const FAKE_RUNTIME = fileURLToPath(new URL("./faults/fake-runtime.mjs", import.meta.url));
export const RUNTIMES: TestRuntime[] = resolveTestRuntimes();

/** A client on `runtime` in a fresh isolated environment; `cleanup` stops it and removes the folder. */
export function isolatedClient(
  runtime: Pick<TestRuntime, "path" | "args" | "inProcessLibrary">,
  options: Partial<CopilotClientOptions> & { transport?: "stdio" | "tcp"; connectionToken?: string; extraEnv?: Record<string, string> } = {},
): { client: CopilotClient; iso: IsolatedEnvironment; cleanup: () => Promise<void> } {
  const iso = createIsolatedEnvironment();
  const { transport, connectionToken, extraEnv, ...rest } = options;
  const connection =
    transport === "tcp"
      ? RuntimeConnection.forTcp({ path: runtime.path, args: runtime.args, ...(connectionToken && { connectionToken }) })
      : transport === "stdio"
        ? RuntimeConnection.forStdio({ path: runtime.path, args: runtime.args })
        : testRuntimeConnection(runtime); // the cell's default: stdio, or in process

  const client = new CopilotClient({
    connection,
    env: { ...iso.env, ...extraEnv },
    workingDirectory: iso.workingDirectory,
    useLoggedInUser: false,
    onError: () => {},
    ...rest,
  });
  return {
    client,
    iso,
    cleanup: async () => {
      await client.forceStop();
      iso.cleanup();
    },
  };
}

/** Pids of the live processes in a process group (empty when the group is gone). */
export function processGroupMembers(pgid: number): number[] {
  const members: number[] = [];
  for (const name of readdirSync("/proc")) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, "utf8");
      // Fields after the ")" that closes the command name: state, ppid, pgrp, …
      const [state, , pgrp] = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      if (Number(pgrp) === pgid && state !== "Z") members.push(Number(name));
    } catch {
      // the process ended while we looked
    }
  }
  return members;
}

export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** True in the in-process cell (`FLIGHTDECK_TEST_CONNECTION=inprocess`, `pnpm test:inprocess`). */
export const IN_PROCESS = process.env.FLIGHTDECK_TEST_CONNECTION === "inprocess";
