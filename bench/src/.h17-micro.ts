import { readFileSync, readdirSync } from "node:fs";
import { validateSessionEvent } from "@flightdeck/copilot-core/validators";
const dir = "/work/main/schemas/recordings/runtime-1.0.85/";
const lines: string[] = [];
for (const f of readdirSync(dir).filter((f) => f.endsWith(".jsonl")).sort()) for (const l of readFileSync(dir + f, "utf8").split("\n")) {
  if (!l.trim()) continue; const { dir: d, msg } = JSON.parse(l); if (d !== "in" || msg.method !== "session.event") continue;
  const t = msg.params.event.type; if (t === "permission.requested" || t === "external_tool.requested") continue; lines.push(JSON.stringify(msg.params.event));
}
const N = Number(process.argv[2] ?? 50000);
const events = Array.from({ length: N }, (_, i) => JSON.parse(lines[i % lines.length]!));
for (let r = 0; r < 7; r++) {
  let bad = 0; const t0 = performance.now();
  for (const e of events) if (!validateSessionEvent(e, "lenient").ok) bad++;
  const ms = performance.now() - t0;
  console.log(`round ${r}: ${(1000 * ms / N).toFixed(2)} µs/event, bad ${bad}`);
}
