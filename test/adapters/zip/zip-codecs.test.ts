import { deflateRawSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { nodeZipCodecs } from '../../../src/adapters/node-native/node-zip-codecs.js';
import { webZipCodecs } from '../../../src/adapters/zip/zip-codecs.js';

const encoder = new TextEncoder();
const text = encoder.encode('kind: ClusterServiceVersion\n'.repeat(2000));
const packed = new Uint8Array(deflateRawSync(text));

/** The contract both codecs keep: the archive's limit and size checks rely on it. */
describe.each([
  ['fflate', webZipCodecs],
  ['node:zlib', nodeZipCodecs],
] as const)('%s codecs', (_name, codecs) => {
  it('inflate an honest entry whole, as a plain Uint8Array', () => {
    const data = codecs.inflateRaw(packed, text.length, text.length);
    expect(data?.constructor).toBe(Uint8Array);
    expect(Buffer.from(data!).equals(text)).toBe(true);
    const small = codecs.inflateRaw(new Uint8Array(deflateRawSync('hi')), 10, 2);
    expect(small && Buffer.from(small).toString()).toBe('hi');
  });

  it('give the real output whatever size the entry declares, within the bound', () => {
    for (const expected of [0, 1, 1000, text.length - 1, text.length + 1]) {
      expect(codecs.inflateRaw(packed, text.length + 10, expected)?.length).toBe(text.length);
    }
  });

  it('stop past the bound, however small the declared size', () => {
    const zeros = new Uint8Array(deflateRawSync(new Uint8Array(10_000_000)));
    expect(codecs.inflateRaw(zeros, 1_000_000, 1000)).toBeUndefined();
    expect(codecs.inflateRaw(zeros, 1_000_000, 1_000_000)).toBeUndefined();
    expect(codecs.inflateRaw(packed, text.length - 1, text.length - 1)).toBeUndefined();
    expect(codecs.inflateRaw(packed, 0, 0)).toBeUndefined();
    expect(codecs.inflateRaw(new Uint8Array(deflateRawSync(new Uint8Array())), 0, 0)?.length).toBe(0);
  });

  it('read no bytes at all as an empty entry', () => {
    expect(codecs.inflateRaw(new Uint8Array(), 0, 0)?.length).toBe(0);
  });

  it('throw on damaged or truncated data', () => {
    expect(() => codecs.inflateRaw(new Uint8Array(64).fill(0xff), 1000, 10)).toThrow();
    expect(() => codecs.inflateRaw(packed.subarray(0, packed.length - 5), 100_000, text.length)).toThrow();
  });

  it('compute the zip CRC-32', () => {
    expect(codecs.crc32(encoder.encode('123456789'))).toBe(0xcbf43926);
    expect(codecs.crc32(new Uint8Array())).toBe(0);
  });
});
