/**
 * What the OCI catalog adapter does beyond the port's contract: the mount that
 * turns into an upload, base images copied from another registry without the
 * caller's credentials, Docker-flavoured bases, the digest cache, limits and
 * timeouts.
 */
import { gzipSync } from 'node:zlib';
import { afterEach, describe, expect, it } from 'vitest';
import { zlibLayerCodec } from '../../../src/adapters/node-native/zlib-layer-codec.js';
import {
  DEFAULT_CATALOG_READ_LIMITS,
  OciCatalogRegistry,
} from '../../../src/adapters/oci/oci-catalog-registry.js';
import { OciImageRegistry } from '../../../src/adapters/oci/oci-image-registry.js';
import { blob } from '../../../src/domain/bundle-image/oci-image.js';
import { MEDIA_TYPE } from '../../../src/domain/catalog-image/image-json.js';
import { RegistryError } from '../../../src/domain/errors.js';
import { writeTar } from '../../../src/domain/tar.js';
import { aBundle, CONFIGS } from '../../contracts/catalog-registry-contract.js';
import { type OciRegistryEmulator, startOciRegistryEmulator } from '../../emulators/oci-registry-emulator.js';
import { baseImage, oneLayerImage } from '../../support/base-images.js';
import { caught } from '../../support/failure.js';

const BASIC = `Basic ${btoa('alice:s3cret')}`;
const parse = (data: Uint8Array | undefined) => JSON.parse(new TextDecoder().decode(data));

describe('OciCatalogRegistry', () => {
  const emulators: OciRegistryEmulator[] = [];
  const start = async (...args: Parameters<typeof startOciRegistryEmulator>) => {
    const emulator = await startOciRegistryEmulator(...args);
    emulators.push(emulator);
    return emulator;
  };
  afterEach(async () => {
    for (const emulator of emulators.splice(0)) await emulator.close();
  });

  it('copies a base layer into the upload the registry started when it declines to mount', async () => {
    const emulator = await start();
    emulator.state.mountDeclined = true;
    const base = await baseImage('oci');
    emulator.state.seed('opm/base', base.blobs, [...base.manifests, base.top], 'v1');
    const session = new OciCatalogRegistry({ timeoutMs: 5_000 }).session(emulator.url, BASIC);
    const resolved = await session.resolveBase(`${new URL(emulator.url).host}/opm/base:v1`);
    const digest = await session.pushCatalog('acme/catalog', 'latest', CONFIGS, resolved);
    expect(emulator.state.mounts()).toHaveLength(3);
    for (const layer of resolved.image.platforms.flatMap((p) => p.layers))
      expect(emulator.state.hasBlob('acme/catalog', layer.digest)).toBe(true);
    expect(emulator.state.tags.get('acme/catalog')?.get('latest')).toBe(digest);
  });

  it('reads a base image in another registry anonymously and copies its layers (no mount, no credentials there)', async () => {
    const ours = await start({ kind: 'basic', user: 'alice', password: 's3cret' });
    const theirs = await start();
    const base = await baseImage('docker');
    theirs.state.seed('opm/base', base.blobs, [...base.manifests, base.top], 'v1');
    const theirHost = new URL(theirs.url).host;
    const registry = new OciCatalogRegistry({ timeoutMs: 5_000, plainHttpHosts: [theirHost] });
    const session = registry.session(ours.url, BASIC);
    const resolved = await session.resolveBase(`${theirHost}/opm/base@${base.top.digest}`);
    const digest = await session.pushCatalog('acme/catalog', 'latest', CONFIGS, resolved);

    expect(theirs.state.requests.length).toBeGreaterThan(0);
    expect(theirs.state.requests.map((r) => r.authorization).filter((a) => a !== undefined)).toEqual([]);
    expect(ours.state.mounts()).toEqual([]);
    const list = ours.state.manifestOf('acme/catalog', 'latest')!;
    expect(list.mediaType).toBe(MEDIA_TYPE.dockerList);
    expect(parse(list.data).manifests).toHaveLength(2);
    for (const entry of parse(list.data).manifests) {
      const manifest = parse(ours.state.manifests.get('acme/catalog')?.get(entry.digest)?.data);
      expect(manifest.layers.map((l: { mediaType: string }) => l.mediaType)).toEqual([
        MEDIA_TYPE.dockerLayer,
        MEDIA_TYPE.dockerLayer,
        MEDIA_TYPE.dockerLayer,
      ]);
      for (const layer of manifest.layers)
        expect(ours.state.hasBlob('acme/catalog', layer.digest)).toBe(true);
    }
    expect((await session.readCatalog('acme/catalog', 'latest'))?.digest).toBe(digest);
  });

  it('reads each bundle image’s layer once: a second listing fetches manifests only', async () => {
    const emulator = await start();
    const images = new OciImageRegistry({ timeoutMs: 5_000 }).session(emulator.url, BASIC);
    for (const version of ['1.0.0', '1.1.0', '2.0.0'])
      await images.pushImage('acme/w', version, await aBundle(version));
    const session = new OciCatalogRegistry({ timeoutMs: 5_000, codec: zlibLayerCodec }).session(
      emulator.url,
      BASIC,
    );
    expect((await session.bundles('acme/w'))?.bundles).toHaveLength(3);
    const before = emulator.state.requests.length;
    await images.pushImage('acme/w', '3.0.0', await aBundle('3.0.0'));
    const during = emulator.state.requests.length;
    expect((await session.bundles('acme/w'))?.bundles.map((b) => b.tag)).toEqual([
      '1.0.0',
      '1.1.0',
      '2.0.0',
      '3.0.0',
    ]);
    const blobReads = emulator.state.requests
      .slice(during)
      .filter((r) => r.method === 'GET' && r.path.includes('/blobs/'));
    expect(blobReads).toHaveLength(1);
    expect(during).toBeGreaterThan(before);
  });

  it('skips bundle images whose layers are too large or hold unsafe names, with the reason', async () => {
    const emulator = await start();
    const unsafe = writeTar(
      [
        {
          type: 'file',
          name: '../metadata/annotations.yaml',
          data: new TextEncoder().encode('annotations: {}\n'),
        },
      ],
      { mtime: new Date(0) },
    );
    const layer = await blob(MEDIA_TYPE.ociLayer, gzipSync(unsafe));
    const { blobs, manifest } = await oneLayerImage(layer);
    emulator.state.seed('acme/w', blobs, [manifest], '0.0.1');
    const images = new OciImageRegistry({ timeoutMs: 5_000 }).session(emulator.url, BASIC);
    await images.pushImage('acme/w', '1.0.0', await aBundle('1.0.0'));
    const limits = {
      ...DEFAULT_CATALOG_READ_LIMITS,
      bundle: { ...DEFAULT_CATALOG_READ_LIMITS.bundle, bytes: 2048 },
    };
    const stored = await new OciCatalogRegistry({ timeoutMs: 5_000, limits })
      .session(emulator.url, BASIC)
      .bundles('acme/w');
    expect(stored?.bundles).toEqual([]);
    expect(stored?.skipped).toEqual([
      {
        tag: '0.0.1',
        reason: 'not a bundle image: the layer has a name with ".." ("../metadata/annotations.yaml")',
      },
      { tag: '1.0.0', reason: 'not a bundle image: the layer holds more than 2048 bytes' },
    ]);
  });

  it('gives up on a registry that does not answer within request_timeout, naming the step', async () => {
    const emulator = await start();
    emulator.state.hang = /^POST /;
    const session = new OciCatalogRegistry({ timeoutMs: 300 }).session(emulator.url, BASIC);
    const error = await caught<RegistryError>(session.pushCatalog('acme/catalog', 'latest', CONFIGS));
    expect(error).toBeInstanceOf(RegistryError);
    expect(error.message).toMatch(/^Could not upload the blob sha256:\w+ to acme\/catalog: .*300 ms\.$/);
  });

  it('says why a catalog tag that holds something else cannot be read', async () => {
    const emulator = await start();
    const images = new OciImageRegistry({ timeoutMs: 5_000 }).session(emulator.url, BASIC);
    await images.pushImage('acme/catalog', 'latest', await aBundle('1.0.0'));
    const session = new OciCatalogRegistry({ timeoutMs: 5_000 }).session(emulator.url, BASIC);
    // A bundle image read as a catalog: a readable layer without configs/ is an empty catalog.
    expect((await session.readCatalog('acme/catalog', 'latest'))?.configs).toEqual([]);
    const base = await baseImage('oci');
    emulator.state.seed('acme/catalog', base.blobs, [...base.manifests, base.top], 'latest');
    const error = await caught<RegistryError>(session.readCatalog('acme/catalog', 'latest'));
    expect(error).toBeInstanceOf(RegistryError);
    expect(error.message).toMatch(
      /^The catalog image acme\/catalog:latest cannot be read: the layer is not valid gzip\.$/,
    );
  });
});
