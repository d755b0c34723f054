/**
 * The bundle job's UTF-8 on Node. V8's own UTF-8 paths (behind TextDecoder
 * and TextEncoder) go a character at a time, ~25 ms for a 6 MB manifest
 * each way; node:buffer's are vectorised. Text that is all ASCII (nearly
 * every manifest) decodes as Latin-1, which is the same there; anything
 * else takes the Web-standard path, strictness and BOM handling included.
 */
import { Buffer, isAscii } from 'node:buffer';
import { type TextCodec, webTextCodec } from '../../domain/text-codec.js';

/** Node's small buffers share an 8 KiB pool, which cannot be transferred to another thread. */
const POOLED_BELOW = 4 * 1024;

export const nodeTextCodec: TextCodec = {
  decode(bytes) {
    if (!isAscii(bytes)) return webTextCodec.decode(bytes);
    return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('latin1');
  },
  encode(text) {
    if (text.length < POOLED_BELOW) return webTextCodec.encode(text);
    const bytes = Buffer.from(text, 'utf8');
    // A plain Uint8Array (a Buffer's slice() would be a view, not the copy callers expect).
    return new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  },
  encodeParts(parts) {
    let size = 0;
    for (const part of parts) size += Buffer.byteLength(part, 'utf8');
    // Never from the pool (see POOLED_BELOW).
    const bytes = Buffer.allocUnsafeSlow(size);
    let at = 0;
    for (const part of parts) at += bytes.write(part, at, 'utf8');
    return new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  },
};
