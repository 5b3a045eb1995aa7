/**
 * The names the generated code gives upstream definitions, where they differ from the schema's.
 *
 * An overlay file may carry `"x-type-names": { "<definition>": "<TypeScript name>" }` at its root.
 * The bundler then files that definition under the new name, and every `$ref`, `title` and
 * `x-typescript-type` naming it follows, so types, validators and the IR all use the new name while
 * the upstream files stay byte-exact. Flightdeck uses it where a hand-written package already gives
 * the schema's name a different meaning (`Tool` is what `defineTool` returns; the schema's `Tool`
 * describes a built-in tool): one name, one type, across every package.
 */
import { CodegenError, ptr } from "./errors.js";
import type { LoadedFile } from "./load.js";
import { byString, isObject } from "./util.js";

/** The root key of an overlay file that holds the renames. */
export const TYPE_NAMES_KEY = "x-type-names";

const IDENTIFIER = /^[A-Za-z_$][A-Za-z0-9_$]*$/;

/**
 * Reads every overlay's `x-type-names` into one map (schema name → generated name) and checks it:
 * each entry renames a definition that exists to a name no definition has, and no two entries
 * meet on one name. `defined` holds every definition name of every input file.
 */
export function readTypeNames(overlays: readonly LoadedFile[], defined: ReadonlySet<string>): ReadonlyMap<string, string> {
  const renames = new Map<string, { to: string; file: string }>();
  const taken = new Map<string, string>();
  for (const file of overlays) {
    const table = file.json[TYPE_NAMES_KEY];
    if (table === undefined) continue;
    const where = ptr("#", TYPE_NAMES_KEY);
    if (!isObject(table)) throw new CodegenError(`"${TYPE_NAMES_KEY}" must be an object`, file.name, where, `write { "SchemaName": "GeneratedName", … }`);
    for (const from of Object.keys(table).sort(byString)) {
      const to = table[from];
      const p = ptr(where, from);
      if (typeof to !== "string" || !IDENTIFIER.test(to))
        throw new CodegenError(`the new name of "${from}" is not a TypeScript identifier`, file.name, p, 'give a name such as "ToolInfo"');
      if (!defined.has(from))
        throw new CodegenError(
          `no schema defines "${from}", so there is nothing to rename`,
          file.name,
          p,
          "remove the entry (the definition was renamed or dropped upstream), or fix its spelling",
        );
      if (defined.has(to))
        throw new CodegenError(
          `"${from}" would be renamed to "${to}", but a definition of that name exists`,
          file.name,
          p,
          "pick a name no schema definition uses",
        );
      const prev = renames.get(from);
      if (prev && prev.to !== to) throw new CodegenError(`"${from}" is renamed twice (also to "${prev.to}" in ${prev.file})`, file.name, p, "keep one entry");
      const other = taken.get(to);
      if (other !== undefined && other !== from)
        throw new CodegenError(`"${from}" and "${other}" would both be named "${to}"`, file.name, p, "give each its own name");
      renames.set(from, { to, file: file.name });
      taken.set(to, from);
    }
  }
  return new Map([...renames].map(([from, { to }]) => [from, to]));
}

/** A type expression naming a definition (`Tool`, `Tool[]`) with the definition renamed; anything else as is. */
export function renameTypeRef(text: string, renames: ReadonlyMap<string, string>): string {
  const m = /^([A-Za-z_$][\w$]*)((?:\[\])*)$/.exec(text);
  const to = m ? renames.get(m[1]!) : undefined;
  return to === undefined ? text : `${to}${m![2]}`;
}
