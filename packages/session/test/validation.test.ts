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

/** `session.shutdown` data as runtime 1.0.85 sends it (schemas/recordings/runtime-1.0.85). */
const SHUTDOWN_1_0_85 = {
  shutdownType: "destroy",
  totalPremiumRequests: 0,
  totalNanoAiu: 0,
  totalApiDurationMs: 1,
  sessionStartTime: 1,
  eventsFileSizeBytes: 1,
  codeChanges: { linesAdded: 0, linesRemoved: 0, filesModified: [] },
  modelMetrics: {},
  currentModel: "scripted-model",
  currentTokens: 1,
  systemTokens: 1,
  conversationTokens: 1,
  toolDefinitionsTokens: 1,
};

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

  it("a report carries its code, message and details, without stack frames (the event came off the wire)", async () => {
    // What runtime 1.0.85 sends: a shutdownType its own schema does not allow.
    const data = { ...SHUTDOWN_1_0_85 };
    const { session, onError, delivered } = await setup();
    const limit = Error.stackTraceLimit;
    const sent = [0, 1, 2].map(() => runtime.emit(session.sessionId, "session.shutdown", data));
    await vi.waitFor(() => expect(delivered).toHaveLength(3));
    expect(Error.stackTraceLimit).toBe(limit);
    expect(onError).toHaveBeenCalledTimes(3);
    onError.mock.calls.forEach(([error], i) => {
      expect(isSdkError(error, "VALIDATION")).toBe(true);
      expect(error).toBeInstanceOf(Error);
      expect((error as SdkError).name).toBe("SdkError");
      expect((error as SdkError).message).toBe(
        `Session ${session.sessionId}: a "session.shutdown" event does not match the schema (/data/shutdownType: /data/shutdownType must be one of ["routine","error"]). It was delivered anyway (validation: lenient).`,
      );
      expect((error as SdkError).details).toEqual({
        sessionId: session.sessionId,
        eventType: "session.shutdown",
        eventId: sent[i]!.id,
        errors: ['/data/shutdownType: /data/shutdownType must be one of ["routine","error"]'],
      });
      expect((error as SdkError).stack).toBe(`SdkError: ${(error as SdkError).message}`);
    });
    // Errors made elsewhere still get their trace.
    expect(new Error("x").stack).toContain("\n    at ");
  });

  it("strict: an unknown event type is reported with its details and delivered as UnknownSessionEvent", async () => {
    const { session, onError, delivered } = await setup("strict");
    const seen: unknown[] = [];
    session.on((e) => void seen.push(e));
    const sent = runtime.emit(session.sessionId, "future.event", { n: 1 });
    await vi.waitFor(() => expect(delivered).toEqual(["future.event"]));
    expect(seen[0]).toMatchObject({ type: "future.event", unknown: true, rawData: { n: 1 } });
    const error = onError.mock.calls[0]![0] as SdkError;
    expect(isSdkError(error, "VALIDATION")).toBe(true);
    expect(error.message).toBe(
      `Session ${session.sessionId}: the event type "future.event" is not in the pinned schemas (a newer runtime?). It was delivered as UnknownSessionEvent (validation: strict reports it).`,
    );
    expect(error.details).toEqual({ sessionId: session.sessionId, eventType: "future.event", eventId: sent.id });
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
