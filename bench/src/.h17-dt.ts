import { FORMATS } from "/work/main/packages/core/src/schema-interpreter.ts";
const DATE_TIME = /^(\d{4})-(\d{2})-(\d{2})[Tt ](\d{2}):(\d{2}):(\d{2})(?:\.\d+)?(?:[Zz]|([+-])(\d{2}):(\d{2}))$/;
const DAYS = [0, 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];
const old = (str: string) => {
  const m = DATE_TIME.exec(str); if (!m) return false;
  const y = +m[1]!, mo = +m[2]!, d = +m[3]!, h = +m[4]!, mi = +m[5]!, s = +m[6]!;
  const leap = y % 4 === 0 && (y % 100 !== 0 || y % 400 === 0);
  if (mo < 1 || mo > 12 || d < 1 || d > (mo === 2 && leap ? 29 : DAYS[mo]!)) return false;
  if (m[8] !== undefined && (+m[8] > 23 || +m[9]! > 59)) return false;
  if (h > 23 || mi > 59) return false;
  return s <= 59 || s === 60;
};
const pick = <T,>(a: T[]) => a[Math.floor(Math.random() * a.length)]!;
const dd = (n: number) => Array.from({ length: n }, () => String(Math.floor(Math.random() * 10))).join("");
let bad = 0, valid = 0;
for (let i = 0; i < 2_000_000; i++) {
  const parts = [pick(["2024", "2000", "1900", "2023", dd(4)]), "-", pick(["02", "12", "13", "00", dd(2)]), "-", pick(["29", "28", "30", "31", "00", dd(2)]), pick(["T", "t", " ", "x"]),
    pick(["23", "24", dd(2)]), ":", pick(["59", "60", dd(2)]), ":", pick(["59", "60", "61", dd(2)]), pick(["", ".", ".5", "." + dd(3)]), pick(["Z", "z", "+" + pick(["23", "24", dd(2)]) + ":" + pick(["59", "60", dd(2)]), "-00:00", "", "+0000", "Zx"])];
  let s = parts.join("");
  if (Math.random() < 0.05) s = s.slice(0, Math.floor(Math.random() * s.length));
  if (Math.random() < 0.02) s = s.replace(/\d/, "\u0663");
  const a = old(s), b = FORMATS["date-time"]!(s);
  if (a) valid++;
  if (a !== b) { bad++; if (bad < 5) console.log("MISMATCH", JSON.stringify(s), a, b); }
}
console.log("mismatches", bad, "valid", valid);
