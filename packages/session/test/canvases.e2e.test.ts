/**
 * Canvases end to end on both pinned runtimes (both support them for a plain client): declared
 * with `createCanvas` in the `canvases` session option, opened, acted on and closed through the
 * runtime (`session.rpc.canvas.*`, which the runtime turns into `canvas.open` / `canvas.action.invoke`
 * / `canvas.close` requests to this client), inputs checked by the runtime (JSON Schema) and here
 * (Standard Schema), errors typed, `session.openCanvases` kept from events, and a resumed session
 * reopening its canvases.
 */
import { describe, expect, it } from "vitest";
import { CanvasError, createCanvas, type CanvasContext } from "@flightdeck/copilot-session";
import { RUNTIMES, setup, useE2eTeardown } from "../../../test-support/e2e.js";
import { z } from "./fixtures/zod.js";

useE2eTeardown();

function board(log: string[]) {
  return createCanvas({
    id: "board",
    displayName: "Board",
    description: "A kanban board",
    inputSchema: z.object({ project: z.string() }),
    actions: [
      {
        name: "move",
        description: "Move a card to a column",
        // The refinement cannot be written as JSON Schema: only this client can check it.
        input: z.object({ card: z.string(), to: z.string() }).refine((v) => v.to !== "trash", { message: "cards cannot be moved to trash", path: ["to"] }),
        handler: ({ input, instanceId }: CanvasContext<{ card: string; to: string }>) => {
          log.push(`move ${input.card}→${input.to} on ${instanceId}`);
          return { moved: input.card, to: input.to };
        },
      },
      { name: "explode", handler: () => Promise.reject(new Error("the board caught fire")) },
    ],
    open: ({ input, instanceId }) => {
      log.push(`open ${instanceId} ${input.project}`);
      return { title: `Board of ${input.project}`, status: "ready" };
    },
    onClose: ({ instanceId }) => void log.push(`close ${instanceId}`),
  });
}

const until = async (cond: () => boolean) => {
  for (const deadline = Date.now() + 10_000; !cond() && Date.now() < deadline; ) await new Promise((r) => setTimeout(r, 20));
};

describe.each(RUNTIMES)("$name", (runtime) => {
  it("open, act with validated input, typed errors, close; session.openCanvases follows", async () => {
    const t = await setup(runtime);
    const log: string[] = [];
    const session = await t.client.createSession({ model: "gpt-4.1", canvases: [board(log)] });
    expect(session.capabilities).toMatchObject({ ui: { canvases: true } });
    const listed = (await session.rpc.canvas.list()) as { canvases: Array<{ canvasId: string; actions?: Array<{ name: string; inputSchema?: unknown }> }> };
    expect(listed.canvases.map((c) => c.canvasId)).toEqual(["board"]);
    expect(listed.canvases[0]!.actions?.find((a) => a.name === "move")?.inputSchema).toMatchObject({
      type: "object",
      required: expect.arrayContaining(["card", "to"]),
    });

    const opened = (await session.rpc.canvas.open({ canvasId: "board", instanceId: "b1", input: { project: "apollo" } })) as { title?: string };
    expect(opened.title).toBe("Board of apollo");
    await until(() => session.openCanvases.length === 1);
    expect(session.openCanvases).toMatchObject([{ instanceId: "b1", canvasId: "board", title: "Board of apollo" }]);

    const moved = (await session.rpc.canvas.action.invoke({ instanceId: "b1", actionName: "move", input: { card: "c1", to: "done" } })) as { result?: unknown };
    expect(moved.result).toEqual({ moved: "c1", to: "done" });

    // Refused by the runtime against the declared JSON Schema: the handler never runs.
    const missing = await session.rpc.canvas.action
      .invoke({ instanceId: "b1", actionName: "move", input: { card: "c2" } })
      .catch((e: unknown) => CanvasError.from(e));
    expect(missing).toBeInstanceOf(CanvasError);
    expect((missing as CanvasError).code).toBe("canvas_invalid_input");
    // Passes the JSON Schema, fails the Standard Schema here: a typed error back through the runtime.
    const trash = await session.rpc.canvas.action
      .invoke({ instanceId: "b1", actionName: "move", input: { card: "c3", to: "trash" } })
      .catch((e: unknown) => CanvasError.from(e));
    expect(trash).toBeInstanceOf(CanvasError);
    expect((trash as Error).message).toMatch(/to: cards cannot be moved to trash/);
    const fire = await session.rpc.canvas.action.invoke({ instanceId: "b1", actionName: "explode" }).catch((e: unknown) => CanvasError.from(e));
    expect((fire as Error).message).toMatch(/the board caught fire/);
    expect(log.filter((l) => l.startsWith("move"))).toEqual(["move c1→done on b1"]);

    // The session goes on.
    expect(
      ((await session.rpc.canvas.action.invoke({ instanceId: "b1", actionName: "move", input: { card: "c4", to: "todo" } })) as { result?: unknown }).result,
    ).toEqual({ moved: "c4", to: "todo" });
    await session.rpc.canvas.close({ instanceId: "b1" });
    await until(() => session.openCanvases.length === 0);
    expect(session.openCanvases).toEqual([]);
    expect(log).toContain("close b1");
    expect(t.problems()).toEqual([]);
  });

  it("a resumed session reopens its open canvases through the open handler", async () => {
    const t = await setup(runtime, { model: { script: [{ text: "noted" }] } });
    const first: string[] = [];
    const session = await t.client.createSession({ model: "gpt-4.1", provider: t.model.provider(), canvases: [board(first)] });
    await session.rpc.canvas.open({ canvasId: "board", instanceId: "b7", input: { project: "gemini" } });
    await session.sendAndWait("remember this", { timeoutMs: 30_000 }); // a session is persisted once it has a message
    await session.disconnect();

    const again: string[] = [];
    const resumed = await t.client.resumeSession(session.sessionId, { provider: t.model.provider(), canvases: [board(again)] });
    await until(() => again.includes("open b7 gemini") && resumed.openCanvases.length === 1);
    expect(again).toContain("open b7 gemini");
    expect(resumed.openCanvases).toMatchObject([{ instanceId: "b7", canvasId: "board" }]);
    const moved = (await resumed.rpc.canvas.action.invoke({ instanceId: "b7", actionName: "move", input: { card: "x", to: "done" } })) as { result?: unknown };
    expect(moved.result).toEqual({ moved: "x", to: "done" });
    expect(t.problems()).toEqual([]);
  });

  it("bad canvas options are refused before anything is sent, naming the option", async () => {
    const t = await setup(runtime);
    expect(() => createCanvas({ id: "has space", displayName: "x", open: () => undefined })).toThrow(/createCanvas: id: "has space" is not a canvas id/);
    expect(() =>
      createCanvas({
        id: "a",
        displayName: "x",
        actions: [
          { name: "m", handler: () => 1 },
          { name: "m", handler: () => 2 },
        ],
        open: () => undefined,
      }),
    ).toThrow(/actions\[1\].name: "m" is declared twice/);
    await expect(t.client.createSession({ model: "gpt-4.1", canvases: [{ id: "fake" } as never] })).rejects.toThrow(
      /`canvases\[0\]` is not a canvas: make it with createCanvas/,
    );
  });
});
