/**
 * A hand-made zip writer for tests: every header field can be forged (lying
 * sizes, bad CRCs, encryption flags, symlink attributes, raw name bytes,
 * duplicate entries, ZIP64 records) so that readers can be tested against
 * archives no honest zipper would produce.
 */
import { crc32 } from 'node:zlib';
import { deflateSync } from 'fflate';

export const FLAG_ENCRYPTED = 0x0001;
export const FLAG_DATA_DESCRIPTOR = 0x0008;
export const FLAG_UTF8 = 0x0800;

/** "Version made by": host 3 (Unix), spec 3.0. */
export const MADE_ON_UNIX = 0x031e;
/** "Version made by": host 0 (MS-DOS/FAT), spec 2.0. */
export const MADE_ON_DOS = 0x0014;

/** External attributes of a Unix regular file (mode 0644). */
export const UNIX_FILE = (0o100644 << 16) >>> 0;
/** External attributes of a Unix directory (mode 0755) + the MS-DOS directory bit. */
export const UNIX_DIRECTORY = ((0o040755 << 16) | 0x10) >>> 0;
/** External attributes of a Unix symbolic link (mode 0777). */
export const UNIX_SYMLINK = (0o120777 << 16) >>> 0;

export interface ZipEntrySpec {
  /** A string is written as UTF-8; raw bytes are written as given. */
  name: string | Uint8Array;
  /** The content (default empty). */
  data?: Uint8Array | string;
  /** 0 = stored, 8 = deflate (the default), anything else is written as given. */
  method?: number;
  /** The bytes written as the entry's data, instead of `data` stored/deflated. */
  compressed?: Uint8Array;
  /** Overrides of what the headers declare (default: the truth). */
  crc?: number;
  compressedSize?: number;
  uncompressedSize?: number;
  /** General-purpose flags; default FLAG_UTF8 when a string name is not ASCII, else 0. */
  flags?: number;
  /** Flags of the local header (default: `flags`). */
  localFlags?: number;
  /** The name in the local header (default: `name`). */
  localName?: string | Uint8Array;
  localExtra?: Uint8Array;
  centralExtra?: Uint8Array;
  versionMadeBy?: number;
  externalAttributes?: number;
  /** Writes zeros in the local header and a data descriptor after the data (sets flag bit 3). */
  dataDescriptor?: boolean;
}

export interface ZipOptions {
  comment?: string;
  /** Saturates the 32-bit fields and writes ZIP64 records and extra fields. */
  zip64?: boolean;
  /** Bytes written after the end of central directory record (and its comment). */
  trailing?: Uint8Array;
  /** Overrides of the end of central directory record. */
  totalEntries?: number;
  centralDirectorySize?: number;
  centralDirectoryOffset?: number;
}

const encoder = new TextEncoder();

function bytesOf(value: string | Uint8Array): Uint8Array {
  return typeof value === 'string' ? encoder.encode(value) : value;
}

/** Little-endian byte writer. */
class Writer {
  private readonly parts: Uint8Array[] = [];
  length = 0;

  bytes(data: Uint8Array): this {
    this.parts.push(data);
    this.length += data.length;
    return this;
  }

  u16(value: number): this {
    const b = new Uint8Array(2);
    new DataView(b.buffer).setUint16(0, value, true);
    return this.bytes(b);
  }

  u32(value: number): this {
    const b = new Uint8Array(4);
    new DataView(b.buffer).setUint32(0, value >>> 0, true);
    return this.bytes(b);
  }

  u64(value: number): this {
    return this.u32(value % 0x1_0000_0000).u32(Math.floor(value / 0x1_0000_0000));
  }

  result(): Uint8Array {
    const out = new Uint8Array(this.length);
    let at = 0;
    for (const part of this.parts) {
      out.set(part, at);
      at += part.length;
    }
    return out;
  }
}

function zip64Extra(values: number[]): Uint8Array {
  const w = new Writer().u16(0x0001).u16(values.length * 8);
  for (const v of values) w.u64(v);
  return w.result();
}

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  const out = new Uint8Array(a.length + b.length);
  out.set(a);
  out.set(b, a.length);
  return out;
}

/** Writes a zip archive byte by byte from the given entries. */
export function buildZip(entries: readonly ZipEntrySpec[], options: ZipOptions = {}): Uint8Array {
  const out = new Writer();
  const central = new Writer();
  for (const entry of entries) {
    const name = bytesOf(entry.name);
    const data = bytesOf(entry.data ?? '');
    const method = entry.method ?? 8;
    const body = entry.compressed ?? (method === 8 ? deflateSync(data) : data);
    const crc = entry.crc ?? crc32(data);
    const compressedSize = entry.compressedSize ?? body.length;
    const uncompressedSize = entry.uncompressedSize ?? data.length;
    const asciiName = typeof entry.name !== 'string' || [...entry.name].every((c) => c.charCodeAt(0) < 0x80);
    let flags = entry.flags ?? (asciiName ? 0 : FLAG_UTF8);
    if (entry.dataDescriptor) flags |= FLAG_DATA_DESCRIPTOR;
    const localFlags = entry.localFlags ?? flags;
    const localName = bytesOf(entry.localName ?? entry.name);
    const offset = out.length;
    const zip64 = options.zip64 === true;

    // Local file header.
    const localExtra = zip64
      ? zip64Extra([uncompressedSize, compressedSize])
      : (entry.localExtra ?? new Uint8Array());
    out
      .u32(0x04034b50)
      .u16(zip64 ? 45 : 20)
      .u16(localFlags)
      .u16(method)
      .u16(0)
      .u16(0x21)
      .u32(entry.dataDescriptor ? 0 : crc)
      .u32(entry.dataDescriptor ? 0 : zip64 ? 0xffffffff : compressedSize)
      .u32(entry.dataDescriptor ? 0 : zip64 ? 0xffffffff : uncompressedSize)
      .u16(localName.length)
      .u16(localExtra.length)
      .bytes(localName)
      .bytes(localExtra)
      .bytes(body);
    if (entry.dataDescriptor) out.u32(0x08074b50).u32(crc).u32(compressedSize).u32(uncompressedSize);

    // Central directory header.
    let centralExtra = entry.centralExtra ?? new Uint8Array();
    if (zip64) centralExtra = concat(zip64Extra([uncompressedSize, compressedSize, offset]), centralExtra);
    central
      .u32(0x02014b50)
      .u16(entry.versionMadeBy ?? MADE_ON_UNIX)
      .u16(zip64 ? 45 : 20)
      .u16(flags)
      .u16(method)
      .u16(0)
      .u16(0x21)
      .u32(crc)
      .u32(zip64 ? 0xffffffff : compressedSize)
      .u32(zip64 ? 0xffffffff : uncompressedSize)
      .u16(name.length)
      .u16(centralExtra.length)
      .u16(0)
      .u16(0)
      .u16(0)
      .u32(entry.externalAttributes ?? UNIX_FILE)
      .u32(zip64 ? 0xffffffff : offset)
      .bytes(name)
      .bytes(centralExtra);
  }

  const cdOffset = options.centralDirectoryOffset ?? out.length;
  const cdSize = options.centralDirectorySize ?? central.length;
  const total = options.totalEntries ?? entries.length;
  out.bytes(central.result());

  if (options.zip64) {
    const zip64EndOffset = out.length;
    out
      .u32(0x06064b50)
      .u64(44)
      .u16(MADE_ON_UNIX)
      .u16(45)
      .u32(0)
      .u32(0)
      .u64(total)
      .u64(total)
      .u64(cdSize)
      .u64(cdOffset);
    out.u32(0x07064b50).u32(0).u64(zip64EndOffset).u32(1);
  }

  const comment = encoder.encode(options.comment ?? '');
  out
    .u32(0x06054b50)
    .u16(0)
    .u16(0)
    .u16(options.zip64 ? 0xffff : total)
    .u16(options.zip64 ? 0xffff : total)
    .u32(options.zip64 ? 0xffffffff : cdSize)
    .u32(options.zip64 ? 0xffffffff : cdOffset)
    .u16(comment.length)
    .bytes(comment);
  if (options.trailing) out.bytes(options.trailing);
  return out.result();
}
