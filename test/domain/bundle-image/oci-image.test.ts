import { createHash } from 'node:crypto';
import { gunzipSync } from 'fflate';
import { unpackTar } from 'modern-tar';
import { describe, expect, it } from 'vitest';
import { fflateGzip } from '../../../src/adapters/fflate/fflate-gzip.js';
import { buildOciImage, OCI_MEDIA_TYPE, sha256 } from '../../../src/domain/bundle-image/oci-image.js';

const text = (s: string) => new TextEncoder().encode(s);
const json = (bytes: Uint8Array) => JSON.parse(new TextDecoder().decode(bytes));
const nodeSha = (bytes: Uint8Array) => `sha256:${createHash('sha256').update(bytes).digest('hex')}`;

const FILES = [
  { path: 'metadata/annotations.yaml', data: text('annotations:\n  a: b\n') },
  { path: 'manifests/z.crd.yaml', data: text('kind: CustomResourceDefinition\n') },
  { path: 'manifests/a.csv.yaml', data: text('kind: ClusterServiceVersion\n') },
];
const LABELS = { 'z.label': 'last', 'a.label': 'first' };

describe('buildOciImage', () => {
  it('gives the same bytes and digests for the same bundle, whenever and in whatever order it is built', async () => {
    const first = await buildOciImage(FILES, LABELS, fflateGzip);
    await new Promise((r) => setTimeout(r, 1100)); // a second later: no timestamp may leak in
    const second = await buildOciImage(
      [...FILES].reverse(),
      { 'a.label': 'first', 'z.label': 'last' },
      fflateGzip,
    );
    expect(second.manifest.digest).toBe(first.manifest.digest);
    expect(second.layers[0]!.data).toEqual(first.layers[0]!.data);
    // gzip header: MTIME (bytes 4–7) is zero.
    expect([...first.layers[0]!.data.subarray(4, 8)]).toEqual([0, 0, 0, 0]);
  });

  it('gives the digests it always gave: the layer gzip is the same bytes on every runtime and release', async () => {
    const image = await buildOciImage(FILES, LABELS, fflateGzip);
    // Pinned: a change here re-tags identical content as "different" for every publisher.
    expect(image.layers[0]!.digest).toBe(
      'sha256:ef405320a693b7effdda5bcc829ea776421e502fc7c002370ab7d127857c01d1',
    );
    expect(image.manifest.digest).toBe(
      'sha256:f1098da84bf0ed8b7fccafe1fa161cd5c1db3b49d1adbcd995c6fd149dc2d4ec',
    );
  });

  it('computes sha256 digests as the content addresses', async () => {
    const image = await buildOciImage(FILES, LABELS, fflateGzip);
    for (const blob of [image.manifest, image.config, ...image.layers])
      expect(blob.digest).toBe(nodeSha(blob.data));
    expect(await sha256(new Uint8Array())).toBe(
      'sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855',
    );
  });

  it('writes an OCI image manifest naming the config and the one layer', async () => {
    const image = await buildOciImage(FILES, LABELS, fflateGzip);
    expect(json(image.manifest.data)).toEqual({
      schemaVersion: 2,
      mediaType: OCI_MEDIA_TYPE.manifest,
      config: {
        mediaType: OCI_MEDIA_TYPE.config,
        digest: image.config.digest,
        size: image.config.data.byteLength,
      },
      layers: [
        {
          mediaType: OCI_MEDIA_TYPE.layer,
          digest: image.layers[0]!.digest,
          size: image.layers[0]!.data.byteLength,
        },
      ],
    });
  });

  it('writes a config whose labels are the annotations and whose diff_id is the uncompressed layer', async () => {
    const image = await buildOciImage(FILES, LABELS, fflateGzip);
    const config = json(image.config.data);
    expect(config.config).toEqual({ Labels: { 'a.label': 'first', 'z.label': 'last' } });
    expect(config.architecture).toBe('amd64');
    expect(config.os).toBe('linux');
    expect(config.rootfs).toEqual({ type: 'layers', diff_ids: [nodeSha(gunzipSync(image.layers[0]!.data))] });
  });

  it('lays the files out sorted, under their folders, owned by root, at the epoch', async () => {
    const image = await buildOciImage(FILES, LABELS, fflateGzip);
    const entries = await unpackTar(gunzipSync(image.layers[0]!.data));
    expect(entries.map((e) => e.header.name)).toEqual([
      'manifests/',
      'manifests/a.csv.yaml',
      'manifests/z.crd.yaml',
      'metadata/',
      'metadata/annotations.yaml',
    ]);
    for (const { header } of entries) {
      expect(header.uid).toBe(0);
      expect(header.gid).toBe(0);
      expect(header.mtime?.getTime()).toBe(0);
    }
    expect(new TextDecoder().decode(entries[4]!.data)).toBe('annotations:\n  a: b\n');
  });
});
