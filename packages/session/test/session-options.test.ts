/**
 * Session options that come from the wire schema: every `session.create` / `session.resume`
 * field passes through (typed from the generated params), the incumbent SDK's spellings map to
 * their wire names, a user-chosen `sessionId` must be a UUID, and misspelled keys of the config,
 * `send` and `sendAndWait` get a did-you-mean.
 */
import { afterEach, describe, expect, it } from "vitest";
import { isSdkError } from "@flightdeck/copilot-core";
import { SessionHost, type ResumeSessionConfig, type SessionConfig } from "@flightdeck/copilot-session";
import { createFakeRuntime, type FakeRuntime } from "../../../test-support/fake-runtime.js";

let runtime: FakeRuntime;
afterEach(async () => {
  await runtime?.close();
});

function host(): SessionHost {
  runtime = createFakeRuntime();
  runtime.handle("session.options.update", () => ({}));
  return new SessionHost(runtime.client, { validation: "off", onError: () => {} });
}

async function refusal(promise: Promise<unknown>): Promise<{ option: unknown; message: string }> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(isSdkError(error, "INVALID_OPTION"), String(error)).toBe(true);
  return { option: (error as { details?: { option?: unknown } }).details?.option, message: (error as Error).message };
}

const UUID = "5f0c7a52-3d0b-4c63-9a7e-1f2d3c4b5a69";

describe("createSession / resumeSession options from the wire schema", () => {
  it("passes the incumbent's wire options through unchanged", async () => {
    const h = host();
    const config: SessionConfig = {
      sessionId: UUID,
      enableFileChangeTracking: true,
      modelCapabilities: { supports: { vision: false } } as never,
      sessionLimits: { maxAiCredits: 40 } as never,
      requestExtensions: true,
      extensionSdkPath: "/opt/sdk",
      gitHubToken: "gho_example",
      enableMcpApps: true,
      configDirectory: "/projects/app/config",
      enableExperimentalMode: true,
    };
    const session = await h.createSession(config);
    expect(session.sessionId).toBe(UUID);
    const params = runtime.callsOf("session.create")[0]!.params;
    expect(params).toMatchObject({
      sessionId: UUID,
      enableFileChangeTracking: true,
      modelCapabilities: { supports: { vision: false } },
      sessionLimits: { maxAiCredits: 40 },
      requestExtensions: true,
      extensionSdkPath: "/opt/sdk",
      gitHubToken: "gho_example",
      requestMcpApps: true,
      configDir: "/projects/app/config",
      isExperimentalMode: true,
    });
    expect(params).not.toHaveProperty("enableMcpApps");
    expect(params).not.toHaveProperty("configDirectory");
  });

  it("maps resume-only options (continuePendingWork, suppressResumeEvent) and refuses them on create", async () => {
    const h = host();
    const resume: ResumeSessionConfig = { continuePendingWork: true, suppressResumeEvent: true };
    await h.resumeSession("persisted", resume);
    expect(runtime.callsOf("session.resume")[0]!.params).toMatchObject({ sessionId: "persisted", continuePendingWork: true, disableResume: true });
    expect(await refusal(h.createSession({ continuePendingWork: true } as SessionConfig))).toMatchObject({
      option: "continuePendingWork",
      message: expect.stringContaining("resumeSession only"),
    });
    expect(await refusal(h.createSession({ suppressResumeEvent: true } as SessionConfig))).toMatchObject({ option: "suppressResumeEvent" });
    expect(runtime.callsOf("session.create")).toHaveLength(0);
  });

  it("applies the options the incumbent sets after opening (session.options.update)", async () => {
    const h = host();
    await h.createSession({ skipCustomInstructions: true, includedBuiltinSkills: ["pdf"] });
    expect(runtime.callsOf("session.options.update")[0]!.params).toMatchObject({ skipCustomInstructions: true, includedBuiltinSkills: ["pdf"] });
  });

  it("refuses a non-UUID sessionId, gitHubToken with a BYOK provider, and options Flightdeck does not support yet", async () => {
    const h = host();
    expect(await refusal(h.createSession({ sessionId: "my-session" }))).toMatchObject({
      option: "sessionId",
      message: expect.stringContaining("must be a UUID"),
    });
    const provider = { type: "openai" as const, baseUrl: "http://127.0.0.1:1/v1" };
    expect(await refusal(h.createSession({ model: "m", provider, gitHubToken: "gho_x" }))).toMatchObject({
      option: "gitHubToken",
      message: expect.stringContaining("cannot be combined with a BYOK `provider`"),
    });
    expect(await refusal(h.createSession({ gitHubTokenProvider: () => "t" }))).toMatchObject({
      option: "gitHubTokenProvider",
      message: expect.stringContaining("not supported"),
    });
    expect(runtime.callsOf("session.create")).toHaveLength(0);
  });

  it("refuses an unknown key with the closest option", async () => {
    const h = host();
    expect(await refusal(h.createSession({ modle: "gpt-5" } as SessionConfig))).toMatchObject({
      option: "modle",
      message: expect.stringContaining("did you mean `model`?"),
    });
    expect(await refusal(h.createSession({ onPermission: () => ({ kind: "approve-once" }) } as SessionConfig))).toMatchObject({
      message: expect.stringContaining("`onPermissionRequest`"),
    });
    expect(await refusal(h.createSession({ requestPermission: true } as SessionConfig))).toMatchObject({ option: "requestPermission" });
  });
});

describe("send / sendAndWait options", () => {
  it("refuses unknown keys with a did-you-mean and wrong types naming the option", async () => {
    const h = host();
    const session = await h.createSession({});
    expect(await refusal(session.sendAndWait("hi", { timeout: 5_000 } as never))).toMatchObject({
      option: "timeout",
      message: expect.stringContaining("did you mean `timeoutMs`?"),
    });
    expect(await refusal(session.sendAndWait("hi", { timeoutMs: "5s" } as never))).toMatchObject({ option: "timeoutMs" });
    expect(await refusal(session.sendAndWait("hi", { signal: {} } as never))).toMatchObject({ option: "signal" });
    expect(await refusal(session.send({ prompt: "hi", attachment: [] } as never))).toMatchObject({
      option: "attachment",
      message: expect.stringContaining("did you mean `attachments`?"),
    });
    expect(await refusal(session.send({ prompt: "hi", displayPrompt: 3 } as never))).toMatchObject({ option: "displayPrompt" });
    expect(runtime.callsOf("session.send")).toHaveLength(0);
  });

  it("accepts every field of the incumbent's MessageOptions", async () => {
    const h = host();
    const session = await h.createSession({});
    await session.send({
      prompt: "hi",
      mode: "immediate",
      agentMode: "plan",
      displayPrompt: "hello",
      source: "user",
      requestHeaders: { "x-a": "1" },
      attachments: [{ type: "file", path: "/a.txt", displayName: "a.txt" }],
    });
    expect(runtime.callsOf("session.send")[0]!.params).toMatchObject({ prompt: "hi", mode: "immediate", agentMode: "plan", requestHeaders: { "x-a": "1" } });
  });

  it("sendAndWait(prompt, timeoutMs) with a number times out with the incumbent's wording", async () => {
    const h = host();
    const session = await h.createSession({});
    const error = await session.sendAndWait("hi", 30).catch((e: unknown) => e);
    expect(isSdkError(error, "TIMEOUT")).toBe(true);
    expect((error as Error).message).toMatch(/^Timeout after 30ms waiting for session\.idle/);
  });
});
