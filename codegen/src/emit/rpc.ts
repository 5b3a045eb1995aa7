/**
 * rpc.ts / internal-rpc.ts (ts-morph, from structures in one bulk call): typed stub interfaces
 * nested along the schema tree, handler interfaces for server→client traffic, and the factory and
 * registration functions that drive the generated table through core's hand-written runtime
 * (`buildStubs`, `registerHandlers` from `@flightdeck/copilot-core/runtime`).
 */
import {
  IndentationText,
  NewLineKind,
  Project,
  QuoteKind,
  StructureKind,
  type InterfaceDeclarationStructure,
  type MethodSignatureStructure,
  type PropertySignatureStructure,
  type StatementStructures,
} from "ts-morph";
import { CodegenError } from "../errors.js";
import type { CodegenIr, IrMethod } from "../ir.js";
import { byString, pascalFromMethod } from "../util.js";
import { importTypes, internalMethods, propName, publicMethods, referencedTypes, resultType, runtimeModuleFrom } from "./common.js";
import { safeDoc } from "./docs.js";
import { tsHeader } from "./header.js";

interface TreeNode {
  readonly children: Map<string, TreeNode>;
  readonly methods: Map<string, IrMethod>;
}

function buildTree(methods: readonly IrMethod[], scope: "server" | "session"): TreeNode {
  const root: TreeNode = { children: new Map(), methods: new Map() };
  for (const m of methods) {
    if (m.scope !== scope) continue;
    let node = root;
    for (const seg of m.path.slice(0, -1)) {
      if (node.methods.has(seg))
        throw new CodegenError(`"${seg}" is both a method and a namespace (method ${m.name})`, m.source.file, m.source.pointer, "rename one of them");
      let next = node.children.get(seg);
      if (!next) node.children.set(seg, (next = { children: new Map(), methods: new Map() }));
      node = next;
    }
    const last = m.path[m.path.length - 1]!;
    if (node.children.has(last)) throw new CodegenError(`"${last}" is both a method and a namespace`, m.source.file, m.source.pointer, "rename one of them");
    node.methods.set(last, m);
  }
  return root;
}

function methodDoc(m: IrMethod): string {
  const parts = [m.description ? safeDoc(m.description) : `Calls \`${m.name}\`.`];
  parts.push(`Wire method: \`${m.name}\`${m.sessionScoped ? " (the bound session's id is sent as `sessionId`)" : ""}.`);
  const tags: string[] = [];
  if (m.stability === "experimental") tags.push("@experimental");
  if (m.deprecated) tags.push("@deprecated");
  if (tags.length) parts.push(tags.join("\n"));
  return parts.join("\n\n");
}

function stubSignature(name: string, m: IrMethod): MethodSignatureStructure {
  const parameters: MethodSignatureStructure["parameters"] = [];
  if (m.params?.tsType) parameters.push({ name: "params", type: m.params.tsType, hasQuestionToken: m.params.optional });
  if (m.kind === "request") parameters.push({ name: "options", type: "RequestOptions", hasQuestionToken: true });
  return {
    kind: StructureKind.MethodSignature,
    name: propName(name),
    docs: [{ description: methodDoc(m) }],
    parameters,
    returnType: m.kind === "notification" ? "Promise<void>" : `Promise<${resultType(m)}>`,
  };
}

/** One interface per namespace node, named after its path (`SessionRpcTools`). */
function treeInterfaces(root: TreeNode, rootName: string, rootDoc: string, taken: Set<string>): InterfaceDeclarationStructure[] {
  const out: InterfaceDeclarationStructure[] = [];
  const visit = (node: TreeNode, name: string, doc: string) => {
    if (taken.has(name))
      throw new CodegenError(`generated interface name "${name}" collides with another type`, undefined, undefined, "rename the namespace or the definition");
    taken.add(name);
    const properties: PropertySignatureStructure[] = [];
    for (const seg of [...node.children.keys()].sort(byString)) {
      const childName = name + pascalFromMethod(seg);
      properties.push({
        kind: StructureKind.PropertySignature,
        name: propName(seg),
        type: childName,
        isReadonly: true,
        docs: [{ description: `\`${seg}\` methods.` }],
      });
      visit(node.children.get(seg)!, childName, `The \`${seg}\` namespace of {@link ${rootName}}.`);
    }
    const methods = [...node.methods.keys()].sort(byString).map((k) => stubSignature(k, node.methods.get(k)!));
    out.push({ kind: StructureKind.Interface, name, isExported: true, docs: [{ description: doc }], properties, methods });
  };
  visit(root, rootName, rootDoc);
  return out;
}

function handlerInterface(name: string, doc: string, methods: readonly IrMethod[]): InterfaceDeclarationStructure {
  return {
    kind: StructureKind.Interface,
    name,
    isExported: true,
    docs: [{ description: doc }],
    properties: methods.map((m) => ({
      kind: StructureKind.PropertySignature,
      name: JSON.stringify(m.name),
      docs: [{ description: methodDoc(m) }],
      type:
        m.kind === "notification"
          ? `NotificationHandler<${m.params?.tsWireType ?? "void"}>`
          : `RequestHandler<${m.params?.tsWireType ?? "void"}, ${resultType(m)}>`,
    })),
  };
}

export interface EmittedRpc {
  readonly text: string;
  /** Exported interface names, sorted. */
  readonly typeNames: readonly string[];
  /** Exported function names, sorted. */
  readonly valueNames: readonly string[];
}

export function emitRpc(ir: CodegenIr, which: "public" | "internal", runtimeModule: string): EmittedRpc {
  const methods = which === "public" ? publicMethods(ir) : internalMethods(ir);
  const P = which === "public" ? "" : "Internal";
  const table = which === "public" ? "RPC_METHODS" : "INTERNAL_RPC_METHODS";
  const known = new Set(ir.types.map((t) => t.name));
  const where = which === "public" ? "" : " (runtime-internal methods only; import from `@flightdeck/copilot-core/internal`)";
  const interfaces = rpcInterfaces(methods, P, where, new Set(known));

  const exprs = methods.flatMap((m) => [m.params?.tsType, m.params?.tsWireType, m.result?.tsType]);
  const used = referencedTypes(exprs, known);
  const usesWith = exprs.some((e) => e?.includes("WithSessionId<"));
  const rpcTypes = [
    "NotificationHandler",
    "RequestHandler",
    "RequestOptions",
    "RpcCaller",
    "RpcHandlerRegistry",
    "Unsubscribe",
    ...(usesWith ? ["WithSessionId"] : []),
  ];
  const runtime = runtimeModuleFrom(runtimeModule, 0);
  const statements: (string | StatementStructures)[] = [
    tsHeader(ir),
    ...(used.length ? [importTypes(used, "./types.js").trimEnd()] : []),
    { kind: StructureKind.ImportDeclaration, isTypeOnly: true, moduleSpecifier: runtime, namedImports: rpcTypes },
    { kind: StructureKind.ImportDeclaration, moduleSpecifier: which === "public" ? "./methods.js" : "./internal-methods.js", namedImports: [table] },
    { kind: StructureKind.ImportDeclaration, moduleSpecifier: runtime, namedImports: ["buildStubs", "checkSessionId", "registerHandlers"] },
    ...interfaces,
    ...rpcFactories(which, P, table),
  ];
  const valueNames = statements.flatMap((s) => (typeof s !== "string" && s.kind === StructureKind.Function && s.name ? [s.name] : []));
  return { text: render(`${which}-rpc.ts`, statements), typeNames: interfaces.map((i) => i.name).sort(byString), valueNames: valueNames.sort(byString) };
}

/** The stub trees (server, session) and the three handler interfaces (session requests, global requests, notifications). */
function rpcInterfaces(methods: readonly IrMethod[], P: string, where: string, taken: Set<string>): InterfaceDeclarationStructure[] {
  const interfaces: InterfaceDeclarationStructure[] = [
    ...treeInterfaces(
      buildTree(methods, "server"),
      `${P}ServerRpc`,
      `Typed stubs for connection-level (server) methods${where}, nested like the schema: \`rpc.models.list()\`.`,
      taken,
    ),
    ...treeInterfaces(
      buildTree(methods, "session"),
      `${P}SessionRpc`,
      `Typed stubs for one session's methods${where}; \`sessionId\` is injected: \`rpc.tools.handlePendingToolCall({ requestId, result })\`.`,
      taken,
    ),
  ];
  const sessionReqs = methods.filter((m) => m.scope === "clientSession" && m.kind === "request");
  const globalReqs = methods.filter((m) => m.scope === "clientGlobal" && m.kind === "request");
  const notes = methods.filter((m) => m.direction === "serverToClient" && m.kind === "notification");
  interfaces.push(
    handlerInterface(
      `${P}ClientSessionHandlers`,
      `Handlers for server→client requests about one session${where}. Params keep \`sessionId\`: one connection serves many sessions.`,
      sessionReqs,
    ),
    handlerInterface(`${P}ClientGlobalHandlers`, `Handlers for connection-wide server→client requests${where}.`, globalReqs),
    handlerInterface(`${P}ClientNotificationHandlers`, `Listeners for server→client notifications${where}.`, notes),
  );

  return interfaces;
}

/** The functions over the method table: the two stub factories and the three handler registrations. */
function rpcFactories(which: "public" | "internal", P: string, table: string): StatementStructures[] {
  return [
    fn(
      `create${P}ServerRpc`,
      `Creates the ${which} connection-level stubs on top of any {@link RpcCaller}.\n\n@example\n\`\`\`ts\nconst rpc = create${P}ServerRpc(connection);\n\`\`\``,
      [["conn", "RpcCaller"]],
      `${P}ServerRpc`,
      `return buildStubs(conn, ${table}, "server") as unknown as ${P}ServerRpc;`,
    ),
    fn(
      `create${P}SessionRpc`,
      `Creates the ${which} stubs of one session; every call sends \`sessionId\` for you.\n\n@throws SdkError \`INVALID_OPTION\` when \`sessionId\` is not a non-empty string.`,
      [
        ["conn", "RpcCaller"],
        ["sessionId", "string"],
      ],
      `${P}SessionRpc`,
      `checkSessionId("create${P}SessionRpc", sessionId);\nreturn buildStubs(conn, ${table}, "session", sessionId) as unknown as ${P}SessionRpc;`,
    ),
    fn(
      `register${P}ClientSessionHandlers`,
      `Registers handlers for server→client session requests. Returns one function that removes them all.\n\n@throws SdkError \`INVALID_OPTION\` on a key that is not such a method (nothing is registered then).`,
      [
        ["registry", "RpcHandlerRegistry"],
        ["handlers", `Partial<${P}ClientSessionHandlers>`],
      ],
      "Unsubscribe",
      `return registerHandlers("register${P}ClientSessionHandlers", registry, ${table}, ["clientSession"], "request", handlers as Record<string, unknown>);`,
    ),
    fn(
      `register${P}ClientGlobalHandlers`,
      `Registers handlers for connection-wide server→client requests. Returns one function that removes them all.\n\n@throws SdkError \`INVALID_OPTION\` on a key that is not such a method (nothing is registered then).`,
      [
        ["registry", "RpcHandlerRegistry"],
        ["handlers", `Partial<${P}ClientGlobalHandlers>`],
      ],
      "Unsubscribe",
      `return registerHandlers("register${P}ClientGlobalHandlers", registry, ${table}, ["clientGlobal"], "request", handlers as Record<string, unknown>);`,
    ),
    fn(
      `register${P}ClientNotificationHandlers`,
      `Adds listeners for server→client notifications. Returns one function that removes them all.\n\n@throws SdkError \`INVALID_OPTION\` on a key that is not such a notification (nothing is registered then).`,
      [
        ["registry", "RpcHandlerRegistry"],
        ["handlers", `Partial<${P}ClientNotificationHandlers>`],
      ],
      "Unsubscribe",
      `return registerHandlers("register${P}ClientNotificationHandlers", registry, ${table}, ["clientSession", "clientGlobal"], "notification", handlers as Record<string, unknown>);`,
    ),
  ];
}

/** Prints the statements as one file, formatted the way every generated file is. */
function render(fileName: string, statements: (string | StatementStructures)[]): string {
  const project = new Project({
    useInMemoryFileSystem: true,
    manipulationSettings: {
      indentationText: IndentationText.TwoSpaces,
      newLineKind: NewLineKind.LineFeed,
      quoteKind: QuoteKind.Double,
      useTrailingCommas: true,
    },
  });
  return project.createSourceFile(fileName, { statements }).getFullText();
}

function fn(name: string, doc: string, params: [string, string][], returnType: string, body: string): StatementStructures {
  return {
    kind: StructureKind.Function,
    name,
    isExported: true,
    docs: [{ description: doc }],
    parameters: params.map(([n, t]) => ({ name: n, type: t })),
    returnType,
    statements: body.split("\n"),
  };
}
