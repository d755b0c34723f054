/**
 * Standard base64 (with padding), written once: the runtime's native encoder
 * where it has one (Node, Bun, workerd with nodejs_compat), else Web APIs only.
 */
type NativeBuffer = { from(b: ArrayBufferLike, o: number, l: number): { toString(e: 'base64'): string } };
const nativeBuffer = (globalThis as { Buffer?: NativeBuffer }).Buffer;

export function toBase64(bytes: Uint8Array): string {
  if (nativeBuffer)
    return nativeBuffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64');
  return toBase64Portable(bytes);
}

/** Web APIs only, chunked so multi-megabyte inputs never overflow the call stack. */
export function toBase64Portable(bytes: Uint8Array): string {
  // A multiple of 3 bytes per chunk, so the chunks' encodings concatenate without inner padding.
  const chunkSize = 3 * 8192;
  const parts: string[] = [];
  for (let start = 0; start < bytes.length; start += chunkSize) {
    const chunk = bytes.subarray(start, start + chunkSize);
    parts.push(btoa(String.fromCharCode.apply(null, chunk as unknown as number[])));
  }
  return parts.join('');
}

/** The bytes of a standard base64 string; throws on anything else (as atob does). */
export function fromBase64(text: string): Uint8Array {
  return Uint8Array.from(atob(text), (c) => c.charCodeAt(0));
}
