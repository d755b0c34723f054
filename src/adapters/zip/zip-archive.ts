/**
 * The Archive port (SPEC §5): our own zip reader, for Node and edge runtimes
 * alike — Web-standard APIs only. Inflating and CRC-32 are injected
 * (`ZipCodecs`): fflate's and our CRC-32 by default, node:zlib's on Node.
 *
 * fflate's `unzipSync`/`unzip` are not used: they trust the headers (no CRC
 * check, no encryption detection, declared sizes believed). Instead the zip
 * container is read by `zip-reader.ts`, every name is checked before anything
 * is inflated, and each entry is inflated within what is left of the limit,
 * its real output counted, so a zip bomb is stopped as soon as the limit is
 * passed; its real size and CRC are then checked against its headers.
 *
 * Names without the UTF-8 flag (bit 11) are decoded as CP437, as the zip
 * specification says (and as Python's zipfile does).
 */
import type { Archive, ArchiveLimits } from '../../application/ports.js';
import { UploadedFileError } from '../../domain/errors.js';
import { byPath, type FileEntry } from '../../domain/files.js';
import { crcFailed, TOO_BIG_UNCOMPRESSED } from '../../domain/original-messages.js';
import { webZipCodecs, type ZipCodecs } from './zip-codecs.js';
import { checkTree, escapeName, show } from './zip-names.js';
import {
  type CentralEntry,
  corrupt,
  entryData,
  METHOD_DEFLATE,
  METHOD_STORED,
  readCentralDirectory,
} from './zip-reader.js';

export class ZipArchive implements Archive {
  /** `codecs`: how entries are inflated and checksummed (Node passes native ones). */
  constructor(private readonly codecs: ZipCodecs = webZipCodecs) {}

  async unpack(bytes: Uint8Array, limits: ArchiveLimits): Promise<FileEntry[]> {
    try {
      return unpackSync(this.codecs, bytes, limits.maxUncompressedSize);
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

function unpackSync(codecs: ZipCodecs, bytes: Uint8Array, limit: number): FileEntry[] {
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
    const data =
      entry.method === METHOD_STORED
        ? stored(compressed, limit - used, limit)
        : inflated(codecs, compressed, entry, limit - used, limit);
    used += data.length;
    if (data.length !== entry.uncompressedSize) {
      throw corrupt(
        `${show(entry.name)} unpacks to ${data.length} bytes but its header says ${entry.uncompressedSize}`,
      );
    }
    if (codecs.crc32(data) !== entry.crc) throw new UploadedFileError(crcFailed(escapeName(entry.name)));
    out.push({ path: entry.name, data });
  }
  return out.sort(byPath);
}

function stored(compressed: Uint8Array, budget: number, limit: number): Uint8Array {
  if (compressed.length > budget) throw tooBig(limit);
  return compressed.slice(); // a copy: the result must not keep the whole upload alive
}

/** Inflates one entry within the budget; what it holds is checked by the caller. */
function inflated(
  codecs: ZipCodecs,
  compressed: Uint8Array,
  entry: CentralEntry,
  budget: number,
  limit: number,
): Uint8Array {
  if (entry.method !== METHOD_DEFLATE) throw corrupt(`unexpected method for ${show(entry.name)}`);
  let data: Uint8Array | undefined;
  try {
    data = codecs.inflateRaw(compressed, budget, Math.min(entry.uncompressedSize, budget));
  } catch (error) {
    const reason = error instanceof Error ? ` (${error.message})` : '';
    throw corrupt(`damaged deflate data in ${show(entry.name)}${reason}`, error);
  }
  if (!data) throw tooBig(limit);
  return data;
}
