/**
 * No secret in any log line (SPEC §2): the caller's Authorization value (as
 * sent, without its scheme, base64-encoded, and the password it encodes) and
 * every configured oauth_token. Failures are provoked on purpose where a
 * secret would most likely leak: an unexpected error whose message and stack
 * carry the token, upstream answers echoing it, a failing makePublic. Every
 * captured line of every request below is grepped.
 */

import type { Hono } from 'hono';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { AppEnv } from '../../src/adapters/http/app.js';
import { InMemoryRegistry } from '../../src/adapters/memory/in-memory-registry.js';
import { parseConfig } from '../../src/infrastructure/config.js';
import { createService } from '../../src/infrastructure/container.js';
import { type GreenwaveEmulator, startGreenwaveEmulator } from '../emulators/greenwave-emulator.js';
import { type KojiEmulator, startKojiEmulator } from '../emulators/koji-emulator.js';
import { type QuayEmulator, startQuayEmulator } from '../emulators/quay-emulator.js';
import { multipart, sampleZip } from '../support/bundles.js';
import { capturingLogger } from '../support/capturing-logger.js';

/** `Basic` + base64("deploy-bot:pa55-w0rd-7d1f"). */
const TOKEN = `Basic ${btoa('deploy-bot:pa55-w0rd-7d1f')}`;
const OAUTH = 'oauth-9f8e7d6c5b4a3210';
const OTHER_OAUTH = 'oauth-for-another-org-42';
/** Every form of a secret that must not show up in a log line. */
const FORBIDDEN = [
  TOKEN,
  TOKEN.slice('Basic '.length),
  btoa(TOKEN).replace(/=+$/, ''),
  'pa55-w0rd-7d1f',
  OAUTH,
  OTHER_OAUTH,
];

const everyLine: string[] = [];

function expectClean(lines: readonly string[]): void {
  expect(lines.length).toBeGreaterThan(0);
  for (const line of lines) for (const secret of FORBIDDEN) expect(line).not.toContain(secret);
}

function capturingApp(config: Record<string, unknown>, overrides: Parameters<typeof createService>[1] = {}) {
  const lines: string[] = [];
  const { logger, requestContext } = capturingLogger(lines, everyLine);
  const app = createService(parseConfig(config), { requestContext, logger, ...overrides });
  return { app, lines };
}

const post = (app: Hono<AppEnv>, path: string, zip = sampleZip()) =>
  app.request(path, { method: 'POST', headers: { Authorization: TOKEN }, body: multipart(zip) });

afterAll(() => {
  expectClean(everyLine);
});

describe('an unexpected error carrying the token', () => {
  it('is logged with its message and stack, the token scrubbed in every form', async () => {
    const registry = new InMemoryRegistry();
    registry.releases = async (_org, _repo, token) => {
      throw new Error(`boom ${token} / ${token.slice(6)}`);
    };
    const { app, lines } = capturingApp({}, { registry, policyGate: null });

    const res = await post(app, '/v2/acme/zipfile');

    expect(res.status).toBe(500);
    expect(await res.json()).toMatchObject({ error: 'InternalServerError' });
    const logged = lines.map((l) => JSON.parse(l) as Record<string, unknown>);
    const unexpected = logged.find((l) => l.message === 'unexpected error');
    expect(unexpected?.error).toBe('Error: boom [redacted] / [redacted]');
    expect(unexpected?.stack).toMatch(/^Error: boom \[redacted\] \/ \[redacted\]\n\s+at /);
    expectClean(lines);
  });
});

describe('against the Quay, Koji and Greenwave emulators', () => {
  let quay: QuayEmulator;
  let koji: KojiEmulator;
  let greenwave: GreenwaveEmulator;
  let app: Hono<AppEnv>;
  let lines: string[];

  beforeEach(async () => {
    [quay, koji, greenwave] = await Promise.all([
      startQuayEmulator({ tokens: [TOKEN], oauthTokens: [OAUTH] }),
      startKojiEmulator({ seed: false }),
      startGreenwaveEmulator(),
    ]);
    ({ app, lines } = capturingApp({
      quay_url: quay.url,
      kojihub_url: koji.hubUrl,
      kojiroot_url: koji.rootUrl,
      greenwave: { url: greenwave.url, context: 'osbs_push', product_version: 'cvp' },
      request_timeout: 10,
      log_level: 'DEBUG',
      organizations: {
        'acme-public': { public: true, oauth_token: OAUTH },
        other: { public: true, oauth_token: OTHER_OAUTH },
      },
    }));
  });
  afterEach(async () => {
    await Promise.all([quay.close(), koji.close(), greenwave.close()]);
  });

  it('Quay echoing the token in a refused push: neither the log nor the answer carries it', async () => {
    quay.state.fail('push', { status: 500, body: { error: { message: `token ${TOKEN} is not allowed` } } });

    const res = await post(app, '/v2/acme/zipfile/1.0.0');

    expect(res.status).toBe(500);
    const body = JSON.stringify(await res.json());
    expect(body).toContain('QuayCourierError');
    expect(body).toContain('token [redacted] is not allowed');
    for (const secret of FORBIDDEN) expect(body).not.toContain(secret);
    expectClean(lines);
  });

  it('a failing makePublic with the oauth_token echoed: not in the log, not in the answer', async () => {
    quay.state.fail('visibility', { status: 500, body: { error_message: `bad oauth Bearer ${OAUTH}` } });

    const res = await post(app, '/v2/acme-public/zipfile/1.0.0');

    expect(res.status).toBe(500);
    const body = JSON.stringify(await res.json());
    expect(body).toContain('could not be made public');
    expect(body).not.toContain(OAUTH);
    expect(lines.some((l) => l.includes('making the repository public failed'))).toBe(true);
    expectClean(lines);
  });

  it('a representative run of requests: every line is clean', async () => {
    const nvr = 'hello-operator-metadata-1.0-1';
    koji.state.addOperatorBuild(nvr, sampleZip());
    const send = (method: string, path: string, auth: string | undefined = TOKEN, body?: FormData) =>
      app.request(path, {
        method,
        headers: auth === undefined ? {} : { Authorization: auth },
        body: body ?? null,
      });

    const statuses = [
      (await send('GET', '/v2/about')).status,
      (await send('GET', '/v2/health/ping')).status,
      (await post(app, '/v2/acme/zipfile')).status,
      (await post(app, '/v2/acme/zipfile')).status,
      (await post(app, '/v1/acme/hello-operator/zipfile/5.0.0')).status,
      (await post(app, '/v2/acme-public/zipfile')).status,
      (await send('POST', `/v2/acme/koji/${nvr}`)).status,
      (await send('POST', '/v2/acme/koji/no-such-build-1-1')).status,
      (await send('POST', '/v2/acme/zipfile', 'Basic bm9ib2R5Om5vcGU=', multipart(sampleZip()))).status,
      (await send('POST', '/v2/acme/zipfile/1.0', TOKEN, multipart(sampleZip()))).status,
      (await send('DELETE', '/v2/acme/hello-operator/5.0.0')).status,
      (await send('DELETE', '/v2/acme/hello-operator')).status,
      (await send('DELETE', '/v2/acme/nothing-here')).status,
      (await send('POST', '/v2/acme/zipfile', TOKEN, new FormData())).status,
    ];

    expect(statuses).toEqual([200, 200, 200, 200, 200, 200, 200, 404, 403, 400, 200, 200, 404, 400]);
    expectClean(lines);
    expect(lines.length).toBeGreaterThanOrEqual(statuses.length);
  });
});
