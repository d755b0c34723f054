/**
 * Reading an upstream answer's body within a size cap and a deadline: never
 * more than `maxBytes` plus one chunk in memory, and the transfer is stopped
 * (the stream cancelled) on any failure.
 */

import { concatBytes } from '../../domain/bytes.js';
import { untilAborted } from './deadline.js';

/**
 * The whole body, refused with `tooLarge()` as soon as it passes `maxBytes`;
 * rejects with the signal's reason when it aborts. No body reads as empty.
 */
export async function readAtMost(
  body: ReadableStream<Uint8Array> | null,
  maxBytes: number,
  signal: AbortSignal,
  tooLarge: () => Error,
): Promise<Uint8Array> {
  if (!body) return new Uint8Array(0);
  const reader = body.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  try {
    for (;;) {
      const { done, value } = await untilAborted(reader.read(), signal);
      if (done) break;
      total += value.byteLength;
      if (total > maxBytes) throw tooLarge();
      chunks.push(value);
    }
  } catch (error) {
    // Not awaited: a stalled stream may never settle its cancellation.
    reader.cancel().catch(() => {});
    throw error;
  }
  return concatBytes(chunks, total);
}

/** Drops a body that will not be read, so the connection is released; never waits for it. */
export function discard(body: ReadableStream | null | undefined): void {
  body?.cancel().catch(() => {});
}
