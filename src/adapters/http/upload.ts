/**
 * Reading the uploaded archive (SPEC §2 "Upload"): the body is read up to
 * max_content_length and no further, then the `file` part is taken out of it.
 */
import { concatBytes } from '../../domain/bytes.js';
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
 * transfer), never more than `limit` bytes. With a declared length the HTTP
 * framing bounds the body, so a small one is read whole and a large one is
 * read into one buffer of that length; without one, it is counted as it comes.
 */
async function readBody(request: Request, limit: number, declared: number | undefined): Promise<Uint8Array> {
  // Before touching request.body: on Node that getter builds the web stream the whole read avoids.
  if (declared !== undefined && declared <= WHOLE_READ_MAX_BYTES) {
    const bytes = new Uint8Array(await request.arrayBuffer());
    // Only a Request built in-process can carry more than it declares; it is still held to the limit.
    if (bytes.byteLength > limit) throw new RequestEntityTooLargeError(limit);
    return bytes;
  }
  if (!request.body) return new Uint8Array(0);
  return readBounded(request.body, limit, declared);
}

/**
 * Reads at most `limit` bytes; a longer body is refused as soon as it passes
 * the limit. A declared length is filled in place as the chunks arrive (one
 * copy, no list of chunks); past it, or without it, chunks are gathered and
 * joined once.
 */
async function readBounded(
  body: ReadableStream<Uint8Array>,
  limit: number,
  declared: number | undefined,
): Promise<Uint8Array> {
  const reader = body.getReader();
  let filling = declared === undefined ? undefined : new Uint8Array(declared);
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    if (total + value.byteLength > limit) {
      await reader.cancel().catch(() => {});
      throw new RequestEntityTooLargeError(limit);
    }
    if (filling && total + value.byteLength <= filling.byteLength) {
      filling.set(value, total);
    } else {
      if (filling) chunks.push(filling.subarray(0, total));
      filling = undefined;
      chunks.push(value);
    }
    total += value.byteLength;
  }
  if (filling) return total === filling.byteLength ? filling : filling.slice(0, total);
  // Always a buffer of our own, even for one chunk (which may be a slice of the server's read buffer).
  return concatBytes(chunks, total);
}
