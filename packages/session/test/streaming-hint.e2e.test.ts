/**
 * A user who subscribes to delta events on a session without `streaming: true` is told why nothing
 * arrives (once), on the real runtime with the scripted model.
 */
import { expect, it } from "vitest";
import { approveAll, isSdkError } from "@flightdeck/copilot-sdk";
import { createTestClient } from "@flightdeck/copilot-testing";

it("warns once, through onError, that a non-streaming session sends no deltas; a streaming one does not warn", async () => {
  await using t = await createTestClient({ model: { script: [{ text: "Whole answer." }, { text: "Streamed answer.", chunkSize: 4 }] } });
  const errors: unknown[] = [];
  const plain = await t.client.createSession({
    model: "gpt-4.1",
    provider: t.model.provider(),
    onPermissionRequest: approveAll,
    onError: (e) => errors.push(e),
  });
  const deltas: string[] = [];
  plain.on("assistant.message_delta", (e) => void deltas.push(e.data.deltaContent));
  plain.on("assistant.message_delta", () => {});
  expect((await plain.sendAndWait("Hi"))?.data.content).toBe("Whole answer.");
  expect(deltas).toEqual([]); // the reason for the warning: nothing arrives
  expect(errors).toHaveLength(1);
  expect(isSdkError(errors[0], "INVALID_OPTION")).toBe(true);
  expect((errors[0] as Error).message).toMatch(/on\("assistant\.message_delta"\): .*without `streaming: true`.*Pass `streaming: true`/);

  const streamingErrors: unknown[] = [];
  const streaming = await t.client.createSession({
    model: "gpt-4.1",
    provider: t.model.provider(),
    streaming: true,
    onPermissionRequest: approveAll,
    onError: (e) => streamingErrors.push(e),
  });
  const chunks: string[] = [];
  streaming.on("assistant.message_delta", (e) => void chunks.push(e.data.deltaContent));
  expect((await streaming.sendAndWait("Hi"))?.data.content).toBe("Streamed answer.");
  expect(chunks.join("")).toBe("Streamed answer.");
  expect(streamingErrors).toEqual([]);
});
