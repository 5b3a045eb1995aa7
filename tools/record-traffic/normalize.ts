/**
 * Pins the volatile parts of recorded frames (UUIDs, timestamps, temp paths, timings, versions of
 * the tool itself) so that rerunning the recorder gives a clean diff when the runtime did not change.
 */
import type { Frame } from "./runtime-peer.js";

const UUID = /\b[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b/gi;
const ISO_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/;
const EMBEDDED_TIME = /\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})/g;
const PINNED_TIME = "2000-01-01T00:00:00.000Z";
// The ~21 KB system prompt and the message snapshots repeat in every scenario: keep a head only.
const MAX_STRING = 600;
// Numeric fields that measure time or vary run to run; their type is kept, the value pinned.
const VOLATILE_NUMBER_KEY = /(duration|elapsed|latency|Ms$|^ms$|Time$|timestamp|pid|port|bytes|size|tokens?$|Tokens$)/i;

export interface NormalizeOptions {
  /** Absolute paths to replace (longest first), e.g. the isolated temp root → "/recording". */
  paths: [from: string, to: string][];
}

export class Normalizer {
  private readonly uuids = new Map<string, string>();

  constructor(private readonly options: NormalizeOptions) {}

  frames(frames: Frame[]): Frame[] {
    return frames.map((f) => ({ dir: f.dir, msg: this.value(f.msg, "") as Record<string, unknown> }));
  }

  private pinUuid(u: string): string {
    const key = u.toLowerCase();
    let pinned = this.uuids.get(key);
    if (!pinned) {
      const n = (this.uuids.size + 1).toString(16).padStart(12, "0");
      pinned = `00000000-0000-4000-8000-${n}`;
      this.uuids.set(key, pinned);
    }
    return pinned;
  }

  private string(s: string): string {
    if (ISO_TIME.test(s)) return PINNED_TIME;
    let out = s;
    for (const [from, to] of this.options.paths) out = out.split(from).join(to);
    // The scripted model listens on an ephemeral port.
    out = out.replace(/127\.0\.0\.1:\d+/g, "127.0.0.1:1");
    out = out.replace(UUID, (u) => this.pinUuid(u)).replace(EMBEDDED_TIME, PINNED_TIME);
    if (out.length > MAX_STRING) out = `${out.slice(0, MAX_STRING)}…[${out.length - MAX_STRING} more characters cut by the recorder]`;
    return out;
  }

  private value(v: unknown, key: string): unknown {
    if (typeof v === "string") return this.string(v);
    if (typeof v === "number") return VOLATILE_NUMBER_KEY.test(key) && key !== "protocolVersion" ? (Number.isInteger(v) ? 1 : 0.5) : v;
    if (Array.isArray(v)) return v.map((x) => this.value(x, key));
    if (v && typeof v === "object") {
      const out: Record<string, unknown> = {};
      for (const [k, x] of Object.entries(v)) out[this.string(k)] = this.value(x, k);
      return out;
    }
    return v;
  }
}

export function toJsonl(frames: Frame[]): string {
  return frames.map((f) => JSON.stringify(f)).join("\n") + "\n";
}
