/**
 * fflate's gzip, the one every runtime uses for bundle-image layers (SPEC §10).
 * An image's digest is how a second identical push is recognised, so a layer
 * must be the same bytes wherever and whenever it is built: pure JavaScript
 * with a pinned version, not the runtime's zlib (whose output may change with
 * Node's version or differ between runtimes). Level 9; mtime 0, so the header
 * holds no timestamp.
 */
import { gzipSync } from 'fflate';

export function fflateGzip(bytes: Uint8Array): Uint8Array {
  return gzipSync(bytes, { level: 9, mtime: 0 });
}
