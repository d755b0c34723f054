/**
 * The blob Quay's CNR API expects for a push (SPEC §6 "What is pushed"): the
 * bundle's files in a tar archive under ONE top-level folder, gzip'd, then
 * base64-encoded.
 *
 * Layout: `<folder>/` (a directory entry), then, sorted by path, a directory
 * entry for every intermediate folder (`<folder>/<sub>/`) and every file as
 * `<folder>/<path>` (mode 0644, folders 0755, uid/gid 0). QuayRegistry uses the
 * repository name as the folder, as operator-courier did.
 *
 * Web APIs only (runs on edge runtimes): the tar is written by our own
 * one-buffer writer; gzip is injected (Node passes zlib's, run in the bundle
 * thread) and defaults to the runtime's CompressionStream.
 */
import type { BundlePacker } from '../../application/ports.js';
import { byPath, type FileEntry } from '../../domain/files.js';
import type { Gzip } from '../../domain/gzip.js';
import { unsafeSegmentReason } from '../../domain/path-segment.js';
import { type TarEntry, writeTar } from '../../domain/tar.js';

export interface PackOptions {
  /** Modification time written in every tar header; defaults to now. */
  mtime?: Date;
  /** CompressionStream's gzip by default. */
  gzip?: Gzip;
}

/** Packs `files` as `<folder>/<path>` in a gzip'd tar. Throws TypeError for an unusable folder or path. */
export async function packBundle(
  files: readonly FileEntry[],
  folder: string,
  options: PackOptions = {},
): Promise<Uint8Array> {
  const tar = writeTar(bundleEntries(files, folder), { mtime: options.mtime ?? new Date() });
  return (options.gzip ?? compressionStreamGzip)(tar);
}

/** The Quay blob as a BundlePacker (the port the bundle job packs through). */
export class QuayBundlePacker implements BundlePacker {
  constructor(private readonly gzip: Gzip = compressionStreamGzip) {}

  pack(files: readonly FileEntry[], folder: string): Promise<Uint8Array> {
    return packBundle(files, folder, { gzip: this.gzip });
  }
}

function bundleEntries(files: readonly FileEntry[], folder: string): TarEntry[] {
  if (unsafeSegmentReason(folder) !== undefined)
    throw new TypeError(`Bundle folder name "${folder}" is not a single path segment.`);
  const sorted = [...files].sort(byPath);
  const seenFiles = new Set<string>();
  const seenFolders = new Set<string>();
  const entries: TarEntry[] = [{ type: 'directory', name: `${folder}/` }];
  for (const file of sorted) {
    const segments = file.path.split('/');
    if (!segments.every((s) => unsafeSegmentReason(s) === undefined))
      throw new TypeError(`Bundle path "${file.path}" is not a safe relative path.`);
    if (seenFiles.has(file.path) || seenFolders.has(file.path)) {
      throw new TypeError(`Bundle path "${file.path}" appears twice.`);
    }
    for (let depth = 1; depth < segments.length; depth++) {
      const sub = segments.slice(0, depth).join('/');
      if (seenFiles.has(sub)) throw new TypeError(`Bundle path "${sub}" is both a file and a folder.`);
      if (seenFolders.has(sub)) continue;
      seenFolders.add(sub);
      entries.push({ type: 'directory', name: `${folder}/${sub}/` });
    }
    seenFiles.add(file.path);
    entries.push({ type: 'file', name: `${folder}/${file.path}`, data: file.data });
  }
  return entries;
}

/**
 * The Web-standard gzip (edge runtimes): the runtime's native zlib behind
 * CompressionStream, its level fixed (6). The whole buffer goes into the
 * stream's writer at once: no chunks read back and joined on our side.
 */
export async function compressionStreamGzip(bytes: Uint8Array): Promise<Uint8Array> {
  const stream = new CompressionStream('gzip');
  const compressed = new Response(stream.readable).arrayBuffer();
  const writer = stream.writable.getWriter();
  await Promise.all([writer.write(bytes as Uint8Array<ArrayBuffer>), writer.close()]);
  return new Uint8Array(await compressed);
}
