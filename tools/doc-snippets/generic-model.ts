/**
 * A model for code blocks nobody scripted: it calls the block's own tool once (arguments made up
 * from the tool's JSON Schema), then answers in text, quoting the tool's result.
 */
import type { ModelRequest, ScriptedTurn, StaticTurn } from "../../packages/testing/src/index.js";

type Json = Record<string, unknown>;
const isRecord = (v: unknown): v is Json => typeof v === "object" && v !== null && !Array.isArray(v);

/** A value that satisfies a (simple) JSON Schema. */
export function sampleFor(schema: unknown): unknown {
  if (!isRecord(schema)) return "sample";
  if (Array.isArray(schema.enum) && schema.enum.length > 0) return schema.enum[0];
  if ("const" in schema) return schema.const;
  for (const key of ["anyOf", "oneOf"] as const) if (Array.isArray(schema[key]) && schema[key].length > 0) return sampleFor(schema[key][0]);
  const type = Array.isArray(schema.type) ? schema.type[0] : schema.type;
  switch (type) {
    case "string":
      return "Lisbon";
    case "number":
    case "integer":
      return typeof schema.minimum === "number" ? schema.minimum : 1;
    case "boolean":
      return true;
    case "array":
      return [];
    case "null":
      return null;
    default: {
      const out: Json = {};
      const props = isRecord(schema.properties) ? schema.properties : {};
      for (const [name, sub] of Object.entries(props)) out[name] = sampleFor(sub);
      return out;
    }
  }
}

/** The request's conversation items and the tools it offers, for either wire API. */
function read(request: ModelRequest): { items: Json[]; tools: { name: string; parameters: unknown }[] } {
  const body = isRecord(request.body) ? request.body : {};
  const list = Array.isArray(body.messages) ? body.messages : Array.isArray(body.input) ? body.input : [];
  const tools = (Array.isArray(body.tools) ? body.tools : []).filter(isRecord).map((t) => {
    const fn = isRecord(t.function) ? t.function : t;
    return { name: String(fn.name ?? ""), parameters: fn.parameters };
  });
  return { items: list.filter(isRecord), tools };
}

// The runtime's own tools; a block's tools are the others.
const BUILT_IN =
  /^(bash|read_bash|write_bash|stop_bash|list_bash|view|create|edit|str_replace|str_replace_editor|glob|grep|rg|web_fetch|report_intent|think|task|ask_user|update_todo|fetch_copilot_cli_documentation|list_agents|read_agent|write_agent|exit_plan_mode|skill|apply_patch|powershell|read_powershell|write_powershell|stop_powershell|list_powershell|store_memory|sql|web_search|.*_mcp_.*)$/;

/** One dynamic turn: call the block's first own tool once per prompt, then answer. */
export function genericTurn(request: ModelRequest): StaticTurn {
  const { items, tools } = read(request);
  const lastUser = items.map((i) => i.role).lastIndexOf("user");
  const since = items.slice(lastUser + 1);
  const results = since.filter((i) => i.role === "tool" || i.type === "function_call_output");
  if (results.length > 0) {
    const last = results.at(-1)!;
    const text = typeof last.content === "string" ? last.content : typeof last.output === "string" ? last.output : JSON.stringify(last.content ?? last.output);
    return { text: `Done. The tool said: ${text.slice(0, 200)}` };
  }
  const own = tools.find((t) => t.name !== "" && !BUILT_IN.test(t.name));
  if (own) return { toolCalls: [{ name: own.name, arguments: sampleFor(own.parameters) as Json }] };
  return { text: "Hello from the scripted model." };
}

/** `n` generic turns: enough for any block. */
export function genericScript(n: number): ScriptedTurn[] {
  return Array.from({ length: n }, () => (request: ModelRequest) => genericTurn(request));
}
