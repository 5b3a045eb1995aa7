/**
 * The terminal chat as a user drives it: a child process on the real runtime with the scripted
 * model, answering its prompts line by line (stdin is a pipe, so it runs interactively).
 */
import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import { expect, it } from "vitest";

const root = fileURLToPath(new URL("../../..", import.meta.url));

/** Starts the chat; `answer(marker, line)` waits until the output shows `marker`, then types `line`. */
function chat() {
  const child = spawn(process.execPath, ["--import", "tsx", "examples/cli-chat/src/main.ts"], {
    cwd: root,
    env: { ...process.env, CI: "", FLIGHTDECK_DEBUG: "" },
    stdio: ["pipe", "pipe", "pipe"],
  });
  let output = "";
  let seen = 0;
  const waiters: { marker: string; resolve: () => void }[] = [];
  const check = () => {
    for (const w of [...waiters]) {
      const at = output.indexOf(w.marker, seen);
      if (at >= 0) {
        seen = at + w.marker.length;
        waiters.splice(waiters.indexOf(w), 1);
        w.resolve();
      }
    }
  };
  child.stdout.on("data", (c: Buffer) => ((output += c.toString("utf8")), check()));
  child.stderr.on("data", (c: Buffer) => ((output += c.toString("utf8")), check()));
  const exited = new Promise<number | null>((resolve) => child.on("close", resolve));
  return {
    async answer(marker: string, line: string) {
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no "${marker}" in the output after 30 s:\n${output}`)), 30_000);
        waiters.push({ marker, resolve: () => (clearTimeout(timer), resolve()) });
        check();
      });
      child.stdin.write(`${line}\n`);
    },
    exited,
    output: () => output,
  };
}

it("prints a banner and help, reads naturally on Deny, and ends with a message when the script runs out", async () => {
  const c = chat();
  await c.answer("you> ", "/help");
  await c.answer("you> ", "Which files are here?");
  await c.answer("Allow? [Y/n] ", "n");
  await c.answer("you> ", "And now?");
  await c.answer("you> ", "One more?");
  expect(await c.exited).toBe(0);
  const out = c.output();
  expect(out).toMatch(/^Flightdeck cli-chat — offline \(a scripted model on 127\.0\.0\.1/);
  expect(out.match(/Commands: \/help this help, \/quit/g)).toHaveLength(2); // at start and on /help
  expect(out).toContain("Allow? [Y/n] All right, I won't look at your files. (The tool was not run.)");
  expect(out).not.toContain("The working folder holds");
  expect(out).toContain("copilot> You're welcome. Bye!");
  expect(out).toContain("The scripted model has no answers left (this offline demo knows 3 turns).");
  expect(out).not.toMatch(/SessionError| {4}at /);
  expect(out.trimEnd().endsWith("Bye!")).toBe(true);
}, 120_000);

it("lists the files after Enter (approve) and quits on an empty line", async () => {
  const c = chat();
  await c.answer("you> ", "Which files are here?");
  await c.answer("Allow? [Y/n] ", "");
  await c.answer("you> ", "");
  expect(await c.exited).toBe(0);
  expect(c.output()).toContain("The working folder holds: notes.md.");
}, 120_000);
