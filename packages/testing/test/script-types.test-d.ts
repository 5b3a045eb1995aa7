import { describe, expectTypeOf, it } from "vitest";
import {
  startScriptedModel,
  type ModelRequest,
  type RecordedRequest,
  type ScriptedProviderConfig,
  type ScriptedTurn,
  type StaticTurn,
} from "@flightdeck/copilot-testing";

describe("script types", () => {
  it("accepts static and dynamic (sync or async) turns", () => {
    const script: ScriptedTurn[] = [
      { text: "hi", chunkSize: 2, delayMs: 5 },
      {
        toolCalls: [
          { name: "bash", arguments: { command: "ls" } },
          { name: "x", arguments: "{raw" },
        ],
      },
      { error: { status: 429, message: "slow down" } },
      { malformed: "truncated" },
      (req) => ({ text: String(req.index) }),
      async () => ({ text: "later" }),
    ];
    expectTypeOf(script).toMatchTypeOf<ScriptedTurn[]>();
    expectTypeOf<Parameters<Extract<ScriptedTurn, (r: ModelRequest) => unknown>>[0]>().toEqualTypeOf<ModelRequest>();
  });

  it("rejects turns that cannot be sent", () => {
    // @ts-expect-error: arguments must be an object or a raw string
    const badArgs: ScriptedTurn = { toolCalls: [{ name: "x", arguments: 42 }] };
    // @ts-expect-error: 418 is not an HTTP status a provider fails with
    const badStatus: ScriptedTurn = { error: { status: 418, message: "teapot" } };
    // @ts-expect-error: unknown malformed kind
    const badKind: ScriptedTurn = { malformed: "garbled" };
    void [badArgs, badStatus, badKind];
  });

  it("types the server API", async () => {
    const model = await startScriptedModel();
    expectTypeOf(model.provider()).toEqualTypeOf<ScriptedProviderConfig>();
    expectTypeOf(model.provider().type).toEqualTypeOf<"openai">();
    expectTypeOf(model.waitForRequests(1)).resolves.toEqualTypeOf<RecordedRequest[]>();
    expectTypeOf<RecordedRequest["turn"]>().toEqualTypeOf<StaticTurn | undefined>();
    expectTypeOf(model.requests).toEqualTypeOf<readonly RecordedRequest[]>();
  });
});
