/**
 * What the steps of `pnpm verify:packages` share: running a command, failing a step, the context
 * the steps fill in for each other.
 */
import { execFile, type ExecFileOptions } from "node:child_process";
import type { SizeMeasurement } from "./size-check.js";

export class CommandError extends Error {}

/** Runs a command; rejects with its output when it exits non-zero. */
export function run(command: string, args: readonly string[], options: ExecFileOptions & { timeoutMs?: number } = {}): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(command, args, { maxBuffer: 64 * 1024 * 1024, timeout: options.timeoutMs ?? 240_000, encoding: "utf8", ...options }, (error, stdout, stderr) => {
      const output = `${String(stdout)}${String(stderr)}`;
      if (error)
        reject(
          new CommandError(
            `\`${command} ${args.join(" ")}\` failed (${error.code ?? error.signal ?? "error"}):\n${output.trim().split("\n").slice(-40).join("\n")}`,
          ),
        );
      else resolve(output);
    });
  });
}

/** Runs tasks at most `limit` at a time (the CI machine has 2 cores); collects every failure. */
export async function inParallel<T>(items: readonly T[], limit: number, task: (item: T) => Promise<void>): Promise<string[]> {
  const failures: string[] = [];
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const item = items[next++] as T;
      try {
        await task(item);
      } catch (error) {
        failures.push(error instanceof Error ? error.message : String(error));
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return failures;
}

export interface Context {
  readonly work: string;
  readonly tarballs: Map<string, string>;
  consumer?: string;
  readonly runtimePath: string;
  readonly sizes: SizeMeasurement[];
}

/** Fails the running step with `message`. */
export function fail(message: string): never {
  throw new CommandError(message);
}
