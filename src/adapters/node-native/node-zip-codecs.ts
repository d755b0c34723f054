/**
 * The archive's codecs on Node: node:zlib's native raw inflate and CRC-32,
 * several times faster than fflate and our JS CRC-32 on multi-MB entries.
 * Node entry points inject them; edge runtimes keep the Web-standard default.
 *
 * `inflateRawSync` bounds its output itself (`maxOutputLength`: past it, it
 * stops and throws ERR_BUFFER_TOO_LARGE), so a bomb never grows past the
 * bound plus one output chunk.
 */
// The module object, not named imports: on a Node without crc32 the entry points load and
// say so (src/infrastructure/runtime.ts) instead of failing to link this module.
import zlib from 'node:zlib';
import type { ZipCodecs } from '../zip/zip-codecs.js';
import { transferable } from './transferable.js';

/** zlib's smallest output chunk. */
const MIN_CHUNK = 64;
/**
 * Largest output chunk: bigger ones made inflating a 6 MB entry several times
 * slower (fresh pages for each) than joining 256 KiB chunks once.
 */
const MAX_CHUNK = 256 * 1024;

export const nodeZipCodecs: ZipCodecs = {
  inflateRaw(compressed, maxOutput, expected) {
    // No bytes at all is an empty entry, as for fflate (zlib would call it truncated).
    if (compressed.length === 0) return new Uint8Array();
    // Bounded at expected + 1 bytes first: an honest entry never needs more, and a
    // small one fits one chunk (no joining). Only a liar is inflated again, to learn its size.
    const first = Math.min(expected + 1, maxOutput);
    const chunk = Math.min(MAX_CHUNK, Math.max(MIN_CHUNK, expected + 1));
    const data =
      inflate(compressed, first, chunk) ??
      (first < maxOutput ? inflate(compressed, maxOutput, MAX_CHUNK) : undefined);
    if (data === undefined) return undefined;
    return transferable(data);
  },
  crc32: (data) => zlib.crc32(data),
};

/** The whole output, or undefined past `maxOutput` bytes; damaged data throws. */
function inflate(compressed: Uint8Array, maxOutput: number, chunkSize: number): Uint8Array | undefined {
  if (maxOutput < 1) {
    // zlib wants a bound of at least one byte: inflate against one and refuse any output.
    const data = inflate(compressed, 1, MIN_CHUNK);
    return data && data.byteLength === 0 ? data : undefined;
  }
  try {
    return zlib.inflateRawSync(compressed, { maxOutputLength: maxOutput, chunkSize });
  } catch (error) {
    if ((error as { code?: unknown }).code === 'ERR_BUFFER_TOO_LARGE') return undefined;
    throw error;
  }
}
