/**
 * A tar writer (POSIX ustar, PAX for what ustar cannot hold), synchronous and
 * into ONE buffer: the archive's size is known from the entries, so it is
 * computed first and every header and body is written in place — no stream
 * machinery, no chunk list joined at the end (what a bundle's blob cost most).
 *
 * Headers as modern-tar writes them, byte for byte: mode, uid, gid, size and
 * mtime in zero-padded octal, no user/group names, `ustar\0` `00`. A name of
 * more than 100 UTF-8 bytes goes into the ustar prefix field when it splits at
 * a '/' (the rightmost '/' leaving at most 155 bytes before it), else into a
 * PAX `path` record, the ustar name field keeping its first 100 bytes (cut
 * between characters). One difference: the PAX header's own name
 * (`PaxHeader/<name>`, at most 100 bytes) is cut between characters too,
 * where modern-tar can cut inside one. Two zero blocks end the archive.
 */

export type TarEntry =
  | { type: 'directory'; name: string; mode?: number }
  | { type: 'file'; name: string; data: Uint8Array; mode?: number };

export interface TarOptions {
  /** Every entry's modification time (whole seconds are written). */
  mtime: Date;
}

const BLOCK = 512;
const NAME_SIZE = 100;
const PREFIX_SIZE = 155;
/** The largest size the 11 octal digits of the size field hold (8 GiB - 1). */
const MAX_SIZE = 0o77777777777;
const SLASH = 0x2f;
const encoder = new TextEncoder();

/** One entry's header, laid out before anything is written. */
interface Planned {
  typeflag: number;
  mode: number;
  /** The ustar name field's bytes (and prefix), at most 100 (155). */
  name: Uint8Array;
  prefix?: Uint8Array;
  /** A PAX extended header before it: its body and its own (ustar) name. */
  pax?: { name: Uint8Array; body: Uint8Array };
  data?: Uint8Array;
}

export function writeTar(entries: readonly TarEntry[], options: TarOptions): Uint8Array {
  const mtime = Math.floor(options.mtime.getTime() / 1000);
  const planned: Planned[] = [];
  let total = 2 * BLOCK;
  for (const entry of entries) {
    const plan = planEntry(entry);
    planned.push(plan);
    if (plan.pax) total += BLOCK + padded(plan.pax.body.byteLength);
    total += BLOCK + padded(plan.data?.byteLength ?? 0);
  }
  const out = new Uint8Array(total);
  let at = 0;
  for (const plan of planned) {
    if (plan.pax) {
      const { name, body } = plan.pax;
      writeHeader(out, at, { typeflag: 0x78 /* x */, mode: 0o644, name, size: body.byteLength, mtime });
      out.set(body, at + BLOCK);
      at += BLOCK + padded(body.byteLength);
    }
    const size = plan.data?.byteLength ?? 0;
    writeHeader(out, at, { ...plan, size, mtime });
    if (plan.data) out.set(plan.data, at + BLOCK);
    at += BLOCK + padded(size);
  }
  return out;
}

function planEntry(entry: TarEntry): Planned {
  const bytes = encoder.encode(entry.name);
  const file = entry.type === 'file';
  if (file && entry.data.byteLength > MAX_SIZE) {
    throw new RangeError(`Tar entry "${entry.name}" is larger than 8 GiB.`);
  }
  const plan: Planned = {
    typeflag: file ? 0x30 /* 0 */ : 0x35 /* 5 */,
    mode: entry.mode ?? (file ? 0o644 : 0o755),
    name: bytes,
    ...(file ? { data: entry.data } : {}),
  };
  if (bytes.byteLength <= NAME_SIZE) return plan;
  const split = ustarSplit(bytes);
  if (split !== undefined) {
    plan.prefix = bytes.subarray(0, split);
    plan.name = bytes.subarray(split + 1);
    return plan;
  }
  plan.name = cutAtCharacter(bytes, NAME_SIZE);
  plan.pax = {
    name: cutAtCharacter(encoder.encode(`PaxHeader/${entry.name}`), NAME_SIZE),
    body: paxRecord('path', entry.name),
  };
  return plan;
}

/** The '/' to split a long name at: the rightmost one leaving a prefix of ≤ 155 bytes and a name of ≤ 100. */
function ustarSplit(bytes: Uint8Array): number | undefined {
  if (bytes.byteLength > PREFIX_SIZE + 1 + NAME_SIZE) return undefined;
  // A '/' byte is never part of a multi-byte UTF-8 character, so splitting at it keeps characters whole.
  for (let i = bytes.byteLength - 1; i > 0; i--) {
    if (bytes[i] !== SLASH) continue;
    if (bytes.byteLength - i - 1 > NAME_SIZE) return undefined;
    if (i <= PREFIX_SIZE) return i;
  }
  return undefined;
}

/** `"<length> <key>=<value>\n"`, the length counting its own digits. */
function paxRecord(key: string, value: string): Uint8Array {
  const rest = encoder.encode(` ${key}=${value}\n`);
  let length = rest.byteLength + String(rest.byteLength).length;
  length = rest.byteLength + String(length).length;
  return encoder.encode(`${length} ${key}=${value}\n`);
}

/** At most `limit` bytes of UTF-8, ending between characters. */
function cutAtCharacter(bytes: Uint8Array, limit: number): Uint8Array {
  if (bytes.byteLength <= limit) return bytes;
  let end = limit;
  // Continuation bytes are 10xxxxxx: step back to the first byte of the character that does not fit.
  while (end > 0 && ((bytes[end] as number) & 0xc0) === 0x80) end--;
  return bytes.subarray(0, end);
}

function padded(size: number): number {
  return (size + BLOCK - 1) & ~(BLOCK - 1);
}

interface Header {
  typeflag: number;
  mode: number;
  name: Uint8Array;
  prefix?: Uint8Array;
  size: number;
  mtime: number;
}

/** One ustar header at `at` in `out` (still zeroed there). */
function writeHeader(out: Uint8Array, at: number, header: Header): void {
  out.set(header.name, at);
  writeOctal(out, at + 100, 8, header.mode);
  writeOctal(out, at + 108, 8, 0); // uid
  writeOctal(out, at + 116, 8, 0); // gid
  writeOctal(out, at + 124, 12, header.size);
  writeOctal(out, at + 136, 12, header.mtime);
  out[at + 156] = header.typeflag;
  out.set(USTAR_MAGIC, at + 257);
  if (header.prefix) out.set(header.prefix, at + 345);
  // The checksum is the sum of the header's bytes with its own field read as spaces.
  out.fill(0x20, at + 148, at + 156);
  let sum = 0;
  for (let i = at; i < at + BLOCK; i++) sum += out[i] as number;
  writeOctal(out, at + 148, 7, sum);
  out[at + 155] = 0x20;
}

/** "ustar\0" then version "00". */
const USTAR_MAGIC = encoder.encode('ustar\u000000');

/** `value` in octal, zero-padded to `size - 1` digits, then a NUL. */
function writeOctal(out: Uint8Array, at: number, size: number, value: number): void {
  let rest = value;
  for (let i = at + size - 2; i >= at; i--) {
    out[i] = 0x30 + (rest % 8);
    rest = Math.floor(rest / 8);
  }
  out[at + size - 1] = 0;
}
