/** Byte-buffer helpers, written once. */

/** The chunks joined into one new buffer of `total` bytes (their summed length): always a buffer of its own. */
export function concatBytes(chunks: readonly Uint8Array[], total: number): Uint8Array {
  const out = new Uint8Array(total);
  let offset = 0;
  for (const chunk of chunks) {
    out.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return out;
}
