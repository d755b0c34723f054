/**
 * gzip by Node's zlib, synchronously: on a bundle thread (where blocking is
 * the point), and on the calling thread where there is none (inline engine,
 * CLI). For a small bundle it costs a fraction of CompressionStream, whose
 * stream machinery weighs more than the compression itself.
 */
import { gzipSync } from 'node:zlib';
import { transferable } from './transferable.js';

/**
 * Level 2, measured on what is pushed (gzip, then base64 and the upload):
 * 6 MB of prose takes ~35 ms at level 1 or 2 against ~120 ms at level 6, and
 * the blob is 1.0 MB at level 2 (1.2 MB at 1, 0.54 MB at 6) — the extra
 * base64 and upload bytes cost a few ms, far less than deflate's slow levels.
 * A random 1.5 MB base64 icon compresses to the same size at every level
 * (~32 ms); a small bundle takes ~0.05 ms at any level.
 */
const LEVEL = 2;

export function zlibGzip(bytes: Uint8Array): Uint8Array {
  // Handed to the event loop by transfer.
  return transferable(gzipSync(bytes, { level: LEVEL }));
}
