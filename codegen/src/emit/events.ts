/**
 * events.ts: the closed `SessionEvent` union (narrows on `event.type`), the list of event types,
 * per-type facts as data. Event interfaces live in types.ts; the guards over these lists are
 * hand-written (`createEventGuards` in `@flightdeck/copilot-core/runtime`).
 */
import type { CodegenIr } from "../ir.js";
import { importTypes } from "./common.js";
import { safeDoc } from "./docs.js";
import { tsHeader } from "./header.js";

export function emitEvents(ir: CodegenIr): string {
  const ev = ir.events;
  const names = ev.map((e) => e.typeName);
  const info = ev
    .map(
      (e) =>
        `  ${JSON.stringify(e.type)}: { ephemeral: ${e.ephemeral}, visibility: ${JSON.stringify(e.visibility)}, stability: ${JSON.stringify(e.stability)} },`,
    )
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
 * An event on the wire whose \`type\` this build does not know (a newer runtime). Its \`data\` is not
 * checked. Check its \`type\` against {@link SESSION_EVENT_TYPES} to get back to the typed union.
 * (The session package delivers such an event as its \`UnknownSessionEvent\`.)
 */
export interface UnknownWireSessionEvent {
  id: string;
  timestamp: string;
  parentId: string | null;
  ephemeral?: boolean;
  agentId?: string;
  type: string;
  data: unknown;
}

/** What actually arrives on the wire: a known event, or one from a newer runtime. */
export type WireSessionEvent = SessionEvent | UnknownWireSessionEvent;

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
`;
}
