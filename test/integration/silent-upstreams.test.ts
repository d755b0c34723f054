/**
 * Nothing hangs (SPEC §7, §9): upstreams that accept the connection and never
 * answer. Health gives up on each after its cap (shortened here to 200 ms;
 * 10 s in service, see check-health.test.ts) or sooner when request_timeout
 * is shorter; publish and delete fail with their documented errors after
 * request_timeout.
 */
import type { Hono } from 'hono';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { AppEnv } from '../../src/adapters/http/app.js';
import { silentLogger } from '../../src/application/ports.js';
import { parseConfig } from '../../src/infrastructure/config.js';
import { createService } from '../../src/infrastructure/container.js';
import { type QuayEmulator, startQuayEmulator } from '../emulators/quay-emulator.js';
import { type SilentServer, startSilentServer } from '../emulators/silent-server.js';
import { multipart, sampleZip } from '../support/bundles.js';

const TOKEN = 'good-token';
type Json = Record<string, unknown>;

async function waitFor(what: string, check: () => boolean, ms = 5_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

describe('upstreams that never answer', () => {
  let quay: SilentServer;
  let koji: SilentServer;
  let greenwave: SilentServer;

  beforeEach(async () => {
    [quay, koji, greenwave] = await Promise.all([
      startSilentServer(),
      startSilentServer(),
      startSilentServer(),
    ]);
  });
  afterEach(async () => {
    await Promise.all([quay.close(), koji.close(), greenwave.close()]);
  });

  const makeApp = (config: Json, healthPingTimeoutMs?: number): Hono<AppEnv> =>
    createService(
      parseConfig({
        quay_url: quay.url,
        kojihub_url: `${koji.url}/kojihub`,
        kojiroot_url: `${koji.url}/root`,
        greenwave: { url: greenwave.url, context: 'osbs_push', product_version: 'cvp' },
        ...config,
      }),
      { logger: silentLogger, ...(healthPingTimeoutMs ? { healthPingTimeoutMs } : {}) },
    );

  const call = async (app: Hono<AppEnv>, method: string, path: string, body?: FormData) => {
    const res = await app.request(path, {
      method,
      ...(method === 'GET' ? {} : { headers: { Authorization: TOKEN } }),
      ...(body ? { body } : {}),
    });
    return { status: res.status, body: (await res.json()) as Json };
  };

  it('health: 503 once the cap passes, whatever request_timeout says, and every ping is dropped', async () => {
    const app = makeApp({ request_timeout: 60 }, 200);

    const { status, body } = await call(app, 'GET', '/v2/health/ping');

    expect(status).toBe(503);
    const timedOut = { ok: false, details: 'Timed out: no answer within 200 ms' };
    expect(body).toEqual({
      ok: false,
      status: 503,
      services: { quay: timedOut, koji: timedOut, greenwave: timedOut },
    });
    // The calls were aborted, not left to run until request_timeout.
    for (const server of [quay, koji, greenwave]) {
      await waitFor('the ping connection to be closed', () => server.closedByClient >= 1);
      expect(server.accepted).toBeGreaterThanOrEqual(1);
    }
  });

  it('health: a request_timeout shorter than the cap ends each ping sooner (the adapters say so)', async () => {
    const app = makeApp({ request_timeout: 0.1 });

    const { status, body } = await call(app, 'GET', '/v2/health/ping');

    expect(status).toBe(503);
    const services = body.services as Record<string, { ok: boolean; details: string }>;
    expect(services.quay).toEqual({ ok: false, details: 'Quay did not answer within 100 ms' });
    expect(services.koji!.details).toMatch(/timed out after 100 ms/);
    expect(services.greenwave!.details).toMatch(/timed out after 100 ms/);
  });

  it.each([
    [
      'publish, explicit version (push)',
      'POST',
      '/v2/acme/zipfile/1.0.0',
      500,
      'QuayCourierError',
      /within 300 ms/,
    ],
    ['publish, next version (listing)', 'POST', '/v2/acme/zipfile', 500, 'QuayPackageError', /within 300 ms/],
    ['delete one release', 'DELETE', '/v2/acme/hello/1.0.0', 500, 'QuayPackageError', /within 300 ms/],
    ['delete every release (listing)', 'DELETE', '/v2/acme/hello', 500, 'QuayPackageError', /within 300 ms/],
  ])('%s: %s %s → %i %s after request_timeout', async (_, method, path, status, error, message) => {
    const app = makeApp({ request_timeout: 0.3 });

    const answer = await call(app, method, path, method === 'POST' ? multipart(sampleZip()) : undefined);

    expect(answer.status).toBe(status);
    expect(answer.body).toMatchObject({ status, error, message: expect.stringMatching(message) });
  });
});

describe('a Quay that takes the push but never answers changevisibility', () => {
  let quay: QuayEmulator;
  beforeEach(async () => {
    quay = await startQuayEmulator({ tokens: [TOKEN], oauthTokens: ['oauth'] });
  });
  afterEach(async () => {
    await quay.close();
  });

  it('→ 500 QuayPackageError: pushed, but could not be made public (each try ends at request_timeout)', async () => {
    quay.state.fail('visibility', { delayMs: 60_000 });
    const app = createService(
      parseConfig({
        quay_url: quay.url,
        request_timeout: 0.3,
        organizations: { acme: { public: true, oauth_token: 'oauth' } },
      }),
      { logger: silentLogger, policyGate: null },
    );

    const res = await app.request('/v2/acme/zipfile/1.0.0', {
      method: 'POST',
      headers: { Authorization: TOKEN },
      body: multipart(sampleZip()),
    });

    expect(res.status).toBe(500);
    expect(await res.json()).toMatchObject({
      error: 'QuayPackageError',
      message: expect.stringMatching(
        /was pushed .* could not be made public: .*did not answer within 300 ms/,
      ),
    });
    expect(quay.state.pushes).toHaveLength(1);
    expect(quay.state.requestsFor('visibility').length).toBeGreaterThanOrEqual(2);
  });
});
