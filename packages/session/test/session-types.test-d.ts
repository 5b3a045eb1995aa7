import { describe, expectTypeOf, it } from "vitest";
import type { AnySessionEvent, CopilotSession, SessionConfig, SessionEventOf, UnknownSessionEvent } from "@flightdeck/copilot-session";
import { isUnknownSessionEvent } from "@flightdeck/copilot-session";
import { isSessionEventOfType, type WireSessionEvent } from "@flightdeck/copilot-core";

declare const session: CopilotSession;

describe("event narrowing", () => {
  it("on(type, handler) gives that event's payload", () => {
    session.on("assistant.message", (event) => {
      expectTypeOf(event.type).toEqualTypeOf<"assistant.message">();
      expectTypeOf(event.data.content).toEqualTypeOf<string>();
      expectTypeOf(event).toEqualTypeOf<SessionEventOf<"assistant.message">>();
    });
    session.on("assistant.message_delta", (event) => {
      expectTypeOf(event.data.deltaContent).toEqualTypeOf<string>();
    });
    session.on("session.error", (event) => {
      expectTypeOf(event.data.message).toEqualTypeOf<string>();
    });
    // @ts-expect-error not an event type
    session.on("assistant.mesage", () => undefined);
    // @ts-expect-error deltaContent belongs to assistant.message_delta
    session.on("assistant.message", (event) => event.data.deltaContent);
  });

  it("on(handler) narrows with switch/if although unknown events are in the union", () => {
    session.on((event) => {
      expectTypeOf(event).toEqualTypeOf<AnySessionEvent>();
      if (event.type === "assistant.message") expectTypeOf(event.data.content).toEqualTypeOf<string>();
      switch (event.type) {
        case "external_tool.requested":
          expectTypeOf(event.data.toolName).toEqualTypeOf<string>();
          break;
        case "session.idle":
          expectTypeOf(event.data.aborted).toEqualTypeOf<boolean | undefined>();
          break;
      }
      if (isUnknownSessionEvent(event)) {
        expectTypeOf(event).toEqualTypeOf<UnknownSessionEvent>();
        expectTypeOf(event.rawData).toEqualTypeOf<unknown>();
      }
    });
  });

  it("core's guards take the session's events: a delivered event is a WireSessionEvent", () => {
    expectTypeOf<AnySessionEvent>().toExtend<WireSessionEvent>();
    session.on((event) => {
      if (isSessionEventOfType(event, "assistant.message")) expectTypeOf(event.data.content).toEqualTypeOf<string>();
    });
  });

  it("sendAndWait resolves with the final assistant.message", () => {
    expectTypeOf(session.sendAndWait("hi")).resolves.toEqualTypeOf<SessionEventOf<"assistant.message"> | undefined>();
    expectTypeOf(session.send({ prompt: "hi", mode: "immediate" })).resolves.toEqualTypeOf<string>();
    expectTypeOf(session.textStream()).toMatchTypeOf<AsyncIterable<string>>();
    expectTypeOf(session.events()).toMatchTypeOf<AsyncIterable<AnySessionEvent>>();
  });
});

describe("SessionConfig", () => {
  it("types options from the protocol", () => {
    const ok: SessionConfig = {
      model: "gpt-5",
      provider: { type: "azure", baseUrl: "https://x.openai.azure.com", azure: { apiVersion: "2024-10-21" }, wireApi: "responses" },
      systemMessage: { mode: "customize", sections: { tone: { action: (content) => content.trim() }, identity: { action: "remove" } } },
      hooks: {
        onPreToolUse: (input) => {
          expectTypeOf(input.toolName).toEqualTypeOf<string>();
          expectTypeOf(input.timestamp).toEqualTypeOf<Date>();
          return { permissionDecision: "allow" };
        },
      },
      onUserInputRequest: (request) => ({ answer: request.question, wasFreeform: true }),
      infiniteSessions: { enabled: true, backgroundCompactionThreshold: 0.7 },
    };
    expectTypeOf(ok).toMatchTypeOf<SessionConfig>();
    // @ts-expect-error baseUrl is required
    const noBaseUrl: SessionConfig = { provider: { type: "openai" } };
    // @ts-expect-error unknown system message mode
    const badMode: SessionConfig = { systemMessage: { mode: "prepend", content: "x" } };
    // @ts-expect-error not a provider type
    const badType: SessionConfig = { provider: { type: "gemini", baseUrl: "http://x" } };
    // @ts-expect-error hooks return typed outputs
    const badHook: SessionConfig = { hooks: { onPreToolUse: () => ({ permissionDecision: "maybe" }) } };
    void [noBaseUrl, badMode, badType, badHook];
  });
});
