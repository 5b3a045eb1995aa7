import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
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
    throw new CodegenError(
      `schema file not found at ${full}`,
      name,
      undefined,
      `pass --schemas <dir> pointing at a folder with ${API_FILE} and ${EVENTS_FILE}`,
    );
  }
  const text = readFileSync(full);
  let json: unknown;
  try {
    json = JSON.parse(text.toString("utf8"));
  } catch (err) {
    throw new CodegenError(
      `not valid JSON (${(err as Error).message})`,
      name,
      "#",
      "fix the JSON syntax; upstream files must stay byte-exact, so re-sync them instead of editing",
    );
  }
  if (!isObject(json)) throw new CodegenError("root is not a JSON object", name, "#", "a schema file must be a JSON object");
  return { name, role, sha256: sha256(text), json };
}

const UNKNOWN_SOURCE: SchemaSource = { package: "unknown", version: "unknown", runtimeVersion: "unknown", protocolVersion: null };
/** Written by the schema sync tool next to the upstream files; pins where they came from. */
export const LOCK_FILE = "protocol.lock.json";

/**
 * Which package/runtime the upstream schemas came from, from `protocol.lock.json`. A lock whose
 * sha256 does not match means the upstream files were edited or re-synced without the lock.
 */
function readSource(dir: string, api: LoadedFile, events: LoadedFile): SchemaSource {
  const file = join(dir, LOCK_FILE);
  if (!existsSync(file)) return UNKNOWN_SOURCE;
  let lock: Partial<SchemaSource> & { files?: Record<string, { sha256?: string }> };
  try {
    lock = JSON.parse(readFileSync(file, "utf8")) as typeof lock;
  } catch (err) {
    throw new CodegenError(`not valid JSON (${(err as Error).message})`, LOCK_FILE, "#", "re-run the schema sync tool to rewrite the lock");
  }
  for (const f of [api, events]) {
    const want = lock.files?.[f.name]?.sha256;
    if (want !== undefined && want !== f.sha256) {
      throw new CodegenError(
        `${f.name} has sha256 ${f.sha256}, but ${LOCK_FILE} pins ${want}`,
        LOCK_FILE,
        `#/files/${f.name}/sha256`,
        "upstream schemas must stay byte-exact: restore the file, or re-sync schemas and lock together",
      );
    }
  }
  return {
    package: lock.package ?? "unknown",
    version: lock.version ?? "unknown",
    runtimeVersion: lock.runtimeVersion ?? "unknown",
    protocolVersion: lock.protocolVersion ?? null,
  };
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
