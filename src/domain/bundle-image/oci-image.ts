/**
 * A bundle as an OCI image (SPEC §10): one gzip'd tar layer, an image config
 * whose Labels are the bundle annotations, an OCI image manifest. Everything
 * is deterministic — sorted entries, fixed mtimes, uid/gid 0, a gzip header
 * without a timestamp, JSON with a fixed key order — so the same bundle always
 * gives the same digests, which is how a second identical push is recognised.
 *
 * Web APIs only (crypto.subtle) plus our tar writer; the layer's gzip is
 * injected, and must give the same bytes on every runtime (adapters/fflate).
 */
import { byPath, type FileEntry } from '../files.js';
import type { Gzip } from '../gzip.js';
import { type TarEntry, writeTar } from '../tar.js';

export const OCI_MEDIA_TYPE = {
  manifest: 'application/vnd.oci.image.manifest.v1+json',
  config: 'application/vnd.oci.image.config.v1+json',
  layer: 'application/vnd.oci.image.layer.v1.tar+gzip',
} as const;

export interface OciBlob {
  readonly mediaType: string;
  /** `sha256:<hex>` of `data`. */
  readonly digest: string;
  readonly data: Uint8Array;
}

export interface OciImage {
  readonly manifest: OciBlob;
  readonly config: OciBlob;
  readonly layers: readonly OciBlob[];
}

/** Every entry's modification time: the epoch, so that time never changes a digest. */
export const FIXED_MTIME = new Date(0);
export const CREATED = '1970-01-01T00:00:00Z';
const encoder = new TextEncoder();

export async function buildOciImage(
  files: readonly FileEntry[],
  labels: Readonly<Record<string, string>>,
  gzip: Gzip,
): Promise<OciImage> {
  const tar = writeTar(tarEntries(files), { mtime: FIXED_MTIME });
  const layer = await blob(OCI_MEDIA_TYPE.layer, await gzip(tar));
  const sortedLabels = Object.fromEntries(Object.entries(labels).sort(([a], [b]) => (a < b ? -1 : 1)));
  const config = await blob(
    OCI_MEDIA_TYPE.config,
    json({
      created: CREATED,
      architecture: 'amd64',
      os: 'linux',
      config: { Labels: sortedLabels },
      rootfs: { type: 'layers', diff_ids: [await sha256(tar)] },
      history: [{ created: CREATED, created_by: 'omps: operator bundle (registry+v1)' }],
    }),
  );
  const manifest = await blob(
    OCI_MEDIA_TYPE.manifest,
    json({
      schemaVersion: 2,
      mediaType: OCI_MEDIA_TYPE.manifest,
      config: descriptor(config),
      layers: [descriptor(layer)],
    }),
  );
  return { manifest, config, layers: [layer] };
}

/** `sha256:<hex>` by Web Crypto. */
export async function sha256(data: Uint8Array): Promise<string> {
  const hash = new Uint8Array(await crypto.subtle.digest('SHA-256', data as Uint8Array<ArrayBuffer>));
  let hex = '';
  for (const byte of hash) hex += byte.toString(16).padStart(2, '0');
  return `sha256:${hex}`;
}

/** Folders first where they begin, then files, all in path order; paths are relative and safe by construction. */
export function tarEntries(files: readonly FileEntry[]): TarEntry[] {
  const sorted = [...files].sort(byPath);
  const folders = new Set<string>();
  const entries: TarEntry[] = [];
  for (const file of sorted) {
    const segments = file.path.split('/');
    for (let depth = 1; depth < segments.length; depth++) {
      const folder = `${segments.slice(0, depth).join('/')}/`;
      if (folders.has(folder)) continue;
      folders.add(folder);
      entries.push({ type: 'directory', name: folder });
    }
    entries.push({ type: 'file', name: file.path, data: file.data });
  }
  return entries;
}

export async function blob(mediaType: string, data: Uint8Array): Promise<OciBlob> {
  return { mediaType, digest: await sha256(data), data };
}

export function descriptor(b: OciBlob) {
  return { mediaType: b.mediaType, digest: b.digest, size: b.data.byteLength };
}

export function json(value: unknown): Uint8Array {
  return encoder.encode(JSON.stringify(value));
}
