/**
 * Base images for catalog tests, shaped like the operator-registry (`opm`)
 * image: two platforms (amd64, arm64), each with its own config (Entrypoint
 * `/bin/opm`, a label of its own) and two layers, one shared; an index naming
 * both, plus an attestation manifest (`unknown/unknown`) as BuildKit adds.
 * In OCI flavour (index) or Docker flavour (manifest list), or one manifest.
 */
import { blob, descriptor as d, json, type OciBlob } from '../../src/domain/bundle-image/oci-image.js';
import type { BaseImage } from '../../src/domain/catalog-image/catalog-image.js';
import { MEDIA_TYPE } from '../../src/domain/catalog-image/image-json.js';

export interface BaseImageBlobs {
  /** The index or single manifest: what the base's tag points at. */
  top: OciBlob;
  /** Platform manifests (and the attestation manifest), by digest. */
  manifests: OciBlob[];
  /** Configs and layers. */
  blobs: OciBlob[];
  /** What resolving it must give. */
  resolved: BaseImage;
}

const bytes = (s: string) => new TextEncoder().encode(s);

export async function baseImage(
  flavour: 'oci' | 'docker' = 'oci',
  shape: 'index' | 'single' = 'index',
): Promise<BaseImageBlobs> {
  const docker = flavour === 'docker';
  const layerType = docker ? MEDIA_TYPE.dockerLayer : MEDIA_TYPE.ociLayer;
  const configType = docker ? MEDIA_TYPE.dockerConfig : MEDIA_TYPE.ociConfig;
  const manifestType = docker ? MEDIA_TYPE.dockerManifest : MEDIA_TYPE.ociManifest;
  const shared = await blob(layerType, bytes('shared base layer (not really gzip, never unpacked)'));
  const architectures = shape === 'single' ? ['amd64'] : ['amd64', 'arm64'];
  const blobs: OciBlob[] = [shared];
  const manifests: OciBlob[] = [];
  const platforms: BaseImage['platforms'] = [];
  const entries: Record<string, unknown>[] = [];
  for (const architecture of architectures) {
    const own = await blob(layerType, bytes(`opm binary for ${architecture}`));
    const config = await blob(
      configType,
      json({
        architecture,
        os: 'linux',
        config: {
          Entrypoint: ['/bin/opm'],
          Cmd: ['registry', 'serve'],
          Labels: { 'io.example.base': architecture },
          WorkingDir: '/',
        },
        rootfs: { type: 'layers', diff_ids: [`sha256:${'1'.repeat(64)}`, `sha256:${'2'.repeat(64)}`] },
        history: [{ created_by: 'ADD shared' }, { created_by: `ADD opm ${architecture}` }],
      }),
    );
    const layers = [shared, own].map(d);
    const manifest = await blob(
      manifestType,
      json({ schemaVersion: 2, mediaType: manifestType, config: d(config), layers }),
    );
    blobs.push(own, config);
    manifests.push(manifest);
    const entry = { ...d(manifest), platform: { architecture, os: 'linux' } };
    entries.push(entry);
    platforms.push({
      ...(shape === 'index' ? { descriptor: entry } : {}),
      manifest,
      config,
      layers,
    });
  }
  if (shape === 'single')
    return {
      top: manifests[0]!,
      manifests: [],
      blobs,
      resolved: { top: manifests[0]!, platforms, skipped: [] },
    };

  const skipped: string[] = [];
  if (!docker) {
    const statement = await blob('application/vnd.in-toto+json', bytes('{"predicate":{}}'));
    const empty = await blob(MEDIA_TYPE.ociConfig, bytes('{}'));
    const attestation = await blob(
      MEDIA_TYPE.ociManifest,
      json({ schemaVersion: 2, mediaType: MEDIA_TYPE.ociManifest, config: d(empty), layers: [d(statement)] }),
    );
    blobs.push(statement, empty);
    manifests.push(attestation);
    entries.push({
      ...d(attestation),
      annotations: {
        'vnd.docker.reference.digest': manifests[0]!.digest,
        'vnd.docker.reference.type': 'attestation-manifest',
      },
      platform: { architecture: 'unknown', os: 'unknown' },
    });
    skipped.push(`${attestation.digest} (unknown/unknown: an attestation, not a platform image)`);
  }
  const indexType = docker ? MEDIA_TYPE.dockerList : MEDIA_TYPE.ociIndex;
  const top = await blob(indexType, json({ schemaVersion: 2, mediaType: indexType, manifests: entries }));
  return { top, manifests, blobs, resolved: { top, platforms, skipped } };
}

/** An OCI image of one layer (any bytes) and an empty config: for images that are not what they claim. */
export async function oneLayerImage(layer: OciBlob): Promise<{ blobs: OciBlob[]; manifest: OciBlob }> {
  const config = await blob(MEDIA_TYPE.ociConfig, bytes('{}'));
  const manifest = await blob(
    MEDIA_TYPE.ociManifest,
    json({ schemaVersion: 2, mediaType: MEDIA_TYPE.ociManifest, config: d(config), layers: [d(layer)] }),
  );
  return { blobs: [layer, config], manifest };
}
