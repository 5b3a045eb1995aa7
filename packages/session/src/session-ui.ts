/**
 * `session.ui`: your code asks the user something through a UI-capable client attached to the
 * session (confirm, select, input, or a form). Answering the runtime's own elicitations is the
 * `onElicitationRequest` feature (`features/elicitation.ts`).
 */
import { SdkError } from "@flightdeck/copilot-core";
import type { SessionHostCapabilities, SessionRpc, UIElicitationRequest, UIElicitationResponse } from "./bindings.js";
import { describe } from "./option-checks.js";

/** `{ action: "accept", content: { field: value } }`, `{ action: "decline" }` or `{ action: "cancel" }`. */
export type ElicitationResult = UIElicitationResponse;

/** A form field of {@link SessionUi.elicitation}. */
export type ElicitationSchema = UIElicitationRequest["requestedSchema"];

/**
 * Asks the user something through a UI-capable client attached to the session (for example the
 * Copilot CLI's terminal UI). Every method needs `session.capabilities.ui.elicitation`; without
 * it they throw `SdkError("INVALID_OPTION")` before sending anything.
 */
export interface SessionUi {
  /** True when a client attached to the session can show elicitations. */
  readonly available: boolean;
  /** Shows a form; resolves with the user's answer. */
  elicitation(message: string, requestedSchema: ElicitationSchema): Promise<ElicitationResult>;
  /** Asks a yes/no question; `true` only when the user accepted and confirmed. */
  confirm(message: string): Promise<boolean>;
  /** Asks the user to pick one of `options`; `undefined` when declined or cancelled. */
  select(message: string, options: readonly string[]): Promise<string | undefined>;
  /** Asks for free text; `undefined` when declined or cancelled. */
  input(message: string): Promise<string | undefined>;
}

/** @internal Builds `session.ui`. */
export function createSessionUi(sessionId: string, capabilities: () => SessionHostCapabilities, rpc: () => SessionRpc): SessionUi {
  const ask = async (method: string, message: string, requestedSchema: ElicitationSchema): Promise<ElicitationResult> => {
    if (capabilities().ui?.elicitation !== true) {
      throw new SdkError(
        "INVALID_OPTION",
        // Starts with @github/copilot-sdk's wording, which programs match on.
        `Elicitation is not supported by the host. Check session.capabilities.ui?.elicitation before calling UI methods. (session.ui.${method}: session ${sessionId} has no elicitation UI (capabilities.ui.elicitation is not true); set \`onElicitationRequest\` on a client of this session, or attach a UI client, before asking the user.)`,
        { details: { sessionId, capability: "ui.elicitation" } },
      );
    }
    if (typeof message !== "string" || message === "")
      throw new SdkError("INVALID_OPTION", `session.ui.${method}: \`message\` must be a non-empty string, got ${describe(message)}.`, {
        details: { option: "message" },
      });
    return rpc().ui.elicitation({ message, requestedSchema });
  };
  return {
    get available() {
      return capabilities().ui?.elicitation === true;
    },
    elicitation: (message, requestedSchema) => ask("elicitation", message, requestedSchema),
    confirm: async (message) => {
      const result = await ask("confirm", message, {
        type: "object",
        properties: { confirmed: { type: "boolean", default: true } },
        required: ["confirmed"],
      } as ElicitationSchema);
      return result.action === "accept" && result.content?.confirmed === true;
    },
    select: async (message, options) => {
      if (!Array.isArray(options) || options.length === 0 || options.some((o) => typeof o !== "string")) {
        throw new SdkError("INVALID_OPTION", `session.ui.select: \`options\` must be a non-empty array of strings, got ${describe(options)}.`, {
          details: { option: "options" },
        });
      }
      const result = await ask("select", message, {
        type: "object",
        properties: { selection: { type: "string", enum: [...options] } },
        required: ["selection"],
      } as ElicitationSchema);
      return result.action === "accept" && typeof result.content?.selection === "string" ? result.content.selection : undefined;
    },
    input: async (message) => {
      const result = await ask("input", message, { type: "object", properties: { value: { type: "string" } }, required: ["value"] } as ElicitationSchema);
      return result.action === "accept" && typeof result.content?.value === "string" ? result.content.value : undefined;
    },
  };
}
