/** Reads the file list of an npm tarball (gzip + ustar) without unpacking it. */
import { readFileSync } from "node:fs";
import { gunzipSync } from "node:zlib";

export interface TarEntry {
  /** Path inside the package, without the leading `package/`. */
  readonly path: string;
  readonly size: number;
}

export function listTarball(file: string): TarEntry[] {
  const tar = gunzipSync(readFileSync(file));
  const entries: TarEntry[] = [];
  let offset = 0;
  while (offset + 512 <= tar.length) {
    const header = tar.subarray(offset, offset + 512);
    if (header.every((b) => b === 0)) break;
    const field = (start: number, length: number) =>
      header
        .subarray(start, start + length)
        .toString("utf8")
        .replace(/\0.*$/s, "");
    const name = field(0, 100);
    const prefix = field(345, 155);
    const size = Number.parseInt(field(124, 12).trim() || "0", 8);
    const type = field(156, 1);
    const full = prefix ? `${prefix}/${name}` : name;
    if (type === "0" || type === "") entries.push({ path: full.replace(/^package\//, ""), size });
    offset += 512 + Math.ceil(size / 512) * 512;
  }
  return entries.sort((a, b) => a.path.localeCompare(b.path));
}
