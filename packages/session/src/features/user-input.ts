/**
 * `onUserInputRequest`: answers the agent's `ask_user` questions (`userInput.request`). Without it
 * the session does not ask the runtime for the capability, so the agent cannot ask.
 */
import type { UIUserInputResponse, UserInputRequestParams } from "../bindings.js";
import { defineFeature, noHandler } from "../feature.js";
import { checkFunction, describe } from "../option-checks.js";

/** What a handler of a runtime request learns besides the request. */
export interface RequestInvocation {
  sessionId: string;
  /** Fires when the request is cancelled, the turn is aborted or the session disconnects before you answered. */
  signal: AbortSignal;
}

/** The agent's `ask_user` question. */
export type UserInputRequest = Omit<UserInputRequestParams, "sessionId">;
/** Answers the agent's `ask_user` question: `{ answer, wasFreeform }`, or a bare string (a free-form answer). */
export type UserInputHandler = (
  request: UserInputRequest,
  invocation: RequestInvocation,
) => UIUserInputResponse | string | Promise<UIUserInputResponse | string>;

export interface UserInputOptions {
  /** Answers the agent's `ask_user` questions; without it the agent cannot ask. */
  onUserInputRequest?: UserInputHandler;
}

export const userInputFeature = defineFeature<UserInputOptions>()({
  name: "onUserInputRequest",
  keys: ["onUserInputRequest"],
  lower(options, wire, { fail }) {
    checkFunction(options.onUserInputRequest, "onUserInputRequest", fail);
    if (options.onUserInputRequest) wire.requestUserInput = true;
    return undefined;
  },
  requests: {
    "userInput.request": async (ctx, request, context) => {
      const handler = ctx.options.onUserInputRequest;
      if (!handler) throw noHandler(ctx.sessionId, "onUserInputRequest", "userInput.request");
      const run = ctx.startRun(`user-input:${context.id}`, context.signal);
      try {
        const answer = (await handler(request, { sessionId: ctx.sessionId, signal: run.signal })) as unknown;
        if (typeof answer === "string") return { answer, wasFreeform: true };
        if (typeof answer !== "object" || answer === null || typeof (answer as { answer?: unknown }).answer !== "string") {
          throw new Error(`it returned ${describe(answer)}; return { answer: string, wasFreeform: boolean }`);
        }
        return { ...(answer as UIUserInputResponse), wasFreeform: (answer as { wasFreeform?: boolean }).wasFreeform ?? true };
      } finally {
        run.end();
      }
    },
  },
});
