/**
 * What every CatalogRegistry must do, whoever implements it (the in-memory
 * fake and the OCI adapter against the registry emulator): bundle images
 * pushed through ImageRegistry read back (foreign tags skipped with a
 * reason), the catalog image pushed and read back with a deterministic
 * digest, a 2-platform base image resolved and built on, refusals.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { fflateGzip } from '../../src/adapters/fflate/fflate-gzip.js';
import type { CatalogRegistry, CatalogSession, ImageRegistry } from '../../src/application/ports.js';
import { blob, buildOciImage, type OciBlob } from '../../src/domain/bundle-image/oci-image.js';
import { buildCatalogImage, CATALOG_CONFIGS_LABEL } from '../../src/domain/catalog-image/catalog-image.js';
import { webGzipCodec } from '../../src/domain/catalog-image/gzip-codec.js';
import { MEDIA_TYPE } from '../../src/domain/catalog-image/image-json.js';
import { CatalogValidationError, RegistryAuthorizationError } from '../../src/domain/errors.js';
import { baseImage, oneLayerImage } from '../support/base-images.js';
import { caught } from '../support/failure.js';
import { anImage } from './image-registry-contract.js';

export interface CatalogRegistrySubject {
  catalogRegistry: CatalogRegistry;
  /** The same registry's ImageRegistry: bundle images are pushed through it. */
  imageRegistry: ImageRegistry;
  /** The registry's base URL. */
  registry: string;
  token: string;
  badToken: string;
  /** Puts blobs and manifests (by digest) into `repository` behind the adapter's back, the last under `tag`. */
  seed(
    repository: string,
    blobs: readonly OciBlob[],
    manifests: readonly OciBlob[],
    tag?: string,
  ): Promise<void>;
  /** A manifest (by tag or digest) or a blob, read behind the adapter's back. */
  manifest(repository: string, reference: string): Promise<Uint8Array | undefined>;
  blob(repository: string, digest: string): Promise<Uint8Array | undefined>;
  /** The cross-repository mounts the registry was asked for, when it can tell. */
  mounts?(): { digest: string; from: string; into: string }[];
  cleanup(): Promise<void> | void;
}

const text = (s: string) => new TextEncoder().encode(s);
const parse = (data: Uint8Array | undefined) => JSON.parse(new TextDecoder().decode(data));

/** A registry+v1 bundle image of `widget` at `version`. */
export function aBundle(version: string): ReturnType<typeof buildOciImage> {
  const annotations = {
    'operators.operatorframework.io.bundle.mediatype.v1': 'registry+v1',
    'operators.operatorframework.io.bundle.manifests.v1': 'manifests/',
    'operators.operatorframework.io.bundle.metadata.v1': 'metadata/',
    'operators.operatorframework.io.bundle.package.v1': 'widget',
    'operators.operatorframework.io.bundle.channels.v1': 'stable',
    'operators.operatorframework.io.bundle.channel.default.v1': 'stable',
  };
  const yaml = `annotations:\n${Object.entries(annotations)
    .map(([k, v]) => `  ${k}: ${v}\n`)
    .join('')}`;
  return buildOciImage(
    [
      {
        path: 'manifests/widget.clusterserviceversion.yaml',
        data: text(`kind: ClusterServiceVersion\nversion: ${version}\n`),
      },
      { path: 'metadata/annotations.yaml', data: text(yaml) },
    ],
    annotations,
    fflateGzip,
  );
}

export const CONFIGS = [
  { path: 'widget/catalog.json', data: text('{"schema":"olm.package","name":"widget"}\n') },
  { path: 'etcd/catalog.json', data: text('{"schema":"olm.package","name":"etcd"}\n') },
];

export function catalogRegistryContract(
  name: string,
  makeSubject: () => Promise<CatalogRegistrySubject>,
): void {
  describe(`CatalogRegistry contract: ${name}`, () => {
    let subject: CatalogRegistrySubject;
    let session: CatalogSession;
    let host: string;
    const bundleRepo = 'acme/widget-bundle';
    const catalogRepo = 'acme/catalog';

    beforeEach(async () => {
      subject = await makeSubject();
      session = subject.catalogRegistry.session(subject.registry, subject.token);
      host = new URL(subject.registry).host;
    });

    afterEach(async () => {
      await subject.cleanup();
    });

    it('knows no bundles, catalog or digest in a repository it does not know', async () => {
      expect(await session.bundles(bundleRepo)).toBeUndefined();
      expect(await session.catalogDigest(catalogRepo, 'latest')).toBeUndefined();
      expect(await session.readCatalog(catalogRepo, 'latest')).toBeUndefined();
    });

    it('reads back the bundle images pushed through ImageRegistry, and skips foreign tags with a reason', async () => {
      const images = subject.imageRegistry.session(subject.registry, subject.token);
      const one = await aBundle('1.0.0');
      const two = await aBundle('2.0.0');
      await images.pushImage(bundleRepo, '1.0.0', one);
      await images.pushImage(bundleRepo, '2.0.0', two);
      await images.pushImage(bundleRepo, 'not-a-bundle', await anImage('0.1.0'));
      const base = await baseImage('oci');
      await subject.seed(bundleRepo, base.blobs, [...base.manifests, base.top], 'an-index');
      const plain = await blob(MEDIA_TYPE.ociLayer, text('not gzip at all'));
      const broken = await oneLayerImage(plain);
      await subject.seed(bundleRepo, broken.blobs, [broken.manifest], 'unreadable');

      const stored = await session.bundles(bundleRepo);
      expect(stored?.bundles.map((b) => [b.tag, b.digest])).toEqual([
        ['1.0.0', one.manifest.digest],
        ['2.0.0', two.manifest.digest],
      ]);
      expect(stored!.bundles[0]!.files.map((f) => f.path)).toEqual([
        'manifests/widget.clusterserviceversion.yaml',
        'metadata/annotations.yaml',
      ]);
      expect(new TextDecoder().decode(stored!.bundles[1]!.files[0]!.data)).toContain('version: 2.0.0');
      expect(stored?.skipped.map((s) => s.tag)).toEqual(['an-index', 'not-a-bundle', 'unreadable']);
      const reasons = Object.fromEntries(stored!.skipped.map((s) => [s.tag, s.reason]));
      expect(reasons['an-index']).toMatch(/^not a bundle image: it is an image index/);
      expect(reasons['not-a-bundle']).toMatch(/operators\.operatorframework\.io\.bundle\.\* annotations/);
      expect(reasons.unreadable).toMatch(/gzip/);
    });

    it('pushes a one-layer catalog image with the configs label, reads it back, with a deterministic digest', async () => {
      const digest = await session.pushCatalog(catalogRepo, 'latest', CONFIGS);
      expect(digest).toBe((await buildCatalogImage(CONFIGS, webGzipCodec)).top.digest);
      expect(await session.catalogDigest(catalogRepo, 'latest')).toBe(digest);
      const manifest = parse(await subject.manifest(catalogRepo, 'latest'));
      expect(manifest.layers).toHaveLength(1);
      const config = parse(await subject.blob(catalogRepo, manifest.config.digest));
      expect(config.config.Labels).toEqual({ [CATALOG_CONFIGS_LABEL]: '/configs' });

      const read = await session.readCatalog(catalogRepo, 'latest');
      expect(read?.digest).toBe(digest);
      expect(read?.configs.map((f) => f.path)).toEqual(['etcd/catalog.json', 'widget/catalog.json']);
      expect(read!.configs[1]!.data).toEqual(CONFIGS[0]!.data);

      expect(await session.pushCatalog(catalogRepo, 'latest', [...CONFIGS].reverse())).toBe(digest);
      const changed = await session.pushCatalog(catalogRepo, 'latest', CONFIGS.slice(1));
      expect(changed).not.toBe(digest);
      expect((await session.readCatalog(catalogRepo, 'latest'))?.configs.map((f) => f.path)).toEqual([
        'etcd/catalog.json',
      ]);
    });

    it('builds on a 2-platform base image: every platform keeps its layers, Entrypoint and labels, and serves /configs', async () => {
      const base = await baseImage('oci');
      await subject.seed('opm/base', base.blobs, [...base.manifests, base.top], 'v1');
      const byTag = await session.resolveBase(`${host}/opm/base:v1`);
      expect(byTag.digest).toBe(base.top.digest);
      expect(byTag.image.platforms).toHaveLength(2);
      expect(byTag.image.skipped).toHaveLength(1);
      const resolved = await session.resolveBase(`${host}/opm/base@${base.top.digest}`);
      expect(resolved.repository).toBe('opm/base');

      const digest = await session.pushCatalog(catalogRepo, 'latest', CONFIGS, resolved);
      expect(await session.catalogDigest(catalogRepo, 'latest')).toBe(digest);
      const index = parse(await subject.manifest(catalogRepo, 'latest'));
      expect(index.mediaType).toBe(MEDIA_TYPE.ociIndex);
      expect(
        index.manifests.map((m: { platform: { architecture: string } }) => m.platform.architecture),
      ).toEqual(['amd64', 'arm64']);
      for (const [i, entry] of index.manifests.entries()) {
        const manifest = parse(await subject.manifest(catalogRepo, entry.digest));
        const baseManifest = parse(base.manifests[i]!.data);
        expect(manifest.layers.slice(0, 2)).toEqual(baseManifest.layers);
        expect(manifest.layers).toHaveLength(3);
        for (const layer of manifest.layers)
          expect(await subject.blob(catalogRepo, layer.digest)).toBeDefined();
        const config = parse(await subject.blob(catalogRepo, manifest.config.digest));
        expect(config.config.Entrypoint).toEqual(['/bin/opm']);
        expect(config.config.Cmd).toEqual(['serve', '/configs']);
        expect(config.config.Labels).toEqual({
          'io.example.base': entry.platform.architecture,
          [CATALOG_CONFIGS_LABEL]: '/configs',
        });
      }
      if (subject.mounts) {
        const mounted = subject.mounts().map((m) => [m.from, m.into]);
        expect(mounted).toHaveLength(3); // the shared layer once, each platform's own once
        expect(new Set(mounted.map(String))).toEqual(new Set([`opm/base,${catalogRepo}`]));
      }
      const read = await session.readCatalog(catalogRepo, 'latest');
      expect(read?.digest).toBe(digest);
      expect(read?.configs.map((f) => f.path)).toEqual(['etcd/catalog.json', 'widget/catalog.json']);
      expect(await session.pushCatalog(catalogRepo, 'again', [...CONFIGS].reverse(), resolved)).toBe(digest);
    });

    it('refuses a base image that is malformed, missing or not an image with CatalogValidationError naming catalog.base_image', async () => {
      const foreign = await blob(
        'application/vnd.example.thing+json',
        text('{"mediaType":"application/vnd.example.thing+json"}'),
      );
      await subject.seed('opm/thing', [], [foreign], 'v1');
      for (const reference of [
        'not a reference',
        `${host}/opm/base:missing`,
        `${host}/opm/base@sha256:${'0'.repeat(64)}`,
        `${host}/opm/thing:v1`,
      ]) {
        const error = await caught<CatalogValidationError>(session.resolveBase(reference));
        expect(error, reference).toBeInstanceOf(CatalogValidationError);
        expect(error.message).toContain('catalog.base_image');
        expect(error.validationInfo.errors).toEqual([error.message]);
      }
    });

    it('refuses refused credentials with RegistryAuthorizationError, pushing nothing', async () => {
      await session.pushCatalog(catalogRepo, 'latest', CONFIGS);
      const bad = subject.catalogRegistry.session(subject.registry, subject.badToken);
      for (const call of [
        bad.bundles(bundleRepo),
        bad.catalogDigest(catalogRepo, 'latest'),
        bad.readCatalog(catalogRepo, 'latest'),
        bad.pushCatalog(catalogRepo, 'latest', CONFIGS.slice(1)),
      ]) {
        expect(await caught(call)).toBeInstanceOf(RegistryAuthorizationError);
      }
      expect((await session.readCatalog(catalogRepo, 'latest'))?.configs).toHaveLength(2);
    });
  });
}
