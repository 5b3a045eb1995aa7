/** The session event guards of this build: {@link createEventGuards} over the generated list. */
import { createEventGuards } from "./event-guards.js";
import { SESSION_EVENT_TYPES, type SessionEvent, type SessionEventOf, type SessionEventType, type WireSessionEvent } from "./generated/index.js";

const guards = createEventGuards<SessionEvent>(SESSION_EVENT_TYPES);

/** True when `type` is an event type this build knows. */
export function isKnownSessionEventType(type: string): type is SessionEventType {
  return guards.isKnownType(type);
}

/** Narrows an event from the wire to the typed union when its `type` is known (its shape is not validated). */
export function isKnownSessionEvent(event: WireSessionEvent): event is SessionEvent {
  return guards.isKnown(event);
}

/**
 * Narrows an event to one type.
 *
 * @example
 * ```ts
 * if (isSessionEventOfType(event, "assistant.message_delta")) process.stdout.write(event.data.deltaContent);
 * ```
 */
export function isSessionEventOfType<T extends SessionEventType>(event: WireSessionEvent, type: T): event is SessionEventOf<T> {
  return guards.isOfType(event, type);
}
