/**
 * events.ts: the closed `SessionEvent` union (narrows on `event.type`), the list of event types,
 * per-type facts as data, and small type guards. Event interfaces themselves live in types.ts.
 */
import type { CodegenIr } from "../ir.js";
import { importTypes } from "./common.js";
import { safeDoc } from "./docs.js";
import { tsHeader } from "./header.js";

export function emitEvents(ir: CodegenIr): string {
  const ev = ir.events;
  const names = ev.map((e) => e.typeName);
  const info = ev
    .map((e) => `  ${JSON.stringify(e.type)}: { ephemeral: ${e.ephemeral}, visibility: ${JSON.stringify(e.visibility)}, stability: ${JSON.stringify(e.stability)} },`)
    .join("\n");
  return `${tsHeader(ir)}
${importTypes(names, "./types.js")}
/**
 * Every session event the pinned runtime can emit: a closed union discriminated by \`type\`.
 *
 * @example
 * \`\`\`ts
 * if (event.type === "assistant.message") console.log(event.data.content);
 * \`\`\`
 */
export type SessionEvent =
${ev.map((e) => `  /** ${safeDoc(`\`${e.type}\``)} */\n  | ${e.typeName}`).join("\n")};

/** Every known event type string, sorted. */
export const SESSION_EVENT_TYPES = [
${ev.map((e) => `  ${JSON.stringify(e.type)},`).join("\n")}
] as const;

/** A known event type string (\`"assistant.message"\`, \`"session.idle"\`, …). */
export type SessionEventType = SessionEvent["type"];
/** The event interface for type \`T\`. */
export type SessionEventOf<T extends SessionEventType> = Extract<SessionEvent, { type: T }>;
/** The \`data\` payload of event type \`T\`. */
export type SessionEventDataOf<T extends SessionEventType> = SessionEventOf<T>["data"];

/**
 * An event whose \`type\` this build does not know (a newer runtime). Its \`data\` is not checked.
 * Use {@link isKnownSessionEvent} to get back to the typed union.
 */
export interface UnknownSessionEvent {
  id: string;
  timestamp: string;
  parentId: string | null;
  ephemeral?: boolean;
  agentId?: string;
  type: string;
  data: unknown;
}

/** What actually arrives on the wire: a known event, or one from a newer runtime. */
export type AnySessionEvent = SessionEvent | UnknownSessionEvent;

/** Facts about an event type, as data. */
export interface SessionEventInfo {
  /** Pinned \`ephemeral: true\` by the schema: never persisted, never replayed by \`session.getMessages\`. */
  readonly ephemeral: boolean;
  readonly visibility: "public" | "internal";
  readonly stability: string;
}

/** Per-type facts for every known event type. */
export const SESSION_EVENT_INFO: { readonly [T in SessionEventType]: SessionEventInfo } = {
${info}
};

const KNOWN: ReadonlySet<string> = new Set<string>(SESSION_EVENT_TYPES);

/** True when \`type\` is an event type this build knows. */
export function isKnownSessionEventType(type: string): type is SessionEventType {
  return KNOWN.has(type);
}

/** Narrows an event from the wire to the typed union when its \`type\` is known (its shape is not validated). */
export function isKnownSessionEvent(event: AnySessionEvent): event is SessionEvent {
  return KNOWN.has(event.type);
}

/**
 * Narrows an event to one type.
 *
 * @example
 * \`\`\`ts
 * if (isSessionEventOfType(event, "assistant.message_delta")) process.stdout.write(event.data.deltaContent);
 * \`\`\`
 */
export function isSessionEventOfType<T extends SessionEventType>(event: AnySessionEvent, type: T): event is SessionEventOf<T> {
  return event.type === type;
}
`;
}
