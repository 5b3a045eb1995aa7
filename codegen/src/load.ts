import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { CodegenError } from "./errors.js";
import { byString, isObject, sha256, type Schema } from "./util.js";

/** The file names the generator expects in the schemas folder. */
export const API_FILE = "api.schema.json";
export const EVENTS_FILE = "session-events.schema.json";
export const OVERLAY_DIR = "overlay";

export interface LoadedFile {
  /** Path relative to the schemas folder, `/`-separated (`overlay/lifecycle.json`). */
  readonly name: string;
  readonly role: "api" | "events" | "overlay";
  readonly sha256: string;
  readonly json: Schema;
}

/** Where the pinned upstream schemas come from (printed in every generated header). */
export interface SchemaSource {
  readonly package: string;
  readonly version: string;
  readonly runtimeVersion: string;
  readonly protocolVersion: number | null;
}

export interface LoadedSchemas {
  readonly api: LoadedFile;
  readonly events: LoadedFile;
  /** Overlay files sorted by name. */
  readonly overlays: readonly LoadedFile[];
  readonly source: SchemaSource;
}

function readJson(dir: string, name: string, role: LoadedFile["role"]): LoadedFile {
  const full = join(dir, name);
  if (!existsSync(full)) {
    throw new CodegenError(`schema file not found at ${full}`, name, undefined, `pass --schemas <dir> pointing at a folder with ${API_FILE} and ${EVENTS_FILE}`);
  }
  const text = readFileSync(full);
  let json: unknown;
  try {
    json = JSON.parse(text.toString("utf8"));
  } catch (err) {
    throw new CodegenError(`not valid JSON (${(err as Error).message})`, name, "#", "fix the JSON syntax; upstream files must stay byte-exact, so re-sync them instead of editing");
  }
  if (!isObject(json)) throw new CodegenError("root is not a JSON object", name, "#", "a schema file must be a JSON object");
  return { name, role, sha256: sha256(text), json };
}

const UNKNOWN_SOURCE: SchemaSource = { package: "unknown", version: "unknown", runtimeVersion: "unknown", protocolVersion: null };

/**
 * Which package/runtime the upstream schemas came from: `schemas/source.json` when present, else
 * codegen/schema-source.json if its sha256 values match the files being generated from.
 */
function readSource(dir: string, api: LoadedFile, events: LoadedFile): SchemaSource {
  const candidates = [join(dir, "source.json"), fileURLToPath(new URL("../schema-source.json", import.meta.url))];
  for (const file of candidates) {
    if (!existsSync(file)) continue;
    const s = JSON.parse(readFileSync(file, "utf8")) as Partial<SchemaSource> & { sha256?: Record<string, string> };
    if (s.sha256 && (s.sha256[API_FILE] !== api.sha256 || s.sha256[EVENTS_FILE] !== events.sha256)) continue;
    return {
      package: s.package ?? "unknown",
      version: s.version ?? "unknown",
      runtimeVersion: s.runtimeVersion ?? "unknown",
      protocolVersion: s.protocolVersion ?? null,
    };
  }
  return UNKNOWN_SOURCE;
}

/** Reads the two upstream schema files plus every `overlay/*.json`, sorted by name. */
export function loadSchemas(dir: string): LoadedSchemas {
  const api = readJson(dir, API_FILE, "api");
  const events = readJson(dir, EVENTS_FILE, "events");
  const overlayDir = join(dir, OVERLAY_DIR);
  const overlays = existsSync(overlayDir)
    ? readdirSync(overlayDir)
        .filter((f) => f.endsWith(".json"))
        .sort(byString)
        .map((f) => readJson(dir, `${OVERLAY_DIR}/${f}`, "overlay"))
    : [];
  return { api, events, overlays, source: readSource(dir, api, events) };
}
