/** `pnpm demo`, the README's main command, run as a user would: a child process on the real runtime. */
import { execFile } from "node:child_process";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { expect, it } from "vitest";

const root = fileURLToPath(new URL("../../..", import.meta.url));

it("pnpm demo runs a full offline turn: tool call, permission prompt, streamed answer, clean exit", async () => {
  const { stdout } = await promisify(execFile)(process.execPath, ["--import", "tsx", "examples/demo/src/main.ts"], {
    cwd: root,
    timeout: 90_000,
    // No TTY on stdin: the permission prompt approves by itself and says so.
    env: { ...process.env, FLIGHTDECK_DEBUG: "" },
  });
  expect(stdout).toMatch(/Flightdeck demo — runtime 1\.0\.85 \(protocol 3\)/);
  expect(stdout).toContain('[tool] get_forecast {"city":"Lisbon"}');
  expect(stdout).toContain('[permission] the agent wants to run the tool "get_forecast": approved (no terminal attached)');
  expect(stdout).toContain('straight from the get_forecast tool: {"city":"Lisbon","forecast":"sunny spells, light breeze","high":"21°C"}');
  expect(stdout).toMatch(/\[done\] final message: \d+ characters; the model was called 2 times\./);
}, 120_000);
