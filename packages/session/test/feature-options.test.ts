/**
 * Unit tests of the feature options (MCP servers, agents, skills, elicitation, commands): each
 * bad value fails with INVALID_OPTION naming it, and good values map to the wire as documented.
 */
import { describe, expect, it } from "vitest";
import { isSdkError } from "@flightdeck/copilot-core";
import type { SessionConfig } from "@flightdeck/copilot-session";
import { resolveSessionConfig } from "../src/session-config.js";

function fails(config: unknown): { option: unknown; message: string } {
  try {
    resolveSessionConfig(config as SessionConfig, "createSession");
  } catch (error) {
    if (!isSdkError(error, "INVALID_OPTION")) throw error;
    return { option: error.details?.option, message: error.message };
  }
  throw new Error("expected INVALID_OPTION");
}

const wire = (config: SessionConfig) => resolveSessionConfig(config, "createSession").wire as Record<string, unknown>;
const noop = () => undefined;

describe("bad feature options fail naming the option", () => {
  const cases: Array<[string, unknown, string, RegExp?]> = [
    ["mcpServers not an object", { mcpServers: [] }, "mcpServers"],
    ["stdio server without command", { mcpServers: { kb: { args: ["x"] } } }, "mcpServers.kb.command"],
    ["http server with a relative url", { mcpServers: { web: { url: "/mcp" } } }, "mcpServers.web.url"],
    ["http server with a non-http url", { mcpServers: { web: { url: "ftp://host/mcp" } } }, "mcpServers.web.url"],
    ["server with both url and command", { mcpServers: { x: { url: "http://127.0.0.1/mcp", command: "x" } } }, "mcpServers.x"],
    ["args not strings", { mcpServers: { kb: { command: "kb", args: ["a", 1] } } }, "mcpServers.kb.args[1]"],
    ["bad server name", { mcpServers: { "a\u0001b": { command: "kb" } } }, "mcpServers.a\u0001b"],
    ["bad stdio type", { mcpServers: { kb: { command: "kb", type: "http2" } } }, "mcpServers.kb.type"],
    ["onMcpAuthRequest not a function", { onMcpAuthRequest: "token" }, "onMcpAuthRequest"],
    ["customAgents not an array", { customAgents: { name: "a" } }, "customAgents"],
    ["agent without prompt", { customAgents: [{ name: "reviewer" }] }, "customAgents.reviewer.prompt"],
    [
      "duplicate agent names",
      {
        customAgents: [
          { name: "a", prompt: "p" },
          { name: "a", prompt: "q" },
        ],
      },
      "customAgents[1].name",
    ],
    ["unknown agent option", { customAgents: [{ name: "a", prompt: "p", tool: ["view"] }] }, "customAgents.a.tool"],
    ["agent's MCP server invalid", { customAgents: [{ name: "a", prompt: "p", mcpServers: { kb: {} } }] }, "customAgents.a.mcpServers.kb.command"],
    [
      "starting agent not defined",
      { agent: "ghost", customAgents: [{ name: "reviewer", prompt: "p" }] },
      "agent",
      /"ghost".*not in `customAgents` \("reviewer"\)/,
    ],
    ["starting agent without customAgents", { agent: "ghost" }, "agent", /"ghost".*`customAgents` is empty/],
    ["defaultAgent with unknown key", { defaultAgent: { tools: [] } }, "defaultAgent.tools"],
    ["defaultAgent.excludedTools not strings", { defaultAgent: { excludedTools: [1] } }, "defaultAgent.excludedTools[0]"],
    ["excludedBuiltinAgents not an array", { excludedBuiltinAgents: "explore" }, "excludedBuiltinAgents"],
    ["relative skill directory", { skillDirectories: ["skills"] }, "skillDirectories[0]", /absolute path/],
    ["instructionDirectories entry empty", { instructionDirectories: [""] }, "instructionDirectories[0]"],
    ["disabledSkills not strings", { disabledSkills: [null] }, "disabledSkills[0]"],
    ["onElicitationRequest not a function", { onElicitationRequest: {} }, "onElicitationRequest"],
    ["command without handler", { commands: [{ name: "deploy" }] }, "commands.deploy.handler"],
    ["command name with a slash", { commands: [{ name: "/deploy", handler: noop }] }, "commands[0].name"],
    [
      "duplicate command names",
      {
        commands: [
          { name: "Deploy", handler: noop },
          { name: "deploy", handler: noop },
        ],
      },
      "commands[1].name",
    ],
    ["infiniteSessions not a boolean or object", { infiniteSessions: "yes" }, "infiniteSessions"],
    ["infiniteSessions threshold above 1", { infiniteSessions: { backgroundCompactionThreshold: 80 } }, "infiniteSessions.backgroundCompactionThreshold"],
    ["infiniteSessions unknown setting", { infiniteSessions: { threshold: 0.5 } }, "infiniteSessions.threshold"],
    [
      "background not below exhaustion",
      { infiniteSessions: { backgroundCompactionThreshold: 0.9, bufferExhaustionThreshold: 0.85 } },
      "infiniteSessions.backgroundCompactionThreshold",
      /below bufferExhaustionThreshold/,
    ],
  ];
  it.each(cases)("%s", (_, config, option, pattern) => {
    const error = fails(config);
    expect(error.option).toBe(option);
    expect(error.message).toContain(`\`${option}\``);
    if (pattern) expect(error.message).toMatch(pattern);
  });

  it("never echoes MCP env or header values", () => {
    const error = fails({ mcpServers: { web: { url: "http://127.0.0.1/mcp", headers: { authorization: 42 } }, kb: { command: "kb" } } });
    expect(error.option).toBe("mcpServers.web.headers.authorization");
    expect(error.message).not.toContain("42");
  });
});

describe("feature options on the wire", () => {
  it("mcpServers are sent as given, with envValueMode direct", () => {
    const w = wire({
      mcpServers: { kb: { command: "node", args: ["kb.mjs"], env: { KB: "1" }, tools: ["*"] }, web: { type: "http", url: "https://example.com/mcp" } },
    });
    expect(w.mcpServers).toEqual({
      kb: { command: "node", args: ["kb.mjs"], env: { KB: "1" }, tools: ["*"] },
      web: { type: "http", url: "https://example.com/mcp" },
    });
    expect(w.envValueMode).toBe("direct");
  });

  it("agents, skills and directories map one to one", () => {
    const w = wire({
      customAgents: [{ name: "reviewer", prompt: "Review.", tools: ["view"], infer: false }],
      agent: "reviewer",
      defaultAgent: { excludedTools: ["bash"] },
      excludedBuiltinAgents: ["explore"],
      skillDirectories: ["/skills"],
      disabledSkills: ["old"],
      pluginDirectories: ["/plugins"],
      instructionDirectories: ["/instructions"],
      disabledMcpServers: ["github"],
    });
    expect(w).toMatchObject({
      customAgents: [{ name: "reviewer", prompt: "Review.", tools: ["view"], infer: false }],
      agent: "reviewer",
      defaultAgent: { excludedTools: ["bash"] },
      excludedBuiltinAgents: ["explore"],
      skillDirectories: ["/skills"],
      disabledSkills: ["old"],
      pluginDirectories: ["/plugins"],
      instructionDirectories: ["/instructions"],
      disabledMcpServers: ["github"],
    });
  });

  it("handlers stay local: commands are declared by name, elicitation and MCP auth become flags", () => {
    const w = wire({
      commands: [{ name: "deploy", description: "Deploys", handler: noop }],
      onElicitationRequest: () => ({ action: "cancel" }),
      onMcpAuthRequest: () => null,
    });
    expect(w.commands).toEqual([{ name: "deploy", description: "Deploys" }]);
    expect(w.requestElicitation).toBe(true);
    expect(JSON.stringify(w)).not.toContain("handler");
  });

  it("infiniteSessions passes booleans and checked thresholds", () => {
    expect(wire({ infiniteSessions: false }).infiniteSessions).toBe(false);
    expect(wire({ infiniteSessions: { enabled: true, backgroundCompactionThreshold: 0.5 } }).infiniteSessions).toEqual({
      enabled: true,
      backgroundCompactionThreshold: 0.5,
    });
  });

  it("without an elicitation handler the capability is not requested", () => {
    expect(wire({}).requestElicitation).toBeUndefined();
  });
});
