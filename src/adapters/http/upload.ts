/**
 * Reading the uploaded archive (SPEC §2 "Upload"): the body is read up to
 * max_content_length and no further, then the `file` part is taken out of it.
 */
import { ExpectedFileError, RequestEntityTooLargeError, UploadedFileError } from '../../domain/errors.js';
import { NO_FILE_FIELD, NO_SELECTED_FILE, wrongExtension } from '../../domain/original-messages.js';
import { boundaryOf, MAX_BOUNDARY_LENGTH, parseMultipart } from './multipart.js';

export interface Upload {
  filename: string;
  bytes: Uint8Array;
}

/**
 * Bodies declared this small are read with the runtime's own arrayBuffer():
 * on Node, @hono/node-server's reads the socket without web streams, about
 * half a millisecond less CPU per small push. Above it, that path's extra
 * copies (chunks, joined, then sliced) cost more than the stream read below.
 */
const WHOLE_READ_MAX_BYTES = 256 * 1024;

export async function readUpload(request: Request, maxContentLength: number): Promise<Upload> {
  const declared = declaredLength(request);
  if (declared !== undefined && declared > maxContentLength) {
    throw new RequestEntityTooLargeError(maxContentLength);
  }
  const boundary = boundaryOf(request.headers.get('content-type') ?? '');
  if (!boundary) {
    throw new ExpectedFileError(
      `${NO_FILE_FIELD}: expected a multipart/form-data request with the zip archive in the field "file".`,
    );
  }
  if (boundary.length > MAX_BOUNDARY_LENGTH) {
    throw new ExpectedFileError(
      `The multipart boundary is longer than ${MAX_BOUNDARY_LENGTH} characters (RFC 2046); expected a multipart/form-data request with the zip archive in the field "file".`,
    );
  }
  const body = await readBody(request, maxContentLength, declared);
  let parts: ReturnType<typeof parseMultipart>;
  try {
    parts = parseMultipart(body, boundary);
  } catch (error) {
    throw new ExpectedFileError(
      `${NO_FILE_FIELD}: the multipart/form-data body could not be read (${(error as Error).message}).`,
    );
  }
  const file = parts.find((p) => p.name === 'file' && p.filename !== undefined);
  if (!file) throw new ExpectedFileError(NO_FILE_FIELD);
  if (!file.filename) throw new ExpectedFileError(NO_SELECTED_FILE);
  const extension = extensionOf(file.filename);
  if (extension.toLowerCase() !== '.zip') {
    throw new UploadedFileError(wrongExtension(extension));
  }
  return { filename: file.filename, bytes: file.data };
}

/**
 * Python's os.path.splitext extension, as the original judged it: from the last
 * dot of the last path segment, unless that segment is only dots before it ('.zip' has none).
 */
export function extensionOf(filename: string): string {
  const base = filename.slice(filename.lastIndexOf('/') + 1);
  const dot = base.lastIndexOf('.');
  if (dot <= 0 || /^\.+$/.test(base.slice(0, dot))) return '';
  return base.slice(dot);
}

/** Content-Length as a number, or undefined when absent or not a plain decimal (the body is then counted). */
function declaredLength(request: Request): number | undefined {
  const raw = request.headers.get('content-length');
  return raw !== null && /^\d+$/.test(raw.trim()) ? Number(raw) : undefined;
}

/**
 * The whole body as a buffer of our own (a bundle thread takes it over by
 * transfer), never more than `limit` bytes. A body declared small is read
 * whole; a larger one, or one without a length, as it arrives.
 */
async function readBody(request: Request, limit: number, declared: number | undefined): Promise<Uint8Array> {
  // Before touching request.body: on Node that getter builds the web stream the whole read avoids.
  if (declared !== undefined && declared <= WHOLE_READ_MAX_BYTES) {
    const bytes = new Uint8Array(await request.arrayBuffer().catch(cut(0)));
    // Only a Request built in-process can carry more than it declares; it is still held to the limit.
    if (bytes.byteLength > limit) throw new RequestEntityTooLargeError(limit);
    return bytes;
  }
  if (!request.body) return new Uint8Array(0);
  return readBounded(request.body, limit, declared);
}

/**
 * A body that stops coming (its client went away, or the server's request
 * timeout closed the connection) is the client's failure, not the service's:
 * nobody reads the answer, but the log says what happened instead of an
 * unexpected error.
 */
function cut(received: number): () => never {
  return () => {
    throw new ExpectedFileError(
      `${NO_FILE_FIELD}: the request body did not arrive whole (the connection closed after ${received} bytes of it).`,
    );
  };
}

/** The buffer a streamed body starts in; it doubles as bytes arrive. */
const FIRST_CAPACITY = 16 * 1024;

/**
 * Reads at most `limit` bytes; a longer body is refused as soon as it passes
 * the limit. Memory follows the bytes that arrived, not the declared length
 * (a client may declare 2 MB and send one byte a minute): one buffer that
 * starts at 16 KiB and doubles when full, never past the declared length
 * while the body keeps to it, nor past the limit. An honest body ends exactly
 * at its declared length, so its buffer is returned without a last copy.
 *
 * Measured against the alternatives (8 concurrent 1.6 MB bodies in 64 KiB
 * chunks, 320 bodies, 2-core VM, three runs each): CPU per body 0.84–0.94 ms
 * for one buffer of the declared length (what this replaced), 0.87–1.14 ms
 * for this, 0.90–0.99 ms for a list of chunks joined once; peak RSS 153–159,
 * 154–167 and 157–161 MB: the same within the machine's noise. What growing
 * adds is about 2 MB of fresh memory and 2 MB of copying per 1.2 MB body, about
 * 1 ms of CPU on that VM (where touching a fresh 2 MB costs 1 ms), against
 * 75–85 ms of CPU per such push (npm run bench, too noisy to show it). A list of
 * chunks costs an object per socket read, so a body trickled a few bytes per
 * read would hold many times its size; this buffer holds at most twice what
 * arrived (16 KiB for a client that sent almost nothing).
 */
async function readBounded(
  body: ReadableStream<Uint8Array>,
  limit: number,
  declared: number | undefined,
): Promise<Uint8Array> {
  const reader = body.getReader();
  let buffer = new Uint8Array(Math.min(FIRST_CAPACITY, declared ?? limit, limit));
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read().catch(cut(total));
    if (done) break;
    const needed = total + value.byteLength;
    if (needed > limit) {
      await reader.cancel().catch(() => {});
      throw new RequestEntityTooLargeError(limit);
    }
    if (needed > buffer.byteLength) buffer = grown(buffer, total, needed, declared, limit);
    buffer.set(value, total);
    total = needed;
  }
  // Always a buffer of our own, exactly as long as the body.
  return total === buffer.byteLength ? buffer : buffer.slice(0, total);
}

/** A larger buffer holding the first `used` bytes of `buffer`, with room for `needed`. */
function grown(
  buffer: Uint8Array<ArrayBuffer>,
  used: number,
  needed: number,
  declared: number | undefined,
  limit: number,
): Uint8Array<ArrayBuffer> {
  let capacity = Math.max(needed, buffer.byteLength * 2);
  if (declared !== undefined && needed <= declared) capacity = Math.min(capacity, declared);
  const next = new Uint8Array(Math.min(capacity, limit));
  next.set(buffer.subarray(0, used));
  return next;
}
