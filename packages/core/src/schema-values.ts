/** Value-level helpers of the schema checker: JSON types, equality, lengths, regexps, formats. */
export const escapePointer = (s: string): string => s.replace(/~/g, "~0").replace(/\//g, "~1");
export const escapeFragment = (s: string): string => encodeURIComponent(escapePointer(s));
export const has = (o: object, k: string): boolean => Object.hasOwn(o, k);

/** A JSON object (not an array, not null). */
export const isObject = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);

export function isType(type: string, v: unknown): boolean {
  switch (type) {
    case "string":
      return typeof v === "string";
    case "number":
      return typeof v === "number" && Number.isFinite(v);
    case "integer":
      return typeof v === "number" && Number.isFinite(v) && v % 1 === 0;
    case "boolean":
      return typeof v === "boolean";
    case "null":
      return v === null;
    case "array":
      return Array.isArray(v);
    case "object":
      return isObject(v);
    default:
      throw new Error(`validator data names an unknown type "${type}": regenerate with \`pnpm codegen\``);
  }
}

export function typeOf(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "array";
  if (typeof value === "number" && Number.isInteger(value)) return "integer";
  return typeof value;
}

const regExps = new Map<string, RegExp>();
export function regExp(pattern: string): RegExp {
  let re = regExps.get(pattern);
  if (!re) regExps.set(pattern, (re = new RegExp(pattern, "u")));
  return re;
}

/** Length in Unicode code points (what JSON Schema minLength/maxLength count). */
export function ucs2length(str: string): number {
  let n = 0;
  for (let i = 0; i < str.length; i++, n++) {
    const c = str.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdbff && i + 1 < str.length) {
      const d = str.charCodeAt(i + 1);
      if (d >= 0xdc00 && d <= 0xdfff) i++;
    }
  }
  return n;
}

/** Structural equality of JSON values (const/enum/uniqueItems). */
export function equal(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== "object" || typeof b !== "object" || a === null || b === null) return Number.isNaN(a) && Number.isNaN(b);
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  const ka = Object.keys(a);
  if (ka.length !== Object.keys(b).length) return false;
  for (const k of ka) if (!Object.hasOwn(b, k) || !equal((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k])) return false;
  return true;
}

const DAYS = [0, 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];
const isDigit = (c: number): boolean => c >= 0x30 && c <= 0x39;

/** The number written by the two ASCII digits at `i`, or -1 if either is not a digit. */
function twoDigits(s: string, i: number): number {
  const a = s.charCodeAt(i) - 0x30;
  const b = s.charCodeAt(i + 1) - 0x30;
  // Unsigned, a code below "0" wraps to a large number. (Callers read only inside the string.)
  return a >>> 0 < 10 && b >>> 0 < 10 ? a * 10 + b : -1;
}

/**
 * RFC 3339 date-time: `/^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:[Zz]|[+-]\d{2}:\d{2})$/` and the
 * field ranges (leap seconds allowed as `:60`), by character codes in one pass: every event has a
 * timestamp. Each field's digits are read once, checked and turned into its number together.
 */
function isDateTime(str: string): boolean {
  const n = str.length;
  if (n < 20) return false;
  const sep = str.charCodeAt(10);
  if (
    str.charCodeAt(4) !== 0x2d ||
    str.charCodeAt(7) !== 0x2d ||
    (sep !== 0x54 && sep !== 0x74 && sep !== 0x20) ||
    str.charCodeAt(13) !== 0x3a ||
    str.charCodeAt(16) !== 0x3a
  )
    return false;
  const century = twoDigits(str, 0),
    year = twoDigits(str, 2),
    mo = twoDigits(str, 5),
    d = twoDigits(str, 8),
    h = twoDigits(str, 11),
    mi = twoDigits(str, 14),
    s = twoDigits(str, 17);
  if ((century | year | mo | d | h | mi | s) < 0) return false;
  let i = 19;
  if (str.charCodeAt(i) === 0x2e) {
    const start = ++i;
    while (i < n && isDigit(str.charCodeAt(i))) i++;
    if (i === start) return false;
  }
  const zone = str.charCodeAt(i);
  if (i === n - 1) {
    if (zone !== 0x5a && zone !== 0x7a) return false;
  } else {
    // `±HH:MM`, the last six characters.
    if (i !== n - 6 || (zone !== 0x2b && zone !== 0x2d) || str.charCodeAt(i + 3) !== 0x3a) return false;
    const oh = twoDigits(str, i + 1),
      om = twoDigits(str, i + 4);
    if (oh < 0 || om < 0 || oh > 23 || om > 59) return false;
  }
  const y = century * 100 + year;
  const leap = y % 4 === 0 && (y % 100 !== 0 || y % 400 === 0);
  if (mo < 1 || mo > 12 || d < 1 || d > (mo === 2 && leap ? 29 : DAYS[mo]!)) return false;
  return h <= 23 && mi <= 59 && s <= 60;
}

/** The string formats the generator admits (`INTERPRETED_FORMATS` in codegen/src/emit/validators.ts). */
export const FORMATS: Readonly<Record<string, (s: string) => boolean>> = {
  /** RFC 3339 date-time (leap seconds allowed at 23:59:60 UTC-equivalent). */
  "date-time": (str) => isDateTime(str),
  /** ISO 8601 duration. */
  duration: (str) => /^P(?!$)((\d+Y)?(\d+M)?(\d+D)?(T(?=\d)(\d+H)?(\d+M)?(\d+S)?)?|(\d+W)?)$/.test(str),
  /** Absolute URI: a scheme, a colon, and no whitespace. */
  uri: (str) => /^[A-Za-z][A-Za-z0-9+.-]*:[^\s]*$/.test(str),
  /** UUID (any version), optionally `urn:uuid:`-prefixed, any case. */
  uuid: (str) => isUuid(str),
};

/**
 * `/^(?:urn:uuid:)?[0-9a-f]{8}-(?:[0-9a-f]{4}-){3}[0-9a-f]{12}$/i` by character codes: every event
 * has two (`id`, `parentId`). One table lookup per character (its class, masked by what the
 * position wants) took half the time of a comparison chain or the regexp on the recorded mix.
 */
function isUuid(str: string): boolean {
  let at = 0;
  if (str.length === 45) {
    if (str.slice(0, 9).toLowerCase() !== "urn:uuid:") return false;
    at = 9;
  } else if (str.length !== 36) return false;
  for (let i = 0; i < 36; i++) {
    const c = str.charCodeAt(at + i);
    if (c >= 128 || (UUID_CLASS[c]! & UUID_WANTS[i]!) === 0) return false;
  }
  return true;
}
/** ASCII code → 1 for a hex digit (either case), 2 for `-`, else 0. */
const UUID_CLASS = new Uint8Array(128);
for (const c of "0123456789abcdefABCDEF") UUID_CLASS[c.charCodeAt(0)] = 1;
UUID_CLASS[0x2d] = 2;
/** Position in the 36 characters → the class it needs (8-4-4-4-12 hex digits, dashes between). */
const UUID_WANTS = Uint8Array.from({ length: 36 }, (_, i) => (i === 8 || i === 13 || i === 18 || i === 23 ? 2 : 1));
