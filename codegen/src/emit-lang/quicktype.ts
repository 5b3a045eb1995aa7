/**
 * Other languages' model types from the IR, through quicktype-core: one top-level type per event
 * data type and per named method params/result type; everything they reference comes along.
 * quicktype is good at plain model types (protocol-notes §2); TypeScript stays with our own emitter.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { InputData, JSONSchemaInput, JSONSchemaStore, quicktype, type JSONSchema, type Options } from "quicktype-core";
import { CodegenError } from "../errors.js";
import type { CodegenIr } from "../ir.js";
import { GENERATOR_NAME, GENERATOR_VERSION } from "../emit/header.js";
import { VALUE_KEYWORDS } from "../bundle.js";
import { byString, isObject, type Schema } from "../util.js";

interface LanguageSpec {
  /** quicktype's language name. */
  readonly quicktype: NonNullable<Options["lang"]>;
  /** Compiled and round-tripped against every recorded event in CI (`codegen/test/lang-*.test.ts`). */
  readonly verified: boolean;
  /** File name of the single-file output. */
  readonly file: string;
  readonly comment: string;
  readonly options: Record<string, string>;
}

/** Languages `flightdeck-codegen types --lang` accepts, with the quicktype options we pin. */
export const LANGUAGES: Readonly<Record<string, LanguageSpec>> = {
  python: { verified: true, file: "protocol.py", quicktype: "python", comment: "#", options: { "python-version": "3.7", "just-types": "false" } },
  rust: {
    verified: false,
    file: "protocol.rs",
    quicktype: "rust",
    comment: "//",
    options: { visibility: "public", "derive-debug": "true", "derive-clone": "true", "derive-partial-eq": "true" },
  },
  java: { verified: false, file: "Protocol.java", quicktype: "java", comment: "//", options: { package: "dev.flightdeck.protocol", "just-types": "true" } },
  go: { verified: false, file: "protocol.go", quicktype: "go", comment: "//", options: { package: "protocol", "just-types-and-package": "true" } },
  csharp: {
    verified: false,
    file: "Protocol.cs",
    quicktype: "csharp",
    comment: "//",
    options: { namespace: "Flightdeck.Protocol", framework: "SystemTextJson" },
  },
  kotlin: {
    verified: false,
    file: "Protocol.kt",
    quicktype: "kotlin",
    comment: "//",
    options: { framework: "just-types", package: "dev.flightdeck.protocol" },
  },
  swift: { verified: false, file: "Protocol.swift", quicktype: "swift", comment: "//", options: { "just-types": "true" } },
};
export type TargetLanguage = keyof typeof LANGUAGES;

/** Languages whose output CI compiles and round-trips every recorded event through. */
export function verifiedLanguages(): string[] {
  return Object.keys(LANGUAGES).filter((l) => LANGUAGES[l]!.verified);
}

const SCHEMA_ADDRESS = "flightdeck-protocol.json";
/** Our annotations, `format`, and `if`/`then`/`else` (value rules, no type of their own; a branch left empty is `{}`) (strings stay strings, so values round-trip byte for byte). */
const DROP = new Set([
  "stability",
  "visibility",
  "format",
  "x-enumDescriptions",
  "title",
  "examples",
  "$comment",
  "deprecated",
  "contentEncoding",
  "contentMediaType",
  "if",
  "then",
  "else",
]);
const isAbsent = (s: unknown) => isObject(s) && isObject(s["not"]) && Object.keys(s["not"]).length === 0 && Object.keys(s).length === 1;

/** The IR schema in a form quicktype reads: no `{"not":{}}` branches, opaque JSON as `{}`, no vendor keywords. */
function forQuicktype(schema: unknown): unknown {
  if (Array.isArray(schema)) return schema.map(forQuicktype);
  if (!isObject(schema)) return schema;
  if (schema["x-opaque-json"] === true || schema["x-opaque-in-process"] === true) return {};
  const out: Schema = {};
  for (const [k, v] of Object.entries(schema)) {
    if (DROP.has(k) || k.startsWith("x-")) continue;
    if (k === "anyOf" && Array.isArray(v)) {
      const rest = v.filter((b) => !isAbsent(b));
      if (rest.length === 1 && isObject(rest[0])) Object.assign(out, forQuicktype(rest[0]));
      else out[k] = rest.map(forQuicktype);
    } else if (k === "properties" && isObject(v)) out[k] = Object.fromEntries(Object.entries(v).map(([p, s]) => [p, forQuicktype(s)]));
    else if (VALUE_KEYWORDS.has(k)) out[k] = v;
    else out[k] = forQuicktype(v);
  }
  return out;
}

class InMemoryStore extends JSONSchemaStore {
  constructor(private readonly schema: JSONSchema) {
    super();
  }
  async fetch(address: string): Promise<JSONSchema | undefined> {
    return address.split("#")[0] === SCHEMA_ADDRESS ? this.schema : undefined;
  }
}

/** The top-level types: every event's data type and every named params/result type of a method, sorted. */
export function topLevelTypes(ir: CodegenIr): string[] {
  const named = new Set(ir.types.map((t) => t.name));
  const out = new Set<string>();
  for (const e of ir.events) out.add(e.dataTypeName);
  for (const m of ir.methods) {
    if (m.params?.tsType && named.has(m.params.tsType)) out.add(m.params.tsType);
    if (m.result?.tsType && named.has(m.result.tsType)) out.add(m.result.tsType);
  }
  return [...out].sort(byString);
}

/** The provenance banner of the TypeScript output, in this language's comments. */
export function languageHeader(ir: CodegenIr, lang: TargetLanguage): string {
  const s = ir.source;
  const c = LANGUAGES[lang]!.comment;
  return [
    `DO NOT EDIT: generated by ${GENERATOR_NAME} ${GENERATOR_VERSION} with quicktype-core. Regenerate with \`flightdeck-codegen types --lang ${lang} --out <file>\`.`,
    `Schemas: ${s.package}@${s.version} (runtime ${s.runtimeVersion}${s.protocolVersion === null ? "" : `, protocol ${s.protocolVersion}`}).`,
    ...ir.inputs.map((f) => `sha256 ${f.sha256}  ${f.name}`),
  ]
    .map((l) => `${c} ${l}`)
    .join("\n");
}

/**
 * Model types for `lang` from the IR. Deterministic: same IR, same text.
 * @example
 * ```ts
 * const py = await emitLanguageTypes(buildIr(loadSchemas("schemas")), "python");
 * ```
 */
export async function emitLanguageTypes(ir: CodegenIr, lang: string, options: { topLevels?: readonly string[] } = {}): Promise<string> {
  const spec = LANGUAGES[lang];
  if (!spec) {
    throw new CodegenError(`unknown language "${lang}"`, "--lang", undefined, `pass one of ${Object.keys(LANGUAGES).join(", ")}`);
  }
  const definitions: Schema = {};
  for (const t of ir.types) definitions[t.name] = forQuicktype(t.schema);
  const store = new InMemoryStore({ definitions } as JSONSchema);
  const input = new JSONSchemaInput(store);
  const tops = options.topLevels ?? topLevelTypes(ir);
  for (const name of tops) {
    if (!(name in definitions)) throw new CodegenError(`no named type "${name}" in the IR`, "--types", undefined, "pass names of IR types");
    await input.addSource({ name, uris: [`${SCHEMA_ADDRESS}#/definitions/${name}`] });
  }
  const data = new InputData();
  data.addInput(input);
  const result = await quicktype({
    inputData: data,
    lang: spec.quicktype,
    rendererOptions: spec.options,
    leadingComments: [],
    inferDateTimes: false,
    combineClasses: false,
  });
  const body = result.lines.join("\n").trimEnd();
  return `${languageHeader(ir, lang as TargetLanguage)}\n\n${lang === "python" ? tolerantPython(body) : body}\n`;
}

/**
 * Python made tolerant of a newer runtime, after quicktype: an enum value this module does not know
 * becomes a pseudo-member instead of raising (the runtime really sends `shutdownType: "destroy"`),
 * and every class keeps what it read: `to_dict` writes the keys the input had, in its order,
 * known ones re-serialized from the typed fields, unknown ones and explicit nulls as they came;
 * keys the input did not have stay absent.
 */
const PYTHON_TOLERANT_ENUM = `from enum import Enum as _StdEnum


class Enum(_StdEnum):
    """An enum that accepts values a newer runtime adds: they become pseudo-members (value kept)."""

    @classmethod
    def _missing_(cls, value: Any) -> Any:
        if not isinstance(value, str):
            return None
        member = object.__new__(cls)
        member._value_ = value
        member._name_ = value
        return member
`;

const PYTHON_PRESERVE = `

def _keep_what_was_read(cls: Any) -> None:
    """Wraps from_dict/to_dict: unknown keys and explicit nulls survive a round trip, absent keys stay absent."""
    read, write = cls.from_dict, cls.to_dict

    def from_dict(obj: Any) -> Any:
        instance = read(obj)
        object.__setattr__(instance, "_wire", obj)
        return instance

    def to_dict(self: Any) -> dict:
        known = write(self)
        wire = getattr(self, "_wire", None)
        if not isinstance(wire, dict):
            return known
        out = {k: (known[k] if k in known else v) for k, v in wire.items()}
        out.update({k: v for k, v in known.items() if k not in out})
        return out

    cls.from_dict = staticmethod(from_dict)
    cls.to_dict = to_dict


for _cls in list(globals().values()):
    if isinstance(_cls, type) and "from_dict" in vars(_cls) and "to_dict" in vars(_cls):
        _keep_what_was_read(_cls)
`;

function tolerantPython(text: string): string {
  if (!/^from enum import Enum$/m.test(text))
    throw new CodegenError(
      "quicktype's Python output no longer imports Enum as expected",
      undefined,
      undefined,
      "update tolerantPython in codegen/src/emit-lang/quicktype.ts for this quicktype version",
    );
  const typing = /^from typing import .*$/m.exec(text);
  const withEnum = text.replace(/^from enum import Enum\n/m, "");
  // After the typing import (the base class needs Any), before the first use.
  const at = typing ? withEnum.indexOf(typing[0]) + typing[0].length : 0;
  return `${withEnum.slice(0, at)}\n${PYTHON_TOLERANT_ENUM}${withEnum.slice(at)}`.trimEnd() + `\n${PYTHON_PRESERVE}`;
}

/** The output as files (name → text): one file for most languages. */
export async function emitLanguageFiles(ir: CodegenIr, lang: string, options: { topLevels?: readonly string[] } = {}): Promise<Map<string, string>> {
  const text = await emitLanguageTypes(ir, lang, options);
  return new Map([[LANGUAGES[lang]!.file, text]]);
}

/**
 * Writes `files` to `out`: a single file to `out` itself, several into the folder `out`.
 * Returns what was written, for the log line.
 */
export function writeLanguageOutput(files: ReadonlyMap<string, string>, out: string): string {
  if (files.size === 1) {
    const [text] = files.values();
    mkdirSync(dirname(resolve(out)), { recursive: true });
    writeFileSync(out, text!);
    return resolve(out);
  }
  for (const [name, text] of files) {
    const full = join(resolve(out), name);
    mkdirSync(dirname(full), { recursive: true });
    writeFileSync(full, text);
  }
  return `${files.size} files in ${resolve(out)}`;
}
