/** Node's native codecs give exactly what the Web-standard defaults give. */
import { describe, expect, it } from 'vitest';
import { nodeTextCodec } from '../../../src/adapters/node-native/node-text-codec.js';
import { nodeZipCodecs } from '../../../src/adapters/node-native/node-zip-codecs.js';
import { ZipArchive } from '../../../src/adapters/zip/zip-archive.js';
import { runBundleJob } from '../../../src/application/bundle-job.js';
import { DEFAULT_POLICY, type OrganizationPolicy } from '../../../src/domain/organization-policy.js';
import { type TextPart, webTextCodec } from '../../../src/domain/text-codec.js';
import { SAMPLE_OPERATOR_FILES } from '../../../src/infrastructure/demo/sample-operator.js';
import { fixtureZip, zipOf } from '../../support/bundles.js';
import { SAMPLE_CSV } from '../../support/heavy-bundles.js';

const bytes = (...values: number[]) => new Uint8Array(values);

describe('nodeTextCodec', () => {
  it('decodes like the strict TextDecoder: ASCII, UTF-8, a BOM, large and empty input', () => {
    const samples = [
      '',
      'kind: ClusterServiceVersion\n',
      'größe: ✓ 🎉\n',
      '\ufeffapiVersion: v1\n',
      'x'.repeat(100_000),
      `${'y'.repeat(70_000)}é`,
    ];
    for (const sample of samples) {
      const encoded = new TextEncoder().encode(sample);
      expect(nodeTextCodec.decode(encoded)).toBe(webTextCodec.decode(encoded));
      const offset = new Uint8Array(encoded.length + 3);
      offset.set(encoded, 3);
      expect(nodeTextCodec.decode(offset.subarray(3))).toBe(webTextCodec.decode(encoded));
    }
  });

  it('refuses invalid UTF-8 as the strict TextDecoder does', () => {
    for (const invalid of [bytes(0x61, 0xff), bytes(0xc3), bytes(0xed, 0xa0, 0x80), bytes(0xc0, 0xaf)]) {
      expect(() => webTextCodec.decode(invalid)).toThrow();
      expect(() => nodeTextCodec.decode(invalid)).toThrow();
    }
  });

  it('encodes like TextEncoder, lone surrogates included, into plain buffers of their own', () => {
    for (const sample of ['', 'a: 1\n', 'é\ud800x', 'z'.repeat(5000), `${'w'.repeat(5000)}\udfff✓`]) {
      const encoded = nodeTextCodec.encode(sample);
      expect(Buffer.from(encoded).equals(webTextCodec.encode(sample))).toBe(true);
      expect(encoded.constructor).toBe(Uint8Array);
      // Its own buffer, so it can be transferred to another thread (Node's small-buffer pool cannot).
      expect(encoded.buffer.byteLength).toBe(encoded.byteLength);
    }
  });

  it('encodes indented lines like the Web-standard codec: blank lines, unicode, any size', () => {
    const texts = [
      '',
      '\n',
      'a',
      'a\n',
      '\n\na\n\n\nb',
      'größe ✓\n\n  🎉 x\n',
      `${'line\n\n'.repeat(20_000)}end`,
    ];
    for (const text of texts) {
      for (const indent of ['', '  ', '        ']) {
        const parts: TextPart[] = ['head: |\n', { text, indent }, '\nnext: 1\n', { text, indent }];
        const encoded = nodeTextCodec.encodeParts(parts);
        expect(Buffer.from(encoded).toString()).toBe(Buffer.from(webTextCodec.encodeParts(parts)).toString());
      }
    }
    // An indent that is not spaces only is written line by line, the same way.
    const odd: TextPart[] = [{ text: 'a\n\nb', indent: '\t' }];
    expect(Buffer.from(nodeTextCodec.encodeParts(odd)).toString()).toBe('\ta\n\n\tb');
  });

  it('encodes parts like TextEncoder encodes their concatenation', () => {
    const samples = [
      [],
      [''],
      ['a: 1\n', 'é\ud800', '✓'],
      ['x'.repeat(70_000), '\n', `${'y'.repeat(5000)}🎉`, ''],
    ];
    for (const parts of samples) {
      const encoded = nodeTextCodec.encodeParts(parts);
      expect(Buffer.from(encoded).equals(webTextCodec.encodeParts(parts))).toBe(true);
      expect(Buffer.from(encoded).equals(new TextEncoder().encode(parts.join('')))).toBe(true);
      expect(encoded.constructor).toBe(Uint8Array);
      expect(encoded.buffer.byteLength).toBe(encoded.byteLength);
    }
  });
});

describe('a bundle job on native codecs', () => {
  const policies: OrganizationPolicy[] = [
    DEFAULT_POLICY,
    {
      ...DEFAULT_POLICY,
      packageNameSuffix: '-beta',
      replaceRegistry: [{ old: 'quay.io', new: 'registry.example.com', regexp: false }],
      csvAnnotations: [{ name: 'omps/owner', value: '{package_name}-team ✓' }],
    },
  ];
  const zips = {
    sample: zipOf({ ...SAMPLE_OPERATOR_FILES }),
    nested: fixtureZip('etcd_op_nested'),
    flat: fixtureZip('marketplace_op_flat'),
    'large unicode description': zipOf({
      ...SAMPLE_OPERATOR_FILES,
      [SAMPLE_CSV]: (SAMPLE_OPERATOR_FILES[SAMPLE_CSV] ?? '').replace(
        /( {2}description: \|\n)/,
        `$1${'    Größe ✓ of the operator\n\n    ## install\n'.repeat(3000)}`,
      ),
    }),
  };

  it.each(Object.entries(zips))('pushes the same bytes as the Web-standard job (%s)', async (_name, zip) => {
    for (const policy of policies) {
      const job = { bytes: zip, maxUncompressedSize: 64 << 20, policy };
      const web = await runBundleJob(new ZipArchive(), job);
      const native = await runBundleJob(new ZipArchive(nodeZipCodecs), job, { codec: nodeTextCodec });
      expect(native.verdict.ok).toBe(true);
      expect(web.verdict.ok).toBe(true);
      if (!(native.verdict.ok && web.verdict.ok)) return;
      const files = (work: typeof web) =>
        work.verdict.ok
          ? work.verdict.bundle.files.map((f) => [f.path, Buffer.from(f.data).toString('hex')])
          : [];
      expect(files(native)).toEqual(files(web));
      expect(native.packageName).toBe(web.packageName);
      expect(native.inflatedBytes).toBe(web.inflatedBytes);
    }
  });
});
