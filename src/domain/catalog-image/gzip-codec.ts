/**
 * gzip for image layers, injected: the catalog image's `/configs` layer is
 * written with it and every layer read back (bundles, catalogs) is inflated
 * with it, within a bound. The default is Web-standard (CompressionStream /
 * DecompressionStream) for edge runtimes; Node passes node:zlib's
 * (src/adapters/node-native/zlib-layer-codec.ts), which is faster and bounds its output itself.
 *
 * Same input, same codec → same bytes: neither writes a timestamp in the
 * gzip header, so a layer's digest depends on its files only.
 */
import { concatBytes } from '../bytes.js';

export interface GzipCodec {
  gzip(data: Uint8Array): Promise<Uint8Array>;
  /** The data inflated; `undefined` once it would exceed `maxOutput` bytes. Throws on damaged data. */
  gunzip(data: Uint8Array, maxOutput: number): Promise<Uint8Array | undefined>;
}

export const webGzipCodec: GzipCodec = {
  gzip: async (data) => (await through(new CompressionStream('gzip'), data, Number.POSITIVE_INFINITY))!,
  gunzip: (data, maxOutput) => through(new DecompressionStream('gzip'), data, maxOutput),
};

/** `data` through a (de)compression stream, reading at most `maxOutput` bytes of its output. */
async function through(
  stream: CompressionStream | DecompressionStream,
  data: Uint8Array,
  maxOutput: number,
): Promise<Uint8Array | undefined> {
  const writer = stream.writable.getWriter();
  // Errors surface on the reading side; the writer's own promises are only awaited there.
  const written = writer.write(data as Uint8Array<ArrayBuffer>).then(() => writer.close());
  written.catch(() => {});
  const reader = stream.readable.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (total > maxOutput) {
      await reader.cancel().catch(() => {});
      return undefined;
    }
    chunks.push(value);
  }
  await written;
  return concatBytes(chunks, total);
}
