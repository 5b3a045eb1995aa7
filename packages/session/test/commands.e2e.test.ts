/**
 * Slash commands end to end on both pinned runtimes, offline: declared commands are listed,
 * invoking one delivers `command.execute` to its handler, and the runtime waits for
 * `session.commands.handlePendingCommand`, with the handler's error when it throws.
 */
import { describe, expect, it } from "vitest";
import { isSdkError } from "@flightdeck/copilot-core";
import type { CommandContext } from "@flightdeck/copilot-session";
import { RUNTIMES, gate, setup, useE2eTeardown } from "../../../test-support/e2e.js";

useE2eTeardown();

describe.each(RUNTIMES)("$name", (runtime) => {
  it("a declared command is listed, and invoking it runs its handler with the arguments", async () => {
    const t = await setup(runtime);
    const calls: CommandContext[] = [];
    const arrived = gate();
    const release = gate();
    const order: string[] = [];
    const session = await t.client.createSession({
      model: "gpt-4.1",
      provider: t.model.provider(),
      commands: [
        {
          name: "deploy",
          description: "Deploy the current branch",
          handler: async (context) => {
            calls.push(context);
            arrived.open();
            await release.promise;
            order.push("handler done");
          },
        },
      ],
    });
    const { commands } = await session.rpc.commands.list({ includeClientCommands: true, includeBuiltins: false });
    expect(commands).toEqual(expect.arrayContaining([expect.objectContaining({ name: "deploy", description: "Deploy the current branch" })]));

    const invoked = session.rpc.commands.invoke({ name: "/deploy", input: "staging --dry-run" }).then((result) => {
      order.push("invoke answered");
      return result;
    });
    // The runtime waits for the handler: release it only once the call arrived.
    await arrived.promise;
    release.open();
    expect(await invoked).toMatchObject({ kind: "completed" });
    expect(order).toEqual(["handler done", "invoke answered"]);
    expect(calls).toEqual([{ sessionId: session.sessionId, commandName: "deploy", args: "staging --dry-run", command: "/deploy staging --dry-run" }]);
    expect(t.problems()).toEqual([]);
  });

  it("a handler that throws completes the command with its message and is reported", async () => {
    const t = await setup(runtime);
    const session = await t.client.createSession({
      model: "gpt-4.1",
      provider: t.model.provider(),
      commands: [
        {
          name: "rollback",
          handler: () => {
            throw new Error("no previous release");
          },
        },
      ],
    });
    const result = await session.rpc.commands.execute({ commandName: "rollback", args: "" });

    expect(JSON.stringify(result)).toContain("/rollback failed: no previous release");
    const failures = t.errors.filter((e) => isSdkError(e, "HANDLER_FAILED"));
    expect(failures).toHaveLength(1);
    expect((failures[0] as Error).message).toContain("The handler of /rollback");
  });
});
