/**
 * A bounded tar reader for image layers read back from a registry (bundle
 * images, catalog images): ustar, with PAX (`x`) and GNU (`L`) long names.
 * Layers come from anyone who can push to the repository, so everything is
 * checked: header checksums, sizes against the archive, the number of
 * entries, and names — an absolute name or one with a `..` segment makes the
 * whole layer unreadable. Only regular files are returned: folders, links,
 * devices and whiteouts (`.wh.*`) are skipped. A name given twice keeps its
 * last file, as extracting the layer would.
 */
import type { FileEntry } from '../files.js';

export interface TarReadLimits {
  /** Entries (headers) read, all kinds together. */
  maxEntries: number;
}

/** Why a layer could not be read: a damaged archive, an unsafe name, too many entries. */
export class TarReadError extends Error {}

const BLOCK = 512;
const decoder = new TextDecoder();

export function readTar(tar: Uint8Array, limits: TarReadLimits): FileEntry[] {
  const files = new Map<string, Uint8Array>();
  let longName: string | undefined;
  let entries = 0;
  let at = 0;
  while (at + BLOCK <= tar.byteLength) {
    const header = tar.subarray(at, at + BLOCK);
    if (header.every((b) => b === 0)) break; // the end-of-archive blocks
    if (++entries > limits.maxEntries)
      throw new TarReadError(`the layer has more than ${limits.maxEntries} entries`);
    checkChecksum(header, at);
    const size = numberField(header, 124, 12, at);
    const start = at + BLOCK;
    const end = start + size;
    if (end > tar.byteLength) throw new TarReadError('the layer is truncated');
    const body = tar.subarray(start, end);
    at = start + Math.ceil(size / BLOCK) * BLOCK;
    const type = String.fromCharCode(header[156]!);
    if (type === 'x') {
      longName = paxPath(body) ?? longName;
      continue;
    }
    if (type === 'L') {
      longName = decoder.decode(body).replace(/\0+$/, '');
      continue;
    }
    if (type === 'g' || type === 'K') continue; // global PAX headers, GNU long link names
    const name = longName ?? ustarName(header);
    longName = undefined;
    const path = safePath(name);
    if (type !== '0' && type !== '\0' && type !== '7') continue; // not a regular file
    if (path === undefined || isWhiteout(path)) continue;
    files.set(path, body);
  }
  return [...files].map(([path, data]) => ({ path, data }));
}

/** The ustar name, with its prefix field (`prefix/name`) when there is one. */
function ustarName(header: Uint8Array): string {
  const name = text(header, 0, 100);
  const magic = text(header, 257, 6);
  const prefix = magic === 'ustar' ? text(header, 345, 155) : '';
  return prefix ? `${prefix}/${name}` : name;
}

/**
 * The name relative to the layer's root (`./` and trailing `/` dropped);
 * undefined for the root itself. Absolute names and `..` segments throw.
 */
function safePath(name: string): string | undefined {
  if (name.startsWith('/')) throw new TarReadError(`the layer has an absolute name "${name}"`);
  const segments = name.split('/').filter((s) => s !== '' && s !== '.');
  if (segments.includes('..')) throw new TarReadError(`the layer has a name with ".." ("${name}")`);
  return segments.length === 0 ? undefined : segments.join('/');
}

function isWhiteout(path: string): boolean {
  return (path.split('/').at(-1) ?? '').startsWith('.wh.');
}

/** The `path` record of a PAX extended header (`"<length> path=<value>\n"` records). */
function paxPath(body: Uint8Array): string | undefined {
  let at = 0;
  let path: string | undefined;
  while (at < body.byteLength) {
    const space = body.indexOf(0x20, at);
    if (space < 0) break;
    const length = Number(decoder.decode(body.subarray(at, space)));
    if (!Number.isInteger(length) || length <= space - at || at + length > body.byteLength)
      throw new TarReadError('the layer has a damaged PAX header');
    const record = decoder.decode(body.subarray(space + 1, at + length - 1));
    const equals = record.indexOf('=');
    if (equals > 0 && record.slice(0, equals) === 'path') path = record.slice(equals + 1);
    at += length;
  }
  return path;
}

function checkChecksum(header: Uint8Array, at: number): void {
  const expected = numberField(header, 148, 8, at);
  let sum = 0;
  for (let i = 0; i < BLOCK; i++) sum += i >= 148 && i < 156 ? 0x20 : header[i]!;
  if (sum !== expected) throw new TarReadError(`the layer has a damaged header at byte ${at}`);
}

/** An octal field (NUL/space terminated), or GNU's base-256 (first byte's high bit set). */
function numberField(header: Uint8Array, offset: number, length: number, at: number): number {
  const field = header.subarray(offset, offset + length);
  if ((field[0]! & 0x80) !== 0) {
    let value = field[0]! & 0x7f;
    for (let i = 1; i < length; i++) value = value * 256 + field[i]!;
    if (!Number.isSafeInteger(value)) throw new TarReadError(`the layer has a damaged header at byte ${at}`);
    return value;
  }
  const digits = text(header, offset, length).trim();
  if (digits === '') return 0;
  if (!/^[0-7]+$/.test(digits)) throw new TarReadError(`the layer has a damaged header at byte ${at}`);
  return Number.parseInt(digits, 8);
}

/** A NUL-terminated field as text. */
function text(header: Uint8Array, offset: number, length: number): string {
  const field = header.subarray(offset, offset + length);
  const nul = field.indexOf(0);
  return decoder.decode(nul < 0 ? field : field.subarray(0, nul));
}
