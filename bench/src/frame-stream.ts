/** Joins encoded frames into one stream and cuts it into `chunkBytes` pieces, as a pipe delivers them. */
export function joinAndChunk(frames: readonly Uint8Array[], chunkBytes: number): Uint8Array[] {
  let bytes = 0;
  for (const f of frames) bytes += f.length;
  const all = new Uint8Array(bytes);
  let at = 0;
  for (const f of frames) {
    all.set(f, at);
    at += f.length;
  }
  const chunks: Uint8Array[] = [];
  for (let i = 0; i < all.length; i += chunkBytes) chunks.push(all.subarray(i, i + chunkBytes));
  return chunks;
}
