/**
 * The catalog image: one deterministic `/configs` layer with the configs
 * label; on a base image, every platform keeps its layers, Entrypoint and
 * labels, gains the layer, the label and `Cmd ["serve","/configs"]`, in the
 * base's flavour; attestations are left out of the new index.
 */
import { gunzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { sha256 } from '../../../src/domain/bundle-image/oci-image.js';
import {
  buildCatalogImage,
  CATALOG_CONFIGS_LABEL,
  type CatalogImage,
  readCatalogLayer,
} from '../../../src/domain/catalog-image/catalog-image.js';
import { webGzipCodec } from '../../../src/domain/catalog-image/gzip-codec.js';
import { MEDIA_TYPE } from '../../../src/domain/catalog-image/image-json.js';
import { readTar } from '../../../src/domain/catalog-image/tar-read.js';
import { baseImage } from '../../support/base-images.js';

const text = (s: string) => new TextEncoder().encode(s);
const parse = (b: { data: Uint8Array }) => JSON.parse(new TextDecoder().decode(b.data));
const CONFIGS = [
  { path: 'widget/catalog.json', data: text('{"schema":"olm.package","name":"widget"}\n') },
  { path: 'etcd/catalog.json', data: text('{"schema":"olm.package","name":"etcd"}\n') },
];
const LIMITS = { maxBytes: 1 << 20, maxEntries: 100 };

function blobOf(image: CatalogImage, digest: string) {
  return [...image.blobs, ...image.manifests].find((b) => b.digest === digest);
}

describe('buildCatalogImage without a base', () => {
  it('is one layer of configs/… (folders first, sorted, epoch mtimes) with the configs label', async () => {
    const image = await buildCatalogImage(CONFIGS, webGzipCodec);
    const manifest = parse(image.top);
    expect(image.top.mediaType).toBe(MEDIA_TYPE.ociManifest);
    expect(manifest.layers).toHaveLength(1);
    const layer = blobOf(image, manifest.layers[0].digest)!;
    const tar = gunzipSync(layer.data);
    expect(readTar(tar, LIMITS).map((f) => f.path)).toEqual([
      'configs/etcd/catalog.json',
      'configs/widget/catalog.json',
    ]);
    // Headers: configs/ first; uid, gid, mtime all zero.
    expect(new TextDecoder().decode(tar.subarray(0, 8))).toBe('configs/');
    expect(new TextDecoder().decode(tar.subarray(136, 147))).toBe('00000000000');
    const config = parse(blobOf(image, manifest.config.digest)!);
    expect(config.config.Labels).toEqual({ [CATALOG_CONFIGS_LABEL]: '/configs' });
    expect(config.rootfs.diff_ids).toEqual([await sha256(tar)]);
    expect(image.manifests).toEqual([]);
    expect(image.baseLayers).toEqual([]);
  });

  it('is deterministic: the same configs in any order give the same digest; other configs another', async () => {
    const one = await buildCatalogImage(CONFIGS, webGzipCodec);
    const two = await buildCatalogImage([...CONFIGS].reverse(), webGzipCodec);
    expect(two.top.digest).toBe(one.top.digest);
    const other = await buildCatalogImage(CONFIGS.slice(1), webGzipCodec);
    expect(other.top.digest).not.toBe(one.top.digest);
  });

  it('reads its configs back, relative to /configs; an empty catalog is a configs/ folder', async () => {
    const image = await buildCatalogImage(CONFIGS, webGzipCodec);
    const layer = blobOf(image, parse(image.top).layers[0].digest)!;
    const back = await readCatalogLayer(layer.data, webGzipCodec, LIMITS);
    expect(back.map((f) => f.path)).toEqual(['etcd/catalog.json', 'widget/catalog.json']);
    expect(back[1]!.data).toEqual(CONFIGS[0]!.data);
    const empty = await buildCatalogImage([], webGzipCodec);
    const emptyLayer = blobOf(empty, parse(empty.top).layers[0].digest)!;
    expect(readTar(gunzipSync(emptyLayer.data), LIMITS)).toEqual([]);
    expect(await readCatalogLayer(emptyLayer.data, webGzipCodec, LIMITS)).toEqual([]);
  });

  it('refuses config paths that are not plain relative paths', async () => {
    for (const path of ['/abs.json', '../up.json', 'a//b.json', 'a/./b.json']) {
      await expect(buildCatalogImage([{ path, data: text('{}') }], webGzipCodec), path).rejects.toThrow(
        TypeError,
      );
    }
  });
});

describe.each(['oci', 'docker'] as const)('buildCatalogImage on a 2-platform %s base', (flavour) => {
  it('appends the layer to every platform, keeps Entrypoint and labels, serves /configs, in the base’s flavour', async () => {
    const base = await baseImage(flavour);
    const image = await buildCatalogImage(CONFIGS, webGzipCodec, base.resolved);
    const index = parse(image.top);
    expect(image.top.mediaType).toBe(flavour === 'oci' ? MEDIA_TYPE.ociIndex : MEDIA_TYPE.dockerList);
    expect(
      index.manifests.map((m: { platform: { architecture: string } }) => m.platform.architecture),
    ).toEqual(['amd64', 'arm64']);
    expect(image.manifests).toHaveLength(2);
    const layerType = flavour === 'oci' ? MEDIA_TYPE.ociLayer : MEDIA_TYPE.dockerLayer;
    for (const [i, platform] of base.resolved.platforms.entries()) {
      const descriptor = index.manifests[i];
      const manifest = image.manifests.find((m) => m.digest === descriptor.digest)!;
      expect(descriptor.size).toBe(manifest.data.byteLength);
      expect(manifest.mediaType).toBe(platform.manifest.mediaType);
      const json = parse(manifest);
      expect(json.layers.slice(0, 2)).toEqual(platform.layers);
      expect(json.layers[2].mediaType).toBe(layerType);
      const config = parse(blobOf(image, json.config.digest)!);
      const baseConfig = parse(platform.config);
      expect(json.config.mediaType).toBe(platform.config.mediaType);
      expect(config.architecture).toBe(baseConfig.architecture);
      expect(config.config.Entrypoint).toEqual(['/bin/opm']);
      expect(config.config.Cmd).toEqual(['serve', '/configs']);
      expect(config.config.WorkingDir).toBe('/');
      expect(config.config.Labels).toEqual({
        'io.example.base': baseConfig.architecture,
        [CATALOG_CONFIGS_LABEL]: '/configs',
      });
      expect(config.rootfs.diff_ids).toHaveLength(3);
      expect(config.rootfs.diff_ids.slice(0, 2)).toEqual(baseConfig.rootfs.diff_ids);
      expect(config.history).toHaveLength(3);
    }
    // The shared base layer once, each platform's own once.
    expect(image.baseLayers.map((l) => l.digest).sort()).toEqual(
      [...new Set(base.resolved.platforms.flatMap((p) => p.layers.map((l) => l.digest)))].sort(),
    );
    const again = await buildCatalogImage([...CONFIGS].reverse(), webGzipCodec, base.resolved);
    expect(again.top.digest).toBe(image.top.digest);
  });
});

describe('buildCatalogImage on a single-manifest base', () => {
  it('gives one image manifest (no index)', async () => {
    const base = await baseImage('docker', 'single');
    const image = await buildCatalogImage(CONFIGS, webGzipCodec, base.resolved);
    expect(image.top.mediaType).toBe(MEDIA_TYPE.dockerManifest);
    expect(image.manifests).toEqual([]);
    expect(parse(image.top).layers).toHaveLength(3);
  });
});
