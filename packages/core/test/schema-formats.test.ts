import { describe, expect, it } from "vitest";
import { FORMATS } from "../src/schema-values.js";

// The regexp the uuid check replaced (and ajv-formats' `uuid`): the hand-written check must agree.
const UUID = /^(?:urn:uuid:)?[0-9a-f]{8}-(?:[0-9a-f]{4}-){3}[0-9a-f]{12}$/i;

describe("FORMATS.uuid", () => {
  const valid = "0f8fad5b-d9cb-469f-a165-70867728950e";
  const cases = [
    valid,
    valid.toUpperCase(),
    `urn:uuid:${valid}`,
    `URN:UUID:${valid}`,
    `UrN:uUiD:${valid.toUpperCase()}`,
    "00000000-0000-0000-0000-000000000000",
    "",
    valid.slice(1),
    `${valid}0`,
    `${valid}\n`,
    ` ${valid}`,
    valid.replace("d", "g"),
    valid.replace("-", "0"),
    valid.replace("469f", "469-"),
    "0f8fad5bd9cb-469f-a165-70867728950e-",
    `urn:uuid:${valid}0`,
    `urn:uuid-${valid}`,
    `uuid:${valid}`,
    "0f8fad5b-d9cb-469f-a165-70867728950@",
    "0f8fad5b-d9cb-469f-a165-7086772895`e",
    "0f8fad5b-d9cb-469f-a165-70867728950G",
    "0f8fad5b-d9cb-469f-a165-7086772895/e",
    "0f8fad5b-d9cb-469f-a165-7086772895:e",
  ];
  it.each(cases)("agrees with the regexp on %j", (value) => {
    expect(FORMATS["uuid"]!(value)).toBe(UUID.test(value));
  });

  it("accepts every character the regexp accepts, and only those, at each hex position", () => {
    for (let code = 0; code < 256; code++) {
      const value = String.fromCharCode(code) + valid.slice(1);
      expect(FORMATS["uuid"]!(value)).toBe(UUID.test(value));
    }
  });
});

// The regexp the date-time shape check replaced; the field ranges are checked after it.
const DATE_TIME = /^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:[Zz]|[+-]\d{2}:\d{2})$/;
/** The range checks that follow the shape (months, days, leap years, hours, offsets). */
const inRange = (v: string) => !Number.isNaN(Date.parse(v.replace(" ", "T").replace("t", "T").replace("z", "Z"))) || /:60(?:\.\d+)?(?:[Zz]|[+-])/.test(v);

describe("FORMATS['date-time']", () => {
  const cases = [
    "2026-11-22T05:50:01.123Z",
    "2026-11-22T05:50:01Z",
    "2026-11-22t05:50:01z",
    "2026-11-22 05:50:01+02:00",
    "2026-11-22T05:50:01.5-11:30",
    "2026-11-22T05:50:01.Z",
    "2026-11-22T05:50:01",
    "2026-11-22T05:50Z",
    "2026-11-22T05:50:01ZZ",
    "2026-11-22T05:50:01+0200",
    "2026-11-22T05:50:01+02:00 ",
    " 2026-11-22T05:50:01Z",
    "2026-11-22X05:50:01Z",
    "2026/11/22T05:50:01Z",
    "2026-11-22T05-50-01Z",
    "2026-1a-22T05:50:01Z",
    "2026-11-22T05:50:01.123456789Z",
    "2026-11-22T05:50:01.12a3Z",
    "2026-11-22T05:50:01\nZ",
    "20261-11-22T05:50:01Z",
  ];
  it.each(cases)("agrees with the regexp (and the range checks) on %j", (value) => {
    expect(FORMATS["date-time"]!(value)).toBe(DATE_TIME.test(value) && inRange(value));
  });
});

// The table-driven checks read one class per character: every character code in the Latin and
// nearby ranges (and a few wide ones) at every position must get the regexp's verdict.
const CODES = [...Array.from({ length: 0x250 }, (_, i) => i), 0x660, 0x966, 0xff10, 0xff21, 0xff41, 0x2010, 0x2212, 0xfe63];
const replaceAt = (s: string, i: number, code: number) => s.slice(0, i) + String.fromCharCode(code) + s.slice(i + 1);

describe("FORMATS.uuid, character by character", () => {
  for (const base of ["0f8fad5b-d9cb-469f-a165-70867728950e", "urn:uuid:0F8FAD5B-D9CB-469F-A165-70867728950E"]) {
    it(`agrees with the regexp for every code at every position of ${base}`, () => {
      const wrong: string[] = [];
      for (let i = 0; i < base.length; i++)
        for (const code of CODES) {
          const value = replaceAt(base, i, code);
          if (FORMATS["uuid"]!(value) !== UUID.test(value)) wrong.push(JSON.stringify(value));
        }
      expect(wrong).toEqual([]);
    });
  }
});

describe("FORMATS['date-time'], character by character", () => {
  // (Bases whose one-character variants `Date.parse` judges rightly: it rolls a 29 February over.)
  for (const base of ["2026-11-22T05:50:01.123Z", "2024-01-19 13:49:59+05:30", "2026-11-22t05:50:01z"]) {
    it(`agrees with the regexp (and the range checks) for every code at every position of ${base}`, () => {
      const wrong: string[] = [];
      for (let i = 0; i < base.length; i++)
        for (const code of CODES) {
          const value = replaceAt(base, i, code);
          if (FORMATS["date-time"]!(value) !== (DATE_TIME.test(value) && inRange(value))) wrong.push(JSON.stringify(value));
        }
      expect(wrong).toEqual([]);
    });
  }
});
