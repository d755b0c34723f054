/**
 * What the archive needs to read entries: raw inflate with an output bound,
 * and CRC-32. The default here is Web-standard (fflate and our CRC-32), for
 * edge runtimes; Node passes node:zlib's native ones (src/adapters/node-native),
 * several times faster on large entries. Every check on what an entry holds
 * (the size limit, its declared size, its CRC) stays in the archive, so both
 * behave alike on hostile input.
 */
import { Inflate, inflateSync } from 'fflate';
import { concatBytes } from '../../domain/bytes.js';
import { crc32 } from './crc32.js';

export interface ZipCodecs {
  /**
   * The raw deflate stream inflated; `undefined` once it would produce more
   * than `maxOutput` bytes (it stops there, having allocated not much more).
   * `expected` is the size the entry declares (≤ maxOutput): an honest entry
   * is inflated into one buffer of that size. Throws on damaged data.
   */
  inflateRaw(compressed: Uint8Array, maxOutput: number, expected: number): Uint8Array | undefined;
  /** The CRC-32 of `data` (unsigned). */
  crc32(data: Uint8Array): number;
}

/** Deflate cannot expand one input byte into more than ~1032 output bytes. */
const MAX_DEFLATE_RATIO = 1032;
const MIN_CHUNK = 4 * 1024;
const MAX_CHUNK = 64 * 1024;

/** fflate and our CRC-32: Web-standard, the default. */
export const webZipCodecs: ZipCodecs = {
  inflateRaw(compressed, maxOutput, expected) {
    if (compressed.length * MAX_DEFLATE_RATIO <= maxOutput) {
      const whole = inflatedAtOnce(compressed, expected);
      if (whole) return whole;
    }
    return inflatedInChunks(compressed, maxOutput, expected);
  },
  crc32,
};

/** Thrown from fflate's output callback to stop it; never leaves this module. */
const TOO_MUCH = Symbol('too much output');

/**
 * Feeds fflate small chunks so that one push cannot produce much more than
 * the bound, counting the real output. The output goes straight into one
 * buffer of the expected size; only an entry that lies about its size falls
 * back to collecting chunks (to report how much it really held).
 */
function inflatedInChunks(
  compressed: Uint8Array,
  maxOutput: number,
  expected: number,
): Uint8Array | undefined {
  const out = new Uint8Array(expected);
  let overflow: Uint8Array[] | undefined;
  let produced = 0;
  const inflater = new Inflate((chunk) => {
    if (chunk.length === 0) return;
    if (produced + chunk.length > maxOutput) throw TOO_MUCH;
    if (!overflow && produced + chunk.length <= out.length) out.set(chunk, produced);
    else {
      overflow ??= [out.subarray(0, produced)];
      overflow.push(chunk);
    }
    produced += chunk.length;
  });
  try {
    let offset = 0;
    do {
      const size = Math.min(
        MAX_CHUNK,
        Math.max(MIN_CHUNK, Math.floor((maxOutput - produced) / MAX_DEFLATE_RATIO)),
      );
      const end = Math.min(offset + size, compressed.length);
      inflater.push(compressed.subarray(offset, end), end === compressed.length);
      offset = end;
    } while (offset < compressed.length);
  } catch (error) {
    if (error === TOO_MUCH) return undefined;
    throw error;
  }
  return overflow ? concatBytes(overflow, produced) : out.subarray(0, produced);
}

/**
 * The common case in one call: an entry too small to pass the bound whatever
 * it holds, inflated into a buffer one byte larger than expected (fflate
 * writes nothing past it), so a size lie shows as a length mismatch. The
 * streaming inflater's window copies and buffer doubling made up most of a
 * small bundle's unpacking. Undefined when the entry is not exactly what it
 * declares, or damaged: the chunked path then reports it precisely.
 */
function inflatedAtOnce(compressed: Uint8Array, expected: number): Uint8Array | undefined {
  let data: Uint8Array;
  try {
    data = inflateSync(compressed, { out: new Uint8Array(expected + 1) });
  } catch {
    return undefined;
  }
  return data.length === expected ? data : undefined;
}
