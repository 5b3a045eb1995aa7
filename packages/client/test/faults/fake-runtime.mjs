#!/usr/bin/env node
// A scriptable stand-in runtime for the fault suite. Speaks just enough JSON-RPC over stdio
// (connect, ping, status.get, session.create/detach, runtime.shutdown); its faults are chosen by
// environment variables:
//   FAKE_RECORD=<file>        write {argv, env} as JSON to <file> at start
//   FAKE_PROTOCOL=<n>         protocolVersion reported by connect/ping (default 3)
//   FAKE_NO_CONNECT=1         answer `connect` with -32601 (an older runtime)
//   FAKE_IGNORE_TERM=1        ignore SIGTERM and stdin EOF (a runtime that will not die politely)
//   FAKE_GRANDCHILD=1         start a long-lived grandchild (like an MCP server), pid on stderr
//   FAKE_ORPHAN=1             start a long-lived process in its own session (like the agent's shell
//                             commands), pid on stderr as "fake-runtime: orphan <pid>"
//   FAKE_SILENT=1             read requests, never answer any
//   FAKE_SLOW_MS=<ms>         answer every request after this delay
//   FAKE_NO_DETACH=1          never answer session.detach (nor runtime.shutdown)
//   FAKE_GARBAGE_ON=<method>  answer <method> with bytes that are not a frame
//   FAKE_OVERSIZED_ON=<method> answer <method> with a header announcing a 2 GiB body
//   FAKE_CRASH_AFTER_HANDSHAKE=<ms>  exit with code 3 this long after answering connect
//   FAKE_CRASH_ONCE=<file>    with the above: only crash when <file> does not exist yet (creates it)
//   FAKE_CRASH_WHILE=<file>   exit with code 5 right after answering connect while <file> exists
//   FAKE_CRASH_ON=<method>    exit with code 4 on receiving <method>
//   FAKE_STDERR=<text>        write <text> (\n-separated lines) to stderr at start
//   FAKE_COUNT=<file>         append this process's pid to <file> at start (counts restarts)
//   FAKE_ECHO_ERRORS=1        answer unknown methods with an error whose message and data echo the params
import { spawn } from "node:child_process";
import { appendFileSync, existsSync, writeFileSync } from "node:fs";

const env = process.env;
if (env.FAKE_RECORD) writeFileSync(env.FAKE_RECORD, JSON.stringify({ argv: process.argv.slice(2), env }));
const ignoreTerm = env.FAKE_IGNORE_TERM === "1";
if (ignoreTerm) process.on("SIGTERM", () => process.stderr.write("fake-runtime: ignoring SIGTERM\n"));
if (env.FAKE_GRANDCHILD === "1") {
  const child = spawn(process.execPath, ["-e", "process.on('SIGTERM',()=>{}); setInterval(()=>{}, 1000)"], { stdio: "ignore" });
  process.stderr.write(`fake-runtime: grandchild ${child.pid}\n`);
}
if (env.FAKE_ORPHAN === "1") {
  // Own session and process group, like the runtime's shell tool: a group kill does not reach it.
  const child = spawn(process.execPath, ["-e", "process.on('SIGTERM',()=>{}); setInterval(()=>{}, 1000)"], { stdio: "ignore", detached: true });
  child.unref();
  process.stderr.write(`fake-runtime: orphan ${child.pid}\n`);
}
if (env.FAKE_STDERR) process.stderr.write(`${env.FAKE_STDERR}\n`);
if (env.FAKE_COUNT) appendFileSync(env.FAKE_COUNT, `${process.pid}\n`);
const protocolVersion = Number(env.FAKE_PROTOCOL ?? 3);
const slowMs = Number(env.FAKE_SLOW_MS ?? 0);

function send(message) {
  const body = Buffer.from(JSON.stringify({ jsonrpc: "2.0", ...message }));
  const frame = Buffer.concat([Buffer.from(`Content-Length: ${body.length}\r\n\r\n`), body]);
  if (slowMs > 0) setTimeout(() => process.stdout.write(frame), slowMs);
  else process.stdout.write(frame);
}

let buffer = Buffer.alloc(0);
process.stdin.on("data", (chunk) => {
  buffer = Buffer.concat([buffer, chunk]);
  for (;;) {
    const end = buffer.indexOf("\r\n\r\n");
    if (end < 0) return;
    const length = Number(/content-length:\s*(\d+)/i.exec(buffer.subarray(0, end).toString())?.[1]);
    if (buffer.length < end + 4 + length) return;
    const message = JSON.parse(buffer.subarray(end + 4, end + 4 + length).toString());
    buffer = buffer.subarray(end + 4 + length);
    handle(message);
  }
});
process.stdin.on("end", () => {
  if (!ignoreTerm) process.exit(0);
  process.stderr.write("fake-runtime: stdin closed, staying alive\n");
  setInterval(() => {}, 1000);
});

function handle(message) {
  if (message.id === undefined) return;
  if (env.FAKE_SILENT === "1") return;
  if (env.FAKE_CRASH_ON === message.method) process.exit(4);
  if (env.FAKE_GARBAGE_ON === message.method) return void process.stdout.write("this is not a frame\r\n\r\n{{{");
  if (env.FAKE_OVERSIZED_ON === message.method) return void process.stdout.write("Content-Length: 2147483648\r\n\r\n{");
  switch (message.method) {
    case "connect":
      if (env.FAKE_NO_CONNECT === "1") return send({ id: message.id, error: { code: -32601, message: "Method not found: connect" } });
      send({ id: message.id, result: { ok: true, protocolVersion, version: "0.0.0-fake", taskKinds: ["agent"] } });
      if (env.FAKE_CRASH_WHILE !== undefined && existsSync(env.FAKE_CRASH_WHILE)) setTimeout(() => process.exit(5), 0);
      if (env.FAKE_CRASH_AFTER_HANDSHAKE !== undefined) {
        const once = env.FAKE_CRASH_ONCE;
        if (once === undefined || !existsSync(once)) {
          if (once !== undefined) writeFileSync(once, "crashed");
          setTimeout(() => process.exit(3), Number(env.FAKE_CRASH_AFTER_HANDSHAKE));
        }
      }
      return;
    case "ping":
      return send({ id: message.id, result: { message: "pong", timestamp: new Date().toISOString(), protocolVersion } });
    case "status.get":
      return send({ id: message.id, result: { version: "0.0.0-fake", protocolVersion } });
    case "session.create":
    case "session.resume":
      return send({ id: message.id, result: { sessionId: message.params.sessionId, workspacePath: null, capabilities: {} } });
    case "session.send":
      return send({ id: message.id, result: { messageId: "fake-message" } });
    case "session.detach":
      if (env.FAKE_NO_DETACH === "1") return;
      return send({ id: message.id, result: {} });
    case "runtime.shutdown":
      if (env.FAKE_NO_DETACH === "1") return;
      send({ id: message.id, result: null });
      if (!ignoreTerm) setTimeout(() => process.exit(0), 5);
      return;
    default:
      if (env.FAKE_ECHO_ERRORS === "1") {
        return send({
          id: message.id,
          error: { code: -32603, message: `cannot handle ${message.method} with ${JSON.stringify(message.params)}`, data: message.params },
        });
      }
      return send({ id: message.id, error: { code: -32601, message: `Method not found: ${message.method}` } });
  }
}
