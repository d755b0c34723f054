/**
 * A strict reader for the zip container (APPNOTE.TXT): the end of central
 * directory record (ZIP64 included), the central directory and the local
 * headers. It reads structure only; inflating is the archive's business.
 * Everything it refuses is an UploadedFileError. Web-standard APIs only.
 */
import { UploadedFileError } from '../../domain/errors.js';
import { encryptedEntry, NOT_A_ZIP } from '../../domain/original-messages.js';
import { type CheckedName, checkName, decodeName, show } from './zip-names.js';

/** Most entries (files and directories) an archive may have. */
export const MAX_ENTRIES = 10_000;

const SIG_LOCAL = 0x04034b50;
const SIG_CENTRAL = 0x02014b50;
const SIG_EOCD = 0x06054b50;
const SIG_ZIP64_EOCD = 0x06064b50;
const SIG_ZIP64_LOCATOR = 0x07064b50;

const EOCD_SIZE = 22;
const ZIP64_LOCATOR_SIZE = 20;
const ZIP64_EOCD_SIZE = 56;
const CENTRAL_SIZE = 46;
const LOCAL_SIZE = 30;
const MAX_COMMENT = 0xffff;
const ZIP64_EXTRA_ID = 0x0001;

const FLAG_ENCRYPTED = 0x0001;
const FLAG_STRONG_ENCRYPTION = 0x0040;
/** WinZip AES: always encrypted, whatever the flags say. */
const METHOD_AES = 99;

const S_IFMT = 0o170000;
const S_IFLNK = 0o120000;

export const METHOD_STORED = 0;
export const METHOD_DEFLATE = 8;

export interface CentralEntry extends CheckedName {
  /** The name as decoded (directory entries keep their trailing `/`). */
  name: string;
  nameBytes: Uint8Array;
  flags: number;
  method: number;
  crc: number;
  compressedSize: number;
  uncompressedSize: number;
  localHeaderOffset: number;
}

export interface CentralDirectory {
  entries: CentralEntry[];
  /** Where the central directory starts: entry data must end before it. */
  offset: number;
}

export function corrupt(detail: string, cause?: unknown): UploadedFileError {
  return new UploadedFileError(
    `${NOT_A_ZIP} (the archive is corrupt: ${detail})`,
    cause === undefined ? undefined : { cause },
  );
}

function encrypted(name: string): UploadedFileError {
  return new UploadedFileError(encryptedEntry(show(name)));
}

/** A little-endian view over the upload, bounds-checked: reading past the end is a corrupt archive. */
class Reader {
  private readonly view: DataView;

  constructor(readonly bytes: Uint8Array) {
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }

  get length(): number {
    return this.bytes.length;
  }

  private check(offset: number, size: number): void {
    if (!(offset >= 0 && offset + size <= this.bytes.length)) {
      throw corrupt('truncated (a record runs past the end of the file)');
    }
  }

  u16(offset: number): number {
    this.check(offset, 2);
    return this.view.getUint16(offset, true);
  }

  u32(offset: number): number {
    this.check(offset, 4);
    return this.view.getUint32(offset, true);
  }

  /** 64-bit values beyond 2^53 lose precision, but they are far past any real size or offset anyway. */
  u64(offset: number): number {
    return this.u32(offset + 4) * 0x1_0000_0000 + this.u32(offset);
  }

  slice(offset: number, size: number): Uint8Array {
    this.check(offset, size);
    return this.bytes.subarray(offset, offset + size);
  }
}

/** Finds the end of central directory record, searching backwards over a possible comment. */
function findEocd(reader: Reader): number {
  const bytes = reader.bytes;
  const lowest = Math.max(0, bytes.length - EOCD_SIZE - MAX_COMMENT);
  let loose = -1;
  for (let i = bytes.length - EOCD_SIZE; i >= lowest; i--) {
    if (bytes[i] !== 0x50 || reader.u32(i) !== SIG_EOCD) continue;
    const end = i + EOCD_SIZE + reader.u16(i + 20);
    if (end === bytes.length) return i; // the record and its comment end the file
    if (loose < 0 && end <= bytes.length) loose = i; // tolerate trailing bytes after the comment
  }
  return loose;
}

function looksLikeZipStart(bytes: Uint8Array): boolean {
  return (
    bytes.length >= 4 && new DataView(bytes.buffer, bytes.byteOffset, 4).getUint32(0, true) === SIG_LOCAL
  );
}

interface EndRecord {
  disk: number;
  centralDisk: number;
  diskEntries: number;
  entries: number;
  size: number;
  offset: number;
  /** The central directory must end at or before this offset. */
  limit: number;
}

function readEndRecord(reader: Reader): EndRecord {
  if (reader.length === 0) throw new UploadedFileError(`${NOT_A_ZIP} (it is empty)`);
  const eocd = findEocd(reader);
  if (eocd < 0) {
    if (looksLikeZipStart(reader.bytes)) {
      throw corrupt('truncated (the end of central directory record is missing)');
    }
    throw new UploadedFileError(NOT_A_ZIP);
  }
  const record: EndRecord = {
    disk: reader.u16(eocd + 4),
    centralDisk: reader.u16(eocd + 6),
    diskEntries: reader.u16(eocd + 8),
    entries: reader.u16(eocd + 10),
    size: reader.u32(eocd + 12),
    offset: reader.u32(eocd + 16),
    limit: eocd,
  };
  const locator = eocd - ZIP64_LOCATOR_SIZE;
  if (locator >= 0 && reader.u32(locator) === SIG_ZIP64_LOCATOR) {
    const at = reader.u64(locator + 8);
    if (reader.u32(locator + 4) !== 0 || at + ZIP64_EOCD_SIZE > locator) {
      throw corrupt('bad ZIP64 end of central directory locator');
    }
    if (reader.u32(at) !== SIG_ZIP64_EOCD) throw corrupt('ZIP64 end of central directory record not found');
    record.disk = reader.u32(at + 16);
    record.centralDisk = reader.u32(at + 20);
    record.diskEntries = reader.u64(at + 24);
    record.entries = reader.u64(at + 32);
    record.size = reader.u64(at + 40);
    record.offset = reader.u64(at + 48);
    record.limit = at;
  }
  if (record.disk !== 0 || record.centralDisk !== 0 || record.diskEntries !== record.entries) {
    throw corrupt('split (multi-disk) archives are not supported');
  }
  return record;
}

/** ZIP64 extended information: the real values of the fields saturated in the central header. */
function applyZip64Extra(
  reader: Reader,
  extraStart: number,
  extraLength: number,
  sizes: { uncompressedSize: number; compressedSize: number; localHeaderOffset: number; disk: number },
  name: string,
): void {
  const wanted = [
    sizes.uncompressedSize === 0xffffffff,
    sizes.compressedSize === 0xffffffff,
    sizes.localHeaderOffset === 0xffffffff,
    sizes.disk === 0xffff,
  ];
  if (!wanted.includes(true)) return;
  const end = extraStart + extraLength;
  for (let at = extraStart; at + 4 <= end; ) {
    const id = reader.u16(at);
    const size = reader.u16(at + 2);
    const body = at + 4;
    if (body + size > end) break;
    if (id === ZIP64_EXTRA_ID) {
      let p = body;
      const take = (bytes: 4 | 8): number => {
        if (p + bytes > body + size) throw corrupt(`bad ZIP64 extra field for ${show(name)}`);
        const value = bytes === 8 ? reader.u64(p) : reader.u32(p);
        p += bytes;
        return value;
      };
      if (wanted[0]) sizes.uncompressedSize = take(8);
      if (wanted[1]) sizes.compressedSize = take(8);
      if (wanted[2]) sizes.localHeaderOffset = take(8);
      if (wanted[3]) sizes.disk = take(4);
      return;
    }
    at = body + size;
  }
  throw corrupt(`missing ZIP64 extra field for ${show(name)}`);
}

/**
 * Reads and checks the central directory: structure, entry count, encryption,
 * compression methods, symbolic links and names (SPEC §5). Duplicates and
 * file/folder conflicts are left to `checkTree`.
 */
export function readCentralDirectory(bytes: Uint8Array): CentralDirectory {
  const reader = new Reader(bytes);
  const end = readEndRecord(reader);
  if (end.entries > MAX_ENTRIES) {
    throw new UploadedFileError(`Zip archive has too many entries (more than ${MAX_ENTRIES})`);
  }
  const cdEnd = end.offset + end.size;
  if (cdEnd > end.limit) throw corrupt('the central directory lies outside the file');
  const entries: CentralEntry[] = [];
  let at = end.offset;
  for (let i = 0; i < end.entries; i++) {
    if (at + CENTRAL_SIZE > cdEnd || reader.u32(at) !== SIG_CENTRAL) {
      throw corrupt(`bad central directory (entry ${i + 1} of ${end.entries})`);
    }
    const flags = reader.u16(at + 8);
    const method = reader.u16(at + 10);
    const crc = reader.u32(at + 16);
    const nameLength = reader.u16(at + 28);
    const extraLength = reader.u16(at + 30);
    const commentLength = reader.u16(at + 32);
    const externalAttributes = reader.u32(at + 38);
    const sizes = {
      compressedSize: reader.u32(at + 20),
      uncompressedSize: reader.u32(at + 24),
      disk: reader.u16(at + 34),
      localHeaderOffset: reader.u32(at + 42),
    };
    const next = at + CENTRAL_SIZE + nameLength + extraLength + commentLength;
    if (next > cdEnd) throw corrupt(`bad central directory (entry ${i + 1} runs past its end)`);
    const nameBytes = reader.slice(at + CENTRAL_SIZE, nameLength);
    const name = decodeName(nameBytes, flags);
    if (flags & (FLAG_ENCRYPTED | FLAG_STRONG_ENCRYPTION) || method === METHOD_AES) throw encrypted(name);
    const checked = checkName(name);
    // Unix (and macOS) zippers keep st_mode in the high 16 bits. The check is made whatever the host
    // byte of "version made by" says: other hosts leave those bits zero, and a link is refused, never followed.
    if (((externalAttributes >>> 16) & S_IFMT) === S_IFLNK) {
      throw new UploadedFileError(`Zip archive contains a symbolic link: ${show(name)}`);
    }
    applyZip64Extra(reader, at + CENTRAL_SIZE + nameLength, extraLength, sizes, name);
    if (sizes.disk !== 0) throw corrupt('split (multi-disk) archives are not supported');
    if (!checked.directory && method !== METHOD_STORED && method !== METHOD_DEFLATE) {
      throw new UploadedFileError(
        `Zip archive entry ${show(name)} uses unsupported compression method ${method} (only stored and deflate are supported)`,
      );
    }
    entries.push({
      ...checked,
      name,
      nameBytes,
      flags,
      method,
      crc,
      compressedSize: sizes.compressedSize,
      uncompressedSize: sizes.uncompressedSize,
      localHeaderOffset: sizes.localHeaderOffset,
    });
    at = next;
  }
  if (at !== cdEnd) throw corrupt('the central directory size does not match its entries');
  return { entries, offset: end.offset };
}

/**
 * Reads an entry's local header and returns its compressed data (a view, not
 * a copy). The local name must be the central one; the data must end before
 * the central directory.
 */
export function entryData(bytes: Uint8Array, entry: CentralEntry, centralOffset: number): Uint8Array {
  const reader = new Reader(bytes);
  const at = entry.localHeaderOffset;
  if (at + LOCAL_SIZE > centralOffset || reader.u32(at) !== SIG_LOCAL) {
    throw corrupt(`bad local header for ${show(entry.name)}`);
  }
  const flags = reader.u16(at + 6);
  if (flags & (FLAG_ENCRYPTED | FLAG_STRONG_ENCRYPTION)) throw encrypted(entry.name);
  const nameLength = reader.u16(at + 26);
  const extraLength = reader.u16(at + 28);
  const localName = reader.slice(at + LOCAL_SIZE, nameLength);
  if (!sameBytes(localName, entry.nameBytes)) {
    throw corrupt(`the local header of ${show(entry.name)} names another file`);
  }
  const start = at + LOCAL_SIZE + nameLength + extraLength;
  if (start + entry.compressedSize > centralOffset) {
    throw corrupt(`the data of ${show(entry.name)} runs past its end (truncated?)`);
  }
  return reader.slice(start, entry.compressedSize);
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
