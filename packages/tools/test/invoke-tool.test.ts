import { toStandardJsonSchema } from "@valibot/to-json-schema";
import { type } from "arktype";
import * as v from "valibot";
import { describe, expect, it, vi } from "vitest";
import { z } from "zod";
import * as z3 from "zod/v3";
import { type AnyTool, type ToolError, type ToolInvocation, defineTool, invokeTool, invokeToolNow } from "../src/index.js";
import { LazyAbortController } from "@flightdeck/copilot-core/internal";

const ctx = { sessionId: "s-1", toolCallId: "call-1" };

/** The same tool ("order": item name, quantity 1..10, optional tags) in every schema flavour. */
function orderTools(handler: (args: unknown, inv: ToolInvocation) => unknown): Record<string, AnyTool> {
  const description = "Order an item";
  const jsonSchema = {
    type: "object",
    properties: {
      item: { type: "string", minLength: 1 },
      quantity: { type: "integer", minimum: 1, maximum: 10 },
      tags: { type: "array", items: { type: "string" } },
    },
    required: ["item", "quantity"],
    additionalProperties: false,
  } as const;
  return {
    "json-schema": defineTool("order", { description, parameters: jsonSchema, handler }),
    "zod 4": defineTool("order", {
      description,
      parameters: z.object({ item: z.string().min(1), quantity: z.number().int().min(1).max(10), tags: z.array(z.string()).optional() }).strict(),
      handler,
    }),
    "zod 3": defineTool("order", {
      description,
      parameters: z3.z
        .object({ item: z3.z.string().min(1), quantity: z3.z.number().int().min(1).max(10), tags: z3.z.array(z3.z.string()).optional() })
        .strict(),
      jsonSchema,
      handler,
    }),
    valibot: defineTool("order", {
      description,
      parameters: toStandardJsonSchema(
        v.strictObject({
          item: v.pipe(v.string(), v.minLength(1)),
          quantity: v.pipe(v.number(), v.integer(), v.minValue(1), v.maxValue(10)),
          tags: v.optional(v.array(v.string())),
        }),
      ),
      handler,
    }),
    arktype: defineTool("order", {
      description,
      parameters: type({ item: "string > 0", quantity: "1 <= number.integer <= 10", "tags?": "string[]", "+": "reject" }),
      handler,
    }),
  };
}

describe.each(["json-schema", "zod 4", "zod 3", "valibot", "arktype"])("invokeTool with %s parameters", (flavour) => {
  it("passes valid arguments (JSON text or object) to the handler with the invocation", async () => {
    const handler = vi.fn((args: unknown) => `ordered ${JSON.stringify(args)}`);
    const tool = orderTools(handler)[flavour]!;
    const fromText = await invokeTool(tool, '{"item":"tea","quantity":2,"tags":["green"]}', ctx);
    expect(fromText).toEqual({ textResultForLlm: 'ordered {"item":"tea","quantity":2,"tags":["green"]}', resultType: "success" });
    const fromObject = await invokeTool(tool, { item: "tea", quantity: 3 }, ctx);
    expect(fromObject.resultType).toBe("success");
    expect(handler).toHaveBeenCalledTimes(2);
    const [args, invocation] = handler.mock.calls[1] as unknown as [unknown, ToolInvocation];
    expect(args).toEqual({ item: "tea", quantity: 3 });
    expect(invocation).toMatchObject({ sessionId: "s-1", toolCallId: "call-1", toolName: "order" });
    expect(invocation.signal).toBeInstanceOf(AbortSignal);
  });

  it("does not call the handler on bad arguments and lists every issue with its path", async () => {
    const handler = vi.fn(() => "never");
    const tool = orderTools(handler)[flavour]!;
    const result = await invokeTool(tool, { item: "", quantity: 11, tags: ["ok", 5] }, ctx);
    expect(handler).not.toHaveBeenCalled();
    expect(result.resultType).toBe("failure");
    const text = result.textResultForLlm;
    expect(text).toMatch(/^Invalid arguments for tool "order":\n/);
    expect(text).toMatch(/^- item: /m);
    expect(text).toMatch(/^- quantity: /m);
    expect(text).toMatch(/^- tags\[1\]: /m);
    expect(text).toMatch(/Fix these arguments and call the tool again\.$/);
    expect(result.error).toBe(text);
  });

  it("reports missing properties and wrong types with paths", async () => {
    const handler = vi.fn(() => "never");
    const tool = orderTools(handler)[flavour]!;
    const result = await invokeTool(tool, { quantity: "two" }, ctx);
    expect(handler).not.toHaveBeenCalled();
    expect(result.textResultForLlm).toMatch(/^- item: /m);
    expect(result.textResultForLlm).toMatch(/^- quantity: /m);
  });
});

describe("invokeTool: arguments", () => {
  const echo = defineTool("echo", { description: "Echo", handler: (args) => args });

  it("turns bad JSON into a failure the model can read, without calling the handler", async () => {
    const handler = vi.fn(() => "never");
    const tool = defineTool("t", { description: "d", handler });
    const result = await invokeTool(tool, '{"a": 1,', ctx);
    expect(handler).not.toHaveBeenCalled();
    expect(result.resultType).toBe("failure");
    expect(result.textResultForLlm).toMatch(/^Invalid arguments for tool "t": they are not valid JSON \(.+\)\. Send the arguments as a JSON object/);
  });

  it("treats missing or empty arguments as {}", async () => {
    for (const raw of [undefined, null, "", "  "]) {
      expect((await invokeTool(echo, raw, ctx)).textResultForLlm).toBe("{}");
    }
  });

  it("requires an object when parameters were omitted", async () => {
    const result = await invokeTool(echo, "[1,2]", ctx);
    expect(result.textResultForLlm).toContain("- (root): expected object, received array");
  });

  it("passes Standard Schema output (defaults, transforms) to the handler", async () => {
    const handler = vi.fn((args: { n: number; unit: string }) => `${args.n}${args.unit}`);
    const tool = defineTool("conv", { description: "d", parameters: z.object({ n: z.string().transform(Number), unit: z.string().default("cm") }), handler });
    const result = await invokeTool(tool, { n: "12" }, ctx);
    expect(result.textResultForLlm).toBe("12cm");
  });

  it("uses the toolName of the call when given", async () => {
    const tool = defineTool("t", { description: "d", handler: (_a, inv) => inv.toolName });
    expect((await invokeTool(tool, {}, { ...ctx, toolName: "alias" })).textResultForLlm).toBe("alias");
  });
});

describe("invokeTool: result normalisation", () => {
  const run = (value: unknown, options?: Parameters<typeof invokeTool>[3]) =>
    invokeTool(defineTool("t", { description: "d", handler: () => value }), {}, ctx, options);

  it("string → success text; nothing → empty text", async () => {
    expect(await run("hello")).toEqual({ textResultForLlm: "hello", resultType: "success" });
    expect(await run(undefined)).toEqual({ textResultForLlm: "", resultType: "success" });
  });

  it("JSON values → JSON text", async () => {
    expect((await run({ temp: 21, sky: ["clear"] })).textResultForLlm).toBe('{"temp":21,"sky":["clear"]}');
    expect((await run(42)).textResultForLlm).toBe("42");
    expect((await run(false)).textResultForLlm).toBe("false");
    expect((await run(null)).textResultForLlm).toBe("null");
    expect((await run([1, "a"])).textResultForLlm).toBe('[1,"a"]');
  });

  it("result objects pass through, with resultType filled in", async () => {
    const telemetry = { rows: 3 };
    expect(await run({ textResultForLlm: "done", resultType: "denied", toolTelemetry: telemetry })).toEqual({
      textResultForLlm: "done",
      resultType: "denied",
      toolTelemetry: telemetry,
    });
    expect(await run({ textResultForLlm: "x" })).toEqual({ textResultForLlm: "x", resultType: "success" });
    expect(await run({ textResultForLlm: "x", error: "boom" })).toEqual({ textResultForLlm: "x", error: "boom", resultType: "failure" });
  });

  it("invalid result objects become a failure and reach onError", async () => {
    const onError = vi.fn<(e: ToolError) => void>();
    const r1 = await run({ resultType: "success", text: "typo" }, { onError });
    expect(r1.resultType).toBe("failure");
    expect(r1.textResultForLlm).toMatch(/unknown properties "text"/);
    const r2 = await run({ textResultForLlm: 5 }, { onError });
    expect(r2.textResultForLlm).toMatch(/`textResultForLlm` as a string/);
    const r3 = await run({ textResultForLlm: "x", resultType: "maybe" }, { onError });
    expect(r3.resultType).toBe("failure");
    expect(r3.textResultForLlm).toMatch(/`resultType` is "maybe"; use one of success, failure/);
    expect(onError).toHaveBeenCalledTimes(3);
    expect(onError.mock.calls[0]![0].code).toBe("VALIDATION");
  });

  it("values that are not JSON become a failure and reach onError", async () => {
    const onError = vi.fn<(e: ToolError) => void>();
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    expect((await run(cyclic, { onError })).textResultForLlm).toMatch(/cannot be serialized as JSON/);
    expect((await run(10n, { onError })).resultType).toBe("failure");
    expect((await run(() => 1, { onError })).textResultForLlm).toMatch(/not JSON/);
    expect(onError).toHaveBeenCalledTimes(3);
  });

  it("bytes → base64 binary result with a sniffed MIME type", async () => {
    const png = new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 1, 2, 3]);
    const result = await run(png);
    expect(result.resultType).toBe("success");
    expect(result.binaryResultsForLlm).toEqual([{ type: "image", mimeType: "image/png", data: Buffer.from(png).toString("base64") }]);
    expect(result.textResultForLlm).toBe("The tool returned image/png data (11 bytes).");
    const buf = await run(Buffer.from("plain bytes"));
    expect(buf.binaryResultsForLlm?.[0]).toEqual({
      type: "resource",
      mimeType: "application/octet-stream",
      data: Buffer.from("plain bytes").toString("base64"),
    });
  });

  it("{ data, mimeType } → binary result, and bytes inside binaryResultsForLlm are encoded", async () => {
    const result = await run({ data: new TextEncoder().encode("%PDF-1.7"), mimeType: "application/pdf", description: "the report" });
    expect(result).toEqual({
      textResultForLlm: "the report",
      resultType: "success",
      binaryResultsForLlm: [{ type: "resource", mimeType: "application/pdf", description: "the report", data: Buffer.from("%PDF-1.7").toString("base64") }],
    });
    const passthrough = await run({ textResultForLlm: "chart", binaryResultsForLlm: [{ data: new Uint8Array([1, 2]), mimeType: "image/svg+xml" }] });
    expect(passthrough.binaryResultsForLlm).toEqual([{ type: "image", mimeType: "image/svg+xml", data: "AQI=" }]);
  });

  it("caps huge text with a clear marker (configurable per call and per tool)", async () => {
    const big = "x".repeat(150_000);
    const result = await run(big);
    expect(result.textResultForLlm.startsWith("x".repeat(100_000) + "\n\n[output truncated: showing the first 100000 of 150000 characters]")).toBe(true);
    expect((await run("abcdef", { maxResultChars: 3 })).textResultForLlm).toBe("abc\n\n[output truncated: showing the first 3 of 6 characters]");
    const perTool = defineTool("t", { description: "d", maxResultChars: 2, handler: () => ({ a: 1 }) });
    expect((await invokeTool(perTool, {}, ctx)).textResultForLlm).toMatch(/^\{"\n\n\[output truncated: showing the first 2 of 7/);
    expect((await run(big, { maxResultChars: Number.POSITIVE_INFINITY })).textResultForLlm).toHaveLength(150_000);
  });

  it("never splits a surrogate pair when truncating", async () => {
    const text = (await run("a😀b", { maxResultChars: 2 })).textResultForLlm;
    expect(text.startsWith("a\n\n[output truncated: showing the first 1 of 4")).toBe(true);
  });
});

describe("invokeTool: failures", () => {
  it("a handler that throws → failure with the message, reported to onError with the cause", async () => {
    const boom = new Error("disk full");
    const onError = vi.fn<(e: ToolError) => void>();
    const tool = defineTool("save", {
      description: "d",
      handler: () => {
        throw boom;
      },
    });
    const result = await invokeTool(tool, {}, ctx, { onError });
    expect(result).toEqual({ textResultForLlm: 'Tool "save" failed: disk full', resultType: "failure", error: "disk full" });
    expect(onError).toHaveBeenCalledOnce();
    const reported = onError.mock.calls[0]![0];
    expect(reported.code).toBe("HANDLER_FAILED");
    expect(reported.toolName).toBe("save");
    expect(reported.cause).toBe(boom);
  });

  it("masks credentials in the failure text the model reads", async () => {
    const token = `ghp_${"a1B2".repeat(9)}`;
    const tool = defineTool("t", {
      description: "d",
      handler: () => {
        throw new Error(`request failed with ${token}`);
      },
    });
    const result = await invokeTool(tool, {}, ctx, { onError: () => {} });
    expect(result.textResultForLlm).not.toContain(token);
    expect(result.textResultForLlm).toContain("ghp_[REDACTED]");
  });

  it("a handler that rejects → failure, reported", async () => {
    const onError = vi.fn<(e: ToolError) => void>();
    const tool = defineTool("save", { description: "d", handler: async () => Promise.reject(new Error("nope")) });
    expect((await invokeTool(tool, {}, ctx, { onError })).textResultForLlm).toBe('Tool "save" failed: nope');
    expect(onError).toHaveBeenCalledOnce();
  });

  it("reports to process warnings when no onError is given, never silently", async () => {
    const warn = vi.spyOn(process, "emitWarning").mockImplementation(() => {});
    try {
      const tool = defineTool("save", { description: "d", handler: () => Promise.reject(new Error("unseen")) });
      await invokeTool(tool, {}, ctx);
      expect(warn).toHaveBeenCalledOnce();
      expect(String((warn.mock.calls[0]![0] as Error).message)).toMatch(/unseen/);
    } finally {
      warn.mockRestore();
    }
  });

  it("a handler past its timeout → resultType timeout, its signal aborted, reported", async () => {
    const onError = vi.fn<(e: ToolError) => void>();
    let seen: AbortSignal | undefined;
    const tool = defineTool("slow", {
      description: "d",
      timeoutMs: 20,
      handler: (_args, { signal }) => {
        seen = signal;
        return new Promise(() => {});
      },
    });
    const started = Date.now();
    const result = await invokeTool(tool, {}, ctx, { onError });
    expect(Date.now() - started).toBeLessThan(1000);
    expect(result).toEqual({ textResultForLlm: 'Tool "slow" timed out after 20 ms.', resultType: "timeout", error: 'Tool "slow" timed out after 20 ms.' });
    expect(seen?.aborted).toBe(true);
    expect(onError).toHaveBeenCalledOnce();
    expect(onError.mock.calls[0]![0].code).toBe("TIMEOUT");
  });

  it("the per-call timeout overrides the tool's", async () => {
    const tool = defineTool("slow", { description: "d", timeoutMs: 60_000, handler: () => new Promise(() => {}) });
    const result = await invokeTool(tool, {}, ctx, { timeoutMs: 10, onError: () => {} });
    expect(result.resultType).toBe("timeout");
  });

  it("an abort during the call → failure naming the reason, the handler's signal fires", async () => {
    const controller = new AbortController();
    let seen: AbortSignal | undefined;
    const tool = defineTool("slow", {
      description: "d",
      handler: (_args, { signal }) => {
        seen = signal;
        setTimeout(() => controller.abort(new Error("session disconnected")), 5);
        return new Promise(() => {});
      },
    });
    const result = await invokeTool(tool, {}, { ...ctx, signal: controller.signal });
    expect(result.resultType).toBe("failure");
    expect(result.textResultForLlm).toBe('The call to tool "slow" was cancelled (session disconnected).');
    expect(seen?.aborted).toBe(true);
    expect(seen?.reason).toEqual(new Error("session disconnected"));
  });

  it("an already-aborted signal → rejected, handler not called", async () => {
    const handler = vi.fn(() => "never");
    const tool = defineTool("t", { description: "d", handler });
    const result = await invokeTool(tool, {}, { ...ctx, signal: AbortSignal.abort(new Error("aborted by user")) });
    expect(handler).not.toHaveBeenCalled();
    expect(result.resultType).toBe("rejected");
    expect(result.textResultForLlm).toMatch(/cancelled before it started \(aborted by user\)/);
  });

  it("a rejection after the timeout still reaches onError unless it echoes the abort", async () => {
    const onError = vi.fn<(e: ToolError) => void>();
    let fail: ((e: Error) => void) | undefined;
    const tool = defineTool("late", { description: "d", timeoutMs: 5, handler: () => new Promise((_r, reject) => (fail = reject)) });
    await invokeTool(tool, {}, ctx, { onError });
    expect(onError.mock.calls.map(([e]) => e.code)).toEqual(["TIMEOUT"]);
    fail!(new Error("cleanup crashed"));
    await new Promise((r) => setTimeout(r, 0));
    expect(onError.mock.calls.map(([e]) => e.code)).toEqual(["TIMEOUT", "HANDLER_FAILED"]);
    expect(onError.mock.calls[1]![0].message).toMatch(/after its call was abandoned: cleanup crashed/);

    const quiet = vi.fn<(e: ToolError) => void>();
    const polite = defineTool("polite", {
      description: "d",
      timeoutMs: 5,
      handler: (_a, { signal }) => new Promise((_r, reject) => signal.addEventListener("abort", () => reject(signal.reason))),
    });
    await invokeTool(polite, {}, ctx, { onError: quiet });
    await new Promise((r) => setTimeout(r, 0));
    expect(quiet.mock.calls.map(([e]) => e.code)).toEqual(["TIMEOUT"]);
  });

  it("an onError that throws does not break the result", async () => {
    const warn = vi.spyOn(process, "emitWarning").mockImplementation(() => {});
    try {
      const tool = defineTool("t", {
        description: "d",
        handler: () => {
          throw new Error("x");
        },
      });
      const result = await invokeTool(tool, {}, ctx, {
        onError: () => {
          throw new Error("bad reporter");
        },
      });
      expect(result.resultType).toBe("failure");
      expect(warn).toHaveBeenCalledTimes(2);
    } finally {
      warn.mockRestore();
    }
  });

  it("a signal first read after the abort is already aborted with the reason; one read after the call ends is not", async () => {
    const controller = new AbortController();
    let invocation: ToolInvocation | undefined;
    const tool = defineTool("slow", {
      description: "d",
      handler: (_args, inv) => {
        invocation = inv;
        setTimeout(() => controller.abort("stop"), 5);
        return new Promise(() => {});
      },
    });
    const result = await invokeTool(tool, {}, { ...ctx, signal: controller.signal });
    expect(result.textResultForLlm).toBe('The call to tool "slow" was cancelled (stop).');
    expect(invocation!.signal.aborted).toBe(true);
    expect(invocation!.signal.reason).toBe("stop");

    const later = new AbortController();
    let done: ToolInvocation | undefined;
    const quick = defineTool("quick", { description: "d", handler: (_a, inv) => ((done = inv), "ok") });
    await invokeTool(quick, {}, { ...ctx, signal: later.signal });
    later.abort("too late");
    expect(done!.signal.aborted).toBe(false);
  });

  it("a returned object whose then getter throws → failure, reported (never a rejection)", async () => {
    const onError = vi.fn<(e: ToolError) => void>();
    const weird = {
      get then(): never {
        throw new Error("then exploded");
      },
    };
    const tool = defineTool("t", { description: "d", handler: () => weird as never });
    const result = await invokeTool(tool, {}, ctx, { onError });
    expect(result.resultType).toBe("failure");
    expect(result.textResultForLlm).toMatch(/then exploded/);
    expect(onError.mock.calls.map(([e]) => e.code)).toEqual(["HANDLER_FAILED"]);
  });

  it("removes its abort listener when the call ends", async () => {
    const controller = new AbortController();
    const remove = vi.spyOn(controller.signal, "removeEventListener");
    const tool = defineTool("t", { description: "d", handler: () => "ok" });
    await invokeTool(tool, {}, { ...ctx, signal: controller.signal });
    expect(remove).toHaveBeenCalledWith("abort", expect.any(Function));
  });
});

describe("invokeTool: checkArguments: false (the incumbent's behaviour)", () => {
  it("hands unchecked arguments to the handler, with invocation.arguments set", async () => {
    const seen: Array<{ args: unknown; raw: unknown }> = [];
    const loose = defineTool("loose", {
      description: "takes anything",
      parameters: z.object({ n: z.number() }),
      checkArguments: false,
      handler: (args, invocation) => {
        seen.push({ args, raw: invocation.arguments });
        return "ok";
      },
    });
    const result = await invokeTool(loose, '{"n":"not a number"}', ctx);
    expect(result.resultType).toBe("success");
    expect(seen).toEqual([{ args: { n: "not a number" }, raw: { n: "not a number" } }]);
  });
  it("validates by default: the same call goes back to the model as a failure", async () => {
    const strict = defineTool("strict", { description: "checks", parameters: z.object({ n: z.number() }), handler: () => "ok" });
    const result = await invokeTool(strict, '{"n":"not a number"}', ctx);
    expect(result.resultType).toBe("failure");
    expect(result.textResultForLlm).toContain('Invalid arguments for tool "strict"');
  });
  it("refuses a non-boolean checkArguments", () => {
    expect(() => defineTool("bad", { description: "d", checkArguments: "no" as never, handler: () => "" })).toThrow(/checkArguments/);
  });
});

describe("invokeToolNow", () => {
  const good = { item: "tea", quantity: 2 };

  it.each(Object.entries(orderTools(() => "ordered")))("%s: a handler returning a plain value gives the result object itself, no promise", (_flavour, tool) => {
    const result = invokeToolNow(tool, good, ctx);
    expect(result).not.toBeInstanceOf(Promise);
    expect(result).toMatchObject({ textResultForLlm: "ordered", resultType: "success" });
    // Invalid arguments too: the same failure text as invokeTool's, at once.
    const invalid = invokeToolNow(tool, { item: "", quantity: 20 }, ctx);
    expect(invalid).not.toBeInstanceOf(Promise);
    expect(invalid).toMatchObject({ resultType: "failure", textResultForLlm: expect.stringMatching(/Invalid arguments for tool "order"/) });
  });

  it("gives the same results as invokeTool, a promise for an async handler, and masks credentials in a thrown error", async () => {
    const slow = defineTool("slow", { description: "Slow", handler: async () => "done" });
    const pending = invokeToolNow(slow, {}, ctx);
    expect(pending).toBeInstanceOf(Promise);
    expect(await pending).toEqual(await invokeTool(slow, {}, ctx));
    const onError = vi.fn();
    const boom = defineTool("boom", {
      description: "Fails",
      handler: () => {
        throw new Error("bad key sk-abcdefghijklmnopqrstuvwxyz0123456789");
      },
    });
    const thrown = invokeToolNow(boom, {}, ctx, { onError });
    expect(thrown).not.toBeInstanceOf(Promise);
    expect(thrown).toEqual(await invokeTool(boom, {}, ctx, { onError }));
    expect((thrown as { textResultForLlm: string }).textResultForLlm).not.toContain("sk-abcdefghijklmnopqrstuvwxyz0123456789");
    expect(onError).toHaveBeenCalledTimes(2);
  });

  it("a session's cancellation (no timeout) is the handler's signal: an abort while it runs, or one it causes itself, cancels the call", async () => {
    // What a session passes: its run's LazyAbortController as `cancellation`.
    const running = new LazyAbortController();
    let seen: AbortSignal | undefined;
    const waits = defineTool("waits", {
      description: "Waits for its signal",
      handler: (_args, { signal }) => {
        seen = signal;
        return new Promise<string>(() => {});
      },
    });
    const pending = invokeToolNow(waits, {}, { ...ctx, cancellation: running });
    expect(pending).toBeInstanceOf(Promise);
    expect(seen!.aborted).toBe(false);
    running.abort(new Error("session aborted"));
    expect(seen!.aborted).toBe(true);
    expect(seen!.reason).toEqual(new Error("session aborted"));
    await expect(pending).resolves.toMatchObject({ resultType: "failure", textResultForLlm: expect.stringContaining("session aborted") });

    // An abort during a synchronous handler wins over its value, as when a listener fired.
    const own = new LazyAbortController();
    const selfAborting = defineTool("self", {
      description: "Aborts its own run",
      handler: () => {
        own.abort(new Error("stopped mid-call"));
        return "value";
      },
    });
    expect(invokeToolNow(selfAborting, {}, { ...ctx, cancellation: own })).toMatchObject({ textResultForLlm: expect.stringContaining("stopped mid-call") });

    // Without a cancellation or timeout, each call still gets a signal of its own.
    const signals: AbortSignal[] = [];
    const keeps = defineTool("keeps", { description: "K", handler: (_a, { signal }) => (signals.push(signal), "ok") });
    invokeToolNow(keeps, {}, ctx);
    invokeToolNow(keeps, {}, ctx);
    expect(signals[0]).not.toBe(signals[1]);
  });

  it("the invocation: own data fields, the trace context when given, and a signal read from the prototype", async () => {
    const seen: ToolInvocation[] = [];
    const tool = defineTool("look", { description: "L", handler: (_a, invocation) => (seen.push(invocation), "ok") });
    invokeToolNow(tool, { x: 1 }, { ...ctx, traceparent: "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01" });
    const invocation = seen[0]!;
    expect(Object.keys(invocation)).toEqual(["sessionId", "toolCallId", "toolName", "arguments", "traceparent"]);
    expect({ ...invocation }).toEqual({
      sessionId: ctx.sessionId,
      toolCallId: ctx.toolCallId,
      toolName: "look",
      arguments: { x: 1 },
      traceparent: "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01",
    });
    const { signal } = invocation;
    expect(signal).toBeInstanceOf(AbortSignal);
    expect(invocation.signal).toBe(signal);
    expect(signal.aborted).toBe(false);
  });

  it("a cancellation that fired before the call answers at once, without running the handler", () => {
    const handler = vi.fn(() => "never");
    const tool = defineTool("t", { description: "T", handler });
    const result = invokeToolNow(tool, {}, { ...ctx, signal: AbortSignal.abort(new Error("turn aborted")) });
    expect(result).toMatchObject({ resultType: "rejected", textResultForLlm: expect.stringContaining("turn aborted") });
    expect(handler).not.toHaveBeenCalled();
  });
});
