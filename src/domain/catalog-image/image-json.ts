/**
 * The JSON documents of images as a registry serves them, in both flavours:
 * OCI (image manifest, image index) and Docker schema 2 (manifest, manifest
 * list). Parsing is lenient about what it does not use and strict about what
 * it does: a descriptor needs a media type, a `sha256:` digest and a size.
 */
import { isRecord } from '../values.js';

export const MEDIA_TYPE = {
  ociManifest: 'application/vnd.oci.image.manifest.v1+json',
  ociIndex: 'application/vnd.oci.image.index.v1+json',
  ociConfig: 'application/vnd.oci.image.config.v1+json',
  ociLayer: 'application/vnd.oci.image.layer.v1.tar+gzip',
  dockerManifest: 'application/vnd.docker.distribution.manifest.v2+json',
  dockerList: 'application/vnd.docker.distribution.manifest.list.v2+json',
  dockerConfig: 'application/vnd.docker.container.image.v1+json',
  dockerLayer: 'application/vnd.docker.image.rootfs.diff.tar.gzip',
} as const;

/** Everything a tag may point at that we read: both flavours of manifests and indexes. */
export const MANIFEST_ACCEPT = [
  MEDIA_TYPE.ociManifest,
  MEDIA_TYPE.ociIndex,
  MEDIA_TYPE.dockerManifest,
  MEDIA_TYPE.dockerList,
].join(', ');

/** A content descriptor as JSON holds it; other fields (platform, annotations) are kept as they came. */
export interface Descriptor {
  mediaType: string;
  digest: string;
  size: number;
  [field: string]: unknown;
}

export type ParsedManifest =
  | { kind: 'index'; mediaType: string; json: Record<string, unknown>; manifests: Descriptor[] }
  | {
      kind: 'image';
      mediaType: string;
      flavour: 'oci' | 'docker';
      json: Record<string, unknown>;
      config: Descriptor;
      layers: Descriptor[];
    };

const DIGEST = /^sha256:[0-9a-f]{64}$/;

export function isImageManifestType(mediaType: string): boolean {
  return mediaType === MEDIA_TYPE.ociManifest || mediaType === MEDIA_TYPE.dockerManifest;
}

export function isIndexType(mediaType: string): boolean {
  return mediaType === MEDIA_TYPE.ociIndex || mediaType === MEDIA_TYPE.dockerList;
}

/**
 * A manifest or index; its media type from its own `mediaType` field, else
 * `contentType` (the registry's Content-Type: OCI allows leaving the field out).
 * A reason string when it is neither, or not well formed.
 */
export function parseManifest(data: Uint8Array, contentType?: string): ParsedManifest | string {
  let json: unknown;
  try {
    json = JSON.parse(new TextDecoder().decode(data));
  } catch {
    return 'its manifest is not JSON';
  }
  if (!isRecord(json)) return 'its manifest is not a JSON object';
  const mediaType =
    typeof json.mediaType === 'string' ? json.mediaType : (contentType?.split(';')[0]?.trim() ?? '');
  if (isIndexType(mediaType)) {
    if (!Array.isArray(json.manifests)) return 'its index has no manifests';
    const manifests = json.manifests.map(asDescriptor);
    if (manifests.some((d) => d === undefined)) return 'its index has a malformed descriptor';
    return { kind: 'index', mediaType, json, manifests: manifests as Descriptor[] };
  }
  if (!isImageManifestType(mediaType)) return `its manifest has the media type "${mediaType || 'none'}"`;
  const config = asDescriptor(json.config);
  const layers = Array.isArray(json.layers) ? json.layers.map(asDescriptor) : [undefined];
  if (!config || layers.some((d) => d === undefined)) return 'its manifest has a malformed descriptor';
  return {
    kind: 'image',
    mediaType,
    flavour: mediaType === MEDIA_TYPE.dockerManifest ? 'docker' : 'oci',
    json,
    config,
    layers: layers as Descriptor[],
  };
}

/** An image config as a JSON object; undefined when it is not one. */
export function parseConfig(data: Uint8Array): Record<string, unknown> | undefined {
  try {
    const json: unknown = JSON.parse(new TextDecoder().decode(data));
    return isRecord(json) ? json : undefined;
  } catch {
    return undefined;
  }
}

/** The config's `config.Labels`, strings only. */
export function labelsOf(config: Record<string, unknown>): Record<string, string> {
  const inner = isRecord(config.config) ? config.config : {};
  const labels = isRecord(inner.Labels) ? inner.Labels : {};
  return Object.fromEntries(
    Object.entries(labels).filter((e): e is [string, string] => typeof e[1] === 'string'),
  );
}

function asDescriptor(value: unknown): Descriptor | undefined {
  if (!isRecord(value)) return undefined;
  const { mediaType, digest, size } = value;
  if (typeof mediaType !== 'string' || typeof digest !== 'string' || !DIGEST.test(digest)) return undefined;
  if (typeof size !== 'number' || !Number.isSafeInteger(size) || size < 0) return undefined;
  return value as Descriptor;
}
