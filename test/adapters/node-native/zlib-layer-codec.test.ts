/** Layer gzip on node:zlib: the same bytes as the Web-standard codec (so the same digests), and a bounded gunzip. */
import { describe, expect, it } from 'vitest';
import { zlibLayerCodec } from '../../../src/adapters/node-native/zlib-layer-codec.js';
import { webGzipCodec } from '../../../src/domain/catalog-image/gzip-codec.js';

const data = new TextEncoder().encode('{"schema":"olm.bundle"}\n'.repeat(5_000));

describe.each([
  ['node:zlib', zlibLayerCodec],
  ['Web streams', webGzipCodec],
] as const)('%s layer codec', (_name, codec) => {
  it('round-trips, and writes what the other codec writes (no timestamp in the header)', async () => {
    const packed = await codec.gzip(data);
    expect(packed).toEqual(await (codec === webGzipCodec ? zlibLayerCodec : webGzipCodec).gzip(data));
    expect(packed.subarray(4, 8)).toEqual(new Uint8Array(4));
    expect(await codec.gunzip(packed, data.byteLength)).toEqual(data);
  });

  it('stops past the bound (undefined) and throws on damaged data', async () => {
    const packed = await codec.gzip(data);
    expect(await codec.gunzip(packed, data.byteLength - 1)).toBeUndefined();
    await expect(codec.gunzip(new TextEncoder().encode('not gzip'), 1000)).rejects.toThrow();
  });
});
