/**
 * Reading the upload two ways gives the same bytes and the same limit: a
 * small declared body read whole, a larger or undeclared one as it streams
 * in, in memory that follows the bytes that arrived, not the declared length.
 */
import { describe, expect, it } from 'vitest';
import { readUpload } from '../../../src/adapters/http/upload.js';
import { ExpectedFileError, RequestEntityTooLargeError } from '../../../src/domain/errors.js';
import { multipart } from '../../support/bundles.js';
import { caught } from '../../support/failure.js';

/** Bytes that look like a compressed zip (no long runs), the same every run. */
function noise(length: number): Uint8Array {
  const out = new Uint8Array(length);
  let x = 0x9e3779b9;
  for (let i = 0; i < length; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    out[i] = x & 0xff;
  }
  return out;
}

/** Byte-wise equality without a per-element deep compare (slow on 700 KB). */
const same = (a: Uint8Array, b: Uint8Array) => Buffer.from(a.buffer, a.byteOffset, a.byteLength).equals(b);

async function formBody(zip: Uint8Array): Promise<{ bytes: Uint8Array; contentType: string }> {
  const res = new Response(multipart(zip));
  return {
    bytes: new Uint8Array(await res.arrayBuffer()),
    contentType: res.headers.get('content-type')!,
  };
}

type Framing = 'declared' | 'streamed';

function request(
  body: { bytes: Uint8Array; contentType: string },
  framing: Framing,
  declared?: number,
): Request {
  const headers: Record<string, string> = { 'Content-Type': body.contentType };
  if (framing === 'declared') {
    headers['Content-Length'] = String(declared ?? body.bytes.byteLength);
    return new Request('http://omps.test/v2/o/zipfile', {
      method: 'POST',
      headers,
      body: body.bytes as Uint8Array<ArrayBuffer>,
    });
  }
  // Uneven chunks, as a chunked transfer would bring them.
  const stream = new ReadableStream<Uint8Array>({
    start(c) {
      for (let at = 0, size = 1; at < body.bytes.byteLength; at += size, size = (size * 7 + 3) % 40_000) {
        c.enqueue(body.bytes.slice(at, at + size));
      }
      c.close();
    },
  });
  return new Request('http://omps.test/v2/o/zipfile', {
    method: 'POST',
    headers,
    body: stream,
    duplex: 'half',
  } as RequestInit);
}

const LIMIT = 4 * 1024 * 1024;

describe('readUpload', () => {
  // 3 KB is read whole; 700 KB is past the whole-read size and is read as it streams in.
  for (const size of [3_000, 700_000]) {
    it(`gives the same ${size}-byte file with and without Content-Length`, async () => {
      const zip = noise(size);
      const body = await formBody(zip);
      for (const framing of ['declared', 'streamed'] as const) {
        const upload = await readUpload(request(body, framing), LIMIT);
        expect(upload.filename).toBe('manifests.zip');
        expect(same(upload.bytes, zip), framing).toBe(true);
      }
    });
  }

  it('an in-process Request carrying more or less than it declares is read as it is', async () => {
    const zip = noise(600_000);
    const body = await formBody(zip);
    for (const declared of [body.bytes.byteLength - 1000, body.bytes.byteLength + 1000, 300_000]) {
      expect(same((await readUpload(request(body, 'declared', declared), LIMIT)).bytes, zip)).toBe(true);
    }
  });

  it('refuses a body past max_content_length with 413, whichever way it is read', async () => {
    for (const size of [3_000, 700_000]) {
      const body = await formBody(noise(size));
      const limit = body.bytes.byteLength - 1;
      for (const framing of ['declared', 'streamed'] as const) {
        const error = await caught(readUpload(request(body, framing), limit));
        expect(error, `${size} ${framing}`).toBeInstanceOf(RequestEntityTooLargeError);
      }
      // A declared length under the limit does not let a longer in-process body through.
      const lying = await caught(readUpload(request(body, 'declared', 100), limit));
      expect(lying).toBeInstanceOf(RequestEntityTooLargeError);
      // Exactly at the limit is fine.
      expect((await readUpload(request(body, 'streamed'), body.bytes.byteLength)).bytes.byteLength).toBe(
        size,
      );
    }
  });

  it('holds memory for the bytes that arrived, not for the length a client declares', async () => {
    // 50 clients that declare 1 MB each, send 100 bytes and then nothing.
    const streams: ReadableStreamDefaultController<Uint8Array>[] = [];
    const before = process.memoryUsage().arrayBuffers;
    const reads = Array.from({ length: 50 }, () => {
      const body = new ReadableStream<Uint8Array>({
        start(c) {
          streams.push(c);
          c.enqueue(new Uint8Array(100));
        },
      });
      const req = new Request('http://omps.test/v2/o/zipfile', {
        method: 'POST',
        headers: { 'Content-Type': 'multipart/form-data; boundary=b', 'Content-Length': String(1024 * 1024) },
        body,
        duplex: 'half',
      } as RequestInit);
      return caught(readUpload(req, LIMIT));
    });
    await new Promise((r) => setTimeout(r, 50));
    const held = process.memoryUsage().arrayBuffers - before;
    // A buffer of the declared length each would be 50 MB; one of 16 KiB each is under 1 MB.
    expect(held).toBeLessThan(8 * 1024 * 1024);
    for (const c of streams) c.error(new Error('client gone'));
    for (const error of await Promise.all(reads)) expect(error).toBeInstanceOf(Error);
  });

  it('says a body cut short did not arrive whole (400 OMPSExpectedFileError), not an unexpected error', async () => {
    for (const declared of [1000, 1024 * 1024]) {
      const body = new ReadableStream<Uint8Array>({
        start(c) {
          c.enqueue(new Uint8Array(100));
          setTimeout(() => c.error(new Error('aborted')), 10);
        },
      });
      const req = new Request('http://omps.test/v2/o/zipfile', {
        method: 'POST',
        headers: { 'Content-Type': 'multipart/form-data; boundary=b', 'Content-Length': String(declared) },
        body,
        duplex: 'half',
      } as RequestInit);
      const error = await caught(readUpload(req, LIMIT));
      expect(error, String(declared)).toBeInstanceOf(ExpectedFileError);
      expect((error as Error).message).toMatch(
        /^No field "file" in uploaded data: the request body did not arrive whole \(the connection closed after (0|100) bytes of it\)\.$/,
      );
    }
  });
});
