/**
 * The bundle job's UTF-8 on Node. V8's own UTF-8 paths (behind TextDecoder
 * and TextEncoder) go a character at a time, ~25 ms for a 6 MB manifest
 * each way; node:buffer's are vectorised. Text that is all ASCII (nearly
 * every manifest) decodes as Latin-1, which is the same there; anything
 * else takes the Web-standard path, strictness and BOM handling included.
 */
import { Buffer, isAscii } from 'node:buffer';
import {
  type IndentedText,
  indentLines,
  isIndentedText,
  type TextCodec,
  webTextCodec,
} from '../../domain/text-codec.js';
import { transferable } from './transferable.js';

export const nodeTextCodec: TextCodec = {
  decode(bytes) {
    if (!isAscii(bytes)) return webTextCodec.decode(bytes);
    return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('latin1');
  },
  encode(text) {
    return transferable(Buffer.from(text, 'utf8'));
  },
  encodeParts(parts) {
    const sizes: number[] = [];
    let size = 0;
    for (const part of parts) {
      const bytes =
        typeof part === 'string'
          ? Buffer.byteLength(part, 'utf8')
          : isIndentedText(part)
            ? Buffer.byteLength(part.text, 'utf8') + indentedLines(part.text) * part.indent.length
            : Buffer.byteLength(indentLines(part.text, part.indent), 'utf8');
      sizes.push(bytes);
      size += bytes;
    }
    // Never from the shared pool (see transferable.ts): the bytes go back by transfer.
    const out = Buffer.allocUnsafeSlow(size);
    let at = 0;
    parts.forEach((part, i) => {
      const end = at + (sizes[i] as number);
      if (typeof part === 'string') out.write(part, at, 'utf8');
      else if (isIndentedText(part)) writeIndented(out, at, end, part);
      else out.write(indentLines(part.text, part.indent), at, 'utf8');
      at = end;
    });
    return new Uint8Array(out.buffer, out.byteOffset, out.byteLength);
  },
};

/** How many lines of `text` are not empty (each gets the indent). */
function indentedLines(text: string): number {
  let lines = text.length > 0 && text.charCodeAt(0) !== NEWLINE ? 1 : 0;
  for (let i = text.indexOf('\n'); i !== -1; i = text.indexOf('\n', i + 1)) {
    if (i + 1 < text.length && text.charCodeAt(i + 1) !== NEWLINE) lines++;
  }
  return lines;
}

const NEWLINE = 0x0a;
const SPACE = 0x20;

/**
 * Encodes the text at the end of its room [at, end), then moves it forward
 * byte by byte, inserting the indent before each non-empty line: the write
 * position never passes the read position, and no indented string is built.
 */
function writeIndented(out: Buffer, at: number, end: number, part: IndentedText): void {
  const width = part.indent.length;
  let from = end - Buffer.byteLength(part.text, 'utf8');
  out.write(part.text, from, 'utf8');
  // A plain Uint8Array view: indexing a Buffer (a subclass) is several times slower in this loop.
  const bytes = new Uint8Array(out.buffer, out.byteOffset, out.byteLength);
  let to = at;
  let lineStart = true;
  for (; from < end; from++) {
    const byte = bytes[from] as number;
    if (lineStart && byte !== NEWLINE) for (let k = 0; k < width; k++) bytes[to++] = SPACE;
    bytes[to++] = byte;
    lineStart = byte === NEWLINE;
  }
}
