/**
 * One app process of the fleet: a small JSON API over chat sessions, its own Copilot runtime, and
 * the shared PostgreSQL store. It holds a session's lease only while it drives a turn, so the
 * next request for that session may land on any process.
 *
 *   POST /sessions {text}              → { sessionId, reply, host }   (a conversation starts with its first message)
 *   POST /sessions/:id/messages {text} → { reply, host }
 *   GET  /sessions/:id                 → { messages: [{ role, content }], drivenBy }   (read from the store)
 *   GET  /health                       → { host }
 *
 * Environment: DATABASE_URL, FLEET_HOST_ID, FLEET_PROVIDER (the BYOK provider as JSON), PORT.
 */
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import { RuntimeConnection } from "@flightdeck/copilot-sdk";
import { PostgresSessionStore, RuntimePool, SessionLeasedError } from "@flightdeck/copilot-postgres";
import { createIsolatedEnvironment, resolveTestRuntimes } from "@flightdeck/copilot-testing";

const hostId = process.env.FLEET_HOST_ID ?? `app-${process.pid}`;
const provider = JSON.parse(process.env.FLEET_PROVIDER ?? "null") as { type: "openai"; baseUrl: string; apiKey?: string } | null;
if (!provider) throw new Error("FLEET_PROVIDER is not set: start the fleet with `pnpm --filter @flightdeck/example-fleet start`.");
const sessionConfig = { model: "gpt-4.1", provider };

// The runtime runs in a throw-away home folder: nothing of the user's own Copilot state is used.
const iso = createIsolatedEnvironment(process.env.FLEET_WORK_DIR ? { parentDir: process.env.FLEET_WORK_DIR } : {});
const runtime = resolveTestRuntimes()[0]!;
const store = await PostgresSessionStore.open({ hostId, leaseTtlMs: 3_000 }); // DATABASE_URL
const pool = new RuntimePool({
  store,
  runtimes: 1,
  client: {
    connection: RuntimeConnection.forStdio({ path: runtime.path, args: runtime.args }),
    env: { ...iso.env },
    workingDirectory: iso.workingDirectory,
    useLoggedInUser: false,
  },
});
await pool.start();

async function body(req: IncomingMessage): Promise<Record<string, unknown>> {
  let text = "";
  for await (const chunk of req) text += String(chunk);
  return text ? (JSON.parse(text) as Record<string, unknown>) : {};
}

function send(res: ServerResponse, status: number, value: unknown): void {
  const text = JSON.stringify(value);
  res.writeHead(status, { "content-type": "application/json", "content-length": Buffer.byteLength(text) });
  res.end(text);
}

/** One turn: take the lease (waiting for a crashed process's lease to expire), resume, answer, let go. */
async function turn(sessionId: string, text: string): Promise<string | undefined> {
  const session = await pool.resumeSession(sessionId, sessionConfig, { waitMs: 15_000 });
  try {
    return (await session.sendAndWait(text, { timeoutMs: 60_000 }))?.data.content;
  } finally {
    await session.disconnect();
  }
}

/** The conversation, read from the store's copy of the session's event log (no lease needed to read). */
async function history(sessionId: string): Promise<Array<{ role: string; content: string }>> {
  const log = await store.sessionFs.readFile("/session-state/events.jsonl", { sessionId, signal: new AbortController().signal });
  return log
    .split("\n")
    .filter(Boolean)
    .map((line) => JSON.parse(line) as { type: string; data: { content?: string } })
    .filter((e) => e.type === "user.message" || e.type === "assistant.message")
    .map((e) => ({ role: e.type === "user.message" ? "user" : "assistant", content: String(e.data.content ?? "") }));
}

const server = createServer((req, res) => {
  void (async () => {
    const url = new URL(req.url ?? "/", "http://app");
    const parts = url.pathname.split("/").filter(Boolean);
    try {
      if (req.method === "GET" && url.pathname === "/health") return send(res, 200, { host: hostId });
      if (req.method === "POST" && url.pathname === "/sessions") {
        const { text } = await body(req);
        if (typeof text !== "string" || text === "")
          return send(res, 400, { error: 'body must be {"text": "…"}: a conversation starts with its first message' });
        const session = await pool.createSession(sessionConfig);
        try {
          const reply = (await session.sendAndWait(text, { timeoutMs: 60_000 }))?.data.content;
          return send(res, 201, { sessionId: session.sessionId, reply, host: hostId });
        } finally {
          await session.disconnect();
        }
      }
      if (parts[0] === "sessions" && parts[1] && parts.length === 3 && parts[2] === "messages" && req.method === "POST") {
        const { text } = await body(req);
        if (typeof text !== "string" || text === "") return send(res, 400, { error: 'body must be {"text": "…"}' });
        return send(res, 200, { reply: await turn(parts[1], text), host: hostId });
      }
      if (parts[0] === "sessions" && parts[1] && parts.length === 2 && req.method === "GET") {
        const lease = (await store.listSessions()).find((s) => s.sessionId === parts[1])?.lease;
        return send(res, 200, { messages: await history(parts[1]), drivenBy: lease?.holder ?? null, host: hostId });
      }
      send(res, 404, { error: `no route ${req.method} ${url.pathname}` });
    } catch (error) {
      const status = error instanceof SessionLeasedError ? 409 : 500;
      send(res, status, { error: (error as Error).message, code: (error as { code?: string }).code, host: hostId });
    }
  })();
});
server.listen(Number(process.env.PORT ?? 0), "127.0.0.1", () => {
  const address = server.address();
  process.stdout.write(`${JSON.stringify({ listening: typeof address === "object" && address ? address.port : undefined, host: hostId })}\n`);
});

async function shutdown(): Promise<void> {
  server.close();
  await pool.stop();
  await store.close();
  iso.cleanup();
  process.exit(0);
}
process.on("SIGTERM", () => void shutdown());
process.on("SIGINT", () => void shutdown());
