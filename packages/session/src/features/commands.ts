/**
 * Slash commands handled by your code: declared in `session.create`, invoked by a user (or
 * `session.rpc.commands.invoke`), delivered as `command.execute` and completed with
 * `session.commands.handlePendingCommand`.
 */
import { SdkError } from "@flightdeck/copilot-core";
import type { CommandExecuteData } from "../bindings.js";
import { answerInBackground, defineFeature } from "../feature.js";
import { describe, errorMessage, type Fail } from "../option-checks.js";

/** What a command handler gets: `commandName`, its raw `args` and the full `command` line. */
export interface CommandContext extends Omit<CommandExecuteData, "requestId"> {
  sessionId: string;
}

/**
 * A slash command. A handler that throws completes the command with its message as the error
 * the user sees.
 *
 * @example
 * ```ts
 * commands: [{ name: "deploy", description: "Deploy the current branch", handler: async ({ args }) => deploy(args) }]
 * ```
 */
export interface SlashCommand {
  /** Name without the leading slash. */
  name: string;
  /** Shown in command completion. */
  description?: string;
  handler: (context: CommandContext) => void | Promise<void>;
}

export interface CommandOptions {
  /** Slash commands your code handles. */
  commands?: SlashCommand[];
}

export const commandsFeature = defineFeature<CommandOptions>()({
  name: "commands",
  keys: ["commands"],
  lower(options, wire, { fail }) {
    if (options.commands !== undefined) wire.commands = commandsToWire(options.commands, fail);
    return undefined;
  },
  events: {
    // command.execute → the command's handler → session.commands.handlePendingCommand.
    "command.execute": (ctx, { data }) => {
      const wanted = data.commandName.replace(/^\/+/, "").toLowerCase();
      const command = ctx.options.commands?.find((c) => c.name.toLowerCase() === wanted);
      // The runtime routes a command to the client that declared it; others stay out.
      if (!command || !ctx.firstSight(`command:${data.requestId}`)) return;
      const run = async (): Promise<string | undefined> => {
        try {
          await command.handler({ sessionId: ctx.sessionId, command: data.command, commandName: data.commandName, args: data.args });
          return undefined;
        } catch (error) {
          ctx.report(
            new SdkError(
              "HANDLER_FAILED",
              `The handler of /${command.name} on session ${ctx.sessionId} threw: ${errorMessage(error)}. The command was completed with this error.`,
              { cause: error, details: { sessionId: ctx.sessionId, command: command.name } },
            ),
          );
          return `/${command.name} failed: ${errorMessage(error)}`;
        }
      };
      answerInBackground(ctx, `command:${data.requestId}`, run, (error) =>
        ctx.rpc.commands.handlePendingCommand(error === undefined ? { requestId: data.requestId } : { requestId: data.requestId, error }),
      );
    },
  },
});

/** Checks `commands` and returns the wire declarations (handlers stay here). */
function commandsToWire(value: unknown, fail: Fail): Array<{ name: string; description?: string }> {
  if (!Array.isArray(value)) return fail("commands", `must be an array like [{ name: "deploy", handler }], got ${describe(value)}.`);
  const seen = new Set<string>();
  return value.map((command: unknown, i) => {
    const at = `commands[${i}]`;
    if (typeof command !== "object" || command === null) return fail(at, `must be { name, description?, handler }, got ${describe(command)}.`);
    const c = command as Record<string, unknown>;
    if (typeof c.name !== "string" || !/^[A-Za-z0-9][A-Za-z0-9_:-]*$/.test(c.name)) {
      fail(`${at}.name`, `must be a command name without the slash (letters, digits, "-", "_", ":"), got ${describe(c.name)}.`);
    }
    const name = c.name as string;
    if (seen.has(name.toLowerCase())) fail(`${at}.name`, `"${name}" is declared twice (names are matched case-insensitively).`);
    seen.add(name.toLowerCase());
    if (typeof c.handler !== "function") fail(`commands.${name}.handler`, `must be a function ({ args }) => …, got ${describe(c.handler)}.`);
    if (c.description !== undefined && typeof c.description !== "string")
      fail(`commands.${name}.description`, `must be a string, got ${describe(c.description)}.`);
    return c.description === undefined ? { name } : { name, description: c.description as string };
  });
}
