import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { JsonRpcConnection, encodeMessage, type FrameLogEntry, type SdkError } from "@flightdeck/copilot-core";
import { StdioTransport, spawnStdioTransport } from "@flightdeck/copilot-core/node";

const peer = fileURLToPath(new URL("./fixtures/echo-peer.mjs", import.meta.url));
const env = { PATH: process.env.PATH };

async function start(args: string[] = [], options: { killGraceMs?: number; stderrLines?: number } = {}) {
  const transport = await spawnStdioTransport({ command: process.execPath, args: [peer, ...args], env, ...options });
  const connection = new JsonRpcConnection(transport, { onError: () => {} });
  return { transport, connection };
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

describe("StdioTransport", () => {
  it("round-trips requests (with multi-byte text) and notifications over a child process", async () => {
    const { transport, connection } = await start();
    await expect(connection.request("echo", { s: "héllo 😀" })).resolves.toEqual({ s: "héllo 😀" });
    const notes: unknown[] = [];
    connection.onNotification("note", (p) => void notes.push(p));
    await connection.notify("notifyMe", { n: 1 });
    await connection.request("echo", {}); // the note was written before this answer
    expect(notes).toEqual([{ n: 1 }]);
    await connection.close();
    expect(isAlive(transport.pid!)).toBe(false);
    expect(transport.isClosed).toBe(true);
  });

  it("writes the exact frame encodeMessage makes, as text the stream encodes, and as bytes while frames are watched", async () => {
    const { transport, connection } = await start();
    const written: Buffer[] = [];
    const original = transport.child.stdin!.write.bind(transport.child.stdin!);
    transport.child.stdin!.write = ((chunk: string | Uint8Array, ...rest: never[]) => {
      written.push(Buffer.from(chunk as never));
      return original(chunk as never, ...rest);
    }) as typeof original;
    const params = { ascii: "abc", multi: "héllo € 😀 中", escaped: '\u2028 \n "' };
    await expect(connection.request("echo", params)).resolves.toEqual(params);
    // Ids are 1-based and sequential: the first request is id 1.
    expect(written[0]).toEqual(Buffer.from(encodeMessage({ jsonrpc: "2.0", id: 1, method: "echo", params })));
    const frames: FrameLogEntry[] = [];
    const off = connection.onFrame((entry) => frames.push(entry));
    await expect(connection.request("echo", params)).resolves.toEqual(params);
    off();
    const framed = Buffer.from(encodeMessage({ jsonrpc: "2.0", id: 2, method: "echo", params }));
    expect(written[1]).toEqual(framed);
    const out = frames.find((f) => f.direction === "out")!;
    expect(out.byteLength).toBe(framed.length - framed.indexOf("\r\n\r\n") - 4);
    await connection.close();
  });

  it("writes each message with exactly one stdin.write", async () => {
    const { transport, connection } = await start();
    let writes = 0;
    const original = transport.child.stdin!.write.bind(transport.child.stdin!);
    transport.child.stdin!.write = ((...args: Parameters<typeof original>) => {
      writes++;
      return original(...args);
    }) as typeof original;
    await Promise.all([connection.request("echo", { a: 1 }), connection.request("echo", { b: "x".repeat(100_000) }), connection.notify("n")]);
    expect(writes).toBe(3);
    await connection.close();
  });

  it("rejects pending requests with the exit code and the last stderr lines when the child exits", async () => {
    const { connection } = await start();
    const pending = connection.request("echo", {}).then(() => connection.request("exit", { code: 7, stderr: ["first line", "fatal: disk on fire"] }));
    const error = (await pending.catch((e: unknown) => e)) as SdkError;
    expect(error.code).toBe("CONNECTION_CLOSED");
    expect(error.details?.exitCode).toBe(7);
    expect(error.details?.stderrTail).toEqual(["first line", "fatal: disk on fire"]);
    expect(error.message).toMatch(/exit code 7/);
    expect(error.message).toMatch(/disk on fire/);
    const later = (await connection.request("echo").catch((e: unknown) => e)) as SdkError;
    expect(later.code).toBe("CONNECTION_CLOSED");
    expect(later.details?.exitCode).toBe(7);
  });

  it("reports a crash (uncaught exception) with its stderr, keeping only the last N lines", async () => {
    const { connection } = await start([], { stderrLines: 3 });
    await connection.request("stderr", { lines: ["l1", "l2", "l3", "l4"] });
    const error = (await connection.request("crash").catch((e: unknown) => e)) as SdkError;
    expect(error.code).toBe("CONNECTION_CLOSED");
    expect(error.details?.exitCode).toBe(1);
    const tail = error.details?.stderrTail as string[];
    expect(tail.length).toBeLessThanOrEqual(3);
    expect(tail.join("\n")).toMatch(/peer crashed on purpose|at /);
  });

  it("reports a signal", async () => {
    const { transport, connection } = await start();
    const p = connection.request("echo", {}).then(() => {
      transport.kill("SIGKILL");
      return connection.request("never-answered-but-closed", {});
    });
    const error = (await p.catch((e: unknown) => e)) as SdkError;
    expect(error.code).toBe("CONNECTION_CLOSED");
    expect(error.details?.signal).toBe("SIGKILL");
    expect(error.message).toMatch(/SIGKILL/);
  });

  it("close() escalates to SIGKILL when the child ignores stdin end and SIGTERM, and clears its timers", async () => {
    const { transport, connection } = await start(["--linger"], { killGraceMs: 50 });
    await connection.request("echo", {});
    const started = Date.now();
    await connection.close();
    expect(Date.now() - started).toBeLessThan(2000);
    const info = await transport.closed;
    expect(info.signal).toBe("SIGKILL");
    expect(info.stderrTail).toContain("ignoring SIGTERM");
    expect(isAlive(transport.pid!)).toBe(false);
  });

  it("rejects with RUNTIME_NOT_FOUND for a missing executable", async () => {
    const error = (await spawnStdioTransport({ command: "/nonexistent/copilot-runtime", env }).catch((e: unknown) => e)) as SdkError;
    expect(error.code).toBe("RUNTIME_NOT_FOUND");
    expect(error.message).toMatch(/\/nonexistent\/copilot-runtime/);
    expect(error.message).toMatch(/does not exist/);
    await expect(spawnStdioTransport({ command: "" })).rejects.toMatchObject({ code: "INVALID_OPTION" });
  });

  it("refuses a child without piped stdio", () => {
    expect(() => new StdioTransport({ stdin: null, stdout: null } as never)).toThrow(/stdio 'pipe'/);
  });
});
