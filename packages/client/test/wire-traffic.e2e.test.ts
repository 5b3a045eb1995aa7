/**
 * What a plain session makes the runtime do, on the real runtimes (scripted model, offline): every
 * frame the client sends for `createSession` + a prompt answered with tool calls, read from the
 * debug log. Pins that the client sends nothing beyond `connect`, `session.create`,
 * `session.send` and one answer per tool call (or per permission request): no pings, model
 * lists, history reads, resumes or other round trips per turn, and no session options the user
 * did not ask for (each makes the runtime do more work, e.g. ask the client for permission or
 * call hooks). The same per-session traffic as the incumbent's (see bench/README.md, "Wire
 * traffic").
 */
import { describe, expect, it } from "vitest";
import { approveAll, defineTool } from "@flightdeck/copilot-tools";
import { RUNTIMES, setup, useE2eTeardown } from "../../../test-support/e2e.js";

useE2eTeardown();

interface Frame {
  direction: "out" | "in";
  /** `request`, `notify`, `result` or `error`, as the debug log names them. */
  kind: string;
  /** The method of a request or notification. */
  method?: string;
  /** The parsed body of an outgoing frame (incoming ones may be cut in the log). */
  body?: { method?: string; params?: Record<string, unknown> };
}

const LINE = /^\[flightdeck \S+\] (-->|<--) (request|notify|result|error) (\S+) (?:#\S+ )?\(\d+ B\) (.*)$/;
const RESPONSE = /^\[flightdeck \S+\] (-->|<--) (result|error) #\S+ \(\d+ B\) /;

/** A debug-log sink that keeps the frames (stderr lines and notes are left out). */
function frameRecorder(): { frames: Frame[]; sink: (line: string) => void } {
  const frames: Frame[] = [];
  return {
    frames,
    sink: (line) => {
      const response = RESPONSE.exec(line);
      if (response) {
        frames.push({ direction: response[1] === "-->" ? "out" : "in", kind: response[2]! });
        return;
      }
      const m = LINE.exec(line);
      if (!m) return;
      const direction = m[1] === "-->" ? "out" : "in";
      frames.push({ direction, kind: m[2]!, method: m[3]!, ...(direction === "out" ? { body: JSON.parse(m[4]!) } : {}) });
    },
  };
}

const echo = defineTool("echo", {
  description: "Returns ok",
  parameters: { type: "object", properties: { n: { type: "number" } } } as const,
  skipPermission: true,
  handler: () => "ok",
});

const guarded = defineTool("guarded", {
  description: "Returns ok after a permission request",
  parameters: { type: "object", properties: { n: { type: "number" } } } as const,
  handler: () => "ok",
});

describe.each(RUNTIMES)("$name", (runtime) => {
  it("createSession + a prompt with two tool calls sends connect, session.create, session.send and one answer per call, nothing else", async () => {
    const recorder = frameRecorder();
    const t = await setup(runtime, { transport: "stdio", client: { debug: recorder.sink } });
    t.model.push({ toolCalls: [{ name: "echo", arguments: { n: 1 } }] }, { toolCalls: [{ name: "echo", arguments: { n: 2 } }] }, { text: "done" });
    const session = await t.client.createSession({ model: "gpt-4.1", provider: t.model.provider(), tools: [echo], onPermissionRequest: approveAll });
    const reply = await session.sendAndWait("bench 2", { timeoutMs: 30_000 });
    expect(reply?.data.content).toBe("done");
    t.model.assertDone();

    const out = recorder.frames.filter((f) => f.direction === "out");
    expect(out.map((f) => `${f.kind} ${f.method ?? ""}`.trim())).toEqual([
      "request connect",
      "request session.create",
      "request session.send",
      "request session.tools.handlePendingToolCall",
      "request session.tools.handlePendingToolCall",
    ]);
    // The runtime asked the client nothing (no permission, user-input, hook or transform callbacks).
    expect(recorder.frames.filter((f) => f.direction === "in" && f.kind === "request")).toEqual([]);
    // session.create carries only what the user gave (and the session id): no callback flags
    // (requestUserInput, hooks, …), no streaming, no system message.
    const create = out[1]!.body!.params!;
    expect(Object.keys(create).sort()).toEqual(["model", "provider", "requestPermission", "sessionId", "tools"]);
    expect(create.requestPermission).toBe(true);
    expect(create.tools).toEqual([
      { name: "echo", description: "Returns ok", parameters: { type: "object", properties: { n: { type: "number" } } }, skipPermission: true },
    ]);
    expect(t.problems()).toEqual([]);
  });

  it("a tool without skipPermission adds exactly one permission answer per call", async () => {
    const recorder = frameRecorder();
    const t = await setup(runtime, { transport: "stdio", client: { debug: recorder.sink } });
    t.model.push({ toolCalls: [{ name: "guarded", arguments: { n: 1 } }] }, { text: "done" });
    const session = await t.client.createSession({ model: "gpt-4.1", provider: t.model.provider(), tools: [guarded], onPermissionRequest: approveAll });
    expect((await session.sendAndWait("go", { timeoutMs: 30_000 }))?.data.content).toBe("done");
    // A second turn on the same session: per-turn traffic does not grow.
    t.model.push({ toolCalls: [{ name: "guarded", arguments: { n: 2 } }] }, { text: "again" });
    expect((await session.sendAndWait("again", { timeoutMs: 30_000 }))?.data.content).toBe("again");

    const methods = recorder.frames.filter((f) => f.direction === "out").map((f) => `${f.kind} ${f.method ?? ""}`.trim());
    const turn = ["request session.send", "request session.permissions.handlePendingPermissionRequest", "request session.tools.handlePendingToolCall"];
    expect(methods).toEqual(["request connect", "request session.create", ...turn, ...turn]);
    expect(recorder.frames.filter((f) => f.direction === "in" && f.kind === "request")).toEqual([]);
    expect(t.problems()).toEqual([]);
  });
});
