/**
 * Reading the uploaded archive (SPEC §2 "Upload"): the body is read up to
 * max_content_length and no further, then the `file` part is taken out of it.
 */
import { ExpectedFileError, RequestEntityTooLargeError, UploadedFileError } from '../../domain/errors.js';
import { boundaryOf, parseMultipart } from './multipart.js';

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
      'Expected a multipart/form-data request with the zip archive in the field "file".',
    );
  }
  const body = await readBounded(request, maxContentLength);
  let parts: ReturnType<typeof parseMultipart>;
  try {
    parts = parseMultipart(body, boundary);
  } catch (error) {
    throw new ExpectedFileError(
      `The multipart/form-data body could not be read (${(error as Error).message}); expected the zip archive in the field "file".`,
    );
  }
  const file = parts.find((p) => p.name === 'file' && p.filename !== undefined);
  if (!file) throw new ExpectedFileError();
  if (!file.filename) throw new ExpectedFileError('The attached file has an empty filename.');
  if (!file.filename.toLowerCase().endsWith('.zip')) {
    throw new UploadedFileError(
      `The attached file "${file.filename}" is not a zip archive: expected a .zip file.`,
    );
  }
  return { filename: file.filename, bytes: file.data };
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
