/**
 * What a stretch of a program left on the heap, from two heap snapshots of the same process
 * (`v8.writeHeapSnapshot`; object ids are stable within a process): the objects of the second
 * that the first does not have, by self size. JavaScript objects only — code (bytecode, JIT
 * output, feedback), object shapes and the embedder's native objects are left out — so the
 * figure is what the program retains, not what the JIT compiled meanwhile. Deterministic for a
 * deterministic program, unlike `heapUsed`.
 */
import { readFileSync } from "node:fs";

interface Snapshot {
  snapshot: { meta: { node_fields: string[]; node_types: [string[], ...unknown[]] } };
  nodes: number[];
  strings: string[];
}

/** Node types counted as the program's own objects. */
const COUNTED = new Set(["object", "closure", "array", "string", "concatenated string", "sliced string", "number", "regexp", "symbol", "bigint", "hidden"]);

function load(path: string): Snapshot {
  return JSON.parse(readFileSync(path, "utf8")) as Snapshot;
}

export interface RetainedObjects {
  bytes: number;
  objects: number;
  /** The largest kinds (`type:constructor`), bytes. */
  top: Array<{ kind: string; bytes: number; objects: number }>;
}

export function retainedObjects(beforePath: string, afterPath: string): RetainedObjects {
  const ids = new Set<number>();
  {
    const before = load(beforePath);
    const fields = before.snapshot.meta.node_fields;
    const idAt = fields.indexOf("id");
    for (let i = 0; i < before.nodes.length; i += fields.length) ids.add(before.nodes[i + idAt]!);
  }
  const after = load(afterPath);
  const fields = after.snapshot.meta.node_fields;
  const types = after.snapshot.meta.node_types[0];
  const [typeAt, nameAt, idAt, sizeAt] = ["type", "name", "id", "self_size"].map((f) => fields.indexOf(f)) as [number, number, number, number];
  const kinds = new Map<string, { bytes: number; objects: number }>();
  let bytes = 0;
  let objects = 0;
  for (let i = 0; i < after.nodes.length; i += fields.length) {
    if (ids.has(after.nodes[i + idAt]!)) continue;
    const type = types[after.nodes[i + typeAt]!]!;
    if (!COUNTED.has(type)) continue;
    const size = after.nodes[i + sizeAt]!;
    bytes += size;
    objects++;
    const kind = type === "object" || type === "closure" ? `${type}:${after.strings[after.nodes[i + nameAt]!]}` : type;
    const k = kinds.get(kind) ?? { bytes: 0, objects: 0 };
    k.bytes += size;
    k.objects++;
    kinds.set(kind, k);
  }
  const top = [...kinds.entries()]
    .map(([kind, k]) => ({ kind, ...k }))
    .sort((a, b) => b.bytes - a.bytes)
    .slice(0, 12);
  return { bytes, objects, top };
}
