/**
 * A layer's files, both ways: packed deterministically (sorted entries, the
 * epoch as every mtime, uid/gid 0 — our tar writer — then the injected gzip)
 * and unpacked within limits (the injected gunzip, bounded, then the tar reader).
 */
import { sha256, tarEntries } from '../bundle-image/oci-image.js';
import type { FileEntry } from '../files.js';
import { type TarEntry, writeTar } from '../tar.js';
import type { GzipCodec } from './gzip-codec.js';
import { readTar, TarReadError } from './tar-read.js';

export interface LayerLimits {
  /** Bytes of the uncompressed tar. */
  maxBytes: number;
  maxEntries: number;
}

export interface PackedLayer {
  /** The gzip'd tar: the blob. */
  data: Uint8Array;
  /** `sha256:` of the uncompressed tar: the image config's `rootfs.diff_ids` entry. */
  diffId: string;
}

/** `folders` are written as folder entries first (e.g. `configs/` even when it holds nothing). */
export async function packLayer(
  files: readonly FileEntry[],
  codec: GzipCodec,
  folders: readonly string[] = [],
): Promise<PackedLayer> {
  const entries: TarEntry[] = folders.map((name) => ({ type: 'directory', name: `${name}/` }));
  const written = new Set(entries.map((e) => e.name));
  for (const entry of tarEntries(files)) if (!written.has(entry.name)) entries.push(entry);
  const tar = writeTar(entries, { mtime: new Date(0) });
  return { data: await codec.gzip(tar), diffId: await sha256(tar) };
}

/** The layer's regular files. Throws TarReadError for a damaged, unsafe or too large layer. */
export async function unpackLayer(
  data: Uint8Array,
  codec: GzipCodec,
  limits: LayerLimits,
): Promise<FileEntry[]> {
  let tar: Uint8Array | undefined;
  try {
    tar = await codec.gunzip(data, limits.maxBytes);
  } catch {
    throw new TarReadError('the layer is not valid gzip');
  }
  if (tar === undefined) throw new TarReadError(`the layer holds more than ${limits.maxBytes} bytes`);
  return readTar(tar, limits);
}
