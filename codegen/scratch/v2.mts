import { createRequire } from "node:module";
import { gzipSync } from "node:zlib";
import { loadSchemas } from "../src/load.js";
import { buildIr } from "../src/ir.js";
import { validatorPlan } from "../src/emit/validators.js";
const require = createRequire(import.meta.url);
const ir = buildIr(loadSchemas("/work/main/schemas"));
const plan = validatorPlan(ir);
const ANN = new Set(["description","title","stability","visibility","deprecated","$comment","examples","x-enumDescriptions","x-opaque-json","x-opaque-in-process","x-typescript-type","contentEncoding"]);
const VAL = new Set(["enum","const","default","examples","required"]);
function strip(s: any): any { if (Array.isArray(s)) return s.map(strip); if (!s || typeof s !== "object") return s; const o: any = {}; for (const [k,v] of Object.entries(s)) { if (ANN.has(k)) continue; o[k] = VAL.has(k) ? v : (k==="properties"||k==="patternProperties"||k==="definitions") ? Object.fromEntries(Object.entries(v as any).map(([a,b])=>[a,strip(b)])) : strip(v);} return o; }
for (const cls of ["ajv/dist/2019", "ajv"]) for (const which of ["events", "all"]) {
  const Ajv = require(cls).default;
  const t0 = performance.now();
  const ajv = new Ajv({ strict: true, strictTypes: "log", strictRequired: false, allowUnionTypes: true, inlineRefs: false, messages: false, code: { source: true, esm: true, lines: true }, logger: false });
  require("ajv-formats").default(ajv, ["uri", "duration", "date-time", "uuid"]);
  ajv.addSchema({ $id: "fd", definitions: strip(plan.definitions) });
  const exp = Object.fromEntries([...plan.exports].filter(([k]) => which === "all" || [...plan.events.values()].includes(k)));
  const code = require("ajv/dist/standalone").default(ajv, exp);
  console.log(cls, which, Object.keys(exp).length, "ms", Math.round(performance.now() - t0), "size", code.length, "gz", gzipSync(code).length);
}
{
  const esbuild = require("/work/main/node_modules/.pnpm/esbuild@0.27.7/node_modules/esbuild");
  const Ajv = require("ajv/dist/2019").default;
  const ajv = new Ajv({ strict: true, strictTypes: "log", strictRequired: false, allowUnionTypes: true, inlineRefs: false, messages: false, code: { source: true, esm: true, lines: true }, logger: false });
  require("ajv-formats").default(ajv, ["uri", "duration", "date-time", "uuid"]);
  ajv.addSchema({ $id: "fd", definitions: strip(plan.definitions) });
  const inbound = new Set<string>([...plan.events.values()]);
  for (const m of ir.methods) { const t = plan.methods.get(m.name)!; if (m.direction === "clientToServer" && t.result) inbound.add(t.result); if (m.direction === "serverToClient" && t.params) inbound.add(t.params); }
  const exp = Object.fromEntries([...plan.exports].filter(([k]) => inbound.has(k)));
  const code = require("ajv/dist/standalone").default(ajv, exp);
  const t0 = performance.now();
  const min = esbuild.transformSync(code, { minifyWhitespace: true, minifySyntax: true, format: "esm" }).code;
  console.log("inbound", Object.keys(exp).length, code.length, gzipSync(code).length, "min", min.length, gzipSync(min).length, Math.round(performance.now() - t0));
  const min2 = esbuild.transformSync(code, { minify: true, format: "esm" }).code;
  console.log("full minify", min2.length, gzipSync(min2).length);
}
