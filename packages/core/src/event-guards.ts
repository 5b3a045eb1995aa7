/**
 * Type guards over a generated list of event types (`SESSION_EVENT_TYPES`), written by hand:
 * the generator emits the list and the union, this module the behaviour.
 */

/** The guards {@link createEventGuards} builds for one closed event union `E`. */
export interface EventGuards<E extends { readonly type: string }> {
  /** True when `type` is an event type of the union. */
  isKnownType(type: string): type is E["type"];
  /** Narrows an event from the wire to the typed union when its `type` is known (its shape is not validated). */
  isKnown(event: { readonly type: string }): event is E;
  /** Narrows an event to one type. */
  isOfType<T extends E["type"]>(event: { readonly type: string }, type: T): event is Extract<E, { type: T }>;
}

/** Builds the guards of an event union from its generated list of types. */
export function createEventGuards<E extends { readonly type: string }>(types: readonly E["type"][]): EventGuards<E> {
  const known: ReadonlySet<string> = new Set<string>(types);
  return {
    isKnownType: (type: string): type is E["type"] => known.has(type),
    isKnown: (event): event is E => known.has(event.type),
    isOfType: <T extends E["type"]>(event: { readonly type: string }, type: T): event is Extract<E, { type: T }> => event.type === type,
  };
}
