import { afterEach, describe, expect, it, vi } from "vitest";
import { isSdkError, type SdkError } from "@flightdeck/copilot-core";
import { SessionHost } from "@flightdeck/copilot-session";
import { createFakeRuntime, type FakeRuntime } from "../../../test-support/fake-runtime.js";

// The validators cannot be loaded (a broken install, a bundler that dropped the chunk).
vi.mock("@flightdeck/copilot-core/validators", () => {
  throw new Error("chunk missing");
});

let runtime: FakeRuntime;
afterEach(async () => {
  await runtime?.close();
});

describe("event validation without validators", () => {
  it("reports that validation is off, then delivers every event: known types as typed, others as UnknownSessionEvent", async () => {
    runtime = createFakeRuntime();
    const onError = vi.fn();
    const host = new SessionHost(runtime.client, { onError, validation: "strict" });
    const session = await host.createSession();
    const seen: Array<{ type: string; unknown?: boolean }> = [];
    session.on((e) => void seen.push(e as { type: string; unknown?: boolean }));
    runtime.emit(session.sessionId, "assistant.message", { messageId: "bad" }); // invalid, but nothing checks it
    runtime.emit(session.sessionId, "future.event", { n: 1 });
    runtime.emit(session.sessionId, "assistant.message", { messageId: "2", content: "ok" });
    await vi.waitFor(() => expect(seen).toHaveLength(3));
    expect(seen.map((e) => [e.type, e.unknown === true])).toEqual([
      ["assistant.message", false],
      ["future.event", true],
      ["assistant.message", false],
    ]);
    // Strict still reports the type it does not know, as with validators.
    expect(onError).toHaveBeenCalledTimes(2);
    const [[off], [unknownType]] = onError.mock.calls as [[SdkError], [SdkError]];
    expect(isSdkError(off, "VALIDATION")).toBe(true);
    expect(off.message).toContain("Event validation is off: the validators could not be loaded (");
    expect(isSdkError(unknownType, "VALIDATION")).toBe(true);
    expect(unknownType.message).toContain('the event type "future.event" is not in the pinned schemas');
  });
});
