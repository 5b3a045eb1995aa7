/** The stdio proxy of the scale bench: see scale-peer.ts. */

/**
 * The proxy the SDK spawns as its runtime (plain JS for a bare `node`; run.ts writes it to a temp
 * file with a `#!` line). Env: BENCH_REAL_RUNTIME (what to spawn), BENCH_SAMPLE_PORT (where to
 * send `pid <n>` and `ms <overhead>` lines); both are removed from the runtime's environment.
 * With BENCH_WIRE_STATS=1 (a diagnostic, `scale-run.ts --wire-stats`) it also sends a
 * `wire <direction> <kind> <method> <bytes>` line for every frame (direction `up` = SDK → runtime,
 * `down` = runtime → SDK; kind request | notification | response | error; for `session.event`
 * the method is `session.event:<event type>`, for a response the method of its request) and, the
 * first time each such key is seen, `sample <key> <body>` with the frame's JSON body.
 */
export const STDIO_PROXY = `import { spawn } from "node:child_process";
import { createConnection } from "node:net";
const env = { ...process.env };
const real = env.BENCH_REAL_RUNTIME;
const port = Number(env.BENCH_SAMPLE_PORT);
const wireStats = env.BENCH_WIRE_STATS === "1";
delete env.BENCH_REAL_RUNTIME;
delete env.BENCH_SAMPLE_PORT;
delete env.BENCH_WIRE_STATS;
const runtime = spawn(real, process.argv.slice(2), { env, stdio: ["pipe", "pipe", "inherit"] });
const report = createConnection({ port, host: "127.0.0.1" });
report.on("error", () => {});
report.write("pid " + runtime.pid + "\\n");
function cutter(needle, onFrame) {
  let buffer = Buffer.alloc(0);
  let framed = true;
  return (chunk) => {
    if (!framed) return;
    buffer = buffer.length === 0 ? chunk : Buffer.concat([buffer, chunk]);
    for (;;) {
      const headerEnd = buffer.indexOf("\\r\\n\\r\\n");
      if (headerEnd < 0) return;
      const match = /content-length:\\s*(\\d+)/i.exec(buffer.subarray(0, headerEnd).toString("latin1"));
      if (!match) { framed = false; return; }
      const start = headerEnd + 4;
      const end = start + Number(match[1]);
      if (buffer.length < end) return;
      const body = buffer.subarray(start, end);
      buffer = buffer.subarray(end);
      if (wireStats) tally(needle === "external_tool.requested" ? "down" : "up", body);
      if (body.indexOf(needle) >= 0) onFrame(body.toString("utf8"));
    }
  };
}
const pendingMethods = { up: new Map(), down: new Map() };
const sampled = new Set();
function tally(direction, body) {
  let message;
  try { message = JSON.parse(body.toString("utf8")); } catch { report.write("wire " + direction + " unparsable - " + body.length + "\\n"); return; }
  let kind;
  let method;
  if (typeof message.method === "string") {
    kind = message.id === undefined ? "notification" : "request";
    method = message.method === "session.event" ? "session.event:" + message.params?.event?.type : message.method;
    if (kind === "request") pendingMethods[direction].set(message.id, message.method);
  } else {
    // A response travels the other way from its request.
    const requests = pendingMethods[direction === "up" ? "down" : "up"];
    kind = message.error ? "error" : "response";
    method = requests.get(message.id) ?? "?";
    requests.delete(message.id);
  }
  const key = direction + " " + kind + " " + method;
  report.write("wire " + key + " " + body.length + "\\n");
  if (!sampled.has(key)) { sampled.add(key); report.write("sample " + key + " " + JSON.stringify(message) + "\\n"); }
}
const arrived = new Map();
const down = cutter("external_tool.requested", (body) => {
  const event = JSON.parse(body).params?.event;
  if (event?.type === "external_tool.requested" && event.data?.requestId) arrived.set(event.data.requestId, performance.now());
});
const up = cutter("session.tools.handlePendingToolCall", (body) => {
  const now = performance.now();
  const id = JSON.parse(body).params?.requestId;
  const t0 = arrived.get(id);
  arrived.delete(id);
  report.write(t0 === undefined ? "unmatched\\n" : "ms " + (now - t0) + "\\n");
});
runtime.stdout.on("data", (chunk) => { down(chunk); process.stdout.write(chunk); });
process.stdin.on("data", (chunk) => { up(chunk); runtime.stdin.write(chunk); });
process.stdin.on("end", () => runtime.stdin.end());
runtime.stdin.on("error", () => {});
process.stdout.on("error", () => {});
for (const signal of ["SIGTERM", "SIGINT"]) process.on(signal, () => runtime.kill(signal));
runtime.on("exit", (code, signal) => { report.end(); process.exitCode = code ?? (signal ? 1 : 0); setTimeout(() => process.exit(), 50).unref(); });
`;
