/**
 * Checks schemas/overlay against recorded traffic of the real runtime: every recorded frame of a
 * method or notification the overlay describes must validate (params of requests we sent, results
 * we received, params of server→client requests and notifications), and every method seen on the
 * wire must be described by either the upstream api.schema.json or the overlay.
 */
import { readdirSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { beforeAll, describe, expect, it } from "vitest";

const root = fileURLToPath(new URL("../..", import.meta.url));
const schemasDir = join(root, "schemas");
const recordingsRoot = join(schemasDir, "recordings");
// The pinned runtime, whose event drift is known exactly, and other runtimes recorded for comparison.
const PINNED_RECORDINGS = "runtime-1.0.85";

const requireFromCodegen = createRequire(join(root, "tools", "package.json"));
type ValidateFn = ((data: unknown) => boolean) & { errors?: unknown[] | null };
interface AjvLike {
  addMetaSchema(schema: object): unknown;
  addSchema(schema: object): unknown;
  addKeyword(keyword: string): unknown;
  getSchema(ref: string): ValidateFn | undefined;
  errorsText(errors?: unknown[] | null): string;
}
const Ajv2019 = (requireFromCodegen("ajv/dist/2019") as { default: new (opts: object) => AjvLike }).default;
const addFormats = (requireFromCodegen("ajv-formats") as { default: (ajv: AjvLike) => void }).default;
const draft7 = requireFromCodegen("ajv/dist/refs/json-schema-draft-07.json") as object;

interface Leaf {
  rpcMethod: string;
  params: object | null;
  result: object | null;
  notification?: boolean;
}
interface Frame {
  dir: "in" | "out";
  msg: { id?: number | string; method?: string; params?: unknown; result?: unknown; error?: unknown };
}

const readJson = (file: string) => JSON.parse(readFileSync(file, "utf8")) as Record<string, unknown>;

function leaves(tree: unknown, out: Map<string, { tree: string; leaf: Leaf; path: string }>, treeName: string, path: string[] = []): void {
  if (!tree || typeof tree !== "object") return;
  const node = tree as Record<string, unknown>;
  if (typeof node.rpcMethod === "string") {
    out.set(node.rpcMethod, { tree: treeName, leaf: node as unknown as Leaf, path: path.join("/") });
    return;
  }
  for (const [k, v] of Object.entries(node)) leaves(v, out, treeName, [...path, k]);
}

const TREES = ["server", "session", "clientSession", "clientGlobal"] as const;
const overlayFiles = readdirSync(join(schemasDir, "overlay")).filter((f) => f.endsWith(".schema.json"));
const recordingDirs = readdirSync(recordingsRoot).sort();
const recordings = recordingDirs.flatMap((d) =>
  readdirSync(join(recordingsRoot, d))
    .filter((f) => f.endsWith(".jsonl"))
    .sort()
    .map((f) => `${d}/${f}`),
);

let ajv: AjvLike;
const overlayMethods = new Map<string, { tree: string; leaf: Leaf; path: string; file: string }>();
const upstreamMethods = new Map<string, { tree: string; leaf: Leaf; path: string }>();

beforeAll(() => {
  ajv = new Ajv2019({ strict: false, allErrors: true, validateFormats: true });
  ajv.addMetaSchema(draft7);
  addFormats(ajv);
  // The upstream vocabulary: annotations only, declared so they are not mistaken for typos.
  for (const k of ["stability", "visibility", "rpcMethod", "notification", "x-opaque-json", "x-opaque-in-process", "x-enumDescriptions", "x-typescript-type"])
    ajv.addKeyword(k);
  // The overlay refers to the upstream files by their file names, so those are their ids.
  const events = readJson(join(schemasDir, "session-events.schema.json"));
  ajv.addSchema({ ...events, $id: "session-events.schema.json" });
  for (const [name, def] of Object.entries(events.definitions as Record<string, { properties?: { type?: { const?: string } } }>)) {
    const c = def.properties?.type?.const;
    if (c && name.endsWith("Event")) eventDefinitionByType.set(c, name);
  }
  const api = readJson(join(schemasDir, "api.schema.json"));
  ajv.addSchema({ ...api, $id: "api.schema.json" });
  for (const t of TREES) leaves(api[t], upstreamMethods, t);
  for (const file of overlayFiles) {
    const overlay = readJson(join(schemasDir, "overlay", file));
    ajv.addSchema({ ...overlay, $id: file });
    const found = new Map<string, { tree: string; leaf: Leaf; path: string }>();
    for (const t of TREES) leaves(overlay[t], found, t);
    for (const [m, v] of found) overlayMethods.set(m, { ...v, file });
  }
});

function validator(file: string, tree: string, path: string, part: "params" | "result"): ValidateFn {
  const pointer = `${file}#/${tree}/${path}/${part}`;
  const fn = ajv.getSchema(pointer);
  if (!fn) throw new Error(`no schema at ${pointer}`);
  return fn;
}

interface AjvError {
  instancePath: string;
  message?: string;
  params?: Record<string, unknown>;
}

/**
 * Where the runtime's events differ from the upstream events schema of the same release. Events
 * are upstream's to describe, so these are recorded here (and in schemas/README.md) rather than
 * patched in the overlay; the test fails when the list goes stale in either direction.
 */
const KNOWN_UPSTREAM_EVENT_DRIFT = [
  "exit_plan_mode.requested: /data must NOT have additional properties (toolCallId)",
  'session.shutdown: /data/shutdownType must be equal to one of the allowed values (got "destroy")',
  "tool.execution_start: /data must NOT have additional properties (toolTitle)",
  ...["log", "message", "messages_snapshot", "model_call_started", "model_call_success", "response", "tool_execution", "turn_ended", "turn_started"].map(
    (t) => `unknown event type model.${t}`,
  ),
].sort();

const eventDefinitionByType = new Map<string, string>();

function at(data: unknown, pointer: string): unknown {
  return pointer
    .split("/")
    .slice(1)
    .reduce<unknown>((v, k) => (v && typeof v === "object" ? (v as Record<string, unknown>)[k] : undefined), data);
}

/** Validates one event against the definition for its `type`; returns drift descriptions. */
function eventDrift(event: unknown): string[] {
  const type = (event as { type?: unknown }).type;
  const name = typeof type === "string" ? eventDefinitionByType.get(type) : undefined;
  if (!name) return [`unknown event type ${String(type)}`];
  const fn = ajv.getSchema(`session-events.schema.json#/definitions/${name}`)!;
  if (fn(event)) return [];
  return ((fn.errors ?? []) as AjvError[]).map((e) => {
    const extra =
      e.params?.additionalProperty !== undefined
        ? ` (${String(e.params.additionalProperty)})`
        : e.params?.allowedValues
          ? ` (got ${JSON.stringify(at(event, e.instancePath))})`
          : "";
    return `${String(type)}: ${e.instancePath} ${e.message ?? ""}${extra}`;
  });
}

/** The events inside a frame's data that failed, when every error points into an event. */
function failedEvents(data: unknown, errors: AjvError[]): unknown[] | undefined {
  const events = new Map<string, unknown>();
  for (const e of errors) {
    const m = /^(\/event|\/events\/\d+)(\/|$)/.exec(e.instancePath);
    if (!m) return undefined;
    events.set(m[1]!, at(data, m[1]!));
  }
  return [...events.values()];
}

const observedDrift = new Map<string, Set<string>>();

function loadFrames(name: string): Frame[] {
  return readFileSync(join(recordingsRoot, name), "utf8")
    .split("\n")
    .filter((l) => l.trim() !== "")
    .map((l) => JSON.parse(l) as Frame);
}

describe("overlay schema", () => {
  it("has the upstream format: every leaf has rpcMethod, params, result and a description", () => {
    expect([...overlayMethods.keys()].sort()).toEqual(
      [
        "auth.getStatus",
        "autoModeSwitch.request",
        "exitPlanMode.request",
        "host.event",
        "session.create",
        "session.delete",
        "session.detach",
        "session.event",
        "session.getForeground",
        "session.getLastId",
        "session.getMessages",
        "session.lifecycle",
        "session.list",
        "session.resume",
        "session.setForeground",
        "status.get",
        "systemMessage.transform",
        "userInput.request",
      ].sort(),
    );
    for (const [method, { leaf }] of overlayMethods) {
      expect(leaf, method).toHaveProperty("params");
      expect(leaf, method).toHaveProperty("result");
      expect(typeof (leaf as unknown as { description?: unknown }).description, method).toBe("string");
      expect(upstreamMethods.has(method), `${method} is already in api.schema.json`).toBe(false);
    }
  });

  it("describes every property", () => {
    const missing: string[] = [];
    const walk = (node: unknown, where: string): void => {
      if (!node || typeof node !== "object") return;
      if (Array.isArray(node)) {
        node.forEach((n, i) => walk(n, `${where}/${i}`));
        return;
      }
      const o = node as Record<string, unknown>;
      if (o.properties && typeof o.properties === "object") {
        for (const [k, v] of Object.entries(o.properties as Record<string, unknown>)) {
          if (typeof (v as { description?: unknown }).description !== "string") missing.push(`${where}/properties/${k}`);
        }
      }
      for (const [k, v] of Object.entries(o)) if (k !== "enum" && k !== "const" && k !== "default") walk(v, `${where}/${k}`);
    };
    for (const file of overlayFiles) walk(readJson(join(schemasDir, "overlay", file)), file);
    expect(missing).toEqual([]);
  });

  it("uses no definition name that upstream defines differently", () => {
    const upstream = new Set([
      ...Object.keys(readJson(join(schemasDir, "api.schema.json")).definitions as object),
      ...Object.keys(readJson(join(schemasDir, "session-events.schema.json")).definitions as object),
    ]);
    for (const file of overlayFiles) {
      const names = Object.keys(readJson(join(schemasDir, "overlay", file)).definitions as object);
      expect(names.filter((n) => upstream.has(n))).toEqual([]);
    }
  });

  it("has recordings of every scenario for the pinned runtime and the CLI", () => {
    const scenarios = ["ask-user", "exit-plan-mode", "handshake", "lifecycle", "streaming-turn", "system-message-transform", "tool-turn"];
    expect(recordingDirs).toEqual(expect.arrayContaining([PINNED_RECORDINGS, expect.stringMatching(/^cli-/)]));
    for (const d of recordingDirs) expect(recordings.filter((r) => r.startsWith(`${d}/`))).toEqual(scenarios.map((s) => `${d}/${s}.jsonl`));
  });

  describe.each(recordings)("recording %s", (name) => {
    it("every method on the wire is described by api.schema.json or the overlay", () => {
      const unknown = new Set<string>();
      for (const f of loadFrames(name)) {
        const m = f.msg.method;
        if (m && !upstreamMethods.has(m) && !overlayMethods.has(m)) unknown.add(m);
      }
      expect([...unknown]).toEqual([]);
    });

    it("every frame of an overlay method validates against the overlay", () => {
      const frames = loadFrames(name);
      const problems: string[] = [];
      // Requests are keyed by direction and id: ids are only unique per sender.
      const pending = new Map<string, string>();
      let checked = 0;
      const check = (method: string, part: "params" | "result", data: unknown) => {
        const entry = overlayMethods.get(method);
        if (!entry) return;
        const fn = validator(entry.file, entry.tree, entry.path, part);
        checked++;
        if (fn(data)) return;
        const events = failedEvents(data, (fn.errors ?? []) as AjvError[]);
        const drift = events?.flatMap(eventDrift);
        // A failure inside an event is upstream drift only if the event fails on its own too.
        const dir = name.split("/")[0]!;
        if (!observedDrift.has(dir)) observedDrift.set(dir, new Set());
        if (drift && drift.length > 0) drift.forEach((d) => observedDrift.get(dir)!.add(d));
        else problems.push(`${method} ${part}: ${ajv.errorsText((fn.errors ?? []).slice(0, 5))} in ${JSON.stringify(data).slice(0, 300)}`);
      };
      for (const f of frames) {
        const { id, method, params } = f.msg;
        if (method !== undefined) {
          if (id !== undefined) pending.set(`${f.dir}:${id}`, method);
          check(method, "params", params ?? null);
        } else if (id !== undefined) {
          const requester = f.dir === "in" ? "out" : "in";
          const requested = pending.get(`${requester}:${id}`);
          if (requested && "result" in f.msg) check(requested, "result", f.msg.result);
        }
      }
      expect(problems).toEqual([]);
      expect(checked).toBeGreaterThan(0);
    });
  });

  it("events of the pinned runtime differ from its events schema exactly where known", () => {
    // Filled by the per-recording tests above (vitest runs a file's tests in order).
    expect([...(observedDrift.get(PINNED_RECORDINGS) ?? [])].sort()).toEqual(KNOWN_UPSTREAM_EVENT_DRIFT);
  });

  it("newer runtimes only add to the pinned events (new types and properties), beyond the known drift", () => {
    for (const [dir, drift] of observedDrift) {
      if (dir === PINNED_RECORDINGS) continue;
      const changed = [...drift].filter(
        (d) => !KNOWN_UPSTREAM_EVENT_DRIFT.includes(d) && !/^unknown event type |: \S* must NOT have additional properties \(/.test(d),
      );
      expect(changed, dir).toEqual([]);
    }
  });

  it("the recordings exercise the overlay's lifecycle surface", () => {
    const seen = new Set<string>();
    for (const name of recordings) for (const f of loadFrames(name)) if (f.msg.method) seen.add(f.msg.method);
    const expected = [
      "session.create",
      "session.resume",
      "session.list",
      "session.delete",
      "session.getMessages",
      "session.detach",
      "session.getLastId",
      "session.getForeground",
      "session.setForeground",
      "status.get",
      "auth.getStatus",
      "session.event",
      "session.lifecycle",
      "userInput.request",
      "exitPlanMode.request",
      "systemMessage.transform",
    ];
    expect(expected.filter((m) => !seen.has(m))).toEqual([]);
  });
});
