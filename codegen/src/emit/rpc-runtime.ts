/**
 * rpc-runtime.ts: the one small function that turns the method table into nested stub objects,
 * and the one that registers handler maps. Stubs are built from data at run time so the emitted
 * JavaScript stays a table instead of hundreds of near-identical functions.
 */
import type { CodegenIr } from "../ir.js";
import { tsHeader } from "./header.js";

export function emitRpcRuntime(ir: CodegenIr): string {
  return `${tsHeader(ir)}
import type { RequestHandler, RequestOptions, RpcCaller, RpcHandlerRegistry, Unsubscribe } from "../rpc-types.js";

/** The part of a method table entry the builders need. */
interface StubInfo {
  readonly scope: string;
  readonly kind: "request" | "notification";
  readonly params: string | null;
}

type Stub = (...args: unknown[]) => Promise<unknown>;
interface StubTree {
  [key: string]: StubTree | Stub;
}

const SESSION_PREFIX = "session.";

/**
 * Builds the nested stub object for one scope. Session stubs inject \`sessionId\` into the params,
 * so callers never pass it; every stub sends an object (\`{}\` when it takes no argument).
 */
export function buildStubs(conn: RpcCaller, table: Readonly<Record<string, StubInfo>>, scope: "server" | "session", sessionId?: string): StubTree {
  const root: StubTree = {};
  for (const method of Object.keys(table)) {
    const info = table[method]!;
    if (info.scope !== scope) continue;
    const path = (scope === "session" ? method.slice(SESSION_PREFIX.length) : method).split(".");
    let node = root;
    for (let i = 0; i < path.length - 1; i++) node = (node[path[i]!] ??= {}) as StubTree;
    node[path[path.length - 1]!] = makeStub(conn, method, info, sessionId);
  }
  return root;
}

function makeStub(conn: RpcCaller, method: string, info: StubInfo, sessionId: string | undefined): Stub {
  const wire = (params: unknown): object => (sessionId === undefined ? ((params as object | undefined) ?? {}) : { ...(params as object | undefined), sessionId });
  if (info.kind === "notification") {
    return info.params === null ? () => conn.notify(method, wire(undefined)) : (params) => conn.notify(method, wire(params));
  }
  return info.params === null
    ? (options) => conn.request(method, wire(undefined), options as RequestOptions | undefined)
    : (params, options) => conn.request(method, wire(params), options as RequestOptions | undefined);
}

/** Checks a session id before binding stubs to it. */
export function checkSessionId(fn: string, sessionId: unknown): asserts sessionId is string {
  if (typeof sessionId !== "string" || sessionId === "") {
    throw new TypeError(\`\${fn}: sessionId must be a non-empty string (got \${typeof sessionId === "string" ? "an empty string" : typeof sessionId}); pass the id returned by session.create or session.resume\`);
  }
}

/**
 * Registers a map of handlers for server→client requests or notifications. Throws before
 * registering anything if a key is not a method of the given kind and scopes.
 */
export function registerHandlers(
  fn: string,
  registry: RpcHandlerRegistry,
  table: Readonly<Record<string, StubInfo>>,
  scopes: readonly string[],
  kind: "request" | "notification",
  handlers: Readonly<Record<string, unknown>>,
): Unsubscribe {
  const entries = Object.entries(handlers).filter(([, h]) => h !== undefined);
  for (const [method, handler] of entries) {
    const info = table[method];
    if (!info || info.kind !== kind || !scopes.includes(info.scope)) {
      throw new TypeError(\`\${fn}: "\${method}" is not a server→client \${kind} this handler map accepts; check the method name against the generated \${scopes.join("/")} handler interface\`);
    }
    if (typeof handler !== "function") throw new TypeError(\`\${fn}: the handler for "\${method}" must be a function\`);
  }
  const offs = entries.map(([method, handler]) =>
    kind === "request"
      ? registry.onRequest(method, handler as RequestHandler)
      : registry.onNotification(method, handler as (params: unknown) => void),
  );
  return () => {
    for (const off of offs.splice(0)) off();
  };
}
`;
}
