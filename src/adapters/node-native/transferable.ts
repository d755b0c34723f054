/**
 * Results of the bundle job travel to the event loop by transfer, which Node
 * refuses for its shared Buffer pool: allocations smaller than half the pool
 * size are slices of it. Written once for the native codecs.
 */
import { Buffer } from 'node:buffer';

/** Buffers shorter than this may be slices of Node's shared pool. */
const POOLED_BELOW = Buffer.poolSize >>> 1;

/** `bytes` as a plain Uint8Array that can be transferred: a copy when it may be pooled, else a view. */
export function transferable(bytes: Uint8Array): Uint8Array {
  return bytes.byteLength < POOLED_BELOW
    ? new Uint8Array(bytes)
    : new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}
