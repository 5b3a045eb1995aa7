/** The collect mode's messages: what a model reads to fix a tool call (after `path: `). */
import type { Run } from "./schema-types.js";
import { typeOf } from "./schema-values.js";

/** Collect mode's messages: the model reads them to fix its call (after `path: `). */
export function describe(run: Run, keyword: string, p: Record<string, unknown>, data: unknown): void {
  const n = (word: string, many = `${word}s`): string => `${p.limit as number} ${p.limit === 1 ? word : many}`;
  switch (keyword) {
    case "false schema":
      return void say(run, undefined, "no value is allowed here");
    case "type":
      return void say(run, undefined, `expected ${[p.type].flat().join(" or ")}, received ${typeOf(data)}`);
    case "const":
      return void say(run, undefined, `must be ${JSON.stringify(p.allowedValue)}`);
    case "enum":
      return void say(run, undefined, `must be one of ${(p.allowedValues as unknown[]).map((e) => JSON.stringify(e)).join(", ")}`);
    case "not":
      return void say(run, undefined, "must not match the schema under `not`");
    case "maximum":
    case "minimum":
    case "exclusiveMaximum":
    case "exclusiveMinimum":
      return void say(run, undefined, `must be ${p.comparison as string} ${p.limit as number}`);
    case "multipleOf":
      return void say(run, undefined, `must be a multiple of ${p.multipleOf as number}`);
    case "maxLength":
    case "minLength":
      return void say(run, undefined, `must have ${keyword === "maxLength" ? "at most" : "at least"} ${n("character")}`);
    case "pattern":
      return void say(run, undefined, `must match the pattern ${p.pattern as string}`);
    case "maxItems":
    case "minItems":
      return void say(run, undefined, `must have ${keyword === "maxItems" ? "at most" : "at least"} ${n("item")}`);
    case "contains":
      return void say(run, undefined, "must contain at least one matching item");
    case "uniqueItems":
      return void say(run, p.i as number, `duplicates item ${p.j as number} (items must be unique)`);
    case "maxProperties":
    case "minProperties":
      return void say(run, undefined, `must have ${keyword === "maxProperties" ? "at most" : "at least"} ${n("property", "properties")}`);
    case "required":
      return void say(run, p.missingProperty as string, "required property is missing");
    case "dependentRequired":
      return void say(run, p.missingProperty as string, `required when "${p.property as string}" is present`);
    case "additionalProperties":
      return void say(run, p.additionalProperty as string, "unknown property (not allowed by the schema)");
    default:
      return void say(run, undefined, `fails "${keyword}"`);
  }
}

/** Collect mode: one issue at the current value (or its child `key`); `true` = keep going. */
export function say(run: Run, key: string | number | undefined, message: string): true {
  run.issues!.push({ path: key === undefined ? [...run.ip] : [...run.ip, key], message });
  return true;
}
