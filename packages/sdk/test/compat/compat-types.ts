/**
 * Type-level helpers for the compatibility tests: they name, key by key, where a type of
 * `@github/copilot-sdk` 1.0.14 is not accepted by ours.
 */

/** True when `A` is assignable to `B` (not distributed over unions). */
export type Assignable<A, B> = [A] extends [B] ? true : false;

type RequiredKeys<T> = { [K in keyof T]-?: {} extends Pick<T, K> ? never : K }[keyof T];

/**
 * The keys of an options object written for the incumbent (`Theirs`) that ours does not accept:
 * the key is absent, its type is not assignable, or ours requires a key theirs leaves optional.
 * Result: a union of `"<prefix>.<key>"`.
 */
export type RejectedKeys<Theirs, Ours, Prefix extends string> = {
  [K in keyof Theirs & string]-?: K extends keyof Ours
    ? Assignable<Theirs[K], Ours[K]> extends true
      ? never
      : `${Prefix}.${K}`
    : `${Prefix}.${K}`;
}[keyof Theirs & string] | (Exclude<RequiredKeys<Ours>, RequiredKeys<Theirs>> extends infer R extends string ? `${Prefix}.${R}(required)` : never);

/**
 * The public members of an incumbent class instance or namespace object that ours lacks or types
 * incompatibly (ours must be usable where a program expects theirs).
 */
export type MissingMembers<Theirs, Ours, Prefix extends string> = {
  [K in keyof Theirs & string]-?: K extends keyof Ours
    ? Assignable<Ours[K], Theirs[K]> extends true
      ? never
      : `${Prefix}.${K}`
    : `${Prefix}.${K}`;
}[keyof Theirs & string];
