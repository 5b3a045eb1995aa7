/**
 * The recorded scenarios. Each runs against a fresh, isolated runtime and a scripted model, and
 * drives the protocol the way an SDK client does: lifecycle requests, a turn with a custom tool
 * and a permission prompt, a streaming turn, ask_user, and a system prompt transform.
 */
import { lastMessageText, type ChatRequest, type ModelReply } from "./model-server.js";
import type { RuntimePeer } from "./runtime-peer.js";

export interface ScenarioContext {
  peer: RuntimePeer;
  baseUrl: string;
}

export interface Scenario {
  name: string;
  description: string;
  reply: (request: ChatRequest) => ModelReply;
  run: (ctx: ScenarioContext) => Promise<void>;
}

// Fixed ids so transcripts are stable even before normalization.
const SESSION_A = "5e551011-0000-4000-8000-00000000000a";
const SESSION_B = "5e551011-0000-4000-8000-00000000000b";

const WEATHER_TOOL = {
  name: "get_weather",
  description: "Returns the weather for a city.",
  parameters: {
    type: "object",
    properties: { city: { type: "string", description: "City name" } },
    required: ["city"],
    additionalProperties: false,
  },
};

function isToolResultTurn(request: ChatRequest): boolean {
  return request.messages[request.messages.length - 1]?.role === "tool";
}

function textReply(request: ChatRequest): ModelReply {
  return { text: isToolResultTurn(request) ? "The tool answered: " + lastMessageText(request).slice(0, 40) : "Hello from the scripted model." };
}

async function connect(peer: RuntimePeer): Promise<void> {
  await peer.request("connect", {
    supportedTaskKinds: ["agent", "client", "shell"],
    clientInfo: { extensionName: "flightdeck-record-traffic", extensionVersion: "0.0.0" },
  });
}

function provider(baseUrl: string) {
  return { type: "openai", baseUrl, apiKey: "recorded-not-a-secret", wireApi: "completions" };
}

/** Answers permission prompts and external tool calls the way an SDK client does. */
function answerBroadcasts(peer: RuntimePeer, sessionId: string): void {
  peer.onIncoming((m) => {
    if (m.method !== "session.event") return;
    const params = m.params as { sessionId: string; event: { type: string; data: Record<string, unknown> } };
    if (params.sessionId !== sessionId) return;
    const { type, data } = params.event;
    if (type === "permission.requested") {
      void peer.request("session.permissions.handlePendingPermissionRequest", {
        sessionId,
        requestId: data.requestId,
        result: { kind: "approve-once" },
      });
    } else if (type === "external_tool.requested") {
      const args = data.arguments as { city?: string } | undefined;
      void peer.request("session.tools.handlePendingToolCall", {
        sessionId,
        requestId: data.requestId,
        result: `Sunny, 21 °C in ${args?.city ?? "somewhere"}`,
      });
    }
  });
}

/** session.create, then wait for its lifecycle broadcast so later frames come in a stable order. */
async function create(peer: RuntimePeer, params: Record<string, unknown>): Promise<void> {
  await peer.request("session.create", params);
  await peer.waitFor((m) => m.method === "session.lifecycle" && (m.params as { type?: string }).type === "session.created", 10_000, "session.created");
}

async function turn(peer: RuntimePeer, sessionId: string, prompt: string, extra: Record<string, unknown> = {}): Promise<void> {
  const mark = peer.frames.length;
  await peer.request("session.send", { sessionId, prompt, ...extra });
  await peer.waitForEvent("session.idle", mark, 30_000);
}

export const scenarios: Scenario[] = [
  {
    name: "handshake",
    description: "connect, ping, status.get, auth.getStatus",
    reply: textReply,
    async run({ peer }) {
      await connect(peer);
      await peer.request("ping", { message: "recorder" });
      await peer.request("status.get", {});
      await peer.request("auth.getStatus", {});
    },
  },
  {
    name: "tool-turn",
    description: "session.create with a custom tool, requestPermission and requestUserInput; a turn whose model calls the tool",
    reply: (request) => (isToolResultTurn(request) ? textReply(request) : { toolCall: { name: "get_weather", arguments: { city: "Lisbon" } } }),
    async run({ peer, baseUrl }) {
      await connect(peer);
      answerBroadcasts(peer, SESSION_A);
      await create(peer, {
        sessionId: SESSION_A,
        model: "scripted-model",
        clientName: "flightdeck-record-traffic",
        tools: [WEATHER_TOOL],
        provider: provider(baseUrl),
        requestPermission: true,
        requestUserInput: true,
        requestElicitation: false,
        requestExitPlanMode: false,
        requestAutoModeSwitch: false,
        hooks: false,
        streaming: false,
        includeSubAgentStreamingEvents: true,
        toolFilterPrecedence: "excluded",
        envValueMode: "direct",
        workingDirectory: peer.workDir,
        infiniteSessions: { enabled: false },
      });
      await turn(peer, SESSION_A, "What is the weather in Lisbon?");
    },
  },
  {
    name: "streaming-turn",
    description: "session.create with streaming:true and a plain text turn (delta events)",
    reply: textReply,
    async run({ peer, baseUrl }) {
      await connect(peer);
      await create(peer, {
        sessionId: SESSION_A,
        model: "scripted-model",
        provider: provider(baseUrl),
        requestPermission: false,
        streaming: true,
        envValueMode: "direct",
        workingDirectory: peer.workDir,
      });
      await turn(peer, SESSION_A, "Say hello.");
    },
  },
  {
    name: "lifecycle",
    description: "session.list/getLastId/getForeground/setForeground/getMessages/detach/resume/delete around one turn",
    reply: textReply,
    async run({ peer, baseUrl }) {
      await connect(peer);
      await peer.request("session.getLastId", {});
      await create(peer, {
        sessionId: SESSION_A,
        model: "scripted-model",
        provider: provider(baseUrl),
        envValueMode: "direct",
        workingDirectory: peer.workDir,
      });
      await turn(peer, SESSION_A, "Say hello.");
      await peer.request("session.list", {});
      await peer.request("session.list", { filter: { cwd: peer.workDir } });
      await peer.request("session.getLastId", {});
      await peer.request("session.getForeground", {});
      await peer.request("session.setForeground", { sessionId: SESSION_A });
      await peer.request("session.getMessages", { sessionId: SESSION_A });
      await peer.request("session.detach", { sessionId: SESSION_A });
      await peer.request("session.resume", {
        sessionId: SESSION_A,
        model: "scripted-model",
        provider: provider(baseUrl),
        requestPermission: false,
        envValueMode: "direct",
        workingDirectory: peer.workDir,
      });
      await turn(peer, SESSION_A, "Say hello again.");
      await peer.request("session.delete", { sessionId: SESSION_A });
      await peer.request("session.delete", { sessionId: SESSION_B });
      await peer.request("session.list", {});
    },
  },
  {
    name: "ask-user",
    description: "the model calls the built-in ask_user tool; the runtime sends userInput.request",
    reply: (request) =>
      isToolResultTurn(request)
        ? textReply(request)
        : { toolCall: { name: "ask_user", arguments: { question: "Which colour?", choices: ["red", "blue"], allow_freeform: true } } },
    async run({ peer, baseUrl }) {
      await connect(peer);
      answerBroadcasts(peer, SESSION_A);
      peer.onRequest("userInput.request", () => ({ answer: "blue", wasFreeform: false }));
      await create(peer, {
        sessionId: SESSION_A,
        model: "scripted-model",
        provider: provider(baseUrl),
        requestPermission: true,
        requestUserInput: true,
        envValueMode: "direct",
        workingDirectory: peer.workDir,
      });
      await turn(peer, SESSION_A, "Ask me for a colour.");
    },
  },
  {
    name: "system-message-transform",
    description: "systemMessage customize with a transform section; the runtime sends systemMessage.transform",
    reply: textReply,
    async run({ peer, baseUrl }) {
      await connect(peer);
      peer.onRequest("systemMessage.transform", (params) => {
        const { sections } = params as { sections: Record<string, { content: string }> };
        const out: Record<string, { content: string }> = {};
        for (const [id, { content }] of Object.entries(sections)) out[id] = { content: `${content.slice(0, 200)}\n(transformed by the recorder)` };
        return { sections: out };
      });
      await create(peer, {
        sessionId: SESSION_A,
        model: "scripted-model",
        provider: provider(baseUrl),
        envValueMode: "direct",
        workingDirectory: peer.workDir,
        systemMessage: { mode: "customize", sections: { identity: { action: "transform" }, tone: { action: "remove" } }, content: "Recorded session." },
      });
      await turn(peer, SESSION_A, "Say hello.");
    },
  },
  {
    name: "exit-plan-mode",
    description: "a plan-mode turn whose model calls the built-in exit_plan_mode tool; the runtime sends exitPlanMode.request",
    reply: (request) =>
      isToolResultTurn(request)
        ? textReply(request)
        : { toolCall: { name: "exit_plan_mode", arguments: { summary: "Add a greeting.", recommendedAction: "interactive" } } },
    async run({ peer, baseUrl }) {
      await connect(peer);
      answerBroadcasts(peer, SESSION_A);
      peer.onRequest("exitPlanMode.request", () => ({ approved: true, selectedAction: "interactive" }));
      await create(peer, {
        sessionId: SESSION_A,
        model: "scripted-model",
        provider: provider(baseUrl),
        requestPermission: true,
        requestExitPlanMode: true,
        envValueMode: "direct",
        workingDirectory: peer.workDir,
      });
      await turn(peer, SESSION_A, "Plan a greeting.", { agentMode: "plan" });
    },
  },
];
