/**
 * Canvases: UI surfaces this connection provides to a session (a board, a form, a preview). The
 * `canvases` session option declares them (`canvases` on the wire, plus `requestCanvasRenderer`);
 * the runtime then asks this connection to open, close and act on their instances
 * (`canvas.open`, `canvas.close`, `canvas.action.invoke`, server → client) — when the model calls
 * the canvas tools, when the application calls `session.rpc.canvas.*`, and again on resume for every
 * instance that was open (that is how a resumed session reopens its canvases). `session.openCanvases`
 * follows the open instances from the `session.canvas.opened` / `session.canvas.closed` events and
 * the resume answer.
 *
 * Inputs are checked twice: the runtime checks them against the declared JSON Schema, and the
 * handler here against the Standard Schema when one is given (its parsed value is what the handler
 * gets). A failure answers the runtime with a typed `CanvasError` and the session goes on.
 */
import { FlightdeckError, RpcError, RpcErrorCode } from "@flightdeck/copilot-core";
import type { StandardSchema } from "./workflows/standard-schema.js";

type Json = Record<string, unknown>;
type InferOutput<S> = S extends StandardSchema<unknown, infer O> ? O : unknown;

/** Codes of {@link CanvasError}. */
export type CanvasErrorCode =
  | "canvas_not_found"
  | "canvas_action_not_found"
  | "canvas_action_no_handler"
  | "canvas_invalid_input"
  | "canvas_handler_error"
  | "canvas_invalid_option";

/** A canvas failed: bad input, an unknown canvas or action, or a handler that threw. `code` says which. */
export class CanvasError extends FlightdeckError {
  static override readonly errorClass: string = "CanvasError";
  readonly code: CanvasErrorCode;
  readonly canvasId: string | undefined;
  constructor(code: CanvasErrorCode, message: string, options?: { canvasId?: string; cause?: unknown }) {
    super(message, options);
    this.code = code;
    this.canvasId = options?.canvasId;
  }

  /** A runtime error from `session.rpc.canvas.*` as a `CanvasError` when it is one (e.g. input the runtime refused), else unchanged. */
  static from(error: unknown): unknown {
    if (!(error instanceof RpcError)) return error;
    const data = error.data as { code?: unknown } | undefined;
    if (typeof data?.code === "string" && data.code.startsWith("canvas_"))
      return new CanvasError(data.code as CanvasErrorCode, error.rpcMessage, { cause: error });
    // The runtime relays a provider's error as text: recognise ours and its own input check.
    const text = error.rpcMessage;
    if (/Invalid input for action|does not match its schema/.test(text)) return new CanvasError("canvas_invalid_input", text, { cause: error });
    if (/its handler failed/.test(text)) return new CanvasError("canvas_handler_error", text, { cause: error });
    if (/has no action "/.test(text)) return new CanvasError("canvas_action_not_found", text, { cause: error });
    if (/No canvas "/.test(text)) return new CanvasError("canvas_not_found", text, { cause: error });
    return error;
  }
}

/** What the runtime says about the instance being opened, closed or acted on. */
export interface CanvasContext<TInput = unknown> {
  readonly sessionId: string;
  readonly canvasId: string;
  readonly instanceId: string;
  /** The open input (for `open`) or the action input (for an action), parsed by its schema when it has one. */
  readonly input: TInput;
  /** The session's working directory, when the runtime knows it. */
  readonly workingDirectory: string | undefined;
}

/** What `open` may return: shown by hosts that render canvases. */
export interface CanvasOpenResult {
  /** URL of a web-rendered canvas. */
  url?: string;
  title?: string;
  status?: string;
}

/** One action of a canvas; with a Standard Schema `input`, the handler's `input` is its output type. */
export interface CanvasAction<S = unknown> {
  name: string;
  description?: string;
  /** Standard Schema of the action input (checked here), or a JSON Schema (checked by the runtime only). */
  input?: S;
  handler(context: CanvasContext<S extends StandardSchema ? InferOutput<S> : unknown>): unknown;
}

/** What {@link createCanvas} takes. */
export interface CanvasOptions<SOpen = unknown, A extends readonly unknown[] = unknown[]> {
  /** Stable id, unique among this connection's canvases. */
  id: string;
  displayName: string;
  description?: string;
  /** Standard Schema (checked here) or JSON Schema (checked by the runtime) of the open input. */
  inputSchema?: SOpen;
  actions?: readonly [...{ [K in keyof A]: CanvasAction<A[K]> }];
  /** Opens an instance (also called again for each open instance when the session is resumed). */
  open: (context: CanvasContext<SOpen extends StandardSchema ? InferOutput<SOpen> : unknown>) => CanvasOpenResult | void | Promise<CanvasOpenResult | void>;
  /** Called when an instance is closed. */
  onClose?: (context: CanvasContext<undefined>) => void | Promise<void>;
}

/** A canvas made by {@link createCanvas}; pass it in the `canvases` session option. */
export interface Canvas {
  readonly id: string;
  /** The declaration sent to the runtime. */
  readonly declaration: Readonly<Json>;
  /** @internal */ readonly options: CanvasOptions<unknown, unknown[]>;
}

function isStandardSchema(value: unknown): value is StandardSchema {
  if ((typeof value !== "object" && typeof value !== "function") || value === null) return false;
  const props = (value as { "~standard"?: { version?: unknown; validate?: unknown } })["~standard"];
  return typeof props === "object" && props !== null && props.version === 1 && typeof props.validate === "function";
}

function toJsonSchema(schema: unknown, where: string): Json | undefined {
  if (schema === undefined) return undefined;
  if (isStandardSchema(schema)) {
    const convert = schema["~standard"].jsonSchema?.input;
    if (typeof convert !== "function") return undefined; // checked here only
    const { $schema: _drop, ...rest } = convert({ target: "draft-2020-12" });
    return rest;
  }
  if (typeof schema !== "object" || schema === null || Array.isArray(schema)) {
    throw new CanvasError("canvas_invalid_option", `${where}: must be a Standard Schema (zod, valibot, arktype, …) or a JSON Schema object.`);
  }
  return schema as Json;
}

const ID = /^[A-Za-z0-9_.:-]{1,64}$/;

/**
 * Declares a canvas.
 *
 * @example
 * ```ts
 * const board = createCanvas({
 *   id: "board",
 *   displayName: "Board",
 *   inputSchema: z.object({ project: z.string() }),
 *   actions: [{ name: "move", input: z.object({ card: z.string(), to: z.string() }), handler: ({ input }) => moveCard(input.card, input.to) }],
 *   open: ({ input }) => ({ title: `Board of ${input.project}`, url: `http://127.0.0.1:8080/board/${input.project}` }),
 *   onClose: ({ instanceId }) => console.log("closed", instanceId),
 * });
 * const session = await client.createSession({ model: "gpt-4.1", canvases: [board] });
 * ```
 */
export function createCanvas<SOpen = unknown, const A extends readonly unknown[] = unknown[]>(options: CanvasOptions<SOpen, A>): Canvas {
  const fail = (option: string, message: string) => new CanvasError("canvas_invalid_option", `createCanvas: ${option}: ${message}`);
  if (typeof options !== "object" || options === null) throw fail("options", "pass { id, displayName, open }.");
  if (typeof options.id !== "string" || !ID.test(options.id))
    throw fail("id", `${JSON.stringify(options.id)} is not a canvas id: use 1-64 letters, digits, "_", "-", "." or ":".`);
  if (typeof options.displayName !== "string" || options.displayName.trim() === "") throw fail("displayName", "must be a non-empty string.");
  if (typeof options.open !== "function") throw fail("open", "must be a function (context) => { url?, title?, status? }.");
  if (options.onClose !== undefined && typeof options.onClose !== "function") throw fail("onClose", "must be a function.");
  const names = new Set<string>();
  const actions = ((options.actions ?? []) as readonly CanvasAction[]).map((action, i) => {
    if (typeof action?.name !== "string" || action.name.trim() === "") throw fail(`actions[${i}].name`, "must be a non-empty string.");
    if (names.has(action.name)) throw fail(`actions[${i}].name`, `"${action.name}" is declared twice.`);
    names.add(action.name);
    if (typeof action.handler !== "function") throw fail(`actions.${action.name}.handler`, "must be a function (context) => result.");
    const inputSchema = toJsonSchema(action.input, `createCanvas: actions.${action.name}.input`);
    return { name: action.name, ...(action.description && { description: action.description }), ...(inputSchema && { inputSchema }) };
  });
  const inputSchema = toJsonSchema(options.inputSchema, "createCanvas: inputSchema");
  const declaration = {
    id: options.id,
    displayName: options.displayName,
    ...(options.description && { description: options.description }),
    ...(inputSchema && { inputSchema }),
    ...(actions.length > 0 && { actions }),
  };
  return Object.freeze({ id: options.id, declaration: Object.freeze(declaration), options: options as unknown as CanvasOptions<unknown, unknown[]> });
}

/** Checks the `canvases` session option and writes its wire form. */
export function resolveCanvasConfig(canvases: unknown, wire: Record<string, unknown>, fail: (option: string, problem: string) => never): void {
  if (canvases === undefined) return;
  if (!Array.isArray(canvases)) fail("canvases", "must be an array of canvases made by createCanvas().");
  const ids = new Set<string>();
  (canvases as unknown[]).forEach((canvas, i) => {
    const c = canvas as Partial<Canvas> | null;
    if (typeof c !== "object" || c === null || typeof c.id !== "string" || typeof c.declaration !== "object" || typeof c.options?.open !== "function") {
      fail(`canvases[${i}]`, "is not a canvas: make it with createCanvas({ id, displayName, open }).");
    }
    if (ids.has(c!.id!)) fail(`canvases[${i}]`, `repeats the id "${c!.id}"; give each canvas its own id.`);
    ids.add(c!.id!);
  });
  if (canvases.length === 0) return;
  wire.canvases = (canvases as Canvas[]).map((c) => ({ ...c.declaration }));
  wire.requestCanvasRenderer = true;
}

async function parse(schema: unknown, value: unknown, what: string, canvasId: string): Promise<unknown> {
  if (!isStandardSchema(schema)) return value;
  const result = await schema["~standard"].validate(value);
  if (result.issues === undefined) return result.value;
  const issues = result.issues.map((i) => {
    const path = (i.path ?? []).map((p) => String(typeof p === "object" && p !== null ? p.key : p)).join(".");
    return path ? `${path}: ${i.message}` : i.message;
  });
  throw new CanvasError("canvas_invalid_input", `Canvas "${canvasId}": the ${what} does not match its schema: ${issues.join("; ")}.`, { canvasId });
}

function toRpcError(error: unknown, canvasId: string): RpcError {
  if (error instanceof RpcError) return error;
  const canvasError =
    error instanceof CanvasError
      ? error
      : new CanvasError("canvas_handler_error", `Canvas "${canvasId}": its handler failed: ${error instanceof Error ? error.message : String(error)}`, {
          canvasId,
          cause: error,
        });
  return new RpcError(RpcErrorCode.InternalError, canvasError.message, { data: { code: canvasError.code, message: canvasError.message }, cause: error });
}

/** The server → client canvas requests. */
export const CANVAS_REQUESTS = ["canvas.open", "canvas.close", "canvas.action.invoke"] as const;

/**
 * Answers one canvas request for a session's canvases. Errors go back to the runtime as typed
 * `CanvasError`s (in `error.data.code`); nothing is thrown into the session.
 */
export async function answerCanvasRequest(canvases: readonly Canvas[] | undefined, method: string, params: Json): Promise<unknown> {
  const canvasId = String(params.canvasId ?? "");
  const canvas = canvases?.find((c) => c.id === canvasId);
  try {
    if (!canvas)
      throw new CanvasError(
        "canvas_not_found",
        `No canvas "${canvasId}" is declared by this session (declared: ${(canvases ?? []).map((c) => c.id).join(", ") || "none"}).`,
        { canvasId },
      );
    const base = {
      sessionId: String(params.sessionId),
      canvasId,
      instanceId: String(params.instanceId ?? ""),
      workingDirectory: (params.session as { workingDirectory?: string } | undefined)?.workingDirectory,
    };
    if (method === "canvas.open") {
      const input = await parse(canvas.options.inputSchema, params.input, "open input", canvasId);
      const result = await canvas.options.open({ ...base, input: input as never });
      return result ?? {};
    }
    if (method === "canvas.close") {
      await canvas.options.onClose?.({ ...base, input: undefined });
      return null;
    }
    const name = String(params.actionName ?? "");
    const action = (canvas.options.actions as readonly CanvasAction[] | undefined)?.find((a) => a.name === name);
    if (!action) throw new CanvasError("canvas_action_not_found", `Canvas "${canvasId}" has no action "${name}".`, { canvasId });
    const input = await parse(action.input, params.input, `input of action "${name}"`, canvasId);
    const result = await action.handler({ ...base, input: input as never });
    return result === undefined ? null : result;
  } catch (error) {
    throw toRpcError(error, canvasId);
  }
}

/** An open canvas instance, as the runtime reports it. */
export interface OpenCanvas {
  instanceId: string;
  canvasId: string;
  extensionId: string;
  title?: string;
  status?: string;
  input?: unknown;
}

/** Follows a session's open canvas instances from events and the resume answer. */
export class OpenCanvasTracker {
  readonly #open = new Map<string, OpenCanvas>();

  get list(): OpenCanvas[] {
    return [...this.#open.values()];
  }

  /** From `session.resume`'s `openCanvases` (1.0.102; runtime 1.0.85 re-opens through events instead). */
  seed(result: unknown): void {
    const list = (result as { openCanvases?: unknown } | undefined)?.openCanvases;
    if (Array.isArray(list)) for (const item of list) this.#upsert(item);
  }

  /** Call with every event of the session. */
  onEvent(event: { type: string; data: unknown }): void {
    if (event.type === "session.canvas.opened") this.#upsert(event.data);
    else if (event.type === "session.canvas.closed" || event.type === "session.canvas.removed") {
      const id = (event.data as { instanceId?: unknown } | undefined)?.instanceId;
      if (typeof id === "string") this.#open.delete(id);
    }
  }

  #upsert(value: unknown): void {
    const v = value as Partial<OpenCanvas> | null;
    if (typeof v?.instanceId !== "string" || typeof v.canvasId !== "string") return;
    this.#open.set(v.instanceId, { ...(v as OpenCanvas) });
  }
}
