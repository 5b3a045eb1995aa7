/**
 * The debug log (`debug` option / FLIGHTDECK_DEBUG): switches, file output, and on the real
 * runtime that every frame shows while the provider's API key and bearer token never do.
 */
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { isSdkError } from "@flightdeck/copilot-core";
import { startScriptedModel } from "@flightdeck/copilot-testing";
import { approveAll } from "@flightdeck/copilot-tools";
import { createDebugLog } from "../src/debug-log.js";
import { RUNTIMES, isolatedClient } from "../../../test-support/e2e.js";

const dir = mkdtempSync(join(tmpdir(), "fd-debug-log-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

// Shaped like real credentials, so both the key-based and the pattern-based masking are exercised.
const API_KEY = "sk-live-abcdefghijklmnop0123456789";
const BEARER = "bearer-secret-value-ZXCVBNM98765";

const createFrame = {
  direction: "out" as const,
  byteLength: 200,
  message: {
    jsonrpc: "2.0" as const,
    id: 3,
    method: "session.create",
    params: { model: "gpt-4.1", provider: { type: "openai", baseUrl: "http://127.0.0.1:1/v1", apiKey: API_KEY, bearerToken: BEARER } },
  },
};

describe("createDebugLog switches", () => {
  it("is off by default and for FLIGHTDECK_DEBUG=0/false/empty", () => {
    expect(createDebugLog(undefined, {})).toBeUndefined();
    for (const value of ["", "0", "false", "FALSE"]) expect(createDebugLog(undefined, { FLIGHTDECK_DEBUG: value })).toBeUndefined();
  });

  it("debug: false wins over the environment; a function receives lines", () => {
    expect(createDebugLog(false, { FLIGHTDECK_DEBUG: "1" })).toBeUndefined();
    const lines: string[] = [];
    createDebugLog((line) => lines.push(line), {})?.stderr("hello from the runtime, token ghp_abcdefghijklmnopqrstu");
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^\[flightdeck \d{4}-\d\d-\d\dT.*\] runtime stderr: hello from the runtime, token ghp_\[REDACTED\]$/);
  });

  it("FLIGHTDECK_DEBUG=<path> appends redacted frames to that file", () => {
    const file = join(dir, "frames.log");
    const log = createDebugLog(undefined, { FLIGHTDECK_DEBUG: file });
    log?.frame(createFrame);
    log?.frame({ direction: "in", byteLength: 40, message: { jsonrpc: "2.0", id: 3, result: { sessionId: "s1" } } });
    const text = readFileSync(file, "utf8");
    expect(text).toContain("--> request session.create #3 (200 B)");
    expect(text).toContain('<-- result #3 (40 B) {"jsonrpc":"2.0","id":3,"result":{"sessionId":"s1"}}');
    expect(text).not.toContain(API_KEY);
    expect(text).not.toContain(BEARER);
    expect(text).toContain('"apiKey":"[REDACTED]"');
  });

  it("rejects a debug option of the wrong type, naming the option", () => {
    try {
      createDebugLog("yes" as unknown as boolean, {});
      expect.unreachable();
    } catch (error) {
      expect(isSdkError(error, "INVALID_OPTION")).toBe(true);
      expect((error as Error).message).toMatch(/^debug: /);
    }
  });

  it("a throwing sink does not throw into the connection", () => {
    const log = createDebugLog(() => {
      throw new Error("sink broke");
    }, {});
    expect(() => log?.frame(createFrame)).not.toThrow();
  });
});

describe("the debug log on the real runtime", () => {
  it("shows every frame of a session turn and never the provider's API key or bearer token", async () => {
    const lines: string[] = [];
    const model = await startScriptedModel({ script: [{ text: "logged answer" }] });
    const t = isolatedClient(RUNTIMES[0]!, { debug: (line) => lines.push(line) });
    try {
      const session = await t.client.createSession({
        model: "gpt-4.1",
        provider: { ...model.provider(), apiKey: API_KEY, bearerToken: BEARER },
        onPermissionRequest: approveAll,
      });
      const answer = await session.sendAndWait("Hello?", { timeoutMs: 30_000 });
      expect(answer?.data.content).toBe("logged answer");
      // The runtime did receive the key: the model server saw it (redacted in its own log).
      expect(model.requests.length).toBeGreaterThan(0);
    } finally {
      await t.cleanup();
      await model.close();
    }
    const text = lines.join("\n");
    expect(text).toContain("--> request connect #");
    expect(text).toMatch(/--> request session\.create #\d+ \(\d+ B\) .*"apiKey":"\[REDACTED\]".*"bearerToken":"\[REDACTED\]"/);
    expect(text).toMatch(/<-- notify session\.event .*"assistant\.message"/);
    expect(text).toContain("--> request session.send #");
    expect(text).not.toContain(API_KEY);
    expect(text).not.toContain(BEARER);
    expect(text).not.toContain("abcdefghijklmnop0123456789");
  });

  it("FLIGHTDECK_DEBUG=<path> logs a client's frames to the file when the option is not given", async () => {
    const file = join(dir, "env.log");
    const before = process.env.FLIGHTDECK_DEBUG;
    process.env.FLIGHTDECK_DEBUG = file;
    let t: ReturnType<typeof isolatedClient> | undefined;
    try {
      t = isolatedClient(RUNTIMES[0]!);
    } finally {
      if (before === undefined) delete process.env.FLIGHTDECK_DEBUG;
      else process.env.FLIGHTDECK_DEBUG = before;
    }
    try {
      await t.client.ping("hello debug");
    } finally {
      await t.cleanup();
    }
    const text = readFileSync(file, "utf8");
    expect(text).toMatch(/--> request ping #\d+ .*"hello debug"/);
    expect(text).toMatch(/<-- result #\d+ .*"pong: hello debug"/);
  });
});
