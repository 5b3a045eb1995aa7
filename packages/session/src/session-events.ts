/**
 * Event types as the session API hands them out: the generated `SessionEvent` union, a helper to
 * pick one member by its `type`, and the shape of events this SDK version does not know.
 */
import { isKnownSessionEventType, type SessionEvent, type SessionEventOf, type SessionEventType } from "./bindings.js";

export type { SessionEvent, SessionEventOf, SessionEventType };

/** The `data` payload of the event whose `type` is `T`. */
export type SessionEventData<T extends SessionEventType> = SessionEventOf<T>["data"];

/**
 * An event whose `type` a newer runtime added and these bindings do not know. Delivered only to
 * catch-all handlers (`session.on(handler)`) and `events()`, never dropped.
 *
 * `data` is typed `never` so that `if (event.type === "assistant.message")` still narrows
 * `event.data` to that event's payload although unknown events are part of the union (with
 * `data: unknown` every narrowed `data` would collapse to `unknown`). Read the payload of an
 * unknown event from `rawData`.
 */
export interface UnknownSessionEvent {
  /** Always `true`: tells unknown events apart (see {@link isUnknownSessionEvent}). */
  readonly unknown: true;
  id: string;
  timestamp: string;
  parentId: string | null;
  ephemeral?: boolean;
  agentId?: string;
  /** The event type as the runtime sent it. */
  type: string;
  /** Typed `never` on purpose; use {@link UnknownSessionEvent.rawData}. */
  data: never;
  /** The event's payload, unchecked. */
  rawData: unknown;
}

/** What catch-all handlers receive: a known event, or an {@link UnknownSessionEvent}. */
export type AnySessionEvent = SessionEvent | UnknownSessionEvent;

/** Handler for one event type. May be async: a rejection is reported through `onError`; other return values are ignored. */
export type SessionEventHandler<T extends SessionEventType> = (event: SessionEventOf<T>) => unknown;

/** Catch-all handler. May be async: a rejection is reported through `onError`. */
export type AnySessionEventHandler = (event: AnySessionEvent) => unknown;

/** True when the bindings know this event type. */
export function isKnownEventType(type: string): type is SessionEventType {
  return isKnownSessionEventType(type);
}

/** True for events of a type these bindings do not know. */
export function isUnknownSessionEvent(event: AnySessionEvent): event is UnknownSessionEvent {
  return (event as { unknown?: unknown }).unknown === true;
}

/**
 * Marks a raw event of an unknown type in place: keeps every field, adds `unknown` and `rawData`.
 * Callers pass objects just parsed off the wire, so nobody else holds them; a copy per event cost
 * ~1 µs on the dispatch path.
 */
export function toUnknownEvent(raw: Record<string, unknown>): UnknownSessionEvent {
  raw.unknown = true;
  raw.rawData = raw.data;
  return raw as unknown as UnknownSessionEvent;
}
