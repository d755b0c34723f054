/**
 * Images read back from a registry for the catalog (SPEC §11), over any
 * source of manifests and blobs (the OCI adapter, the in-memory fake): a tag
 * as a bundle image, the catalog image's `/configs` layer, a base image with
 * every platform. The same rules whoever stores the images: what is skipped
 * and why, what is refused.
 */
import type { OciBlob } from '../bundle-image/oci-image.js';
import { CatalogValidationError } from '../errors.js';
import type { FileEntry } from '../files.js';
import type { BaseImage, BaseImagePlatform } from './catalog-image.js';
import { CATALOG_CONFIGS_LABEL, CONFIGS_FOLDER } from './catalog-image.js';
import type { GzipCodec } from './gzip-codec.js';
import {
  type Descriptor,
  isImageManifestType,
  labelsOf,
  MEDIA_TYPE,
  type ParsedManifest,
  parseConfig,
  parseManifest,
} from './image-json.js';
import { type ImageReference, parseImageReference } from './image-reference.js';
import { unpackLayer } from './layer-files.js';
import { bundleFiles } from './stored-bundle.js';
import { TarReadError } from './tar-read.js';

export interface FetchedManifest {
  data: Uint8Array;
  /** The registry's Content-Type (a manifest may leave its own mediaType out). */
  contentType: string;
  /** `sha256:` of `data`. */
  digest: string;
}

/** One repository's manifests (by tag or digest) and blobs; undefined for what it does not have. */
export interface ImageSource {
  manifest(reference: string): Promise<FetchedManifest | undefined>;
  blob(digest: string): Promise<Uint8Array | undefined>;
}

export interface BundleReadLimits {
  /** Compressed bytes of an image's layers together. */
  layerBytes: number;
  /** Bytes of each unpacked layer. */
  bytes: number;
  entries: number;
  layers: number;
}

export type BundleRead = { files: FileEntry[] } | { reason: string };

const GZIP_LAYER_TYPES: readonly string[] = [MEDIA_TYPE.ociLayer, MEDIA_TYPE.dockerLayer];

/**
 * A manifest as a bundle image: its files, or why it is not one ("not a
 * bundle image: …"; never thrown — registry failures are).
 */
export async function readBundleImage(
  source: ImageSource,
  manifest: FetchedManifest,
  codec: GzipCodec,
  limits: BundleReadLimits,
): Promise<BundleRead> {
  const read = await bundleImageFiles(source, manifest, codec, limits);
  return 'reason' in read ? { reason: `not a bundle image: ${read.reason}` } : read;
}

async function bundleImageFiles(
  source: ImageSource,
  manifest: FetchedManifest,
  codec: GzipCodec,
  limits: BundleReadLimits,
): Promise<BundleRead> {
  const parsed = parseManifest(manifest.data, manifest.contentType);
  if (typeof parsed === 'string') return { reason: parsed };
  if (parsed.kind === 'index') return { reason: 'it is an image index, not one image' };
  if (parsed.layers.length === 0 || parsed.layers.length > limits.layers)
    return { reason: `it has ${parsed.layers.length} layers` };
  const foreign = parsed.layers.find((l) => !GZIP_LAYER_TYPES.includes(l.mediaType));
  if (foreign) return { reason: `its layer has the media type "${foreign.mediaType}"` };
  const size = parsed.layers.reduce((sum, l) => sum + l.size, 0);
  if (size > limits.layerBytes) return { reason: `its layers are larger than ${limits.layerBytes} bytes` };
  // Layers in order, a later file replacing an earlier one, as extracting the image would.
  const files = new Map<string, FileEntry>();
  for (const layer of parsed.layers) {
    const data = await source.blob(layer.digest);
    if (!data) return { reason: `its layer ${layer.digest} is missing` };
    try {
      const unpacked = await unpackLayer(data, codec, { maxBytes: limits.bytes, maxEntries: limits.entries });
      for (const file of unpacked) files.set(file.path, file);
    } catch (error) {
      if (error instanceof TarReadError) return { reason: error.message };
      throw error;
    }
  }
  const bundle = bundleFiles([...files.values()]);
  return typeof bundle === 'string' ? { reason: bundle } : { files: bundle };
}

/**
 * Where a catalog image's configs are: its last layer (ours) and the folder
 * its configs label names (`/configs` by default); for an index, those of its
 * first platform image (every platform has the same layer). A reason when the
 * image is not readable as a catalog.
 */
export async function catalogLayerOf(
  source: ImageSource,
  top: FetchedManifest,
): Promise<{ layer: Descriptor; folder: string } | string> {
  let parsed: ParsedManifest | string = parseManifest(top.data, top.contentType);
  if (typeof parsed !== 'string' && parsed.kind === 'index') {
    const first = parsed.manifests.find((d) => isImageManifestType(d.mediaType) && !isAttestation(d));
    const platform = first && (await source.manifest(first.digest));
    parsed = platform ? parseManifest(platform.data, first.mediaType) : 'its index names no image';
  }
  if (typeof parsed === 'string') return parsed;
  if (parsed.kind !== 'image' || parsed.layers.length === 0) return 'it has no layers';
  const configData = await source.blob(parsed.config.digest);
  if (!configData) return `its config ${parsed.config.digest} is missing`;
  const config = parseConfig(configData);
  return {
    layer: parsed.layers.at(-1)!,
    folder: (config && labelsOf(config)[CATALOG_CONFIGS_LABEL]) || CONFIGS_FOLDER,
  };
}

/**
 * A base image: what `at` (tag or digest) points at and, for an index, every
 * platform image it names (attestations and foreign entries skipped), each
 * with its config. Throws CatalogValidationError naming `catalog.base_image`
 * when it is missing or not an image.
 */
export async function resolveBaseImage(
  source: ImageSource,
  reference: string,
  at: string,
): Promise<BaseImage> {
  const top = await source.manifest(at);
  if (!top) throw baseImageError(reference, 'does not exist');
  const parsed = parseManifest(top.data, top.contentType);
  if (typeof parsed === 'string') throw baseImageError(reference, `is not an image: ${parsed}`);
  const topBlob: OciBlob = { mediaType: parsed.mediaType, digest: top.digest, data: top.data };
  if (parsed.kind === 'image')
    return { top: topBlob, platforms: [await platformOf(source, reference, topBlob, parsed)], skipped: [] };
  const platforms: BaseImagePlatform[] = [];
  const skipped: string[] = [];
  for (const entry of parsed.manifests) {
    const why = !isImageManifestType(entry.mediaType)
      ? `media type ${entry.mediaType}`
      : isAttestation(entry)
        ? 'unknown/unknown: an attestation, not a platform image'
        : undefined;
    if (why) {
      skipped.push(`${entry.digest} (${why})`);
      continue;
    }
    const fetched = await source.manifest(entry.digest);
    if (!fetched) throw baseImageError(reference, `is incomplete: its manifest ${entry.digest} is missing`);
    const manifest = parseManifest(fetched.data, entry.mediaType);
    if (typeof manifest === 'string' || manifest.kind !== 'image')
      throw baseImageError(reference, `is not an image: ${entry.digest} is not an image manifest`);
    const blob = { mediaType: manifest.mediaType, digest: fetched.digest, data: fetched.data };
    platforms.push({ descriptor: entry, ...(await platformOf(source, reference, blob, manifest)) });
  }
  if (platforms.length === 0)
    throw baseImageError(reference, 'is not an image: its index names no platform image');
  return { top: topBlob, platforms, skipped };
}

/** A base image resolved, with where its blobs are (CatalogBase, SPEC §11). */
export interface ResolvedBase {
  reference: string;
  digest: string;
  host: string;
  repository: string;
  image: BaseImage;
}

/**
 * `reference` parsed and resolved through the source `open` gives for its
 * registry and repository. Throws CatalogValidationError naming
 * `catalog.base_image` when it is malformed, missing or not an image.
 */
export async function resolveBase(
  reference: string,
  open: (ref: ImageReference) => ImageSource,
): Promise<ResolvedBase> {
  const ref = parseImageReference(reference);
  if (typeof ref === 'string') throw baseImageError(reference, `is not a valid image reference: ${ref}`);
  const image = await resolveBaseImage(open(ref), reference, ref.digest ?? ref.tag!);
  return { reference, digest: image.top.digest, host: ref.host, repository: ref.repository, image };
}

/** SPEC §11: a base image that is missing or not an image is the configuration's fault. */
export function baseImageError(reference: string, problem: string): CatalogValidationError {
  const message = `catalog.base_image "${reference}" ${problem.replace(/\.$/, '')}.`;
  return new CatalogValidationError(message, { errors: [message], warnings: [] });
}

async function platformOf(
  source: ImageSource,
  reference: string,
  manifest: OciBlob,
  parsed: Extract<ParsedManifest, { kind: 'image' }>,
): Promise<BaseImagePlatform> {
  const data = await source.blob(parsed.config.digest);
  if (!data || !parseConfig(data))
    throw baseImageError(
      reference,
      `is not an image: its config ${parsed.config.digest} is missing or not JSON`,
    );
  const config = { mediaType: parsed.config.mediaType, digest: parsed.config.digest, data };
  return { manifest, config, layers: parsed.layers };
}

function isAttestation(descriptor: Descriptor): boolean {
  const platform = descriptor.platform as { os?: unknown; architecture?: unknown } | undefined;
  return platform?.os === 'unknown' || platform?.architecture === 'unknown';
}
