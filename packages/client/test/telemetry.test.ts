/**
 * Telemetry, unit and wire level: the `telemetry` option lowered to the runtime's environment
 * (checked on a spawned stand-in runtime that records its env), and the trace context injected
 * into `session.create` / `session.resume` / `session.send` as they cross the wire (a JSON-RPC
 * peer records the frames; runtime 1.0.85 only turns the `session.send` one into spans offline,
 * so create/resume are checked here at the wire level; spans: e2e-interception.test.ts).
 */
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { JsonRpcConnection, createInMemoryTransportPair, isSdkError } from "@flightdeck/copilot-core";
import { SessionHost } from "@flightdeck/copilot-session";
import { CopilotClient, RuntimeConnection, telemetryEnv, type TraceContextProvider } from "@flightdeck/copilot-client";
import { resolveTraceContext, withTraceContext } from "../src/telemetry.js";
import { FAKE_RUNTIME } from "./helpers.js";

const cleanups: Array<() => unknown> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

const TP1 = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";

describe("telemetry option", () => {
  it("lowers each field to the runtime's variable, inferring the file exporter", () => {
    expect(telemetryEnv({ filePath: "/projects/app/spans.jsonl" })).toEqual({
      COPILOT_OTEL_ENABLED: "true",
      COPILOT_OTEL_FILE_EXPORTER_PATH: "/projects/app/spans.jsonl",
      COPILOT_OTEL_EXPORTER_TYPE: "file",
    });
    expect(
      telemetryEnv({
        otlpEndpoint: "http://127.0.0.1:4318",
        otlpProtocol: "http/json",
        sourceName: "my-app",
        captureContent: false,
        exporterType: "otlp-http",
      }),
    ).toEqual({
      COPILOT_OTEL_ENABLED: "true",
      OTEL_EXPORTER_OTLP_ENDPOINT: "http://127.0.0.1:4318",
      OTEL_EXPORTER_OTLP_PROTOCOL: "http/json",
      COPILOT_OTEL_EXPORTER_TYPE: "otlp-http",
      COPILOT_OTEL_SOURCE_NAME: "my-app",
      OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT: "false",
    });
    expect(telemetryEnv({})).toEqual({ COPILOT_OTEL_ENABLED: "true" });
  });

  it("rejects bad settings at construction, naming the field", () => {
    const message = (options: ConstructorParameters<typeof CopilotClient>[0]) => {
      try {
        new CopilotClient({ autoStart: false, ...options });
      } catch (e) {
        expect(isSdkError(e, "INVALID_OPTION")).toBe(true);
        return (e as Error).message;
      }
      return "accepted";
    };
    expect(message({ telemetry: { otlpEndpoint: "localhost:4318" } })).toMatch(/^telemetry.otlpEndpoint: "localhost:4318" is not an http\(s\) URL/);
    expect(message({ telemetry: { exporterType: "file" } })).toMatch(/^telemetry.exporterType: "file" needs telemetry.filePath/);
    expect(message({ telemetry: { otlpProtocol: "grpc" as never } })).toMatch(/^telemetry.otlpProtocol: "grpc" is not supported/);
    expect(message({ telemetry: { captureContent: "yes" as never } })).toMatch(/^telemetry.captureContent: must be a boolean/);
    expect(message({ telemetry: { filePath: "/x" }, connection: RuntimeConnection.forUri("127.0.0.1:4000") })).toMatch(
      /^telemetry: cannot be used with RuntimeConnection.forUri/,
    );
    expect(message({ onGetTraceContext: "00-…" as never })).toMatch(/^onGetTraceContext: must be a function/);
    expect(message({ telemetry: { filePath: "/x", sourceName: "app" }, onGetTraceContext: () => undefined })).toBe("accepted");
  });

  it("reaches the spawned runtime's environment (over the user's env), and is absent without the option", async () => {
    const dir = mkdtempSync(join(tmpdir(), "flightdeck-telemetry-"));
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
    const record = join(dir, "record.json");
    const env = { PATH: process.env.PATH, FAKE_RECORD: record, COPILOT_OTEL_EXPORTER_TYPE: "otlp-http" };
    const client = new CopilotClient({
      connection: RuntimeConnection.forStdio({ path: FAKE_RUNTIME }),
      env,
      telemetry: { filePath: join(dir, "spans.jsonl"), sourceName: "app" },
      onError: () => {},
    });
    cleanups.push(() => client.forceStop());
    await client.start();
    const seen = (JSON.parse(readFileSync(record, "utf8")) as { env: Record<string, string> }).env;
    expect(seen).toMatchObject({
      COPILOT_OTEL_ENABLED: "true",
      COPILOT_OTEL_FILE_EXPORTER_PATH: join(dir, "spans.jsonl"),
      COPILOT_OTEL_EXPORTER_TYPE: "file",
      COPILOT_OTEL_SOURCE_NAME: "app",
    });
    await client.stop();

    const plain = new CopilotClient({
      connection: RuntimeConnection.forStdio({ path: FAKE_RUNTIME }),
      env: { PATH: process.env.PATH, FAKE_RECORD: record },
      onError: () => {},
    });
    cleanups.push(() => plain.forceStop());
    await plain.start();
    const env2 = (JSON.parse(readFileSync(record, "utf8")) as { env: Record<string, string> }).env;
    expect(Object.keys(env2).filter((k) => k.includes("OTEL"))).toEqual([]);
  });
});

describe("trace context", () => {
  it("checks what onGetTraceContext returns: bad values are reported and left out, never failing the call", async () => {
    const errors: unknown[] = [];
    const resolve = (provider: TraceContextProvider) => resolveTraceContext(provider, (e) => errors.push(e));
    expect(await resolve(() => ({ traceparent: TP1, tracestate: "a=1" }))).toEqual({ traceparent: TP1, tracestate: "a=1" });
    expect(await resolve(async () => ({ traceparent: TP1 }))).toEqual({ traceparent: TP1 });
    expect(await resolve(() => undefined)).toEqual({});
    expect(errors).toEqual([]);
    expect(await resolve(() => ({ traceparent: "not-a-traceparent" }))).toEqual({});
    expect(await resolve(() => ({ traceparent: "00-00000000000000000000000000000000-00f067aa0ba902b7-01" }))).toEqual({});
    expect(
      await resolve(() => {
        throw new Error("no active span");
      }),
    ).toEqual({});
    expect(errors.map((e) => (e as Error).message)).toEqual([
      expect.stringMatching(/^onGetTraceContext returned traceparent "not-a-traceparent", which is not a W3C traceparent/),
      expect.stringMatching(/^onGetTraceContext returned traceparent "00-0{32}-/),
      "onGetTraceContext threw: no active span. The request was sent without trace context.",
    ]);
  });

  it("wire level: session.create, session.resume and session.send carry traceparent/tracestate; other requests do not", async () => {
    const [a, b] = createInMemoryTransportPair();
    const clientSide = new JsonRpcConnection(a);
    const runtime = new JsonRpcConnection(b);
    cleanups.push(async () => {
      await clientSide.close();
      await runtime.close();
    });
    const frames: Array<{ method: string; params: Record<string, unknown> }> = [];
    for (const method of ["session.create", "session.resume", "session.send", "session.abort"]) {
      runtime.onRequest(method, (params) => {
        frames.push({ method, params: params as Record<string, unknown> });
        const { sessionId } = params as { sessionId: string };
        return method === "session.send" ? { messageId: "m1" } : method === "session.abort" ? null : { sessionId, workspacePath: null, capabilities: {} };
      });
    }
    let n = 0;
    const errors: unknown[] = [];
    const traced = withTraceContext(
      clientSide,
      () => ({ traceparent: `00-4bf92f3577b34da6a3ce929d0e0e47${String(++n).padStart(2, "0")}-00f067aa0ba902b7-01`, tracestate: `n=${n}` }),
      (e) => errors.push(e),
    );
    const host = new SessionHost(traced, { validation: "off", onError: (e) => errors.push(e) });
    const session = await host.createSession({ model: "gpt-4.1" });
    await session.send("hello");
    await session.abort();
    const resumed = await new SessionHost(traced, { validation: "off" }).resumeSession("persisted-id", {});
    expect(resumed.sessionId).toBe("persisted-id");

    expect(frames.map((f) => [f.method, f.params.traceparent, f.params.tracestate])).toEqual([
      ["session.create", "00-4bf92f3577b34da6a3ce929d0e0e4701-00f067aa0ba902b7-01", "n=1"],
      ["session.send", "00-4bf92f3577b34da6a3ce929d0e0e4702-00f067aa0ba902b7-01", "n=2"],
      ["session.abort", undefined, undefined],
      ["session.resume", "00-4bf92f3577b34da6a3ce929d0e0e4703-00f067aa0ba902b7-01", "n=3"],
    ]);
    expect(frames[1]!.params.prompt).toBe("hello");
    expect(errors).toEqual([]);

    // A trace context the caller put in the params explicitly is kept.
    await traced.request("session.send", { sessionId: session.sessionId, prompt: "x", traceparent: TP1 });
    expect(frames.at(-1)!.params.traceparent).toBe(TP1);
  });
});
