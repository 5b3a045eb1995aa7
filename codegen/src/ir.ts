/**
 * The intermediate representation: what every emitter reads. Plain JSON data (no classes, no
 * functions) so `flightdeck-codegen ir --json` can print it and other-language emitters can use it.
 * Everything is sorted: methods by name, events by type string, types by name.
 */
import { bundle, type Bundle, type SourceRef } from "./bundle.js";
import { CodegenError, ptr } from "./errors.js";
import { EVENTS_FILE, type LoadedSchemas, type SchemaSource } from "./load.js";
import { byString, canonical, isObject, pascalFromMethod, type Schema } from "./util.js";

export const IR_VERSION = 2;

export type MethodScope = "server" | "session" | "clientSession" | "clientGlobal";
export type MethodDirection = "clientToServer" | "serverToClient";

/** One JSON-RPC method. */
export interface IrMethod {
  /** Wire name, exactly as sent (`session.tools.handlePendingToolCall`). */
  readonly name: string;
  /** Position in the schema tree; stubs are nested along it (`["tools", "handlePendingToolCall"]`). */
  readonly path: readonly string[];
  /** `clientToServer` for the `server`/`session` trees, `serverToClient` for `clientSession`/`clientGlobal`. */
  readonly direction: MethodDirection;
  readonly scope: MethodScope;
  readonly kind: "request" | "notification";
  readonly visibility: "public" | "internal";
  /** `stable` when the schema says nothing. */
  readonly stability: string;
  readonly deprecated: boolean;
  readonly description: string | null;
  /** True when stubs inject `sessionId` (scope `session`). */
  readonly sessionScoped: boolean;
  /** `null`: the method takes no params at all (`params: null` in the schema). */
  readonly params: IrParams | null;
  /** `null`: void (`result: {type: "null"}`, or a notification). */
  readonly result: IrResult | null;
  readonly source: SourceRef;
}

export interface IrParams {
  /**
   * TypeScript type of the argument a caller passes (a named type or a small inline type such as
   * `unknown`), or `null` when the stub takes no argument (the only wire param is `sessionId`).
   */
  readonly tsType: string | null;
  /**
   * Language-neutral: the IR named type (in `types`) of that argument, or `null` when it is not
   * one named type (no argument, or an inline schema such as an array or `unknown`; see `schema`).
   */
  readonly typeName: string | null;
  /** TypeScript type of the params on the wire (with `sessionId` where the schema has it inline). */
  readonly tsWireType: string;
  /** The schema allowed params to be absent (`{"not":{}}` branch): the argument is optional. */
  readonly optional: boolean;
  /** `sessionId` is part of the wire params and removed from the public type. */
  readonly stripsSessionId: boolean;
  /** Wire schema in validation form (refs into `#/definitions`). */
  readonly schema: Schema;
}

export interface IrResult {
  /** TypeScript type of the result (a named type or a small inline type). */
  readonly tsType: string;
  /** Language-neutral: the IR named type (in `types`) of the result, or `null` when it is inline (see `schema`). */
  readonly typeName: string | null;
  /** The result may be absent (`{"not":{}}` branch). */
  readonly optional: boolean;
  readonly schema: Schema;
}

/** One session event type (one member of `SessionEvent`). */
export interface IrEvent {
  /** The `type` discriminator, never transformed (`assistant.message_delta`). */
  readonly type: string;
  /** Interface name of the whole event (`AssistantMessageDeltaEvent`). */
  readonly typeName: string;
  /** Type name of `data`. */
  readonly dataTypeName: string;
  /** The schema pins `ephemeral: true` (never persisted to the session log). */
  readonly ephemeral: boolean;
  readonly visibility: "public" | "internal";
  readonly stability: string;
  readonly deprecated: boolean;
  readonly description: string | null;
  readonly source: SourceRef;
}

/** One named type (a schema definition, or a type synthesized for an untitled inline schema). */
export interface IrNamedType {
  readonly name: string;
  readonly visibility: "public" | "internal";
  readonly stability: string | null;
  readonly deprecated: boolean;
  readonly description: string | null;
  /** `definition`: from a schema's definitions; `synthesized`: named by the generator from a method. */
  readonly origin: "definition" | "synthesized";
  readonly source: SourceRef;
  readonly alsoDefinedIn: readonly SourceRef[];
  /** Validation form: refs are `#/definitions/<Name>`; all validation keywords kept. */
  readonly schema: Schema;
}

export interface IrInput {
  readonly name: string;
  readonly role: "api" | "events" | "overlay";
  readonly sha256: string;
}

export interface CodegenIr {
  readonly irVersion: typeof IR_VERSION;
  readonly source: SchemaSource;
  readonly inputs: readonly IrInput[];
  readonly methods: readonly IrMethod[];
  readonly events: readonly IrEvent[];
  readonly types: readonly IrNamedType[];
}

const ANNOTATIONS = new Set(["description", "title", "x-enumDescriptions", "examples", "$comment", "stability", "visibility"]);
const isNotEmpty = (s: unknown): boolean => isObject(s) && isObject(s["not"]) && Object.keys(s["not"]).length === 0 && Object.keys(s).length === 1;

/** Equality of two schemas up to annotations, with `required: []` meaning no `required`. */
function sameShape(a: unknown, b: unknown): boolean {
  const norm = (s: unknown): unknown => {
    if (!isObject(s)) return s;
    const o = { ...s };
    if (Array.isArray(o["required"]) && o["required"].length === 0) delete o["required"];
    return o;
  };
  return canonical(norm(a), ANNOTATIONS) === canonical(norm(b), ANNOTATIONS);
}

/** Splits an `anyOf` with a `{"not":{}}` branch into (optional, the remaining schema). */
function splitOptional(schema: Schema, file: string, pointer: string): { optional: boolean; schema: Schema } {
  const branches = schema["anyOf"];
  if (!Array.isArray(branches) || !branches.some(isNotEmpty)) return { optional: false, schema };
  const rest = branches.filter((b) => !isNotEmpty(b));
  if (rest.length !== 1 || !isObject(rest[0])) {
    throw new CodegenError(
      `an optional params/result anyOf must have exactly one branch besides {"not":{}}`,
      file,
      pointer,
      "wrap the alternatives in a definition and reference it",
    );
  }
  const { anyOf: _ignored, ...outer } = schema;
  return { optional: true, schema: { ...rest[0], ...outer } };
}

/**
 * A TypeScript expression for a schema simple enough to name inline (refs, primitives, opaque
 * JSON, arrays and unions of those); `null` when it needs a named type.
 */
export function inlineType(schema: unknown): string | null {
  if (schema === true || (isObject(schema) && Object.keys(schema).filter((k) => !ANNOTATIONS.has(k)).length === 0)) return "unknown";
  if (!isObject(schema)) return null;
  if (typeof schema["$ref"] === "string") return schema["$ref"].slice("#/definitions/".length);
  if (schema["x-opaque-json"] === true || schema["x-opaque-in-process"] === true) return "unknown";
  if ("const" in schema) return JSON.stringify(schema["const"]);
  if (Array.isArray(schema["anyOf"])) {
    const parts = schema["anyOf"].filter((b) => !isNotEmpty(b)).map(inlineType);
    return parts.every((p): p is string => p !== null) ? parts.join(" | ") : null;
  }
  const prim = (t: unknown): string | null =>
    t === "string" ? "string" : t === "number" || t === "integer" ? "number" : t === "boolean" ? "boolean" : t === "null" ? "null" : null;
  if (Array.isArray(schema["type"])) {
    const parts = schema["type"].map(prim);
    return parts.every((p): p is string => p !== null) ? parts.join(" | ") : null;
  }
  if (schema["type"] === "array") {
    const item = inlineType(schema["items"] ?? true);
    return item === null ? null : /[ |]/.test(item) ? `Array<${item}>` : `${item}[]`;
  }
  if (Array.isArray(schema["enum"]) && schema["enum"].every((v) => typeof v === "string")) {
    return (schema["enum"] as string[]).map((v) => JSON.stringify(v)).join(" | ");
  }
  return prim(schema["type"]);
}

interface Builder {
  readonly bundle: Bundle;
  readonly synthesized: Map<string, IrNamedType>;
}

function defSchema(b: Builder, name: string): Schema | undefined {
  return b.bundle.definitions.get(name)?.schema ?? b.synthesized.get(name)?.schema;
}

function synthesize(b: Builder, name: string, schema: Schema, source: SourceRef, why: string): string {
  if (b.bundle.definitions.has(name)) {
    const d = b.bundle.definitions.get(name)!;
    if (sameShape(d.schema, schema)) return name;
    throw new CodegenError(
      `the generator would name ${why} "${name}", but a different definition with that name exists at ${d.source.file}${d.source.pointer}`,
      source.file,
      source.pointer,
      `give the inline schema a "title" naming an existing equal definition, or rename one of them`,
    );
  }
  const prev = b.synthesized.get(name);
  if (prev && !sameShape(prev.schema, schema)) {
    throw new CodegenError(
      `two different inline schemas would both be named "${name}" (other: ${prev.source.file}${prev.source.pointer})`,
      source.file,
      source.pointer,
      "add distinct titles",
    );
  }
  const { title: _t, ...rest } = schema;
  b.synthesized.set(name, {
    name,
    visibility: schema["visibility"] === "internal" ? "internal" : "public",
    stability: typeof schema["stability"] === "string" ? schema["stability"] : null,
    deprecated: schema["deprecated"] === true,
    description: typeof schema["description"] === "string" ? schema["description"] : null,
    origin: "synthesized",
    source,
    alsoDefinedIn: [],
    schema: rest,
  });
  return name;
}

/** Names a schema: its `$ref`, a titled definition of the same shape, an inline type, or a synthesized name. */
function nameSchema(b: Builder, schema: Schema, fallbackName: string, source: SourceRef, why: string): string {
  const inline = typeof schema["$ref"] === "string" ? inlineType(schema) : null;
  if (inline) return inline;
  const title = typeof schema["title"] === "string" ? schema["title"] : null;
  if (title) {
    const def = defSchema(b, title);
    if (def) {
      const defBody = isObject(def) && Array.isArray(def["anyOf"]) ? splitOptional(def, source.file, source.pointer).schema : def;
      if (sameShape(defBody, schema) || sameShape(def, schema)) return title;
    }
    return synthesize(b, title, schema, source, why);
  }
  const simple = inlineType(schema);
  if (simple) return simple;
  return synthesize(b, fallbackName, schema, source, why);
}

function buildParams(b: Builder, leafParams: unknown, scope: MethodScope, method: string, source: SourceRef): IrParams | null {
  if (leafParams === null || leafParams === undefined) return null;
  const pointer = ptr(source.pointer, "params");
  const src = { file: source.file, pointer };
  const wire = leafParams as Schema;
  const { optional, schema } = splitOptional(wire, source.file, pointer);
  const fallback = `${pascalFromMethod(method)}Params`;
  // Session and client-session methods carry sessionId inline; the public type is the shape without it.
  // A session method may also $ref a definition that has sessionId (overlay style): strip it there too.
  const refName = typeof schema["$ref"] === "string" ? schema["$ref"].slice("#/definitions/".length) : null;
  const body = scope === "session" && refName ? (defSchema(b, refName) ?? schema) : schema;
  const props = isObject(body["properties"]) ? body["properties"] : null;
  const strips = (scope === "session" || (scope === "clientSession" && !refName)) && props !== null && "sessionId" in props;
  if (scope === "session" && !strips) {
    throw new CodegenError(
      `session method params have no inline "sessionId" property`,
      source.file,
      pointer,
      "session methods must take sessionId inline so stubs can inject it",
    );
  }
  if (!strips) {
    // An inline object with no properties at all: the stub takes no argument and sends {}.
    if (!refName && props !== null && Object.keys(props).length === 0 && !schema["additionalProperties"] && !schema["anyOf"]) {
      return { tsType: null, typeName: null, tsWireType: "Record<string, never>", optional, stripsSessionId: false, schema: wire };
    }
    const type = nameSchema(b, schema, fallback, src, `the params of ${method}`);
    return { tsType: type, typeName: type, tsWireType: type, optional, stripsSessionId: false, schema: wire };
  }
  const sid = props!["sessionId"];
  const required = Array.isArray(body["required"]) ? (body["required"] as string[]) : [];
  if (!isObject(sid) || sid["type"] !== "string" || !required.includes("sessionId")) {
    throw new CodegenError(
      `"sessionId" must be a required string`,
      source.file,
      ptr(pointer, "properties", "sessionId"),
      "declare sessionId as {type: string} and list it in required",
    );
  }
  // A titled inline schema equal to its definition including sessionId: that definition is the type.
  const title = typeof schema["title"] === "string" ? schema["title"] : null;
  if (title && scope === "clientSession") {
    const def = defSchema(b, title);
    if (def && sameShape(def, schema)) return { tsType: title, typeName: title, tsWireType: title, optional, stripsSessionId: false, schema: wire };
  }
  const { sessionId: _sid, ...restProps } = props!;
  const { title: _title, ...bodyRest } = body;
  const publicSchema: Schema = { ...(refName ? bodyRest : body), properties: restProps, required: required.filter((r) => r !== "sessionId") };
  if (Object.keys(restProps).length === 0) {
    return { tsType: null, typeName: null, tsWireType: "{ sessionId: string }", optional, stripsSessionId: true, schema: wire };
  }
  const type = nameSchema(b, publicSchema, fallback, src, `the params of ${method}`);
  return { tsType: type, typeName: type, tsWireType: `WithSessionId<${type}>`, optional, stripsSessionId: true, schema: wire };
}

function buildResult(b: Builder, leafResult: unknown, method: string, source: SourceRef): IrResult | null {
  if (leafResult === undefined || leafResult === null) return null;
  const pointer = ptr(source.pointer, "result");
  const wire = leafResult as Schema;
  if (wire["type"] === "null" && Object.keys(wire).every((k) => k === "type" || ANNOTATIONS.has(k))) return null;
  const { optional, schema } = splitOptional(wire, source.file, pointer);
  const type = nameSchema(b, schema, `${pascalFromMethod(method)}Result`, { file: source.file, pointer }, `the result of ${method}`);
  return { tsType: type, typeName: type, optional, schema: wire };
}

function str(v: unknown): string | null {
  return typeof v === "string" ? v : null;
}

/** Builds the IR from loaded schemas. Throws {@link CodegenError} on anything it cannot represent faithfully. */
export function buildIr(schemas: LoadedSchemas): CodegenIr {
  const bd = bundle(schemas);
  const b: Builder = { bundle: bd, synthesized: new Map() };
  const methods = new Map<string, IrMethod>();
  for (const leaf of bd.leaves) {
    const l = leaf.leaf;
    const name = l["rpcMethod"];
    if (typeof name !== "string" || name === "")
      throw new CodegenError("rpcMethod must be a non-empty string", leaf.source.file, ptr(leaf.source.pointer, "rpcMethod"), "fix the method leaf");
    const prev = methods.get(name);
    if (prev) {
      throw new CodegenError(
        `method "${name}" is defined twice (first at ${prev.source.file}${prev.source.pointer})`,
        leaf.source.file,
        leaf.source.pointer,
        "remove one; overlays must only add methods upstream lacks",
      );
    }
    const expected = (leaf.tree === "session" ? ["session", ...leaf.path] : leaf.path).join(".");
    if (expected !== name) {
      throw new CodegenError(
        `rpcMethod "${name}" does not match its tree position (expected "${expected}")`,
        leaf.source.file,
        leaf.source.pointer,
        "place the method at the tree path that spells its wire name",
      );
    }
    const kind = l["notification"] === true ? "notification" : "request";
    const scope = leaf.tree;
    methods.set(name, {
      name,
      path: leaf.tree === "session" ? leaf.path : name.split("."),
      direction: scope === "server" || scope === "session" ? "clientToServer" : "serverToClient",
      scope,
      kind,
      visibility: l["visibility"] === "internal" ? "internal" : "public",
      stability: str(l["stability"]) ?? "stable",
      deprecated: l["deprecated"] === true,
      description: str(l["description"]),
      sessionScoped: scope === "session",
      params: buildParams(b, l["params"], scope, name, leaf.source),
      result: kind === "notification" ? null : buildResult(b, l["result"], name, leaf.source),
      source: leaf.source,
    });
  }

  const events = buildEvents(schemas, bd);
  const types: IrNamedType[] = [];
  for (const d of bd.definitions.values()) {
    types.push({
      name: d.name,
      visibility: d.schema["visibility"] === "internal" ? "internal" : "public",
      stability: str(d.schema["stability"]),
      deprecated: d.schema["deprecated"] === true,
      description: str(d.schema["description"]),
      origin: "definition",
      source: d.source,
      alsoDefinedIn: d.alsoDefinedIn,
      schema: d.schema,
    });
  }
  types.push(...b.synthesized.values());
  types.sort((x, y) => byString(x.name, y.name));
  // `typeName` is the language-neutral reference: a named IR type, or null for inline TypeScript.
  const named = new Set(types.map((t) => t.name));
  const neutral = <T extends { tsType: string | null; typeName: string | null }>(x: T | null): T | null =>
    x === null ? null : { ...x, typeName: x.tsType !== null && named.has(x.tsType) ? x.tsType : null };
  for (const [name, m] of methods) methods.set(name, { ...m, params: neutral(m.params), result: neutral(m.result) });

  return {
    irVersion: IR_VERSION,
    source: schemas.source,
    inputs: [schemas.api, schemas.events, ...schemas.overlays].map((f) => ({ name: f.name, role: f.role, sha256: f.sha256 })),
    methods: [...methods.values()].sort((x, y) => byString(x.name, y.name)),
    events,
    types,
  };
}

function buildEvents(schemas: LoadedSchemas, bd: Bundle): IrEvent[] {
  const file = EVENTS_FILE;
  const root = bd.definitions.get("SessionEvent");
  const members = root?.schema["anyOf"];
  if (!root || !Array.isArray(members)) {
    throw new CodegenError(
      `"SessionEvent" must be an anyOf of event definitions`,
      file,
      "#/definitions/SessionEvent",
      "keep the upstream events schema byte-exact",
    );
  }
  const seen = new Map<string, IrEvent>();
  members.forEach((m, i) => {
    const pointer = ptr("#/definitions/SessionEvent/anyOf", i);
    const ref = isObject(m) ? str(m["$ref"]) : null;
    if (!ref) throw new CodegenError("SessionEvent member is not a $ref", file, pointer, "reference an XxxEvent definition");
    const typeName = ref.slice("#/definitions/".length);
    const def = bd.definitions.get(typeName)!;
    const props = isObject(def.schema["properties"]) ? def.schema["properties"] : {};
    const t = props["type"];
    const type = isObject(t) ? t["const"] : undefined;
    if (typeof type !== "string")
      throw new CodegenError(
        `event "${typeName}" has no string const "type"`,
        def.source.file,
        ptr(def.source.pointer, "properties", "type"),
        "give every event a const type discriminator",
      );
    const data = props["data"];
    const dataRef = isObject(data) ? str(data["$ref"]) : null;
    if (!dataRef)
      throw new CodegenError(
        `event "${typeName}" data is not a $ref`,
        def.source.file,
        ptr(def.source.pointer, "properties", "data"),
        "move the data schema into a definition",
      );
    const prev = seen.get(type);
    if (prev)
      throw new CodegenError(
        `event type "${type}" is used by both ${prev.typeName} and ${typeName}`,
        def.source.file,
        def.source.pointer,
        "event types must be unique",
      );
    const eph = props["ephemeral"];
    seen.set(type, {
      type,
      typeName,
      dataTypeName: dataRef.slice("#/definitions/".length),
      ephemeral: isObject(eph) && eph["const"] === true,
      visibility: def.schema["visibility"] === "internal" ? "internal" : "public",
      stability: str(def.schema["stability"]) ?? "stable",
      deprecated: def.schema["deprecated"] === true,
      description: str(def.schema["description"]),
      source: def.source,
    });
  });
  void schemas;
  return [...seen.values()].sort((x, y) => byString(x.type, y.type));
}
