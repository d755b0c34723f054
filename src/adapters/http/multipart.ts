/**
 * A small multipart/form-data reader over a body already bounded in size.
 * Runtimes differ in how their FormData parsers treat edge cases (an empty
 * filename is dropped or refused), and SPEC §2 gives each of those its own
 * error, so the parts are read here, the same way on every runtime.
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

export function boundaryOf(contentType: string): string | undefined {
  const [type, ...params] = splitParams(contentType);
  if (type?.toLowerCase() !== 'multipart/form-data') return undefined;
  const boundary = paramValue(params, 'boundary');
  return boundary && boundary.length <= 200 ? boundary : undefined;
}

export function parseMultipart(body: Uint8Array, boundary: string): MultipartPart[] {
  const delimiter = new TextEncoder().encode(`--${boundary}`);
  const parts: MultipartPart[] = [];
  let pos = indexOfBytes(body, delimiter, 0);
  if (pos < 0) throw new MultipartError('no multipart boundary found');
  pos += delimiter.length;
  for (;;) {
    if (body[pos] === 45 && body[pos + 1] === 45) return parts; // "--": closing delimiter
    // transport padding, then CRLF
    while (body[pos] === 32 || body[pos] === 9) pos++;
    if (body[pos] !== CRLF[0] || body[pos + 1] !== CRLF[1])
      throw new MultipartError('malformed boundary line');
    pos += 2;
    const headerEnd = indexOfBytes(body, new Uint8Array([13, 10, 13, 10]), pos);
    if (headerEnd < 0) throw new MultipartError('part headers are not terminated');
    const headers = utf8.decode(body.subarray(pos, headerEnd));
    const dataStart = headerEnd + 4;
    const next = indexOfBytes(body, withCrlf(delimiter), dataStart);
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

function indexOfBytes(hay: Uint8Array, needle: Uint8Array, from: number): number {
  const first = needle[0]!;
  const last = hay.length - needle.length;
  for (let i = hay.indexOf(first, from); i >= 0 && i <= last; i = hay.indexOf(first, i + 1)) {
    let j = 1;
    while (j < needle.length && hay[i + j] === needle[j]) j++;
    if (j === needle.length) return i;
  }
  return -1;
}
