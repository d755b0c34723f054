/**
 * Entry names of a zip archive: decoding and the SPEC §5 safety rules.
 * Web-standard APIs only.
 */
import { UploadedFileError } from '../../domain/errors.js';

/** Longest accepted entry name, in bytes as stored in the archive. */
export const MAX_NAME_BYTES = 1024;
/** Deepest accepted folder nesting (`a/b/c.yaml` is 2 folders deep). */
export const MAX_FOLDER_DEPTH = 32;

/** General-purpose flag bit 11: the name (and comment) are UTF-8. */
const FLAG_UTF8 = 0x0800;

/**
 * CP437 code points for bytes 0x80..0xFF. Bytes below 0x80 are read as ASCII
 * (as Python's `cp437` codec and most unzip tools do), so NUL stays NUL.
 */
const CP437_HIGH =
  'ÇüéâäàåçêëèïîìÄÅÉæÆôöòûùÿÖÜ¢£¥₧ƒáíóúñÑªº¿⌐¬½¼¡«»░▒▓│┤╡╢╖╕╣║╗╝╜╛┐└┴┬├─┼╞╟╚╔╩╦╠═╬╧╨╤╥╙╘╒╓╫╪┘┌█▄▌▐▀αßΓπΣσµτΦΘΩδ∞φε∩≡±≥≤⌠⌡÷≈°∙·√ⁿ²■\u00a0';

const utf8 = new TextDecoder('utf-8', { fatal: true });

/** Renders an untrusted name for an error message: quoted, control characters escaped, shortened. */
export function show(name: string): string {
  return `'${escapeName(name)}'`;
}

/** An untrusted name, control characters escaped and shortened, unquoted (where the original's message has no quotes). */
export function escapeName(name: string): string {
  const short = name.length > 120 ? `${name.slice(0, 120)}…` : name;
  let escaped = '';
  for (const c of short) {
    const code = c.charCodeAt(0);
    escaped += code < 0x20 || code === 0x7f ? `\\u${code.toString(16).padStart(4, '0')}` : c;
  }
  return escaped;
}

function malformed(name: string, why: string): UploadedFileError {
  return new UploadedFileError(`Malformed name in zip archive: ${show(name)} (${why})`);
}

function unsafe(name: string, why: string): UploadedFileError {
  return new UploadedFileError(`Unsafe path in zip archive: ${show(name)} (${why})`);
}

/**
 * Decodes a stored name. With flag bit 11 the bytes must be valid UTF-8
 * (refused otherwise); without it they are CP437, as the zip specification
 * (APPNOTE 4.4.4) says and as Python's zipfile reads them.
 */
export function decodeName(raw: Uint8Array, flags: number): string {
  if (raw.length > MAX_NAME_BYTES) {
    const preview = new TextDecoder('utf-8').decode(raw.subarray(0, 60));
    throw malformed(preview, `name longer than ${MAX_NAME_BYTES} bytes`);
  }
  if (flags & FLAG_UTF8) {
    try {
      return utf8.decode(raw);
    } catch {
      throw malformed(new TextDecoder('utf-8').decode(raw), 'invalid UTF-8 in a name flagged as UTF-8');
    }
  }
  let out = '';
  for (const byte of raw) out += byte < 0x80 ? String.fromCharCode(byte) : CP437_HIGH[byte - 0x80];
  return out;
}

export interface CheckedName {
  /** True for a directory entry (the name ends with `/`). */
  directory: boolean;
  /** The path without the trailing `/` of a directory entry. */
  path: string;
  /** The path's segments (`path.split('/')`). */
  segments: string[];
}

/** Applies the SPEC §5 path rules to a decoded name; throws UploadedFileError when refused. */
export function checkName(name: string): CheckedName {
  if (name === '') throw malformed(name, 'empty name');
  if (name.includes('\0')) throw unsafe(name, 'NUL byte in the name');
  if (name.startsWith('/')) throw unsafe(name, 'absolute path');
  if (name.includes('\\')) throw unsafe(name, 'backslash in the name');
  if (/^[A-Za-z]:/.test(name)) throw unsafe(name, 'drive letter');
  const directory = name.endsWith('/');
  const path = directory ? name.slice(0, -1) : name;
  const segments = path.split('/');
  if (segments.includes('..')) throw unsafe(name, "'..' segment");
  if (segments.includes('.')) throw malformed(name, "'.' segment");
  if (segments.includes('')) throw malformed(name, 'empty segment');
  const folders = directory ? segments.length : segments.length - 1;
  if (folders > MAX_FOLDER_DEPTH) throw malformed(name, `deeper than ${MAX_FOLDER_DEPTH} folders`);
  return { directory, path, segments };
}

/**
 * Refuses the same path twice and a path that is both a file and a folder
 * (a file `a` next to `a/` or `a/b`), whatever the entries' order.
 */
export function checkTree(names: readonly CheckedName[]): void {
  const seen = new Map<string, boolean>(); // path -> is a directory entry
  const folders = new Set<string>(); // every folder implied by a path
  for (const entry of names) {
    const before = seen.get(entry.path);
    if (before === entry.directory) {
      throw new UploadedFileError(`Zip archive contains the same path twice: ${show(entry.path)}`);
    }
    if (before !== undefined) {
      throw new UploadedFileError(
        `Zip archive has a path that is both a file and a folder: ${show(entry.path)}`,
      );
    }
    seen.set(entry.path, entry.directory);
    let prefix = '';
    for (let i = 0; i < entry.segments.length - 1; i++) {
      prefix = i === 0 ? entry.segments[0]! : `${prefix}/${entry.segments[i]}`;
      folders.add(prefix);
    }
  }
  for (const [path, directory] of seen) {
    if (!directory && folders.has(path)) {
      throw new UploadedFileError(`Zip archive has a path that is both a file and a folder: ${show(path)}`);
    }
  }
}
