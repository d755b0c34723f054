/**
 * The Archive port over fflate (SPEC §5), for Node and edge runtimes alike:
 * Web-standard APIs and fflate's streaming `Inflate` only.
 *
 * fflate's `unzipSync`/`unzip` are not used: they trust the headers (no CRC
 * check, no encryption detection, declared sizes believed). Instead the zip
 * container is read by `zip-reader.ts`, every name is checked before anything
 * is inflated, and each entry is inflated in chunks while the real output is
 * counted, so a zip bomb is stopped as soon as the limit is passed.
 *
 * Names without the UTF-8 flag (bit 11) are decoded as CP437, as the zip
 * specification says (and as Python's zipfile does).
 */
import { Inflate, inflateSync } from 'fflate';
import type { Archive, ArchiveLimits } from '../../application/ports.js';
import { UploadedFileError } from '../../domain/errors.js';
import type { FileEntry } from '../../domain/files.js';
import { crcFailed, TOO_BIG_UNCOMPRESSED } from '../../domain/original-messages.js';
import { CRC32_INIT, crc32Final, crc32Update } from './crc32.js';
import { checkTree, escapeName, show } from './zip-names.js';
import {
  type CentralEntry,
  corrupt,
  entryData,
  METHOD_DEFLATE,
  METHOD_STORED,
  readCentralDirectory,
} from './zip-reader.js';

/** Deflate cannot expand one input byte into more than ~1032 output bytes. */
const MAX_DEFLATE_RATIO = 1032;
const MIN_CHUNK = 4 * 1024;
const MAX_CHUNK = 64 * 1024;

export class FflateArchive implements Archive {
  async unpack(bytes: Uint8Array, limits: ArchiveLimits): Promise<FileEntry[]> {
    try {
      return unpackSync(bytes, limits.maxUncompressedSize);
    } catch (error) {
      if (error instanceof UploadedFileError) throw error;
      // Whatever else went wrong came from reading untrusted bytes: a corrupt archive, never a 500.
      throw corrupt(error instanceof Error ? error.message : String(error), error);
    }
  }
}

function tooBig(limit: number): UploadedFileError {
  return new UploadedFileError(`${TOO_BIG_UNCOMPRESSED} (more than ${limit}B)`);
}

function unpackSync(bytes: Uint8Array, limit: number): FileEntry[] {
  const directory = readCentralDirectory(bytes);
  checkTree(directory.entries);
  const files = directory.entries.filter((entry) => !entry.directory);

  // Refuse early what declares itself too big; what lies is caught while inflating.
  let declared = 0;
  for (const entry of files) declared += entry.uncompressedSize;
  if (declared > limit) throw tooBig(limit);

  const out: FileEntry[] = [];
  let used = 0;
  for (const entry of files) {
    const compressed = entryData(bytes, entry, directory.offset);
    const { data, crc } =
      entry.method === METHOD_STORED
        ? stored(compressed, limit - used, limit)
        : inflated(compressed, entry, limit - used, limit);
    used += data.length;
    if (data.length !== entry.uncompressedSize) {
      throw corrupt(
        `${show(entry.name)} unpacks to ${data.length} bytes but its header says ${entry.uncompressedSize}`,
      );
    }
    if (crc !== entry.crc) throw new UploadedFileError(crcFailed(escapeName(entry.name)));
    out.push({ path: entry.name, data });
  }
  return out.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}

interface Unpacked {
  data: Uint8Array;
  crc: number;
}

function stored(compressed: Uint8Array, budget: number, limit: number): Unpacked {
  if (compressed.length > budget) throw tooBig(limit);
  const data = compressed.slice(); // a copy: the result must not keep the whole upload alive
  return { data, crc: crc32Final(crc32Update(CRC32_INIT, data)) };
}

/**
 * Inflates one entry, feeding fflate small chunks so that one push cannot
 * produce much more than the remaining budget, counting the real output and
 * throwing as soon as it passes the budget. The output goes straight into one
 * buffer of the declared size (already checked against the limit), so each
 * file exists once; only an entry that lies about its size falls back to
 * collecting chunks (to report how much it really held).
 */
function inflated(compressed: Uint8Array, entry: CentralEntry, budget: number, limit: number): Unpacked {
  if (entry.method !== METHOD_DEFLATE) throw corrupt(`unexpected method for ${show(entry.name)}`);
  if (compressed.length * MAX_DEFLATE_RATIO <= budget) {
    const whole = inflatedAtOnce(compressed, entry.uncompressedSize);
    if (whole) return whole;
  }
  const out = new Uint8Array(entry.uncompressedSize);
  let overflow: Uint8Array[] | undefined;
  let produced = 0;
  let crc = CRC32_INIT;
  const inflater = new Inflate((chunk) => {
    if (chunk.length === 0) return;
    if (produced + chunk.length > budget) throw tooBig(limit);
    crc = crc32Update(crc, chunk);
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
        Math.max(MIN_CHUNK, Math.floor((budget - produced) / MAX_DEFLATE_RATIO)),
      );
      const end = Math.min(offset + size, compressed.length);
      inflater.push(compressed.subarray(offset, end), end === compressed.length);
      offset = end;
    } while (offset < compressed.length);
  } catch (error) {
    if (error instanceof UploadedFileError) throw error;
    const reason = error instanceof Error ? ` (${error.message})` : '';
    throw corrupt(`damaged deflate data in ${show(entry.name)}${reason}`, error);
  }
  const data = overflow ? join(overflow, produced) : out.subarray(0, produced);
  return { data, crc: crc32Final(crc) };
}

/**
 * The common case in one call: an entry too small to pass the budget
 * whatever it holds, inflated into a buffer one byte larger than declared
 * (fflate writes nothing past it), so a size lie shows as a length mismatch.
 * The streaming inflater's window copies and buffer doubling made up most
 * of a small bundle's unpacking. Undefined when the entry is not exactly
 * what it declares, or damaged: the chunked path then reports it precisely.
 */
function inflatedAtOnce(compressed: Uint8Array, declared: number): Unpacked | undefined {
  let data: Uint8Array;
  try {
    data = inflateSync(compressed, { out: new Uint8Array(declared + 1) });
  } catch {
    return undefined;
  }
  if (data.length !== declared) return undefined;
  return { data, crc: crc32Final(crc32Update(CRC32_INIT, data)) };
}

function join(chunks: readonly Uint8Array[], size: number): Uint8Array {
  const data = new Uint8Array(size);
  let at = 0;
  for (const chunk of chunks) {
    data.set(chunk, at);
    at += chunk.length;
  }
  return data;
}
