/**
 * The tiny front: a round-robin HTTP proxy. Each request goes to the next app process; when that
 * one does not answer (its process died), the request is replayed on the next one, so a dead
 * process costs a retry, not a lost message.
 */
import { createServer, request as httpRequest, type Server } from "node:http";

export interface Front {
  readonly url: string;
  close(): Promise<void>;
}

/** Starts the front on 127.0.0.1:`port` (0: a free port) in front of `backends()` (read on every request). */
export function startFront(backends: () => number[], port = 0): Promise<Front> {
  let next = 0;
  const forward = (method: string, path: string, body: Buffer, backend: number): Promise<{ status: number; body: Buffer }> =>
    new Promise((resolve, reject) => {
      const req = httpRequest(
        { host: "127.0.0.1", port: backend, method, path, headers: { "content-type": "application/json", "content-length": body.length } },
        (res) => {
          const chunks: Buffer[] = [];
          res.on("data", (c: Buffer) => chunks.push(c));
          res.on("end", () => resolve({ status: res.statusCode ?? 502, body: Buffer.concat(chunks) }));
          res.on("error", reject);
        },
      );
      req.on("error", reject);
      req.end(body);
    });
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      void (async () => {
        const body = Buffer.concat(chunks);
        const ports = backends();
        let lastError: unknown;
        for (let attempt = 0; attempt < Math.max(ports.length, 1) * 2; attempt++) {
          const backend = ports[next++ % Math.max(ports.length, 1)];
          if (backend === undefined) break;
          try {
            const answer = await forward(req.method ?? "GET", req.url ?? "/", body, backend);
            res.writeHead(answer.status, { "content-type": "application/json", "x-fleet-backend": String(backend) });
            res.end(answer.body);
            return;
          } catch (error) {
            lastError = error; // that process is gone (or going): try the next one
            await new Promise((r) => setTimeout(r, 100));
          }
        }
        res.writeHead(502, { "content-type": "application/json" });
        res.end(JSON.stringify({ error: `no app process answered: ${(lastError as Error)?.message ?? "none running"}` }));
      })();
    });
  });
  return new Promise((resolve) => {
    server.listen(port, "127.0.0.1", () => {
      const address = server.address();
      const actual = typeof address === "object" && address ? address.port : port;
      resolve({
        url: `http://127.0.0.1:${actual}`,
        close: () => new Promise((r) => server.close(() => r())),
      });
    });
  });
}
