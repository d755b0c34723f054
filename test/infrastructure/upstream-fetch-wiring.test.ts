/**
 * Which HTTP client the upstream adapters get: the one given to the
 * container, and on Node (serveOnNode) the node:http transport, never
 * globalThis.fetch.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createNodeHttpFetch } from '../../src/adapters/node-native/node-http-fetch.js';
import type { FetchLike } from '../../src/adapters/upstream/call.js';
import { parseConfig } from '../../src/infrastructure/config.js';
import { createService } from '../../src/infrastructure/container.js';
import { createLogger } from '../../src/infrastructure/logger.js';
import { serveOnNode } from '../../src/infrastructure/node-server.js';
import { type QuayEmulator, startQuayEmulator } from '../emulators/quay-emulator.js';
import { fixtureZip, multipart } from '../support/bundles.js';

const TOKEN = 'basic dXNlcjpwYXNz';
const silent = createLogger('ERROR', () => {});

describe('the upstream HTTP client', () => {
  let quay: QuayEmulator;
  const client = createNodeHttpFetch();

  beforeEach(async () => {
    quay = await startQuayEmulator({ tokens: [TOKEN] });
  });

  afterEach(async () => {
    vi.restoreAllMocks();
    await quay.close();
  });

  it('is the fetch given to the container', async () => {
    const urls: string[] = [];
    const recording: FetchLike = (url, init) => {
      urls.push(url);
      return client(url, init);
    };
    const global = vi.spyOn(globalThis, 'fetch');
    const app = createService(parseConfig({ quay_url: quay.url }), { fetch: recording, logger: silent });
    const res = await app.request('/v2/acme/zipfile/1.0.0', {
      method: 'POST',
      headers: { Authorization: TOKEN },
      body: multipart(fixtureZip('marketplace_op_flat')),
    });
    expect(res.status).toBe(200);
    expect(quay.state.requestsFor('push')).toHaveLength(1);
    expect(urls.some((url) => url.startsWith(quay.url))).toBe(true);
    expect(global).not.toHaveBeenCalled();
  });

  it('is the node:http transport on Node, not globalThis.fetch', async () => {
    const global = vi.spyOn(globalThis, 'fetch');
    const server = await serveOnNode(parseConfig({ quay_url: quay.url, log_level: 'ERROR' }), {
      port: 0,
      host: '127.0.0.1',
    });
    try {
      const body = new Request('http://x/', {
        method: 'POST',
        body: multipart(fixtureZip('marketplace_op_flat')),
      });
      const res = await client(`http://127.0.0.1:${server.port}/v2/acme/zipfile/1.0.0`, {
        method: 'POST',
        headers: { Authorization: TOKEN, 'Content-Type': body.headers.get('content-type') ?? '' },
        body: new Uint8Array(await body.arrayBuffer()),
      });
      expect(res.status).toBe(200);
      await res.arrayBuffer();
      expect(quay.state.requestsFor('push')).toHaveLength(1);
      expect(global).not.toHaveBeenCalled();
    } finally {
      await server.close();
    }
  });
});
