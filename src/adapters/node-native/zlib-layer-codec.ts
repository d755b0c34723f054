/**
 * Image layers' gzip on Node (the GzipCodec of src/domain/catalog-image):
 * node:zlib at its default level, which writes the same bytes as the
 * Web-standard default (CompressionStream is zlib's default level on Node),
 * so a catalog layer has the same digest whichever of the two wrote it.
 * Inflating is bounded by zlib itself (`maxOutputLength`).
 */
import { gunzipSync, gzipSync } from 'node:zlib';
import type { GzipCodec } from '../../domain/catalog-image/gzip-codec.js';

export const zlibLayerCodec: GzipCodec = {
  gzip: async (data) => new Uint8Array(gzipSync(data)),
  async gunzip(data, maxOutput) {
    try {
      return new Uint8Array(gunzipSync(data, { maxOutputLength: Math.max(1, maxOutput) }));
    } catch (error) {
      if ((error as { code?: unknown }).code === 'ERR_BUFFER_TOO_LARGE') return undefined;
      throw error;
    }
  },
};
