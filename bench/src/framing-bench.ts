/**
 * Framing benchmark: our Content-Length parser and connection vs vscode-jsonrpc 8.2.1 (what the
 * incumbent SDK uses). Run from the repo root: `pnpm exec tsx bench/src/framing-bench.ts`.
 *
 * (a) parse throughput of a recorded-like stream (session events, deltas, tool payloads, some
 *     non-ASCII) fed in random chunks, same bytes to both parsers;
 * (b) request round-trip: in-memory pair and TCP loopback (both with no-delay);
 * (c) cold import time in a fresh node process, median of N.
 */
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { createServer, connect as netConnect, type Socket } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PassThrough } from "node:stream";
import { fileURLToPath, pathToFileURL } from "node:url";
import { FrameDecoder, JsonRpcConnection, createInMemoryTransportPair, encodeMessage } from "@flightdeck/copilot-core";
import { TcpTransport, connectTcp } from "@flightdeck/copilot-core/node";
import * as rpc from "vscode-jsonrpc/node";

const repo = fileURLToPath(new URL("../../", import.meta.url));
const quick = process.argv.includes("--quick");
const RUNS = quick ? 3 : 7;

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}
function rng(seed: number) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

// ---- (a) parse throughput ----
function recordedLikeStream(count: number): { stream: Buffer; count: number } {
  const r = rng(7);
  const words = ["the", "agent", "reads", "file", "src/index.ts", "and", "runs", "tests", "✓", "ünïcode", "😀", "done."];
  const parts: Buffer[] = [];
  for (let i = 0; i < count; i++) {
    const roll = r();
    const id = crypto.randomUUID();
    let msg: object;
    if (roll < 0.7) {
      msg = {
        jsonrpc: "2.0",
        method: "session.event",
        params: {
          sessionId: "s-1",
          event: {
            id,
            timestamp: new Date(1_700_000_000_000 + i).toISOString(),
            parentId: null,
            ephemeral: true,
            type: "assistant.message_delta",
            data: { messageId: "m-1", deltaContent: Array.from({ length: 1 + Math.floor(r() * 6) }, () => words[Math.floor(r() * words.length)]).join(" ") },
          },
        },
      };
    } else if (roll < 0.9) {
      msg = {
        jsonrpc: "2.0",
        method: "session.event",
        params: {
          sessionId: "s-1",
          event: {
            id,
            timestamp: new Date().toISOString(),
            parentId: id,
            ephemeral: false,
            type: "tool.execution_complete",
            data: { toolCallId: `call_${i}`, success: true, result: { content: "x".repeat(Math.floor(r() * 4000)) + " résumé" } },
          },
        },
      };
    } else {
      msg = { jsonrpc: "2.0", id: i, result: { sessionId: "s-1", items: Array.from({ length: 20 }, (_, k) => ({ k, name: `item-${k}`, tags: ["a", "b"] })) } };
    }
    parts.push(Buffer.from(encodeMessage(msg)));
  }
  return { stream: Buffer.concat(parts), count };
}
function randomChunks(stream: Buffer, seed: number): Buffer[] {
  const r = rng(seed);
  const out: Buffer[] = [];
  // Pipe reads: mostly up to 64 KiB, some tiny.
  for (let i = 0; i < stream.length; ) {
    const n = r() < 0.1 ? 1 + Math.floor(r() * 64) : 1 + Math.floor(r() * 65_536);
    out.push(stream.subarray(i, i + n));
    i += n;
  }
  return out;
}

function parseOurs(chunks: Buffer[], expected: number): number {
  const start = performance.now();
  const d = new FrameDecoder();
  let n = 0;
  for (const c of chunks) for (const e of d.push(c)) if (e.type === "message") n++;
  const ms = performance.now() - start;
  if (n !== expected) throw new Error(`ours decoded ${n} of ${expected}`);
  return ms;
}

async function parseVscode(chunks: Buffer[], expected: number): Promise<number> {
  let listener: ((data: Uint8Array) => void) | undefined;
  const noop = { dispose() {} };
  const readable = { onData: (l: (d: Uint8Array) => void) => ((listener = l), noop), onClose: () => noop, onError: () => noop, onEnd: () => noop };
  const reader = new rpc.ReadableStreamMessageReader(readable as never);
  let n = 0;
  let done!: () => void;
  const finished = new Promise<void>((r) => (done = r));
  const start = performance.now();
  reader.listen(() => {
    if (++n === expected) done();
  });
  for (const c of chunks) listener!(c);
  await finished;
  const ms = performance.now() - start;
  reader.dispose();
  return ms;
}

// ---- (b) round trip ----
async function roundTripOursInMemory(n: number): Promise<number> {
  const [a, b] = createInMemoryTransportPair();
  const client = new JsonRpcConnection(a);
  const server = new JsonRpcConnection(b);
  server.onRequest("echo", (p) => p);
  for (let i = 0; i < 200; i++) await client.request("echo", { i });
  const start = performance.now();
  for (let i = 0; i < n; i++) await client.request("echo", { i, s: "hello" });
  const us = ((performance.now() - start) * 1000) / n;
  await client.close();
  return us;
}
async function roundTripVscodeInMemory(n: number): Promise<number> {
  const c2s = new PassThrough();
  const s2c = new PassThrough();
  const client = rpc.createMessageConnection(new rpc.StreamMessageReader(s2c), new rpc.StreamMessageWriter(c2s));
  const server = rpc.createMessageConnection(new rpc.StreamMessageReader(c2s), new rpc.StreamMessageWriter(s2c));
  server.onRequest("echo", (p: unknown) => p);
  server.listen();
  client.listen();
  for (let i = 0; i < 200; i++) await client.sendRequest("echo", { i });
  const start = performance.now();
  for (let i = 0; i < n; i++) await client.sendRequest("echo", { i, s: "hello" });
  const us = ((performance.now() - start) * 1000) / n;
  client.dispose();
  server.dispose();
  return us;
}
async function withServer<T>(onSocket: (s: Socket) => void, body: (port: number) => Promise<T>): Promise<T> {
  const sockets: Socket[] = [];
  const server = createServer((s) => {
    sockets.push(s);
    s.setNoDelay(true);
    onSocket(s);
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  try {
    return await body((server.address() as { port: number }).port);
  } finally {
    for (const s of sockets) s.destroy();
    await new Promise((r) => server.close(r));
  }
}
async function roundTripOursTcp(n: number): Promise<number> {
  return withServer(
    (s) => new JsonRpcConnection(new TcpTransport(s)).onRequest("echo", (p) => p),
    async (port) => {
      const client = new JsonRpcConnection(await connectTcp({ port }));
      for (let i = 0; i < 200; i++) await client.request("echo", { i });
      const start = performance.now();
      for (let i = 0; i < n; i++) await client.request("echo", { i, s: "hello" });
      const us = ((performance.now() - start) * 1000) / n;
      await client.close();
      return us;
    },
  );
}
async function roundTripVscodeTcp(n: number): Promise<number> {
  return withServer(
    (s) => {
      const c = rpc.createMessageConnection(new rpc.SocketMessageReader(s), new rpc.SocketMessageWriter(s));
      c.onRequest("echo", (p: unknown) => p);
      c.listen();
    },
    async (port) => {
      const socket = netConnect({ port, host: "127.0.0.1" });
      socket.setNoDelay(true);
      await new Promise((r) => socket.once("connect", r));
      const client = rpc.createMessageConnection(new rpc.SocketMessageReader(socket), new rpc.SocketMessageWriter(socket));
      client.listen();
      for (let i = 0; i < 200; i++) await client.sendRequest("echo", { i });
      const start = performance.now();
      for (let i = 0; i < n; i++) await client.sendRequest("echo", { i, s: "hello" });
      const us = ((performance.now() - start) * 1000) / n;
      client.dispose();
      socket.destroy();
      return us;
    },
  );
}

// ---- (c) cold import ----
function coldImportMs(fileUrl: string, n: number): number {
  const script = `const t=performance.now();await import(${JSON.stringify(fileUrl)});console.log(performance.now()-t)`;
  const times: number[] = [];
  for (let i = 0; i < n; i++) {
    times.push(Number(execFileSync(process.execPath, ["--input-type=module", "-e", script], { encoding: "utf8" }).trim()));
  }
  return median(times);
}
function bundleOurs(dir: string): string {
  // The connection layer as tsup ships it: one ESM file (framing, connection, errors, transports).
  const entry = join(dir, "entry.ts");
  const src = join(repo, "packages/core/src");
  writeFileSync(
    entry,
    [
      `export { JsonRpcConnection } from ${JSON.stringify(join(src, "json-rpc-connection.ts"))};`,
      `export { createInMemoryTransportPair } from ${JSON.stringify(join(src, "transport.ts"))};`,
      `export { spawnStdioTransport, connectTcp, connectUri } from ${JSON.stringify(join(src, "node.ts"))};`,
    ].join("\n"),
  );
  const out = join(dir, "ours.mjs");
  execFileSync(join(repo, "node_modules/.bin/esbuild"), [
    entry,
    "--bundle",
    "--platform=node",
    "--format=esm",
    "--target=node20",
    `--outfile=${out}`,
    "--log-level=warning",
  ]);
  return out;
}

async function main() {
  const fmt = (x: number, d = 1) => x.toFixed(d);
  console.log(`node ${process.version}, ${RUNS} runs each, medians\n`);

  const { stream, count } = recordedLikeStream(quick ? 5_000 : 20_000);
  const mb = stream.length / 1024 / 1024;
  const ours: number[] = [];
  const theirs: number[] = [];
  for (let run = 0; run <= RUNS; run++) {
    const chunks = randomChunks(stream, 100 + run);
    const o = parseOurs(chunks, count);
    const v = await parseVscode(chunks, count);
    if (run > 0) {
      ours.push(o);
      theirs.push(v);
    } // run 0 warms up
  }
  const om = median(ours);
  const vm = median(theirs);
  console.log(`(a) parse ${count} messages, ${fmt(mb)} MB, random chunks (1 B–64 KiB)`);
  console.log(`    ours           ${fmt(om)} ms  ${fmt(mb / (om / 1000), 0)} MB/s  ${fmt(count / (om / 1000) / 1000, 0)}k msg/s`);
  console.log(`    vscode-jsonrpc ${fmt(vm)} ms  ${fmt(mb / (vm / 1000), 0)} MB/s  ${fmt(count / (vm / 1000) / 1000, 0)}k msg/s`);

  const n = quick ? 2_000 : 10_000;
  const rt = { oursMem: [] as number[], vsMem: [] as number[], oursTcp: [] as number[], vsTcp: [] as number[] };
  for (let run = 0; run < RUNS; run++) {
    rt.oursMem.push(await roundTripOursInMemory(n));
    rt.vsMem.push(await roundTripVscodeInMemory(n));
    rt.oursTcp.push(await roundTripOursTcp(n / 2));
    rt.vsTcp.push(await roundTripVscodeTcp(n / 2));
  }
  console.log(`\n(b) sequential request round trip (µs per request)`);
  console.log(`    in-memory:    ours ${fmt(median(rt.oursMem))}   vscode-jsonrpc (PassThrough pair) ${fmt(median(rt.vsMem))}`);
  console.log(`    TCP loopback: ours ${fmt(median(rt.oursTcp))}   vscode-jsonrpc (no-delay on both ends) ${fmt(median(rt.vsTcp))}`);

  const dir = mkdtempSync(join(tmpdir(), "fd-bench-"));
  try {
    const oursFile = bundleOurs(dir);
    const vscodeFile = createRequire(import.meta.url).resolve("vscode-jsonrpc/node");
    const N = quick ? 5 : 15;
    const oursMs = coldImportMs(pathToFileURL(oursFile).href, N);
    const vsMs = coldImportMs(pathToFileURL(vscodeFile).href, N);
    console.log(`\n(c) cold import in a fresh node process (median of ${N})`);
    console.log(`    ours (bundled ESM, connection + transports)  ${fmt(oursMs, 2)} ms`);
    console.log(`    vscode-jsonrpc/node (as installed, CJS)      ${fmt(vsMs, 2)} ms`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
