/**
 * OpenTelemetry: the `telemetry` option (the runtime's exporter, lowered to its environment) and
 * `onGetTraceContext` (the caller's W3C trace context, injected into `session.create`,
 * `session.resume` and `session.send` so the runtime's spans join the caller's trace).
 */
import { SdkError, type RpcConnectionLike } from "@flightdeck/copilot-core";

/**
 * Where the runtime exports its OpenTelemetry traces and metrics. Setting the option turns the
 * runtime's telemetry on (`COPILOT_OTEL_ENABLED=true`).
 *
 * @example
 * ```ts
 * new CopilotClient({ telemetry: { otlpEndpoint: "http://127.0.0.1:4318" } });
 * new CopilotClient({ telemetry: { filePath: "copilot-spans.jsonl" } }); // JSON lines, one span per line
 * ```
 */
export interface TelemetryOptions {
  /** OTLP/HTTP collector base URL (`OTEL_EXPORTER_OTLP_ENDPOINT`), e.g. `http://127.0.0.1:4318`. */
  otlpEndpoint?: string;
  /** OTLP encoding (`OTEL_EXPORTER_OTLP_PROTOCOL`). Default: the runtime's (`http/protobuf`). */
  otlpProtocol?: "http/protobuf" | "http/json";
  /** Write spans as JSON lines to this file (`COPILOT_OTEL_FILE_EXPORTER_PATH`). */
  filePath?: string;
  /**
   * Exporter (`COPILOT_OTEL_EXPORTER_TYPE`). Default: `"file"` when only `filePath` is set, else
   * `"otlp-http"`. `"file"` requires `filePath`.
   */
  exporterType?: "otlp-http" | "file";
  /** Instrumentation scope name of the runtime's spans (`COPILOT_OTEL_SOURCE_NAME`). */
  sourceName?: string;
  /**
   * Record prompts, responses and tool arguments in spans
   * (`OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT`). Default false: they may hold secrets.
   */
  captureContent?: boolean;
}

/** A W3C Trace Context, as `onGetTraceContext` returns it. */
export interface TraceContext {
  /** `00-<32 hex trace id>-<16 hex span id>-<2 hex flags>`. */
  traceparent?: string;
  tracestate?: string;
}

/**
 * Returns the trace context of the caller's current span (or undefined for none). Called before
 * each `session.create`, `session.resume` and `session.send`.
 *
 * @example With `@opentelemetry/api`:
 * ```ts
 * onGetTraceContext: () => {
 *   const carrier: Record<string, string> = {};
 *   propagation.inject(context.active(), carrier);
 *   return carrier; // { traceparent, tracestate? }
 * }
 * ```
 */
export type TraceContextProvider = () => TraceContext | undefined | Promise<TraceContext | undefined>;

const TRACEPARENT = /^[0-9a-f]{2}-[0-9a-f]{32}-[0-9a-f]{16}-[0-9a-f]{2}$/;
const ZERO_TRACE = /^[0-9a-f]{2}-0{32}-/;
const ZERO_SPAN = /^[0-9a-f]{2}-[0-9a-f]{32}-0{16}-/;
/** The requests that start or continue work the runtime traces. */
export const TRACED_METHODS: ReadonlySet<string> = new Set(["session.create", "session.resume", "session.send"]);

function invalid(option: string, message: string): SdkError {
  return new SdkError("INVALID_OPTION", `${option}: ${message}`, { details: { option } });
}

/** Checks the `telemetry` option; throws `SdkError("INVALID_OPTION")` naming the bad field. */
export function checkTelemetryOptions(options: unknown): asserts options is TelemetryOptions {
  if (typeof options !== "object" || options === null || Array.isArray(options)) {
    throw invalid("telemetry", 'must be an object like { otlpEndpoint: "http://127.0.0.1:4318" } or { filePath: "spans.jsonl" }.');
  }
  const t = options as TelemetryOptions;
  for (const key of ["otlpEndpoint", "filePath", "sourceName"] as const) {
    const v = t[key];
    if (v !== undefined && (typeof v !== "string" || v.trim() === "")) throw invalid(`telemetry.${key}`, "must be a non-empty string.");
  }
  if (t.otlpEndpoint !== undefined) {
    let url: URL | undefined;
    try {
      url = new URL(t.otlpEndpoint);
    } catch {
      url = undefined;
    }
    if (!url || (url.protocol !== "http:" && url.protocol !== "https:")) {
      throw invalid(
        "telemetry.otlpEndpoint",
        `${JSON.stringify(t.otlpEndpoint)} is not an http(s) URL; use the collector's OTLP/HTTP base URL, e.g. "http://127.0.0.1:4318".`,
      );
    }
  }
  if (t.otlpProtocol !== undefined && t.otlpProtocol !== "http/protobuf" && t.otlpProtocol !== "http/json") {
    throw invalid("telemetry.otlpProtocol", `"${String(t.otlpProtocol)}" is not supported; use "http/protobuf" or "http/json".`);
  }
  if (t.exporterType !== undefined && t.exporterType !== "otlp-http" && t.exporterType !== "file") {
    throw invalid("telemetry.exporterType", `"${String(t.exporterType)}" is not "otlp-http" or "file".`);
  }
  if (t.exporterType === "file" && t.filePath === undefined) {
    throw invalid("telemetry.exporterType", '"file" needs telemetry.filePath (the JSON-lines file to write spans to).');
  }
  if (t.captureContent !== undefined && typeof t.captureContent !== "boolean") throw invalid("telemetry.captureContent", "must be a boolean.");
}

/** The runtime environment variables for these telemetry options. */
export function telemetryEnv(options: TelemetryOptions): Record<string, string> {
  const env: Record<string, string> = { COPILOT_OTEL_ENABLED: "true" };
  if (options.otlpEndpoint !== undefined) env.OTEL_EXPORTER_OTLP_ENDPOINT = options.otlpEndpoint;
  if (options.otlpProtocol !== undefined) env.OTEL_EXPORTER_OTLP_PROTOCOL = options.otlpProtocol;
  if (options.filePath !== undefined) env.COPILOT_OTEL_FILE_EXPORTER_PATH = options.filePath;
  const exporter = options.exporterType ?? (options.filePath !== undefined && options.otlpEndpoint === undefined ? "file" : undefined);
  if (exporter !== undefined) env.COPILOT_OTEL_EXPORTER_TYPE = exporter;
  if (options.sourceName !== undefined) env.COPILOT_OTEL_SOURCE_NAME = options.sourceName;
  if (options.captureContent !== undefined) env.OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT = String(options.captureContent);
  return env;
}

/**
 * Calls the provider and checks its answer. A provider that throws or returns a malformed
 * `traceparent` is reported to `onError` and the request goes out without trace context:
 * tracing never breaks the call it describes.
 */
export async function resolveTraceContext(provider: TraceContextProvider, onError: (error: unknown) => void): Promise<TraceContext> {
  let value: TraceContext | undefined;
  try {
    value = await provider();
  } catch (cause) {
    onError(
      new SdkError(
        "HANDLER_FAILED",
        `onGetTraceContext threw: ${cause instanceof Error ? cause.message : String(cause)}. The request was sent without trace context.`,
        { cause },
      ),
    );
    return {};
  }
  if (value === undefined || value === null) return {};
  if (typeof value !== "object") {
    onError(
      new SdkError(
        "VALIDATION",
        `onGetTraceContext returned ${typeof value}; return { traceparent, tracestate? } or undefined. The request was sent without trace context.`,
      ),
    );
    return {};
  }
  const { traceparent, tracestate } = value;
  if (traceparent === undefined) return {};
  if (
    typeof traceparent !== "string" ||
    !TRACEPARENT.test(traceparent) ||
    ZERO_TRACE.test(traceparent) ||
    ZERO_SPAN.test(traceparent) ||
    traceparent.startsWith("ff")
  ) {
    onError(
      new SdkError(
        "VALIDATION",
        `onGetTraceContext returned traceparent ${JSON.stringify(traceparent)}, which is not a W3C traceparent ("00-<32 hex trace id>-<16 hex span id>-<2 hex flags>", ids not all zero). The request was sent without trace context.`,
      ),
    );
    return {};
  }
  return typeof tracestate === "string" && tracestate !== "" ? { traceparent, tracestate } : { traceparent };
}

/**
 * Wraps a connection so that `session.create`, `session.resume` and `session.send` carry the
 * trace context `provider` returns (`traceparent`, `tracestate` params). A trace context the
 * caller put in the params explicitly wins. Everything else passes through unchanged.
 */
export function withTraceContext(connection: RpcConnectionLike, provider: TraceContextProvider, onError: (error: unknown) => void): RpcConnectionLike {
  return {
    async request(method, params, options) {
      if (TRACED_METHODS.has(method) && typeof params === "object" && params !== null && !Array.isArray(params)) {
        const existing = params as { traceparent?: unknown };
        if (existing.traceparent === undefined) {
          const trace = await resolveTraceContext(provider, onError);
          if (trace.traceparent !== undefined) params = { ...params, ...trace };
        }
      }
      return connection.request(method, params, options);
    },
    notify: (method, params) => connection.notify(method, params),
    onRequest: (method, handler) => connection.onRequest(method, handler),
    onNotification: (method, handler) => connection.onNotification(method, handler),
  };
}
