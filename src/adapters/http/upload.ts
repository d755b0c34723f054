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

export async function readUpload(request: Request, maxContentLength: number): Promise<Upload> {
  const declared = request.headers.get('content-length');
  if (declared !== null && Number(declared) > maxContentLength) {
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
  const body = await readBounded(request, maxContentLength);
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

/** Reads at most `limit` bytes into one buffer; a longer body is refused as soon as it passes the limit. */
async function readBounded(request: Request, limit: number): Promise<Uint8Array> {
  if (!request.body) return new Uint8Array(0);
  const reader = request.body.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (total > limit) {
      await reader.cancel().catch(() => {});
      throw new RequestEntityTooLargeError(limit);
    }
    chunks.push(value);
  }
  // Always a buffer of our own, even for one chunk (which may be a slice of the server's read
  // buffer): the upload is handed over to a bundle thread by transferring its buffer.
  const out = new Uint8Array(total);
  let offset = 0;
  for (const c of chunks) {
    out.set(c, offset);
    offset += c.byteLength;
  }
  return out;
}
