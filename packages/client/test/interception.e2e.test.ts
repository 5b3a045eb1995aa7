/**
 * End to end on both pinned runtimes (copilot-runtime 1.0.85 and the copilot 1.0.102 CLI),
 * offline: model traffic served by `requestHandler` over the connection (no port anywhere),
 * session state kept in a client-provided filesystem (`sessionFs`), and OpenTelemetry spans
 * written by the runtime that join the caller's trace (`telemetry` + `onGetTraceContext`).
 */
import { existsSync, mkdtempSync, readdirSync, readFileSync, readlinkSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { createScriptedRequestHandler, startScriptedModel, toolResults, SCRIPTED_MODEL_UNROUTABLE_BASE_URL } from "@flightdeck/copilot-testing";
import { approveAll, defineTool } from "@flightdeck/copilot-tools";
import { CopilotRequestHandler, DirectorySessionFs, MemorySessionFs, type CopilotRequestContext, type InterceptedRequest } from "@flightdeck/copilot-client";
import { RUNTIMES, isolatedClient } from "../../../test-support/e2e.js";

const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

/** Inodes of the TCP sockets this process is listening on (from /proc: LISTEN = state 0A). */
function listeningSockets(): string[] {
  const mine = new Set<string>();
  for (const fd of readdirSync("/proc/self/fd")) {
    try {
      const m = /^socket:\[(\d+)\]$/.exec(readlinkSync(`/proc/self/fd/${fd}`));
      if (m) mine.add(m[1]!);
    } catch {
      // the descriptor closed while we looked
    }
  }
  const listening: string[] = [];
  for (const table of ["/proc/net/tcp", "/proc/net/tcp6"]) {
    if (!existsSync(table)) continue;
    for (const line of readFileSync(table, "utf8").split("\n").slice(1)) {
      const cols = line.trim().split(/\s+/);
      if (cols[3] === "0A" && mine.has(cols[9]!)) listening.push(`${cols[1]} inode ${cols[9]}`);
    }
  }
  return listening;
}

const weather = defineTool("get_weather", {
  description: "Weather for a city",
  parameters: { type: "object", properties: { city: { type: "string" } }, required: ["city"] },
  handler: (args: { city: string }) => `sunny in ${args.city}`,
});

function setup(runtime: (typeof RUNTIMES)[number], options: Parameters<typeof isolatedClient>[1] = {}) {
  const errors: unknown[] = [];
  const t = isolatedClient(runtime, { onError: (e) => errors.push(e), ...options });
  cleanups.push(t.cleanup);
  return { ...t, errors };
}

// A runtime's first events wait for the validators to load (several seconds under vitest), and the CLI starts slower.
describe.each(RUNTIMES)("$name", { timeout: 90_000 }, (runtime) => {
  it("requestHandler: a full agent turn with a tool call, answered in process; the test opens no port and the provider host is unroutable", async () => {
    const before = listeningSockets();
    expect(before).toEqual([]);
    const model = createScriptedRequestHandler({
      script: [
        { toolCalls: [{ name: "get_weather", arguments: { city: "Paris" } }] },
        (req) => ({ text: `Forecast: ${toolResults(req).at(-1)?.content}.`, chunkSize: 4 }),
      ],
    });
    const seen: InterceptedRequest[] = [];
    const { client, errors } = setup(runtime, {
      requestHandler: (request) => {
        seen.push(request);
        return model.handler(request);
      },
    });
    const session = await client.createSession({
      model: "gpt-4.1",
      provider: model.provider(),
      tools: [weather],
      onPermissionRequest: approveAll,
      streaming: true,
    });
    const deltas: string[] = [];
    session.on("assistant.message_delta", (e) => void deltas.push(e.data.deltaContent));
    const reply = await session.sendAndWait("Weather in Paris?", { timeoutMs: 30_000 });

    expect(reply?.data.content).toBe("Forecast: sunny in Paris.");
    // The answer streamed through the handler in several chunks.
    expect(deltas.length).toBeGreaterThan(1);
    expect(deltas.join("")).toBe("Forecast: sunny in Paris.");
    expect(seen).toHaveLength(2);
    for (const r of seen) {
      expect(r.url).toBe(`${SCRIPTED_MODEL_UNROUTABLE_BASE_URL}/chat/completions`);
      expect(r.sessionId).toBe(session.sessionId);
      expect(r.method).toBe("POST");
    }
    expect(toolResults(model.requests[1]!).at(-1)?.content).toBe("sunny in Paris");
    model.assertDone();
    expect(listeningSockets()).toEqual([]);
    expect(errors.map((e) => String((e as Error).message ?? e))).toEqual([]);
  });

  it("requestHandler: a handler that throws ends that request with a transport error naming it; the runtime retries and the turn completes", async () => {
    const model = createScriptedRequestHandler({ script: [{ text: "recovered" }] });
    let calls = 0;
    const { client, errors } = setup(runtime, {
      requestHandler: (request) => {
        if (++calls === 1) throw new Error("upstream is down");
        return model.handler(request);
      },
    });
    const session = await client.createSession({ model: "gpt-4.1", provider: model.provider() });
    const failures: string[] = [];
    session.on("model.call_failure", (e) => void failures.push(String((e.data as { failureKind?: string }).failureKind)));
    const reply = await session.sendAndWait("Hi", { timeoutMs: 30_000 });
    expect(reply?.data.content).toBe("recovered");
    expect(calls).toBe(2);
    expect(failures).toEqual(["transport"]);
    const messages = errors.map((e) => String((e as Error).message));
    expect(messages).toEqual(["requestHandler failed for POST http://scripted-model.invalid/v1/chat/completions: upstream is down"]);
    model.assertDone();
  });

  it("requestHandler: a CopilotRequestHandler subclass (the incumbent's form) sees every model call with the session's id and forwards it with super.sendRequest", async () => {
    const model = await startScriptedModel({
      script: [{ toolCalls: [{ name: "get_weather", arguments: { city: "Oslo" } }] }, { text: "Snow in Oslo.", chunkSize: 3 }],
    });
    cleanups.push(() => model.close());
    const seen: Array<{ sessionId: string | undefined; url: string; transport: string }> = [];
    class Observer extends CopilotRequestHandler {
      protected override sendRequest(request: Request, ctx: CopilotRequestContext): Promise<Response> {
        seen.push({ sessionId: ctx.sessionId, url: request.url, transport: ctx.transport });
        return super.sendRequest(request, ctx);
      }
    }
    const { client, errors } = setup(runtime, { requestHandler: new Observer() });
    const session = await client.createSession({
      model: "gpt-4.1",
      provider: model.provider(),
      tools: [weather],
      onPermissionRequest: approveAll,
      streaming: true,
    });
    const reply = await session.sendAndWait("Weather in Oslo?", { timeoutMs: 30_000 });
    expect(reply?.data.content).toBe("Snow in Oslo.");
    expect(seen).toEqual([
      { sessionId: session.sessionId, url: `${model.baseUrl}/chat/completions`, transport: "http" },
      { sessionId: session.sessionId, url: `${model.baseUrl}/chat/completions`, transport: "http" },
    ]);
    expect(toolResults(model.requests[1]!).at(-1)?.content).toBe("sunny in Oslo");
    expect(errors.map((e) => String((e as Error).message ?? e))).toEqual([]);
  });

  it("requestHandler: a CopilotRequestHandler that throws is reported as an inference failure and the runtime retries", async () => {
    const model = await startScriptedModel({ script: [{ text: "second try" }] });
    cleanups.push(() => model.close());
    let calls = 0;
    class Flaky extends CopilotRequestHandler {
      protected override sendRequest(request: Request, ctx: CopilotRequestContext): Promise<Response> {
        if (++calls === 1) throw new Error("proxy refused");
        return super.sendRequest(request, ctx);
      }
    }
    const { client, errors } = setup(runtime, { requestHandler: new Flaky() });
    const session = await client.createSession({ model: "gpt-4.1", provider: model.provider() });
    const failures: string[] = [];
    session.on("model.call_failure", (e) => void failures.push(String((e.data as { failureKind?: string }).failureKind)));
    const reply = await session.sendAndWait("Hi", { timeoutMs: 30_000 });
    expect(reply?.data.content).toBe("second try");
    expect(failures).toHaveLength(1);
    expect(errors.map((e) => String((e as Error).message))).toEqual([`requestHandler failed for POST ${model.baseUrl}/chat/completions: proxy refused`]);
  });

  it("sessionFs: the session's state lives in a MemorySessionFs; after a turn the event log is there and not on the runtime's disk", async () => {
    const fs = new MemorySessionFs();
    const model = createScriptedRequestHandler({ script: [{ text: "stored in memory" }] });
    const { client, iso, errors } = setup(runtime, { sessionFs: { provider: fs }, requestHandler: model.handler });
    const session = await client.createSession({ model: "gpt-4.1", provider: model.provider() });
    const reply = await session.sendAndWait("Remember me", { timeoutMs: 30_000 });
    expect(reply?.data.content).toBe("stored in memory");

    const files = fs.snapshot(session.sessionId);
    expect(Object.keys(files)).toEqual(expect.arrayContaining(["/session-state/events.jsonl", "/session-state/workspace.yaml"]));
    const events = files["/session-state/events.jsonl"]!.trim()
      .split("\n")
      .map((l) => JSON.parse(l) as { type: string; data: Record<string, unknown> });
    expect(events.map((e) => e.type)).toEqual(expect.arrayContaining(["session.start", "user.message", "assistant.message"]));
    expect(events.find((e) => e.type === "user.message")?.data.content).toBe("Remember me");
    expect(files["/session-state/workspace.yaml"]).toContain(`id: ${session.sessionId}`);
    // Nothing of the session's event log reached the runtime's own state folder.
    expect(existsSync(join(iso.env.COPILOT_HOME!, "session-state", session.sessionId, "events.jsonl"))).toBe(false);
    expect(errors.map((e) => String((e as Error).message ?? e))).toEqual([]);
  });

  it("sessionFs: a provider that throws gets an error reply naming it and the operation; the client and the session keep working", async () => {
    const memory = new MemorySessionFs();
    const failing = new Set<string>();
    // Every call goes to the memory provider, except the operations listed in `failing`, which throw once (not ENOENT).
    const flaky = new Proxy(memory, {
      get(target, key) {
        if (key === "name") return "flaky";
        const value = Reflect.get(target, key) as unknown;
        if (typeof value !== "function") return value;
        return (...args: unknown[]) => {
          const op = `${String(key)}:${String(args[0]).split("/").pop()}`;
          if (failing.delete(op)) throw new Error(`disk on fire (${op})`);
          return (value as (...a: unknown[]) => unknown).apply(target, args);
        };
      },
    });
    const model = createScriptedRequestHandler({ script: [{ text: "still fine" }, { text: "second" }] });
    const { client, errors } = setup(runtime, { sessionFs: { provider: flaky }, requestHandler: model.handler });

    // During construction the runtime gives up on the session and says why, naming provider and operation.
    failing.add("readFile:plan.md");
    const refused = await client.createSession({ model: "gpt-4.1", provider: model.provider() }).catch((e: unknown) => e as Error);
    expect(refused).toBeInstanceOf(Error);
    expect((refused as Error).message).toContain('sessionFs provider "flaky" failed in readFile(/session-state/plan.md)');
    expect((refused as Error).message).toContain("disk on fire");

    // During a turn a failed write of the event log is reported, and the session carries on.
    // (Measured: runtime 1.0.85 raises session.error "persistence" quoting our message; the 1.0.102
    // CLI then skips that turn's session.idle, so this waits for the reply itself.)
    const session = await client.createSession({ model: "gpt-4.1", provider: model.provider() });
    const runtimeErrors: string[] = [];
    session.on("session.error", (e) => void runtimeErrors.push(e.data.message));
    const answered = new Promise<string>((resolve) => session.on("assistant.message", (e) => resolve(e.data.content)));
    const firstIdle = new Promise<void>((resolve) => session.on("session.idle", () => resolve()));
    failing.add("appendFile:events.jsonl");
    await session.send("Hi");
    expect(await answered).toBe("still fine");
    // Runtime 1.0.85 usually still ends this turn with session.idle, which may come after the reply:
    // wait for it, or the next sendAndWait would take it for its own turn's end, but not without a
    // bound: if the failed append is the batch that holds the idle itself, the runtime may drop it
    // as the CLI does (a loaded in-process CI run once hit the test's 90 s limit in this test;
    // which wait hung was not recorded), and the bounded wait below for the failed write takes over.
    if (runtime.kind === "copilot-runtime") await Promise.race([firstIdle, new Promise((r) => setTimeout(r, 10_000))]);
    // The CLI batches event-log writes: the failed append may come after the reply. Let it happen
    // before the next turn (the CLI drops session.idle of a turn whose events failed to persist).
    for (const deadline = Date.now() + 10_000; failing.size > 0 && Date.now() < deadline; ) await new Promise((r) => setTimeout(r, 50));
    expect(failing.size).toBe(0);
    const next = await session.sendAndWait("again", { timeoutMs: 30_000 });
    expect(next?.data.content).toBe("second");
    const messages = errors.map((e) => String((e as Error).message));
    expect(
      messages.some((m) => m.startsWith(`sessionFs provider "flaky" failed in appendFile(/session-state/events.jsonl) for session ${session.sessionId}`)),
    ).toBe(true);
    if (runtime.kind === "copilot-runtime") expect(runtimeErrors.some((m) => m.includes('sessionFs provider "flaky" failed in appendFile'))).toBe(true);
    expect(memory.snapshot(session.sessionId)["/session-state/events.jsonl"]).toContain('"content":"second"');
  });

  it("sessionFs: DirectorySessionFs keeps each session in <root>/<sessionId>", async () => {
    const root = mkdtempSync(join(tmpdir(), "flightdeck-sessionfs-"));
    cleanups.push(() => rmSync(root, { recursive: true, force: true }));
    const model = createScriptedRequestHandler({ script: [{ text: "on disk" }] });
    const { client } = setup(runtime, { sessionFs: { provider: new DirectorySessionFs(root) }, requestHandler: model.handler });
    const session = await client.createSession({ model: "gpt-4.1", provider: model.provider() });
    await session.sendAndWait("Hi", { timeoutMs: 30_000 });
    const log = readFileSync(join(root, session.sessionId, "session-state", "events.jsonl"), "utf8");
    expect(log).toContain('"type":"assistant.message"');
    expect(log).toContain("on disk");
  });

  it("telemetry: with a file exporter the runtime writes spans, and the turn's spans carry the trace id from onGetTraceContext", async () => {
    const dir = mkdtempSync(join(tmpdir(), "flightdeck-otel-"));
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
    const filePath = join(dir, "spans.jsonl");
    const traces: string[] = [];
    const model = createScriptedRequestHandler({ script: [{ text: "traced" }] });
    const { client, errors } = setup(runtime, {
      telemetry: { filePath, sourceName: "flightdeck-e2e" },
      // One trace per traced call: create gets …01, send gets …02.
      onGetTraceContext: () => {
        const traceId = `4bf92f3577b34da6a3ce929d0e0e47${String(traces.length + 1).padStart(2, "0")}`;
        traces.push(traceId);
        return { traceparent: `00-${traceId}-00f067aa0ba902b7-01`, tracestate: "flightdeck=e2e" };
      },
      requestHandler: model.handler,
    });
    const session = await client.createSession({ model: "gpt-4.1", provider: model.provider() });
    await session.sendAndWait("Trace me", { timeoutMs: 30_000 });
    expect(traces).toHaveLength(2);
    const sendTrace = traces[1]!;

    type Span = { traceId: string; parentSpanId?: string; name: string; instrumentationScope?: { name?: string } };
    const read = (): Span[] =>
      existsSync(filePath)
        ? readFileSync(filePath, "utf8")
            .split("\n")
            .filter(Boolean)
            .map((l) => JSON.parse(l) as Span)
        : [];
    // The CLI also parents session construction on the create call's trace; runtime 1.0.85 does not.
    const expectCreateTrace = runtime.kind === "cli";
    const landed = (all: Span[]) =>
      all.some((s) => s.traceId === sendTrace && s.parentSpanId === "00f067aa0ba902b7") && (!expectCreateTrace || all.some((s) => s.traceId === traces[0]));
    // The exporter batches, and a parent span ends (and is written) after its children: wait briefly.
    for (const deadline = Date.now() + 10_000; !landed(read()) && Date.now() < deadline; ) await new Promise((r) => setTimeout(r, 100));
    const spans = read();
    const turnSpans = spans.filter((s) => s.traceId === sendTrace);
    expect(turnSpans.length).toBeGreaterThan(0);
    // Our span is the parent of the turn's root span, and the scope name came from sourceName.
    expect(turnSpans.some((s) => s.parentSpanId === "00f067aa0ba902b7")).toBe(true);
    expect(turnSpans.every((s) => s.instrumentationScope?.name === "flightdeck-e2e")).toBe(true);
    if (expectCreateTrace) expect(spans.some((s) => s.traceId === traces[0])).toBe(true);
    expect(errors.map((e) => String((e as Error).message ?? e))).toEqual([]);
  });
});
