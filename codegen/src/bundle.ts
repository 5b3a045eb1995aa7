/**
 * Load → bundle: every definition of every input file in ONE namespace (`#/definitions/<Name>`),
 * every `$ref` rewritten to point into it, every keyword checked. Equal duplicates across files
 * merge; a real conflict stops the generator naming both places. Definitions an overlay renames
 * (`x-type-names`, see type-names.ts) are filed under their new name.
 */
import {
  INTERPRETED_KEYWORDS,
  SUBSCHEMA_ARRAY_KEYWORDS,
  SUBSCHEMA_KEYWORDS,
  SUBSCHEMA_MAP_KEYWORDS,
  VALUE_KEYWORDS as CORE_VALUE_KEYWORDS,
} from "@flightdeck/copilot-core/runtime";
import { CodegenError, ptr } from "./errors.js";
import { API_FILE, EVENTS_FILE, type LoadedFile, type LoadedSchemas } from "./load.js";
import { readTypeNames, renameTypeRef } from "./type-names.js";
import { byString, canonical, isObject, type Schema } from "./util.js";

/** Where something came from: a schema file and a JSON pointer inside it. */
export interface SourceRef {
  readonly file: string;
  readonly pointer: string;
}

export interface BundledDefinition {
  readonly name: string;
  /** Validation form: refs rewritten to `#/definitions/<Name>`, every other keyword kept. */
  readonly schema: Schema;
  readonly source: SourceRef;
  /** Other places that define the same name with an equal shape (descriptions aside). */
  readonly alsoDefinedIn: readonly SourceRef[];
}

export interface RawMethodLeaf {
  readonly tree: "server" | "session" | "clientSession" | "clientGlobal";
  /** Path of the leaf inside its tree (`["tools", "handlePendingToolCall"]`). */
  readonly path: readonly string[];
  readonly leaf: Schema;
  readonly source: SourceRef;
}

export interface Bundle {
  /** Sorted by name. */
  readonly definitions: ReadonlyMap<string, BundledDefinition>;
  readonly leaves: readonly RawMethodLeaf[];
}

export const TREES = ["server", "session", "clientSession", "clientGlobal"] as const;

// The keyword lists are core's (`schema-keywords.ts`), narrowed to what the validators interpret.
const interpreted = (set: ReadonlySet<string>): ReadonlySet<string> => new Set([...set].filter((k) => INTERPRETED_KEYWORDS.has(k)));
const MAP_KEYWORDS = interpreted(SUBSCHEMA_MAP_KEYWORDS);
/** `if`/`then`/`else`: validated (core's checker); types emit the base type and say so in JSDoc. */
const SCHEMA_KEYWORDS = interpreted(SUBSCHEMA_KEYWORDS);
const ARRAY_KEYWORDS = interpreted(SUBSCHEMA_ARRAY_KEYWORDS);
/** Keywords whose values are data, never schemas: walkers must not descend into them. */
export const VALUE_KEYWORDS: ReadonlySet<string> = new Set([...CORE_VALUE_KEYWORDS, "x-enumDescriptions"]);
/** Constraints on a value (the diff compares them one by one: a change tightens or loosens). */
export const CONSTRAINT_KEYWORDS: readonly string[] = [
  "format",
  "minimum",
  "maximum",
  "exclusiveMinimum",
  "exclusiveMaximum",
  "multipleOf",
  "minLength",
  "maxLength",
  "pattern",
  "minItems",
  "maxItems",
  "uniqueItems",
  "minProperties",
  "maxProperties",
  "contentEncoding",
  "contentMediaType",
];
const SCALAR_KEYWORDS = new Set([
  "$ref",
  "type",
  "description",
  "title",
  ...CONSTRAINT_KEYWORDS,
  "deprecated",
  "readOnly",
  "writeOnly",
  "$comment",
  "stability",
  "visibility",
  "x-opaque-json",
  "x-opaque-in-process",
  "x-typescript-type",
]);
/** Keywords the type emitter cannot express: accepting them would emit silently wrong types. */
/** Applicators the type emitter cannot express (the diff still carries them, as opaque strings). */
export const UNSUPPORTED_APPLICATORS: readonly string[] = [
  "dependentSchemas",
  "dependencies",
  "dependentRequired",
  "unevaluatedProperties",
  "unevaluatedItems",
  "prefixItems",
  "additionalItems",
];
const UNSUPPORTED = new Set([...UNSUPPORTED_APPLICATORS, "$dynamicRef", "$recursiveRef", "$anchor", "$id", "$defs"]);
const LEAF_KEYS = new Set(["rpcMethod", "params", "result", "description", "stability", "visibility", "notification", "deprecated"]);

interface WalkContext {
  readonly file: LoadedFile;
  readonly files: ReadonlyMap<string, LoadedFile>;
  /** Schema name → generated name, from the overlays' `x-type-names`. */
  readonly renames: ReadonlyMap<string, string>;
}

function defsOf(file: LoadedFile): Schema {
  const d = file.json["definitions"];
  return isObject(d) ? d : {};
}

/** Resolves a `$ref` string to a definition name (as renamed), checking that the target exists. */
function resolveRef(ref: unknown, ctx: WalkContext, pointer: string): string {
  if (typeof ref !== "string") throw new CodegenError("$ref is not a string", ctx.file.name, pointer, "write $ref as a string URI");
  const m = /^([^#]*)#\/definitions\/([^/]+)$/.exec(ref);
  if (!m) {
    throw new CodegenError(
      `unsupported $ref "${ref}"`,
      ctx.file.name,
      pointer,
      `refs must have the form "#/definitions/Name" or "${API_FILE}#/definitions/Name"`,
    );
  }
  const [, fileRef, rawName] = m as unknown as [string, string, string];
  const name = decodeURIComponent(rawName).replace(/~1/g, "/").replace(/~0/g, "~");
  const candidates: LoadedFile[] = [];
  if (fileRef === "") {
    candidates.push(ctx.file);
    // Overlays may name upstream definitions with a bare "#/definitions/X".
    if (ctx.file.role === "overlay") candidates.push(ctx.files.get(API_FILE)!, ctx.files.get(EVENTS_FILE)!);
  } else {
    const target = ctx.files.get(fileRef) ?? ctx.files.get(`overlay/${fileRef}`);
    if (!target)
      throw new CodegenError(
        `$ref "${ref}" names an unknown file "${fileRef}"`,
        ctx.file.name,
        pointer,
        `reference ${API_FILE}, ${EVENTS_FILE} or an overlay file`,
      );
    candidates.push(target);
  }
  if (!candidates.some((f) => name in defsOf(f))) {
    throw new CodegenError(
      `$ref "${ref}" points at a definition that does not exist`,
      ctx.file.name,
      pointer,
      `add "${name}" to the definitions of ${candidates[0]!.name} or fix the reference`,
    );
  }
  return ctx.renames.get(name) ?? name;
}

/**
 * Returns the validation form of a schema: refs rewritten into the single namespace. Throws on
 * keywords the generator does not handle. Value positions (enum, const, …) are copied verbatim.
 */
export function rewriteSchema(schema: unknown, ctx: WalkContext, pointer: string): unknown {
  if (typeof schema === "boolean") return schema;
  if (!isObject(schema)) throw new CodegenError("expected a schema object or boolean", ctx.file.name, pointer, "every subschema must be a JSON object");
  const out: Schema = {};
  for (const key of Object.keys(schema)) {
    const value = schema[key];
    const p = ptr(pointer, key);
    if (key === "$ref") out[key] = `#/definitions/${resolveRef(value, ctx, p)}`;
    else if (VALUE_KEYWORDS.has(key)) out[key] = value;
    else if (MAP_KEYWORDS.has(key)) {
      if (!isObject(value)) throw new CodegenError(`"${key}" must be an object of schemas`, ctx.file.name, p, "fix the schema");
      const m: Schema = {};
      for (const k of Object.keys(value)) m[k] = rewriteSchema(value[k], ctx, ptr(p, k));
      out[key] = m;
    } else if (ARRAY_KEYWORDS.has(key)) {
      if (!Array.isArray(value) || value.length === 0)
        throw new CodegenError(`"${key}" must be a non-empty array of schemas`, ctx.file.name, p, "fix the schema");
      out[key] = value.map((v, i) => rewriteSchema(v, ctx, ptr(p, i)));
    } else if (SCHEMA_KEYWORDS.has(key)) {
      if (Array.isArray(value))
        throw new CodegenError(
          `array form of "${key}" (tuple) is not supported`,
          ctx.file.name,
          p,
          "use a single items schema, or extend codegen/src/bundle.ts",
        );
      if (key === "not" && !(isObject(value) && Object.keys(value).length === 0)) {
        throw new CodegenError(
          `"not" with a non-empty schema is not supported (only the {"not":{}} = "absent" idiom is)`,
          ctx.file.name,
          p,
          'rewrite the schema without "not", or teach codegen/src/emit/types.ts to express it',
        );
      }
      out[key] = rewriteSchema(value, ctx, p);
    } else if (SCALAR_KEYWORDS.has(key)) {
      // A title or TypeScript type naming a renamed definition names it by its new name.
      out[key] = (key === "title" || key === "x-typescript-type") && typeof value === "string" ? renameTypeRef(value, ctx.renames) : value;
    } else if (key.startsWith("x-")) {
      // Vendor annotations (scalar or structured, e.g. `x-legacy-parameters: ["serverName"]`) are
      // data: kept verbatim in the IR, never walked as schemas, stripped by the type and validator emitters.
      out[key] = value;
    } else if (UNSUPPORTED.has(key)) {
      throw new CodegenError(
        `keyword "${key}" is not handled by the generator`,
        ctx.file.name,
        p,
        `remove it from the schema or add support for it in codegen/src/bundle.ts and the emitters`,
      );
    } else {
      throw new CodegenError(
        `unknown keyword "${key}"`,
        ctx.file.name,
        p,
        `if it is an annotation, prefix it with "x-"; otherwise add it to the keyword tables in codegen/src/bundle.ts`,
      );
    }
  }
  return out;
}

/** Annotations ignored when deciding whether two same-named definitions are the same type. */
const ANNOTATIONS = new Set(["description", "x-enumDescriptions", "examples", "$comment"]);

export function bundle(schemas: LoadedSchemas): Bundle {
  const all = [schemas.api, schemas.events, ...schemas.overlays];
  const files = new Map(all.map((f) => [f.name, f]));
  const renames = readTypeNames(schemas.overlays, new Set(all.flatMap((f) => Object.keys(defsOf(f)))));
  const defs = new Map<string, { schema: Schema; source: SourceRef; alsoDefinedIn: SourceRef[]; key: string }>();
  for (const file of all) {
    const ctx: WalkContext = { file, files, renames };
    const d = file.json["definitions"];
    if (d !== undefined && !isObject(d)) throw new CodegenError(`"definitions" must be an object`, file.name, "#/definitions", "fix the schema");
    for (const name of Object.keys(defsOf(file)).sort(byString)) {
      const pointer = ptr("#/definitions", name);
      if (!/^[A-Za-z_$][A-Za-z0-9_$]*$/.test(name)) {
        throw new CodegenError(`definition name "${name}" is not a valid TypeScript identifier`, file.name, pointer, "rename the definition");
      }
      const schema = rewriteSchema(defsOf(file)[name], ctx, pointer) as Schema;
      const source = { file: file.name, pointer };
      const key = canonical(schema, ANNOTATIONS);
      const typeName = renames.get(name) ?? name;
      const prev = defs.get(typeName);
      if (!prev) defs.set(typeName, { schema, source, alsoDefinedIn: [], key });
      else if (prev.key === key) prev.alsoDefinedIn.push(source);
      else {
        throw new CodegenError(
          `definition "${name}" conflicts with ${prev.source.file}${prev.source.pointer}: same name, different shape`,
          file.name,
          pointer,
          `make the two definitions equal (descriptions may differ) or rename one; the generator never invents "${name}1"`,
        );
      }
    }
  }
  const definitions = new Map<string, BundledDefinition>();
  for (const name of [...defs.keys()].sort(byString)) {
    const d = defs.get(name)!;
    definitions.set(name, { name, schema: d.schema, source: d.source, alsoDefinedIn: d.alsoDefinedIn });
  }

  const leaves: RawMethodLeaf[] = [];
  for (const file of [schemas.api, ...schemas.overlays]) {
    const ctx: WalkContext = { file, files, renames };
    for (const tree of TREES) {
      const root = file.json[tree];
      if (root === undefined) continue;
      collectLeaves(root, tree, [], ctx, ptr("#", tree), leaves);
    }
  }
  return { definitions, leaves };
}

function collectLeaves(node: unknown, tree: RawMethodLeaf["tree"], path: string[], ctx: WalkContext, pointer: string, out: RawMethodLeaf[]): void {
  if (!isObject(node))
    throw new CodegenError("expected a namespace object or a method leaf (an object with rpcMethod)", ctx.file.name, pointer, "fix the method tree");
  if ("rpcMethod" in node) {
    for (const k of Object.keys(node)) {
      if (!LEAF_KEYS.has(k))
        throw new CodegenError(`unknown method property "${k}"`, ctx.file.name, ptr(pointer, k), `a method leaf may only have ${[...LEAF_KEYS].join(", ")}`);
    }
    const leaf: Schema = { ...node };
    for (const k of ["params", "result"] as const) {
      if (node[k] !== undefined && node[k] !== null) leaf[k] = rewriteSchema(node[k], ctx, ptr(pointer, k));
    }
    out.push({ tree, path, leaf, source: { file: ctx.file.name, pointer } });
    return;
  }
  for (const k of Object.keys(node).sort(byString)) collectLeaves(node[k], tree, [...path, k], ctx, ptr(pointer, k), out);
}
