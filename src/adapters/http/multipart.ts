/**
 * A small multipart/form-data reader over a body already bounded in size.
 * Runtimes differ in how their FormData parsers treat edge cases (an empty
 * filename is dropped or refused), and SPEC §2 gives each of those its own
 * error, so the parts are read here, the same way on every runtime.
 *
 * Work is bounded by the body: boundaries are at most 70 characters (RFC 2046)
 * and every search is linear (Knuth–Morris–Pratt), so a body full of
 * near-miss delimiters costs no more than any other body of its size.
 */
export interface MultipartPart {
  name: string;
  /** undefined when the part has no filename parameter; '' when it is empty. */
  filename?: string;
  data: Uint8Array;
}

export class MultipartError extends Error {}

const CRLF = [13, 10];
const utf8 = new TextDecoder('utf-8');

/** RFC 2046 §5.1.1: a boundary is 1 to 70 characters. */
export const MAX_BOUNDARY_LENGTH = 70;

/** The boundary parameter of a multipart/form-data Content-Type, whatever its length (see MAX_BOUNDARY_LENGTH). */
export function boundaryOf(contentType: string): string | undefined {
  const [type, ...params] = splitParams(contentType);
  if (type?.toLowerCase() !== 'multipart/form-data') return undefined;
  return paramValue(params, 'boundary') || undefined;
}

export function parseMultipart(body: Uint8Array, boundary: string): MultipartPart[] {
  if (boundary.length > MAX_BOUNDARY_LENGTH) {
    throw new MultipartError(`the boundary is longer than ${MAX_BOUNDARY_LENGTH} characters`);
  }
  const delimiter = new TextEncoder().encode(`--${boundary}`);
  const findFirstDelimiter = new ByteFinder(delimiter);
  const findNextDelimiter = new ByteFinder(withCrlf(delimiter));
  const findHeaderEnd = new ByteFinder(new Uint8Array([13, 10, 13, 10]));
  const parts: MultipartPart[] = [];
  let pos = findFirstDelimiter.in(body, 0);
  if (pos < 0) throw new MultipartError('no multipart boundary found');
  pos += delimiter.length;
  for (;;) {
    if (body[pos] === 45 && body[pos + 1] === 45) return parts; // "--": closing delimiter
    // transport padding, then CRLF
    while (body[pos] === 32 || body[pos] === 9) pos++;
    if (body[pos] !== CRLF[0] || body[pos + 1] !== CRLF[1])
      throw new MultipartError('malformed boundary line');
    pos += 2;
    const headerEnd = findHeaderEnd.in(body, pos);
    if (headerEnd < 0) throw new MultipartError('part headers are not terminated');
    const headers = utf8.decode(body.subarray(pos, headerEnd));
    const dataStart = headerEnd + 4;
    const next = findNextDelimiter.in(body, dataStart);
    if (next < 0) throw new MultipartError('multipart body is truncated');
    const part = partFromHeaders(headers);
    parts.push({ ...part, data: body.subarray(dataStart, next) });
    pos = next + 2 + delimiter.length;
  }
}

function partFromHeaders(headers: string): Omit<MultipartPart, 'data'> {
  for (const line of headers.split('\r\n')) {
    const colon = line.indexOf(':');
    if (colon < 0) continue;
    if (line.slice(0, colon).trim().toLowerCase() !== 'content-disposition') continue;
    const [kind, ...params] = splitParams(line.slice(colon + 1));
    if (kind?.toLowerCase() !== 'form-data') break;
    const name = paramValue(params, 'name');
    if (name === undefined) break;
    const filename = paramValue(params, 'filename*') ?? paramValue(params, 'filename');
    return filename === undefined ? { name } : { name, filename };
  }
  throw new MultipartError('a part has no form-data Content-Disposition with a name');
}

/** Splits `a; b=1; c="x;y"` into `['a', 'b=1', 'c="x;y"']`, honouring quotes. */
function splitParams(value: string): string[] {
  const out: string[] = [];
  let current = '';
  let quoted = false;
  for (let i = 0; i < value.length; i++) {
    const ch = value[i]!;
    if (quoted && ch === '\\' && i + 1 < value.length) {
      current += ch + value[++i];
      continue;
    }
    if (ch === '"') quoted = !quoted;
    if (ch === ';' && !quoted) {
      out.push(current.trim());
      current = '';
    } else current += ch;
  }
  out.push(current.trim());
  return out;
}

function paramValue(params: string[], key: string): string | undefined {
  for (const p of params) {
    const eq = p.indexOf('=');
    if (eq < 0 || p.slice(0, eq).trim().toLowerCase() !== key) continue;
    let v = p.slice(eq + 1).trim();
    if (key.endsWith('*')) {
      // RFC 5987: charset'lang'percent-encoded
      const m = /^[^']*'[^']*'(.*)$/.exec(v);
      try {
        return decodeURIComponent(m ? m[1]! : v);
      } catch {
        return undefined;
      }
    }
    if (v.startsWith('"') && v.endsWith('"') && v.length >= 2) v = v.slice(1, -1).replace(/\\(.)/g, '$1');
    return v;
  }
  return undefined;
}

function withCrlf(delimiter: Uint8Array): Uint8Array {
  const out = new Uint8Array(delimiter.length + 2);
  out.set(CRLF, 0);
  out.set(delimiter, 2);
  return out;
}

/**
 * Finds a byte string in linear time (Knuth–Morris–Pratt): no byte of the
 * haystack is looked at more than twice, however many near misses it holds.
 * While nothing matches, the next candidate start is found by the native
 * indexOf, so ordinary bodies are skipped through quickly.
 */
export class ByteFinder {
  /** fallback[i]: the length of the longest proper border of needle[0..i]. */
  private readonly fallback: Uint32Array;

  constructor(private readonly needle: Uint8Array) {
    this.fallback = new Uint32Array(needle.length);
    for (let i = 1, k = 0; i < needle.length; i++) {
      while (k > 0 && needle[i] !== needle[k]) k = this.fallback[k - 1]!;
      if (needle[i] === needle[k]) k++;
      this.fallback[i] = k;
    }
  }

  /** The first index at or after `from` where the needle starts, or -1. */
  in(hay: Uint8Array, from: number): number {
    const { needle, fallback } = this;
    const length = needle.length;
    const first = needle[0]!;
    let matched = 0;
    for (let i = from; i < hay.length; i++) {
      if (matched === 0) {
        i = hay.indexOf(first, i);
        if (i < 0) return -1;
      }
      const byte = hay[i]!;
      while (matched > 0 && byte !== needle[matched]) matched = fallback[matched - 1]!;
      if (byte === needle[matched]) matched++;
      if (matched === length) return i - length + 1;
    }
    return -1;
  }
}
