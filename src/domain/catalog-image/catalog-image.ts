/**
 * The catalog image (SPEC §11), written directly as blobs and manifests with
 * no container engine (as joelanford/kpm writes one): the File-Based Catalog
 * as ONE deterministic layer holding `configs/…`.
 *
 * - No base image: that layer, an image config whose label
 *   `operators.operatorframework.io.index.configs.v1=/configs` tells OLM v1
 *   (and OLM v0 with `extractContent`) where the catalog is, an OCI manifest.
 * - On a base image (an `opm` image: an OCI index / Docker manifest list, or
 *   a single OCI / Docker schema 2 manifest): for every platform, the base
 *   config with the layer's diff_id appended, a history entry, the label
 *   added to its labels and `Cmd ["serve","/configs"]` (Entrypoint kept, so
 *   `opm serve /configs` runs), its manifest with the base layers plus ours
 *   (media types of the manifest's flavour), then a new index naming each
 *   platform's manifest with the base's platform fields. Index entries that
 *   are not platform images — attestation manifests (`unknown/unknown`),
 *   nested indexes — are left out: they describe the base's manifests, not
 *   ours (`skipped` says which).
 *
 * Same configs and same base → byte-identical output, so the same digest.
 */
import { blob, CREATED, descriptor, json, type OciBlob } from '../bundle-image/oci-image.js';
import type { FileEntry } from '../files.js';
import { isRecord } from '../values.js';
import type { GzipCodec } from './gzip-codec.js';
import { type Descriptor, MEDIA_TYPE } from './image-json.js';
import { type LayerLimits, packLayer, unpackLayer } from './layer-files.js';

export const CATALOG_CONFIGS_LABEL = 'operators.operatorframework.io.index.configs.v1';
export const CONFIGS_FOLDER = '/configs';
const HISTORY = 'omps: File-Based Catalog in /configs';

/** One platform of a base image, as resolved from the registry. */
export interface BaseImagePlatform {
  /** Its descriptor in the base's index (platform and annotations kept); absent for a single-manifest base. */
  descriptor?: Descriptor;
  /** The platform's image manifest, as served (its mediaType is the flavour). */
  manifest: OciBlob;
  /** Its image config, as served. */
  config: OciBlob;
  /** Its layers' descriptors, in order. */
  layers: Descriptor[];
}

/** A base image, resolved: its top-level document and every platform image it names. */
export interface BaseImage {
  /** The index (or the single manifest) the reference points at, as served. */
  top: OciBlob;
  platforms: BaseImagePlatform[];
  /** The index entries left out, each with why (attestations, nested indexes, foreign media types). */
  skipped: string[];
}

export interface CatalogImage {
  /** What the tag points at: the index (base image with an index) or the image manifest. */
  top: OciBlob;
  /** The platform image manifests the index names, pushed (by digest) before it; empty without an index. */
  manifests: OciBlob[];
  /** Blobs built here: the `/configs` layer and each image config. */
  blobs: OciBlob[];
  /** The base's layers the manifests name (each once), to mount or copy. */
  baseLayers: Descriptor[];
}

export async function buildCatalogImage(
  configs: readonly FileEntry[],
  codec: GzipCodec,
  base?: BaseImage,
): Promise<CatalogImage> {
  for (const file of configs) checkConfigPath(file.path);
  const packed = await packLayer(
    configs.map((f) => ({ path: `configs/${f.path}`, data: f.data })),
    codec,
    ['configs'],
  );
  if (!base) return withoutBase(await blob(MEDIA_TYPE.ociLayer, packed.data), packed.diffId);

  const layers = new Map<string, OciBlob>();
  const manifests: OciBlob[] = [];
  const configBlobs = new Map<string, OciBlob>();
  const baseLayers = new Map<string, Descriptor>();
  const descriptors: Descriptor[] = [];
  for (const platform of base.platforms) {
    const manifestJson = JSON.parse(new TextDecoder().decode(platform.manifest.data)) as Record<
      string,
      unknown
    >;
    const docker = platform.manifest.mediaType === MEDIA_TYPE.dockerManifest;
    const layerType = docker ? MEDIA_TYPE.dockerLayer : MEDIA_TYPE.ociLayer;
    const layer = layers.get(layerType) ?? (await blob(layerType, packed.data));
    layers.set(layerType, layer);
    const config = await blob(platform.config.mediaType, json(catalogConfig(platform.config, packed.diffId)));
    configBlobs.set(config.digest, config);
    for (const l of platform.layers) baseLayers.set(l.digest, l);
    const manifest = await blob(
      platform.manifest.mediaType,
      json({
        ...manifestJson,
        config: { ...(isRecord(manifestJson.config) ? manifestJson.config : {}), ...descriptor(config) },
        layers: [...platform.layers, descriptor(layer)],
      }),
    );
    manifests.push(manifest);
    if (platform.descriptor) descriptors.push({ ...platform.descriptor, ...descriptor(manifest) });
  }
  const blobs = [...layers.values(), ...configBlobs.values()];
  const single = base.platforms.length === 1 && !base.platforms[0]!.descriptor;
  if (single) return { top: manifests[0]!, manifests: [], blobs, baseLayers: [...baseLayers.values()] };
  const indexJson = JSON.parse(new TextDecoder().decode(base.top.data)) as Record<string, unknown>;
  const top = await blob(base.top.mediaType, json({ ...indexJson, manifests: descriptors }));
  return { top, manifests, blobs, baseLayers: [...baseLayers.values()] };
}

/** The files under the catalog folder of an unpacked layer, relative to it. */
export async function readCatalogLayer(
  layer: Uint8Array,
  codec: GzipCodec,
  limits: LayerLimits,
  folder: string = CONFIGS_FOLDER,
): Promise<FileEntry[]> {
  const prefix = `${folder.replace(/^\/+|\/+$/g, '')}/`;
  const files = await unpackLayer(layer, codec, limits);
  return files
    .filter((f) => f.path.startsWith(prefix))
    .map((f) => ({ path: f.path.slice(prefix.length), data: f.data }))
    .sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}

async function withoutBase(layer: OciBlob, diffId: string): Promise<CatalogImage> {
  const config = await blob(
    MEDIA_TYPE.ociConfig,
    json({
      created: CREATED,
      architecture: 'amd64',
      os: 'linux',
      config: { Labels: { [CATALOG_CONFIGS_LABEL]: CONFIGS_FOLDER } },
      rootfs: { type: 'layers', diff_ids: [diffId] },
      history: [{ created: CREATED, created_by: HISTORY }],
    }),
  );
  const manifest = await blob(
    MEDIA_TYPE.ociManifest,
    json({
      schemaVersion: 2,
      mediaType: MEDIA_TYPE.ociManifest,
      config: descriptor(config),
      layers: [descriptor(layer)],
    }),
  );
  return { top: manifest, manifests: [], blobs: [layer, config], baseLayers: [] };
}

/** The base's config with our layer: diff_id and history appended, the label added, `Cmd` to serve it. */
function catalogConfig(base: OciBlob, diffId: string): Record<string, unknown> {
  const json = JSON.parse(new TextDecoder().decode(base.data)) as Record<string, unknown>;
  const inner = isRecord(json.config) ? json.config : {};
  const labels = isRecord(inner.Labels) ? inner.Labels : {};
  const rootfs = isRecord(json.rootfs) ? json.rootfs : {};
  const diffIds = Array.isArray(rootfs.diff_ids) ? rootfs.diff_ids : [];
  const history = Array.isArray(json.history) ? json.history : [];
  return {
    ...json,
    config: {
      ...inner,
      Labels: { ...labels, [CATALOG_CONFIGS_LABEL]: CONFIGS_FOLDER },
      Cmd: ['serve', CONFIGS_FOLDER],
    },
    rootfs: { ...rootfs, type: 'layers', diff_ids: [...diffIds, diffId] },
    history: [...history, { created: CREATED, created_by: HISTORY }],
  };
}

/** A relative path of plain segments: what `configs/<path>` may hold. */
function checkConfigPath(path: string): void {
  const segments = path.split('/');
  if (path.startsWith('/') || segments.some((s) => s === '' || s === '.' || s === '..')) {
    throw new TypeError(`A catalog file path must be relative and plain, not "${path}".`);
  }
}
