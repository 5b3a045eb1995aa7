/**
 * Type-level helpers for the compatibility tests: they name, key by key, where something written
 * for `@github/copilot-sdk` 1.0.14 is not accepted by Flightdeck. Each helper yields a union of
 * string paths ("SessionConfig.sessionId"); `never` means fully compatible.
 */

/** True when `A` is assignable to `B` (not distributed over unions). */
export type Assignable<A, B> = [A] extends [B] ? true : false;

type RequiredKeys<T> = { [K in keyof T]-?: {} extends Pick<T, K> ? never : K }[keyof T];

/**
 * Options a program writes for the incumbent (`Theirs`) and passes to us: each key must exist in
 * ours with a type that accepts theirs, and ours may not require a key theirs leaves optional
 * (reported as `"<prefix>.<key>(required)"`).
 */
export type RejectedKeys<Theirs, Ours, Prefix extends string> =
  | {
      [K in keyof Theirs & string]-?: K extends keyof Ours ? (Assignable<Theirs[K], Ours[K]> extends true ? never : `${Prefix}.${K}`) : `${Prefix}.${K}`;
    }[keyof Theirs & string]
  | (Exclude<RequiredKeys<Ours>, RequiredKeys<Theirs>> extends infer R extends string ? `${Prefix}.${R}(required)` : never);

/**
 * Something we hand to a program written for the incumbent (an instance, a callback's argument):
 * each public member of theirs must exist in ours with a type usable where theirs is expected.
 */
export type MissingMembers<Theirs, Ours, Prefix extends string> = {
  [K in keyof Theirs & string]-?: K extends keyof Ours ? (Assignable<Ours[K], Theirs[K]> extends true ? never : `${Prefix}.${K}`) : `${Prefix}.${K}`;
}[keyof Theirs & string];

type AnyClass = abstract new (...args: any) => any;

/**
 * One runtime export: missing → `"export:<name>"`; a class → its constructor arguments and each
 * instance member; anything else → ours must be usable where theirs is.
 */
export type ExportMismatch<TheirValues, OurValues, K extends keyof TheirValues & string> = K extends keyof OurValues
  ? TheirValues[K] extends AnyClass
    ? OurValues[K] extends AnyClass
      ?
          | (Assignable<ConstructorParameters<TheirValues[K]>, ConstructorParameters<OurValues[K]>> extends true ? never : `${K}(constructor)`)
          | MissingMembers<InstanceType<TheirValues[K]>, InstanceType<OurValues[K]>, K>
      : `${K}(not a class)`
    : Assignable<OurValues[K], TheirValues[K]> extends true
      ? never
      : `${K}(shape)`
  : `export:${K}`;
