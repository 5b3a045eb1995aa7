import { Socket, createServer, type Server } from "node:net";
import { afterEach, describe, expect, it, vi } from "vitest";
import { JsonRpcConnection, type SdkError } from "@flightdeck/copilot-core";
import { TcpTransport, connectTcp, connectUri, parseRuntimeUri } from "@flightdeck/copilot-core/node";

const servers: Server[] = [];
afterEach(async () => {
  vi.restoreAllMocks();
  await Promise.all(servers.splice(0).map((s) => new Promise((r) => s.close(r))));
});

/** A local JSON-RPC server on 127.0.0.1 built from our own connection over TcpTransport. */
async function echoServer(): Promise<{ port: number; serverConnections: JsonRpcConnection[]; serverSockets: Socket[] }> {
  const serverConnections: JsonRpcConnection[] = [];
  const serverSockets: Socket[] = [];
  const server = createServer((socket) => {
    serverSockets.push(socket);
    const connection = new JsonRpcConnection(new TcpTransport(socket), { onError: () => {} });
    connection.onRequest("echo", (p) => p);
    connection.onRequest("hang", () => new Promise(() => {}));
    serverConnections.push(connection);
  });
  servers.push(server);
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const address = server.address();
  if (typeof address !== "object" || address === null) throw new Error("no address");
  return { port: address.port, serverConnections, serverSockets };
}

describe("TcpTransport / connectTcp", () => {
  it("connects with no-delay set and round-trips requests", async () => {
    const noDelay = vi.spyOn(Socket.prototype, "setNoDelay");
    const { port } = await echoServer();
    const transport = await connectTcp({ port });
    expect(noDelay.mock.contexts).toContain(transport.socket);
    expect(noDelay.mock.calls.every(([v]) => v === true || v === undefined)).toBe(true);
    const connection = new JsonRpcConnection(transport);
    await expect(connection.request("echo", { s: "über" })).resolves.toEqual({ s: "über" });
    await connection.close();
    expect(transport.socket.destroyed).toBe(true);
  });

  it("writes each message with exactly one socket.write", async () => {
    const { port } = await echoServer();
    const transport = await connectTcp({ host: "127.0.0.1", port });
    const write = vi.spyOn(transport.socket, "write");
    const connection = new JsonRpcConnection(transport);
    await Promise.all([connection.request("echo", { a: 1 }), connection.request("echo", { big: "y".repeat(200_000) }), connection.notify("n", {})]);
    expect(write).toHaveBeenCalledTimes(3);
    await connection.close();
  });

  it("turns Nagle off on the socket (setNoDelay(true)), so small requests are not held back ~40 ms", async () => {
    const { port } = await echoServer();
    const noDelay = vi.spyOn(Socket.prototype, "setNoDelay");
    try {
      const connection = new JsonRpcConnection(await connectTcp({ port }));
      expect(noDelay).toHaveBeenCalledWith(true);
      expect(await connection.request("echo", { i: 1 })).toEqual({ i: 1 });
      await connection.close();
    } finally {
      noDelay.mockRestore();
    }
  });

  it("rejects pending requests with CONNECTION_CLOSED when the server drops the socket", async () => {
    const { port, serverSockets } = await echoServer();
    const connection = new JsonRpcConnection(await connectTcp({ port }));
    await connection.request("echo", {});
    const pending = connection.request("hang", {}).catch((e: unknown) => e);
    await new Promise((r) => setTimeout(r, 10));
    serverSockets[0]!.destroy();
    const error = (await pending) as SdkError;
    expect(error.code).toBe("CONNECTION_CLOSED");
    expect(error.message).toMatch(/^hang: /);
    expect(connection.pendingRequestCount).toBe(0);
    await connection.closed;
    const later = (await connection.request("echo").catch((e: unknown) => e)) as SdkError;
    expect(later.code).toBe("CONNECTION_CLOSED");
    expect(later.message).toMatch(/closed by the peer/);
  });

  it("fails fast with CONNECT_FAILED when nothing listens", async () => {
    const server = createServer();
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    const port = (server.address() as { port: number }).port;
    await new Promise((r) => server.close(r));
    const error = (await connectTcp({ port }).catch((e: unknown) => e)) as SdkError;
    expect(error.code).toBe("CONNECT_FAILED");
    expect(error.message).toContain(`127.0.0.1:${port}`);
    expect(error.message).toMatch(/nothing is listening/);
  });

  it("validates options and honours an aborted signal", async () => {
    await expect(connectTcp({ port: 0 })).rejects.toMatchObject({ code: "INVALID_OPTION" });
    await expect(connectTcp({ port: 70_000 })).rejects.toMatchObject({ code: "INVALID_OPTION", message: expect.stringMatching(/port/) });
    await expect(connectTcp({ port: 1234, timeoutMs: -1 })).rejects.toMatchObject({ code: "INVALID_OPTION" });
    await expect(connectTcp({ port: 1234, signal: AbortSignal.abort() })).rejects.toMatchObject({ code: "ABORTED" });
  });

  it("connectUri connects by URI and rejects bad ones", async () => {
    const { port } = await echoServer();
    for (const uri of [`tcp://127.0.0.1:${port}`, `127.0.0.1:${port}`, `http://127.0.0.1:${port}/`, String(port)]) {
      const connection = new JsonRpcConnection(await connectUri(uri));
      await expect(connection.request("echo", { uri })).resolves.toEqual({ uri });
      await connection.close();
    }
    await expect(connectUri("ws://x:1")).rejects.toMatchObject({ code: "INVALID_OPTION" });
  });
});

describe("parseRuntimeUri", () => {
  it.each([
    ["tcp://localhost:3000", { host: "localhost", port: 3000 }],
    ["http://127.0.0.1:8080", { host: "127.0.0.1", port: 8080 }],
    ["HTTP://example.com:1/", { host: "example.com", port: 1 }],
    ["localhost:65535", { host: "localhost", port: 65535 }],
    ["[::1]:3000", { host: "::1", port: 3000 }],
    ["tcp://[::1]:3000", { host: "::1", port: 3000 }],
    [" 3000 ", { host: "127.0.0.1", port: 3000 }],
  ])("parses %s", (uri, expected) => {
    expect(parseRuntimeUri(uri)).toEqual(expected);
  });

  it.each([
    ["", /empty/],
    ["localhost", /port is missing/],
    ["tcp://localhost", /port is missing/],
    ["localhost:", /port is missing/],
    ["localhost:abc", /"abc" is not a number/],
    ["localhost:0", /out of range/],
    ["localhost:70000", /out of range/],
    ["https://host:1", /scheme "https" is not supported/],
    ["ws://host:1", /scheme "ws" is not supported/],
    ["tcp://host:1/path", /path is not allowed/],
    ["tcp://user:pw@host:1", /credentials/],
    ["::1:3000", /IPv6 address must be in brackets/],
    ["[::1:3000", /IPv6/],
    [":3000", /host is missing/],
    ["ho st:1", /cannot/],
  ])("rejects %j", (uri, message) => {
    try {
      parseRuntimeUri(uri);
      expect.unreachable();
    } catch (error) {
      expect((error as SdkError).code).toBe("INVALID_OPTION");
      expect((error as Error).message).toMatch(message);
      expect((error as Error).message).toMatch(/tcp:\/\/127\.0\.0\.1:3000/);
    }
  });
});
