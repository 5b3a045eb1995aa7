/**
 * End to end on both pinned runtimes with the testing kit's scripted model (offline): turns,
 * streaming, tool round trips, permission answers and session errors through a real
 * `CopilotClient`, every event checked by the validators (none may fail on the pinned 1.0.85).
 */
import { describe, expect, it } from "vitest";
import { isSdkError } from "@flightdeck/copilot-core";
import { SessionError, isUnknownSessionEvent, type AnySessionEvent } from "@flightdeck/copilot-session";
import { toolResults } from "@flightdeck/copilot-testing";
import { RUNTIMES, setup as setupE2e, useE2eTeardown, type E2eContext } from "../../../test-support/e2e.js";
import { approveAll, defineTool } from "@flightdeck/copilot-tools";

useE2eTeardown();

type Runtime = (typeof RUNTIMES)[number];

/** Problems reported through onError; validation reports are allowed only on runtimes newer than the schemas. */
function problems(runtime: Runtime, errors: unknown[]): unknown[] {
  const pinned = runtime.matchesSchemas;
  return errors.filter((e) => pinned || !isSdkError(e, "VALIDATION")).map((e) => (e instanceof Error ? e.message : e));
}

/** The shared harness's client (lenient validation: the 1.0.102 CLI is newer than the pinned schemas). */
async function setup(runtime: Runtime): Promise<{ client: E2eContext["client"]; model: E2eContext["model"]; errors: unknown[] }> {
  const t = await setupE2e(runtime);
  return { client: t.client, model: t.model, errors: t.errors };
}

const add = defineTool("add_numbers", {
  description: "Adds two numbers and returns the sum",
  parameters: { type: "object", properties: { a: { type: "number" }, b: { type: "number" } }, required: ["a", "b"] } as const,
  handler: ({ a, b }) => String(a + b),
});

describe.each(RUNTIMES)("$name", (runtime) => {
  it("streams a reply: sendAndWait resolves with the final message, textStream yields its chunks", async () => {
    const { client, model, errors } = await setup(runtime);
    model.push({ text: "Hello from the scripted model, streamed in small chunks.", chunkSize: 8 });
    const events: AnySessionEvent[] = [];
    const session = await client.createSession({ model: "gpt-4.1", provider: model.provider(), streaming: true, onEvent: (e) => void events.push(e) });
    expect(session.workspacePath).toEqual(expect.any(String));
    const text = session.textStream();
    const reply = await session.sendAndWait("Say hello", { timeoutMs: 30_000 });
    const chunks: string[] = [];
    for await (const chunk of text) chunks.push(chunk);
    expect(reply?.data.content).toBe("Hello from the scripted model, streamed in small chunks.");
    expect(chunks.length).toBeGreaterThan(1);
    expect(chunks.join("")).toBe(reply?.data.content);
    const types = events.map((e) => e.type);
    expect(types).toContain("user.message");
    expect(types).toContain("assistant.message_delta");
    // The turn ends with session.idle; the runtime may still send unlisted model.* events after it.
    expect(events.filter((e) => !isUnknownSessionEvent(e)).at(-1)?.type).toBe("session.idle");
    // The runtime also emits event types its schema does not list (model.*): they arrive as UnknownSessionEvent.
    for (const event of events.filter(isUnknownSessionEvent)) expect(event.rawData).toBeDefined();
    expect(problems(runtime, errors)).toEqual([]);
    model.assertDone();
  });

  it("runs a tool the model calls and gives the model its result", async () => {
    const { client, model, errors } = await setup(runtime);
    model.push({ toolCalls: [{ name: "add_numbers", arguments: { a: 2, b: 40 } }] }, (request) => ({
      text: `The sum is ${toolResults(request).at(-1)?.content}`,
    }));
    const session = await client.createSession({ model: "gpt-4.1", provider: model.provider(), tools: [add], onPermissionRequest: approveAll });
    const reply = await session.sendAndWait("What is 2 + 40?", { timeoutMs: 30_000 });
    expect(reply?.data.content).toBe("The sum is 42");
    expect(problems(runtime, errors)).toEqual([]);
    model.assertDone();
  });

  it("without a permission handler the request is rejected with feedback and the turn still ends", async () => {
    const { client, model, errors } = await setup(runtime);
    model.push({ toolCalls: [{ name: "add_numbers", arguments: { a: 1, b: 1 } }] }, (request) => ({
      text: `Tool said: ${toolResults(request).at(-1)?.content}`,
    }));
    const session = await client.createSession({ model: "gpt-4.1", provider: model.provider(), tools: [add] });
    const permissions: string[] = [];
    session.on("permission.requested", (e) => void permissions.push(e.data.permissionRequest.kind));
    const reply = await session.sendAndWait("Add 1 and 1", { timeoutMs: 30_000 });
    expect(permissions).toEqual(["custom-tool"]);
    expect(reply?.data.content).toMatch(/^Tool said: /);
    expect(reply?.data.content).not.toBe("Tool said: 2");
    expect(problems(runtime, errors)).toEqual([]);
    model.assertDone();
  });

  it("a throwing tool becomes a failure the model reads; the error is reported", async () => {
    const { client, model, errors } = await setup(runtime);
    const broken = defineTool("broken_tool", {
      description: "Always fails",
      skipPermission: true,
      handler: () => {
        throw new Error("database unreachable");
      },
    });
    model.push({ toolCalls: [{ name: "broken_tool", arguments: {} }] }, (request) => ({ text: `Result: ${toolResults(request).at(-1)?.content}` }));
    const session = await client.createSession({ model: "gpt-4.1", provider: model.provider(), tools: [broken] });
    const reply = await session.sendAndWait("Use the tool", { timeoutMs: 30_000 });
    expect(reply?.data.content).toContain("database unreachable");
    expect(errors.some((e) => isSdkError(e, "HANDLER_FAILED") && (e as Error).message.includes("database unreachable"))).toBe(true);
    model.assertDone();
  });

  it("a provider error rejects sendAndWait with SessionError carrying the runtime's message", async () => {
    const { client, model } = await setup(runtime);
    model.push({ error: { status: 400, message: "model gpt-unknown does not exist" } });
    const session = await client.createSession({ model: "gpt-4.1", provider: model.provider() });
    const error = await session.sendAndWait("hi", { timeoutMs: 30_000 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SessionError);
    expect((error as SessionError).message).toContain("does not exist");
    await session.disconnect();
    await expect(session.send("again")).rejects.toMatchObject({ code: "CONNECTION_CLOSED" });
  });
});
