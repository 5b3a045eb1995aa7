/** Type tests for the generated surface: narrowing, stub parameters, exhaustiveness. */
import { describe, expectTypeOf, it } from "vitest";
import type { RequestOptions } from "../src/rpc-types.js";
import { isKnownSessionEvent, isSessionEventOfType } from "../src/session-event-guards.js";
import type {
  AssistantMessageDeltaEvent,
  ClientSessionHandlers,
  RpcParamsOf,
  RpcResultOf,
  SendRequest,
  ServerRpc,
  SessionEvent,
  SessionEventDataOf,
  SessionEventOf,
  SessionEventType,
  SessionRpc,
  WireSessionEvent,
} from "../src/generated/index.js";

describe("SessionEvent", () => {
  it("narrows on event.type", () => {
    const handle = (e: SessionEvent) => {
      if (e.type === "assistant.message_delta") expectTypeOf(e.data.deltaContent).toEqualTypeOf<string>();
      if (e.type === "assistant.message") expectTypeOf(e.data.content).toEqualTypeOf<string>();
      switch (e.type) {
        case "session.idle":
          expectTypeOf(e).toEqualTypeOf<SessionEventOf<"session.idle">>();
          break;
      }
    };
    expectTypeOf(handle).parameter(0).toEqualTypeOf<SessionEvent>();
  });
  it("keeps type strings untransformed and maps data types", () => {
    expectTypeOf<"assistant.message_delta">().toMatchTypeOf<SessionEventType>();
    expectTypeOf<"permission.assentDetected">().toMatchTypeOf<SessionEventType>();
    expectTypeOf<"assistantMessageDelta">().not.toMatchTypeOf<SessionEventType>();
    expectTypeOf<SessionEventOf<"assistant.message_delta">>().toEqualTypeOf<AssistantMessageDeltaEvent>();
    expectTypeOf<SessionEventDataOf<"assistant.message_delta">["deltaContent"]>().toEqualTypeOf<string>();
  });
  it("is exhaustive: a switch over every type leaves never", () => {
    const exhaustive = (t: SessionEventType): string => {
      switch (t) {
        default: {
          const rest: Exclude<SessionEventType, never> = t;
          return rest;
        }
      }
    };
    expectTypeOf(exhaustive).returns.toEqualTypeOf<string>();
    type Covered = SessionEvent extends infer E ? (E extends { type: infer T } ? T : never) : never;
    expectTypeOf<Exclude<SessionEventType, Covered>>().toEqualTypeOf<never>();
  });
  it("guards get back from WireSessionEvent to the typed union", () => {
    const e = {} as WireSessionEvent;
    if (isKnownSessionEvent(e)) expectTypeOf(e).toEqualTypeOf<SessionEvent>();
    if (isSessionEventOfType(e, "assistant.message_delta")) expectTypeOf(e.data.deltaContent).toEqualTypeOf<string>();
  });
});

describe("stubs", () => {
  it("inject sessionId: session stubs take the public type without it", () => {
    type Send = SessionRpc["send"];
    expectTypeOf<Parameters<Send>[0]>().toEqualTypeOf<SendRequest>();
    expectTypeOf<SendRequest>().not.toHaveProperty("sessionId");
    expectTypeOf<Parameters<Send>[1]>().toEqualTypeOf<RequestOptions | undefined>();
    expectTypeOf<RpcParamsOf<"session.send">>().toEqualTypeOf<SendRequest>();
  });
  it("take no argument when sessionId is the only param", () => {
    type Suspend = SessionRpc["suspend"];
    expectTypeOf<Parameters<Suspend>>().toEqualTypeOf<[options?: RequestOptions]>();
    expectTypeOf<ReturnType<Suspend>>().toEqualTypeOf<Promise<void>>();
  });
  it("nest by the schema tree and type results", () => {
    expectTypeOf<ServerRpc["models"]["list"]>().returns.toEqualTypeOf<Promise<RpcResultOf<"models.list">>>();
    expectTypeOf<SessionRpc["tools"]["handlePendingToolCall"]>().parameter(0).toHaveProperty("requestId");
    // @ts-expect-error internal methods are not on the public surface
    type _NoConnect = ServerRpc["connect"];
  });
  it("client-session handlers receive params with sessionId", () => {
    type ReadFile = Parameters<ClientSessionHandlers["sessionFs.readFile"]>[0];
    expectTypeOf<ReadFile["sessionId"]>().toEqualTypeOf<string>();
    expectTypeOf<ReadFile["path"]>().toEqualTypeOf<string>();
  });
});
