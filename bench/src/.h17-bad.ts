import { readFileSync, readdirSync } from "node:fs";
import { validateSessionEvent } from "@flightdeck/copilot-core/validators";
const dir = "/work/main/schemas/recordings/runtime-1.0.85/";
const counts = new Map<string, number>();
for (const f of readdirSync(dir).filter((f) => f.endsWith(".jsonl")).sort()) for (const l of readFileSync(dir + f, "utf8").split("\n")) {
  if (!l.trim()) continue; const { dir: d, msg } = JSON.parse(l); if (d !== "in" || msg.method !== "session.event") continue;
  const e = msg.params.event; const r = validateSessionEvent(e, "lenient");
  if (!r.ok) { const k = r.known ? `${e.type} ${r.errors[0]!.message}` : `unknown ${e.type}`; counts.set(k, (counts.get(k) ?? 0) + 1); }
}
console.log(counts);
