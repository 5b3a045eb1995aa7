import { afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { isSdkError, type SdkError } from "@flightdeck/copilot-core";
import { SessionHost, type EventValidationMode } from "@flightdeck/copilot-session";
import { createFakeRuntime, type FakeRuntime } from "../../../test-support/fake-runtime.js";

let runtime: FakeRuntime;
// The validators are ~10 MB of generated code: vitest transforms them once (several seconds);
// in plain Node the lenient set loads in ~80 ms.
beforeAll(async () => {
  await import("@flightdeck/copilot-core/validators");
});
afterEach(async () => {
  await runtime?.close();
});

async function setup(validation?: EventValidationMode) {
  runtime = createFakeRuntime();
  const onError = vi.fn();
  const host = new SessionHost(runtime.client, validation === undefined ? { onError } : { onError, validation });
  const session = await host.createSession();
  const delivered: string[] = [];
  session.on((e) => void delivered.push(e.type === "assistant.message" ? `${e.type}:${e.data.messageId}` : e.type));
  return { session, onError, delivered };
}

describe("event validation", () => {
  it("lenient (default): reports an invalid event as VALIDATION and still delivers it; tolerates extra fields", async () => {
    const { session, onError, delivered } = await setup();
    runtime.emit(session.sessionId, "assistant.message", { messageId: "bad" }); // content missing
    runtime.emit(session.sessionId, "assistant.message", { messageId: "extra", content: "x", fieldFromANewerRuntime: 1 });
    await vi.waitFor(() => expect(delivered).toHaveLength(2));
    expect(delivered).toEqual(["assistant.message:bad", "assistant.message:extra"]);
    expect(onError).toHaveBeenCalledTimes(1);
    const error = onError.mock.calls[0]![0] as SdkError;
    expect(isSdkError(error, "VALIDATION")).toBe(true);
    expect(error.message).toContain('"assistant.message" event does not match the schema');
    expect(error.message).toContain("content");
    expect(error.message).toContain("delivered anyway");
    expect(error.details?.sessionId).toBe(session.sessionId);
  });

  it("strict: reports and drops an invalid event, delivers valid ones in order", async () => {
    const { session, onError, delivered } = await setup("strict");
    runtime.emit(session.sessionId, "assistant.message", { messageId: "1", content: "ok" });
    runtime.emit(session.sessionId, "assistant.message", { messageId: "2", content: "x", fieldFromANewerRuntime: 1 });
    runtime.emit(session.sessionId, "assistant.message", { messageId: "3", content: "ok" });
    await vi.waitFor(() => expect(delivered).toHaveLength(2));
    await runtime.settle();
    expect(delivered).toEqual(["assistant.message:1", "assistant.message:3"]);
    expect(onError).toHaveBeenCalledTimes(1);
    expect((onError.mock.calls[0]![0] as Error).message).toContain("dropped (validation: strict)");
  });

  it("off: delivers without checking", async () => {
    const { session, onError, delivered } = await setup("off");
    runtime.emit(session.sessionId, "assistant.message", { messageId: "bad" });
    await runtime.settle();
    expect(delivered).toEqual(["assistant.message:bad"]);
    expect(onError).not.toHaveBeenCalled();
  });

  it("keeps arrival order while the validators load, and does not validate unknown types", async () => {
    const { session, onError, delivered } = await setup("lenient");
    const expected: string[] = [];
    for (let i = 0; i < 30; i++) {
      if (i % 10 === 5) {
        runtime.emit(session.sessionId, "future.event", { i });
        expected.push("future.event");
      } else {
        runtime.emit(session.sessionId, "assistant.message", { messageId: String(i), content: "c" });
        expected.push(`assistant.message:${i}`);
      }
    }
    await vi.waitFor(() => expect(delivered).toHaveLength(30));
    expect(delivered).toEqual(expected);
    expect(onError).not.toHaveBeenCalled();
  });

  it("rejects a bad validation option", () => {
    runtime = createFakeRuntime();
    expect(() => new SessionHost(runtime.client, { validation: "loose" as EventValidationMode })).toThrow(/`validation` must be "off", "lenient" or "strict"/);
  });
});
