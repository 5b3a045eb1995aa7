/**
 * The two boolean checks of event validation side by side in one process: the function generated
 * from the schema data (`packages/core/src/schema-function.ts`, used where code generation is
 * allowed) and the closures (`schema-compiled.ts`, the fallback under a CSP or
 * `--disallow-code-generation-from-strings`), plus `validateSessionEvent` as users call it.
 * Run from the repo root: `pnpm exec tsx bench/src/validation-bench.ts [--rounds 40]`. Not part of
 * `pnpm bench`; writes nothing.
 *
 * Input: the recorded `session.event`s of runtime 1.0.85 whose type has a schema (as the session
 * host checks only those), each `JSON.parse`d afresh and checked right after, as the host does.
 * Cost of a check = CPU time of (parse + check) minus CPU time of (parse alone) in the same round;
 * the variants run in rotating order; medians over rounds (the first five are warm-up).
 */
import { readFileSync, readdirSync } from "node:fs";
import { loadavg } from "node:os";
import { fileURLToPath } from "node:url";
import { validateSessionEvent } from "../../packages/core/src/validators.js";
import { DEFINITIONS } from "../../packages/core/src/generated/validators/definitions.js";
import { EVENT_SCHEMAS } from "../../packages/core/src/generated/validators/index.js";
import { compiledRef } from "../../packages/core/src/schema-compiled.js";
import { schemaFunction } from "../../packages/core/src/schema-function.js";
import { median } from "./stats.js";

const args = process.argv.slice(2);
const ROUNDS = args.includes("--rounds") ? Number(args[args.indexOf("--rounds") + 1]) : 40;
const EVENTS = 20_000;
const dir = fileURLToPath(new URL("../../schemas/recordings/runtime-1.0.85/", import.meta.url));

const texts: string[] = [];
for (const file of readdirSync(dir)
  .filter((f) => f.endsWith(".jsonl"))
  .sort()) {
  for (const line of readFileSync(dir + file, "utf8").split("\n")) {
    if (!line.trim()) continue;
    const { dir: io, msg } = JSON.parse(line) as { dir: string; msg: { method?: string; params?: { event: { type: string } } } };
    if (io === "in" && msg.method === "session.event" && Object.hasOwn(EVENT_SCHEMAS, msg.params!.event.type)) texts.push(JSON.stringify(msg.params!.event));
  }
}
const batch = Array.from({ length: EVENTS }, (_, i) => texts[i % texts.length]!);

type Check = (data: unknown) => boolean;
const checks = (make: (key: string, strict: boolean) => Check | undefined, strict: boolean) =>
  new Map(Object.entries(EVENT_SCHEMAS).map(([type, key]) => [type, make(key, strict)!]));
const generated = [checks((k, s) => schemaFunction(DEFINITIONS, k, s), false), checks((k, s) => schemaFunction(DEFINITIONS, k, s), true)] as const;
if (generated[0].get("abort") === undefined) throw new Error("code generation is refused in this process: nothing to compare");
const closures = [checks((k, s) => compiledRef(DEFINITIONS, k, s), false), checks((k, s) => compiledRef(DEFINITIONS, k, s), true)] as const;
const byType = (m: ReadonlyMap<string, Check>) => (e: unknown) => m.get((e as { type: string }).type)!(e);

const variants: Record<string, (event: unknown) => boolean> = {
  "parse only": (e) => e !== null,
  "generated, lenient": byType(generated[0]),
  "closures, lenient": byType(closures[0]),
  "validateSessionEvent, lenient": (e) => validateSessionEvent(e, "lenient").ok,
  "generated, strict": byType(generated[1]),
  "closures, strict": byType(closures[1]),
  "validateSessionEvent, strict": (e) => validateSessionEvent(e, "strict").ok,
};
const names = Object.keys(variants);
const cpu = new Map<string, number[]>(names.map((n) => [n, []]));
const valid = new Map<string, number>();
for (let round = 0; round < ROUNDS + 5; round++) {
  for (let j = 0; j < names.length; j++) {
    const name = names[(j + round) % names.length]!;
    const check = variants[name]!;
    let ok = 0;
    const start = process.cpuUsage();
    for (let i = 0; i < EVENTS; i++) if (check(JSON.parse(batch[i]!))) ok++;
    const used = process.cpuUsage(start);
    valid.set(name, ok);
    if (round >= 5) cpu.get(name)!.push((used.user + used.system) / EVENTS);
  }
}
// The verdicts must agree, or the comparison means nothing.
for (const mode of ["lenient", "strict"]) {
  const counts = names.filter((n) => n.endsWith(mode)).map((n) => valid.get(n));
  if (new Set(counts).size !== 1) throw new Error(`the ${mode} checks disagree on how many events are valid: ${counts.join(", ")}`);
}
const parse = cpu.get("parse only")!;
console.log(`${texts.length} recorded events of known types, ${EVENTS} per round, ${ROUNDS} rounds, load ${(loadavg()[0] ?? 0).toFixed(1)}`);
console.log(`parse only: ${median(parse).toFixed(3)} µs/event`);
console.log("| check | CPU µs/event over parse (median) | valid |\n|---|---|---|");
for (const name of names.slice(1)) {
  const over = cpu.get(name)!.map((t, i) => t - parse[i]!);
  console.log(`| ${name} | ${median(over).toFixed(3)} | ${valid.get(name)}/${EVENTS} |`);
}
