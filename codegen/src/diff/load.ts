/**
 * Inputs of the diff: a schemas folder (plain or `.json.gz` files) or an IR JSON file written by
 * `flightdeck-codegen ir --json`. The diff must read schemas the generator cannot emit yet (a
 * newer runtime may use `if`/`then`): such keywords are kept as opaque `x-diff-*` strings, so a
 * change to them still shows, instead of stopping the run.
 */
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { gunzipSync } from "node:zlib";
import { TREES, UNSUPPORTED_APPLICATORS, VALUE_KEYWORDS } from "../bundle.js";
import { CodegenError } from "../errors.js";
import { buildIr, IR_VERSION, type CodegenIr } from "../ir.js";
import { API_FILE, EVENTS_FILE, LOCK_FILE, OVERLAY_DIR, type LoadedFile, type LoadedSchemas, type SchemaSource } from "../load.js";
import { byString, isObject, sha256, type Schema } from "../util.js";

/** Keywords the generator refuses (see bundle.ts) that the diff carries as opaque strings. */
const OPAQUE_FOR_DIFF = new Set(["if", "then", "else", ...UNSUPPORTED_APPLICATORS]);
const SCHEMA_MAPS = new Set(["properties", "patternProperties", "definitions", "$defs"]);

export interface DiffLoadOptions {
  /** Include `overlay/*.json` of a schemas folder (default true). `protocol:bump` diffs upstream only. */
  readonly overlay?: boolean;
}

function readMaybeGz(dir: string, name: string): Buffer | null {
  if (existsSync(join(dir, name))) return readFileSync(join(dir, name));
  if (existsSync(join(dir, `${name}.gz`))) return gunzipSync(readFileSync(join(dir, `${name}.gz`)));
  return null;
}

/** Rewrites generator-unsupported keywords into `x-diff-<kw>: "<json>"`, walking only schema positions. */
export function opaqueUnsupported(schema: unknown): unknown {
  if (Array.isArray(schema)) return schema.map(opaqueUnsupported);
  if (!isObject(schema)) return schema;
  const out: Schema = {};
  for (const [k, v] of Object.entries(schema)) {
    if (VALUE_KEYWORDS.has(k)) out[k] = v;
    else if (SCHEMA_MAPS.has(k) && isObject(v)) out[k] = Object.fromEntries(Object.entries(v).map(([n, s]) => [n, opaqueUnsupported(s)]));
    else if (OPAQUE_FOR_DIFF.has(k)) out[`x-diff-${k}`] = JSON.stringify(v);
    // Structured `x-*` annotations (e.g. `x-legacy-parameters`) are refused by the bundler; keep them as text.
    else if (k.startsWith("x-") && typeof v === "object" && v !== null) out[k] = JSON.stringify(v);
    else out[k] = opaqueUnsupported(v);
  }
  return out;
}

function sanitizeTree(node: unknown): unknown {
  if (!isObject(node)) return node;
  if ("rpcMethod" in node) {
    const leaf: Schema = { ...node };
    for (const k of ["params", "result"]) if (isObject(leaf[k])) leaf[k] = opaqueUnsupported(leaf[k]);
    return leaf;
  }
  return Object.fromEntries(Object.entries(node).map(([k, v]) => [k, sanitizeTree(v)]));
}

function sanitizeFile(json: Schema): Schema {
  const out: Schema = { ...json };
  const defs = json["definitions"];
  if (isObject(defs)) out["definitions"] = Object.fromEntries(Object.entries(defs).map(([n, s]) => [n, opaqueUnsupported(s)]));
  for (const t of TREES) if (json[t] !== undefined) out[t] = sanitizeTree(json[t]);
  return out;
}

function parseFile(bytes: Buffer, name: string, role: LoadedFile["role"]): LoadedFile {
  let json: unknown;
  try {
    json = JSON.parse(bytes.toString("utf8"));
  } catch (err) {
    throw new CodegenError(`not valid JSON (${(err as Error).message})`, name, "#", "re-sync the schemas; upstream files must stay byte-exact");
  }
  if (!isObject(json)) throw new CodegenError("root is not a JSON object", name, "#", "a schema file must be a JSON object");
  return { name, role, sha256: sha256(bytes), json: sanitizeFile(json) };
}

function readLock(dir: string): SchemaSource {
  const bytes = readMaybeGz(dir, LOCK_FILE);
  const unknown: SchemaSource = { package: "unknown", version: "unknown", runtimeVersion: "unknown", protocolVersion: null };
  if (!bytes) return unknown;
  try {
    const lock = JSON.parse(bytes.toString("utf8")) as Partial<SchemaSource>;
    return {
      package: lock.package ?? "unknown",
      version: lock.version ?? "unknown",
      runtimeVersion: lock.runtimeVersion ?? "unknown",
      protocolVersion: typeof lock.protocolVersion === "number" ? lock.protocolVersion : null,
    };
  } catch (err) {
    throw new CodegenError(`not valid JSON (${(err as Error).message})`, LOCK_FILE, "#", "re-run the schema sync tool to rewrite the lock");
  }
}

/** Loads a schemas folder for diffing (`api.schema.json[.gz]`, `session-events.schema.json[.gz]`, optional overlay and lock). */
export function loadSchemasForDiff(dir: string, options: DiffLoadOptions = {}): LoadedSchemas {
  const read = (name: string, role: LoadedFile["role"]): LoadedFile => {
    const bytes = readMaybeGz(dir, name);
    if (!bytes)
      throw new CodegenError(
        `schema file not found in ${dir}`,
        name,
        undefined,
        `pass a folder with ${API_FILE} and ${EVENTS_FILE} (or their .gz), or an IR file from \`flightdeck-codegen ir --json\``,
      );
    return parseFile(bytes, name, role);
  };
  const api = read(API_FILE, "api");
  const events = read(EVENTS_FILE, "events");
  const overlayDir = join(dir, OVERLAY_DIR);
  const overlays =
    options.overlay !== false && existsSync(overlayDir)
      ? readdirSync(overlayDir)
          .filter((f) => f.endsWith(".json"))
          .sort(byString)
          .map((f) => parseFile(readFileSync(join(overlayDir, f)), `${OVERLAY_DIR}/${f}`, "overlay"))
      : [];
  return { api, events, overlays, source: readLock(dir) };
}

/**
 * A diff input: a schemas folder, or an IR JSON file (`.json` / `.json.gz`) with `irVersion: 2`.
 * Throws {@link CodegenError} naming the path and what to pass instead.
 */
export function loadIrForDiff(path: string, options: DiffLoadOptions = {}): CodegenIr {
  if (!existsSync(path)) throw new CodegenError(`${path} does not exist`, path, undefined, "pass a schemas folder or an IR JSON file");
  if (statSync(path).isDirectory()) return buildIr(loadSchemasForDiff(path, options));
  const raw = readFileSync(path);
  const text = (path.endsWith(".gz") ? gunzipSync(raw) : raw).toString("utf8");
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw new CodegenError(`not valid JSON (${(err as Error).message})`, path, "#", "pass a schemas folder or the output of `flightdeck-codegen ir --json`");
  }
  if (
    !isObject(json) ||
    json["irVersion"] !== IR_VERSION ||
    !Array.isArray(json["methods"]) ||
    !Array.isArray(json["events"]) ||
    !Array.isArray(json["types"])
  ) {
    throw new CodegenError(
      `not an IR file with irVersion ${IR_VERSION} (irVersion: ${isObject(json) ? JSON.stringify(json["irVersion"]) : "missing"})`,
      path,
      "#/irVersion",
      "regenerate it with `flightdeck-codegen ir --json --out <file>` from this version of the generator, or pass the schemas folder",
    );
  }
  return json as unknown as CodegenIr;
}
