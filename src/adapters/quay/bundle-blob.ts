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
 * Web APIs only (runs on edge runtimes): modern-tar writes the tar, the
 * runtime's own CompressionStream gzips it (native zlib: less CPU than fflate,
 * and on Node it runs off the event loop), base64 is the runtime's own where
 * it has one.
 */
import { packTar, type TarEntry } from 'modern-tar';
import type { FileEntry } from '../../domain/files.js';
import { unsafeSegmentReason } from '../../domain/path-segment.js';

export interface PackOptions {
  /** Modification time written in every tar header; defaults to now. */
  mtime?: Date;
}

/** Packs `files` as `<folder>/<path>` in a gzip'd tar. Throws TypeError for an unusable folder or path. */
export async function packBundle(
  files: readonly FileEntry[],
  folder: string,
  options: PackOptions = {},
): Promise<Uint8Array> {
  if (unsafeSegmentReason(folder) !== undefined)
    throw new TypeError(`Bundle folder name "${folder}" is not a single path segment.`);
  const mtime = options.mtime ?? new Date();
  const sorted = [...files].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  const seenFiles = new Set<string>();
  const seenFolders = new Set<string>();
  const entries: TarEntry[] = [
    { header: { name: `${folder}/`, type: 'directory', size: 0, mode: 0o755, mtime } },
  ];
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
      entries.push({ header: { name: `${folder}/${sub}/`, type: 'directory', size: 0, mode: 0o755, mtime } });
    }
    seenFiles.add(file.path);
    entries.push({
      header: {
        name: `${folder}/${file.path}`,
        type: 'file',
        size: file.data.byteLength,
        mode: 0o644,
        mtime,
      },
      body: file.data,
    });
  }
  return gzip(await packTar(entries));
}

/**
 * The tar is written straight into the gzip stream's writer: no Blob copy of
 * it read back in chunks. (Piping modern-tar's stream into the gzip stream
 * saves the tar buffer but its per-chunk machinery costs a small push more.)
 */
async function gzip(bytes: Uint8Array): Promise<Uint8Array> {
  const stream = new CompressionStream('gzip');
  const compressed = new Response(stream.readable).arrayBuffer();
  const writer = stream.writable.getWriter();
  await Promise.all([writer.write(bytes as Uint8Array<ArrayBuffer>), writer.close()]);
  return new Uint8Array(await compressed);
}
