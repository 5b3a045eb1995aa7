/**
 * The browser chat server: one `node:http` server on 127.0.0.1, one agent session, one page.
 * The agent's text and tool activity go to the page as Server-Sent Events (`GET /events`);
 * prompts (`POST /chat`) and permission decisions (`POST /permission`) come back as JSON.
 * `onPermissionRequest` awaits the browser's decision, and one left unanswered is rejected with
 * feedback after `permissionTimeoutMs`, so the agent never waits forever.
 */
import { randomUUID } from "node:crypto";
import { mkdirSync, writeFileSync } from "node:fs";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import {
  CopilotClient,
  SdkError,
  defineTool,
  type CopilotClientOptions,
  type CopilotSession,
  type PermissionDecision,
  type PermissionRequest,
  type ProviderConfig,
} from "@flightdeck/copilot-sdk";
import {
  createIsolatedEnvironment,
  lastUserText,
  startScriptedModel,
  toolResults,
  type IsolatedEnvironment,
  type ScriptedModelServer,
  type ScriptedTurn,
} from "@flightdeck/copilot-testing";
import { PAGE_HTML } from "./page.js";

/** A real model: its name and, for your own provider (BYOK), the provider. Without `provider` the runtime uses your Copilot login. */
export interface RealModel {
  name: string;
  provider?: ProviderConfig;
}

export interface BrowserChatOptions {
  /** Port on 127.0.0.1; `0` (the default) picks a free one. */
  port?: number;
  /**
   * The model: a scripted model server (from `startScriptedModel`, or `startDemoModel()`), or a
   * real one. Default: the demo's scripted model, started here and closed by `close()`.
   * With a scripted model the runtime runs in a throw-away isolated environment.
   */
  model?: ScriptedModelServer | RealModel;
  /** How long a permission card waits for Approve / Deny before it is rejected. Default 60 000 ms. */
  permissionTimeoutMs?: number;
  /** Where `save_note` writes. Default: the isolated environment's folder (scripted) or the current directory. */
  workingDirectory?: string;
  /** Extra `CopilotClient` options for a real model (e.g. `gitHubToken`, `connection`). */
  client?: CopilotClientOptions;
}

export interface BrowserChat {
  /** `http://127.0.0.1:<port>/` */
  readonly url: string;
  readonly port: number;
  readonly session: CopilotSession;
  /** Where `save_note` writes its notes (under `notes/`). */
  readonly workingDirectory: string;
  /** How many times the `save_note` handler ran (it runs only after an approval). */
  readonly toolRuns: number;
  /** Stops everything this call started: the page's streams, the server, the session, the runtime, the model it owns. */
  close(): Promise<void>;
}

/** The scripted stand-in for a model: every prompt gets a `save_note` call, then an answer built from the tool's result. */
export function startDemoModel(): Promise<ScriptedModelServer> {
  let notes = 0;
  const callTool: ScriptedTurn = (request) => ({
    // The runtime prefixes the user's text with context tags such as <current_datetime>: keep the words only.
    toolCalls: [
      { name: "save_note", arguments: { title: `note-${++notes}`, text: (lastUserText(request) ?? "").replace(/<(\w+)>[\s\S]*?<\/\1>\s*/g, "").trim() } },
    ],
  });
  const answer: ScriptedTurn = (request) => {
    const result = toolResults(request).at(-1)?.content ?? "no result";
    // The tool result tells approved from refused: a refused call never reaches the tool.
    return /^Saved /.test(result) ? { text: `Done. ${result}.` } : { text: `I did not save the note: the save_note call was rejected (${result}).` };
  };
  // Strict pairs: each prompt costs one tool call and one answer, approved or not.
  const script = Array.from({ length: 50 }, () => [callTool, answer]).flat();
  return startScriptedModel({ chunkSize: 8, chunkDelayMs: 15, script });
}

function isScripted(model: ScriptedModelServer | RealModel): model is ScriptedModelServer {
  return typeof (model as ScriptedModelServer).provider === "function";
}

interface PendingPermission {
  id: string;
  summary: string;
  detail: string;
  toolCallId?: string;
  resolve(decision: PermissionDecision, outcome: "approved" | "denied" | "timed-out"): void;
}

const MAX_BODY_BYTES = 64 * 1024;
const FAVICON_SVG =
  '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 16 16"><rect width="16" height="16" rx="3" fill="#0969da"/><path d="M3 9l10-5-3 9-2-3z" fill="#fff"/></svg>';

/**
 * Starts the browser chat on 127.0.0.1 and resolves once the page can be opened.
 *
 * @example
 * const chat = await startBrowserChat({ port: 0 });
 * console.log(`open ${chat.url}`);
 * // … later
 * await chat.close();
 */
export async function startBrowserChat(options: BrowserChatOptions = {}): Promise<BrowserChat> {
  const port = options.port ?? 0;
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new SdkError("INVALID_OPTION", `startBrowserChat: \`port\` must be an integer from 0 to 65535 (0 picks a free port); got ${String(port)}.`);
  }
  const permissionTimeoutMs = options.permissionTimeoutMs ?? 60_000;
  if (!Number.isFinite(permissionTimeoutMs) || permissionTimeoutMs <= 0) {
    throw new SdkError(
      "INVALID_OPTION",
      `startBrowserChat: \`permissionTimeoutMs\` must be a positive number of milliseconds; got ${String(permissionTimeoutMs)}.`,
    );
  }

  const cleanups: Array<() => unknown> = [];
  const runCleanups = async () => {
    for (const cleanup of cleanups.splice(0).reverse())
      await Promise.resolve()
        .then(cleanup)
        .catch(() => {});
  };
  try {
    const ownModel = options.model === undefined ? await startDemoModel() : undefined;
    if (ownModel) cleanups.push(() => ownModel.close());
    const model = options.model ?? ownModel!;

    let iso: IsolatedEnvironment | undefined;
    let clientOptions: CopilotClientOptions = options.client ?? {};
    if (isScripted(model)) {
      iso = createIsolatedEnvironment();
      cleanups.push(() => iso?.cleanup());
      clientOptions = {
        ...clientOptions,
        env: { ...iso.env, COPILOT_CLI_PATH: process.env.COPILOT_CLI_PATH },
        workingDirectory: iso.workingDirectory,
        useLoggedInUser: false,
      };
    }
    const workingDirectory = options.workingDirectory ?? iso?.workingDirectory ?? process.cwd();

    // --- the page's event streams
    const streams = new Set<ServerResponse>();
    const broadcast = (type: string, data: unknown) => {
      const frame = `event: ${type}\ndata: ${JSON.stringify(data)}\n\n`;
      for (const res of streams) res.write(frame);
    };

    // --- permissions: each request waits for a POST /permission, or times out into a rejection
    const pending = new Map<string, PendingPermission>();
    const askInBrowser = (request: PermissionRequest): Promise<PermissionDecision> =>
      new Promise((resolvePromise) => {
        const id = randomUUID();
        const timer = setTimeout(
          () =>
            entry.resolve(
              {
                kind: "reject",
                feedback: `Nobody answered the permission request in the browser within ${permissionTimeoutMs} ms, so it was rejected. Do not retry; tell the user.`,
              },
              "timed-out",
            ),
          permissionTimeoutMs,
        );
        const entry: PendingPermission = {
          id,
          ...describePermission(request),
          resolve: (decision, outcome) => {
            if (!pending.delete(id)) return;
            clearTimeout(timer);
            broadcast("permission-resolved", { id, outcome });
            resolvePromise(decision);
          },
        };
        pending.set(id, entry);
        broadcast("permission", { id, summary: entry.summary, detail: entry.detail, toolCallId: entry.toolCallId });
      });
    cleanups.push(() => {
      for (const entry of [...pending.values()]) entry.resolve({ kind: "reject", feedback: "The browser chat server is shutting down." }, "denied");
    });

    // --- the agent
    let toolRuns = 0;
    const saveNote = defineTool("save_note", {
      description: "Save a short note as a Markdown file in the notes folder.",
      parameters: {
        type: "object",
        properties: {
          title: { type: "string", description: "File name without extension: letters, digits and dashes" },
          text: { type: "string", description: "The note's text" },
        },
        required: ["title", "text"],
      } as const,
      handler: ({ title, text }) => {
        toolRuns++;
        if (!/^[A-Za-z0-9-]{1,60}$/.test(title)) throw new Error(`title "${title}" must be 1-60 letters, digits or dashes`);
        mkdirSync(join(workingDirectory, "notes"), { recursive: true });
        const body = `# ${title}\n\n${text}\n`;
        writeFileSync(join(workingDirectory, "notes", `${title}.md`), body);
        return `Saved notes/${title}.md (${Buffer.byteLength(body)} bytes)`;
      },
    });

    const client = new CopilotClient(clientOptions);
    cleanups.push(() => client.stop());
    const session = await client.createSession({
      model: isScripted(model) ? "scripted-model" : model.name,
      provider: isScripted(model) ? model.provider() : model.provider,
      streaming: true,
      tools: [saveNote],
      onPermissionRequest: askInBrowser,
      onError: (error: unknown) => broadcast("agent-error", { message: error instanceof Error ? error.message : String(error) }),
    });
    cleanups.push(() => session.disconnect());
    session.on("assistant.message_delta", (e) => broadcast("delta", { messageId: e.data.messageId, text: e.data.deltaContent }));
    session.on("assistant.message", (e) => broadcast("message", { messageId: e.data.messageId, content: e.data.content }));
    session.on("tool.execution_start", (e) =>
      broadcast("tool-start", { toolCallId: e.data.toolCallId, toolName: e.data.toolName, arguments: e.data.arguments }),
    );
    session.on("tool.execution_complete", (e) =>
      broadcast("tool-complete", { toolCallId: e.data.toolCallId, success: e.data.success, result: e.data.result?.content, error: e.data.error?.message }),
    );
    session.on("session.error", (e) => broadcast("agent-error", { message: String((e.data as { message?: unknown }).message ?? "session error") }));

    let busy = false;
    const setBusy = (value: boolean) => {
      busy = value;
      broadcast("busy", { busy });
    };
    const runTurn = (prompt: string) => {
      setBusy(true);
      // Generous: a turn can legitimately wait a whole permission timeout per tool call.
      session
        .sendAndWait(prompt, { timeoutMs: permissionTimeoutMs + 120_000 })
        .catch(async (error: unknown) => {
          broadcast("agent-error", { message: error instanceof Error ? error.message : String(error) });
          await session.abort().catch(() => {});
        })
        .finally(() => setBusy(false));
    };

    // --- HTTP
    const server = createServer((req, res) => {
      handle(req, res).catch((error: unknown) => sendJson(res, 500, { error: error instanceof Error ? error.message : String(error) }));
    });
    let origin = "";
    const handle = async (req: IncomingMessage, res: ServerResponse) => {
      // The server acts for whoever can reach it: refuse other hosts (DNS rebinding) and other sites' forms.
      const host = req.headers.host ?? "";
      if (host !== new URL(origin).host && host !== `localhost:${new URL(origin).port}`)
        return sendJson(res, 421, { error: `Unexpected Host header "${host}"; open ${origin}` });
      const path = new URL(req.url ?? "/", origin).pathname;
      if (req.method === "GET" && (path === "/favicon.svg" || path === "/favicon.ico")) {
        // An icon of its own, so the browser's console shows no 404.
        res.writeHead(200, { "content-type": "image/svg+xml", "cache-control": "max-age=86400" });
        return void res.end(FAVICON_SVG);
      }
      if (req.method === "GET" && path === "/") {
        res.writeHead(200, { "content-type": "text/html; charset=utf-8", "cache-control": "no-store" });
        return void res.end(PAGE_HTML);
      }
      if (req.method === "GET" && path === "/events") {
        res.writeHead(200, { "content-type": "text/event-stream", "cache-control": "no-store", connection: "keep-alive" });
        res.write(`event: busy\ndata: ${JSON.stringify({ busy })}\n\n`);
        // A page that (re)connects sees the cards still waiting for it.
        for (const entry of pending.values())
          res.write(
            `event: permission\ndata: ${JSON.stringify({ id: entry.id, summary: entry.summary, detail: entry.detail, toolCallId: entry.toolCallId })}\n\n`,
          );
        streams.add(res);
        req.on("close", () => streams.delete(res));
        return;
      }
      if (req.method === "POST" && (path === "/chat" || path === "/permission")) {
        const requestOrigin = req.headers.origin;
        if (requestOrigin !== undefined && requestOrigin !== origin && requestOrigin !== origin.replace("127.0.0.1", "localhost")) {
          return sendJson(res, 403, { error: `Requests from ${requestOrigin} are not accepted; use the page at ${origin}` });
        }
        if (!String(req.headers["content-type"]).startsWith("application/json"))
          return sendJson(res, 415, { error: "Send a JSON body with content-type: application/json." });
        const body = await readJson(req);
        if (!body.ok) return sendJson(res, body.status, { error: body.error });
        const input = body.value as Record<string, unknown>;
        if (path === "/chat") {
          if (typeof input.prompt !== "string" || input.prompt.trim() === "")
            return sendJson(res, 400, { error: 'Body must be {"prompt": "<non-empty text>"}.' });
          if (busy) return sendJson(res, 409, { error: "The agent is still working on the last prompt; wait for it to finish." });
          runTurn(input.prompt);
          return sendJson(res, 202, { accepted: true });
        }
        if (typeof input.id !== "string" || (input.decision !== "approve" && input.decision !== "deny")) {
          return sendJson(res, 400, { error: 'Body must be {"id": "<permission id>", "decision": "approve" | "deny"}.' });
        }
        const entry = pending.get(input.id);
        if (!entry) return sendJson(res, 404, { error: `No permission request ${input.id} is waiting (already answered or timed out).` });
        entry.resolve(
          input.decision === "approve" ? { kind: "approve-once" } : { kind: "reject", feedback: "The user clicked Deny in the browser." },
          input.decision === "approve" ? "approved" : "denied",
        );
        return sendJson(res, 200, { ok: true });
      }
      return sendJson(res, 404, { error: `No route for ${req.method} ${path}; open ${origin}` });
    };
    await new Promise<void>((resolveListen, rejectListen) => {
      server.once("error", rejectListen);
      server.listen(port, "127.0.0.1", () => resolveListen());
    });
    cleanups.push(
      () =>
        new Promise<void>((resolveClose) => {
          for (const res of streams) res.end();
          streams.clear();
          server.close(() => resolveClose());
          server.closeAllConnections();
        }),
    );
    const actualPort = (server.address() as AddressInfo).port;
    origin = `http://127.0.0.1:${actualPort}`;

    let closing: Promise<void> | undefined;
    return {
      url: `${origin}/`,
      port: actualPort,
      session,
      workingDirectory,
      get toolRuns() {
        return toolRuns;
      },
      close: () => (closing ??= runCleanups()),
    };
  } catch (error) {
    await runCleanups();
    throw error;
  }
}

function describePermission(request: PermissionRequest): { summary: string; detail: string; toolCallId?: string } {
  // The tool call's id lets the page put the tool's result under the card that allowed it.
  const toolCallId = typeof (request as { toolCallId?: unknown }).toolCallId === "string" ? (request as { toolCallId: string }).toolCallId : undefined;
  if (request.kind === "custom-tool") {
    return {
      summary: `run the tool "${request.toolName}" (${request.toolDescription})`,
      detail: JSON.stringify(request.args ?? {}, null, 2),
      ...(toolCallId ? { toolCallId } : {}),
    };
  }
  const { kind, ...rest } = request as unknown as { kind: string } & Record<string, unknown>;
  return { summary: `perform a ${kind} action`, detail: JSON.stringify(rest, null, 2), ...(toolCallId ? { toolCallId } : {}) };
}

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  if (res.headersSent) return void res.end();
  res.writeHead(status, { "content-type": "application/json; charset=utf-8" });
  res.end(JSON.stringify(body));
}

async function readJson(req: IncomingMessage): Promise<{ ok: true; value: unknown } | { ok: false; status: number; error: string }> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_BODY_BYTES) return { ok: false, status: 413, error: `Body larger than ${MAX_BODY_BYTES} bytes.` };
    chunks.push(chunk);
  }
  try {
    const value = JSON.parse(Buffer.concat(chunks).toString("utf8")) as unknown;
    if (typeof value !== "object" || value === null || Array.isArray(value)) return { ok: false, status: 400, error: "Body must be a JSON object." };
    return { ok: true, value };
  } catch {
    return { ok: false, status: 400, error: "Body is not valid JSON." };
  }
}
