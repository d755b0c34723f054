import { afterEach, beforeEach, describe, expect, it, type MockInstance, vi } from 'vitest';
import entry, {
  type Bindings,
  createEdgeEntry,
  settingsFromBindings,
} from '../../src/infrastructure/edge-entry.js';
import { fixtureZip, multipart } from '../support/bundles.js';

const MEMORY: Bindings = { OMPS_UPSTREAMS: 'memory', log_level: 'ERROR' };
const AUTH = { Authorization: 'edge-test-token' };

const get = (path: string) => new Request(`http://omps.test${path}`);
const upload = (path: string, zip: Uint8Array, headers: Record<string, string> = AUTH) =>
  new Request(`http://omps.test${path}`, { method: 'POST', body: multipart(zip), headers });

async function body(res: Response): Promise<Record<string, unknown>> {
  expect(res.headers.get('content-type')).toMatch(/application\/json/);
  return (await res.json()) as Record<string, unknown>;
}

describe('edge entry: configuration from bindings', () => {
  it('reads every SPEC §9 key from string bindings, parsing numbers and JSON', () => {
    const { config, upstreams } = settingsFromBindings({
      quay_url: 'http://127.0.0.1:9000',
      kojihub_url: 'http://127.0.0.1:9001/kojihub',
      kojiroot_url: 'http://127.0.0.1:9001/root/',
      request_timeout: '2.5',
      default_release_version: '0.1.0',
      zipfile_max_uncompressed_size: '1000',
      max_content_length: ' 500 ',
      log_level: 'debug',
      organizations: JSON.stringify({
        myorg: { public: true, oauth_token: 'oauth', package_name_suffix: '-sfx' },
      }),
      greenwave: '{"url": "http://127.0.0.1:9002", "context": "osbs_push", "product_version": "cvp"}',
      UNRELATED_BINDING: 'ignored',
    });
    expect(upstreams).toBe('real');
    expect(config).toMatchObject({
      quayUrl: 'http://127.0.0.1:9000',
      kojihubUrl: 'http://127.0.0.1:9001/kojihub',
      kojirootUrl: 'http://127.0.0.1:9001/root/',
      requestTimeoutMs: 2500,
      defaultReleaseVersion: '0.1.0',
      zipfileMaxUncompressedSize: 1000,
      maxContentLength: 500,
      logLevel: 'DEBUG',
      organizations: new Map([
        ['myorg', expect.objectContaining({ public: true, oauthToken: 'oauth', packageNameSuffix: '-sfx' })],
      ]),
      greenwave: { url: 'http://127.0.0.1:9002', context: 'osbs_push', productVersion: 'cvp' },
    });
  });

  it('has the documented defaults with no bindings, and treats empty strings as unset', () => {
    const { config, upstreams } = settingsFromBindings({ max_content_length: '', organizations: '  ' });
    expect(upstreams).toBe('real');
    expect(config).toMatchObject({
      quayUrl: 'https://quay.io',
      maxContentLength: 2097152,
      organizations: new Map(),
    });
    expect(settingsFromBindings().config.maxContentLength).toBe(2097152);
  });

  it('takes JSON bindings already parsed (wrangler [vars] objects)', () => {
    const { config } = settingsFromBindings({
      max_content_length: 1234,
      organizations: { o: { public: false } },
    });
    expect(config.maxContentLength).toBe(1234);
    expect(config.organizations.get('o')).toMatchObject({ public: false });
  });

  it('reads the whole configuration from OMPS_CONFIG, per-key bindings overriding it', () => {
    const { config, upstreams } = settingsFromBindings({
      OMPS_CONFIG:
        'max_content_length: 700\nzipfile_max_uncompressed_size: 900\norganizations:\n  a: {public: true}\n',
      zipfile_max_uncompressed_size: '800',
      OMPS_UPSTREAMS: 'memory',
    });
    expect(upstreams).toBe('memory');
    expect(config.maxContentLength).toBe(700);
    expect(config.zipfileMaxUncompressedSize).toBe(800);
    expect(config.organizations.get('a')?.public).toBe(true);
    expect(settingsFromBindings({ OMPS_CONFIG: '{"max_content_length": 42}' }).config.maxContentLength).toBe(
      42,
    );
  });
});

describe('edge entry: invalid configuration', () => {
  let errors: MockInstance<typeof console.error>;
  beforeEach(() => {
    errors = vi.spyOn(console, 'error').mockImplementation(() => {});
  });
  afterEach(() => errors.mockRestore());

  it.each([
    ['max_content_length', { max_content_length: 'lots' }],
    ['max_content_length', { max_content_length: '-5' }],
    ['request_timeout', { request_timeout: '0' }],
    ['organizations', { organizations: '{not json' }],
    ['organizations.bad org!', { organizations: '{"bad org!": {}}' }],
    ['greenwave.context', { greenwave: '{"url": "http://gw", "product_version": "x"}' }],
    ['log_level', { log_level: 'LOUD' }],
    ['quay_url', { quay_url: 'ftp://quay' }],
    ['OMPS_UPSTREAMS', { OMPS_UPSTREAMS: 'fake' }],
    ['OMPS_CONFIG', { OMPS_CONFIG: '- just\n- a list' }],
    ['request_timout: unknown key; did you mean request_timeout?', { OMPS_CONFIG: 'request_timout: 5' }],
    [
      'organizations.o.oauth_tokn: unknown key; did you mean oauth_token?',
      { organizations: '{"o": {"oauth_tokn": "x"}}' },
    ],
  ])('answers 500 InternalServerError naming %s on every request', async (key, bindings) => {
    const edge = createEdgeEntry();
    for (const path of ['/v2/about', '/v1/health/ping', '/v2/org/zipfile']) {
      const res = await edge.fetch(get(path), { ...MEMORY, ...bindings });
      expect(res.status).toBe(500);
      const b = await body(res);
      expect(b).toEqual({ status: 500, error: 'InternalServerError', message: expect.any(String) });
      expect(b.message).toMatch(/invalid configuration/i);
      expect(b.message).toContain(key);
    }
    expect(errors).toHaveBeenCalled();
    expect(String(errors.mock.calls[0]?.[0])).toContain(key);
  });

  it('never quotes configuration text in the answer (it may hold oauth tokens)', async () => {
    const secret = 'oauth-SECRET-42';
    for (const OMPS_CONFIG of [
      `organizations:\n  o: {oauth_token: ${secret}\n`,
      `organizations: {o: {oauth_token: "${secret}", bogus: [}}`,
    ]) {
      const res = await createEdgeEntry().fetch(get('/v2/about'), { OMPS_CONFIG });
      expect(res.status).toBe(500);
      const text = await res.text();
      expect(text).toContain('OMPS_CONFIG');
      expect(text).not.toContain(secret);
      expect(JSON.stringify(errors.mock.calls)).not.toContain(secret);
    }
    const res = await createEdgeEntry().fetch(get('/v2/about'), {
      organizations: `{"o": {"oauth_token": "${secret}"`,
    });
    expect(await res.text()).not.toContain(secret);
  });
});

describe('edge entry: OMPS_UPSTREAMS=memory', () => {
  it('answers about and health from the default export', async () => {
    expect(typeof entry.fetch).toBe('function');
    const about = await entry.fetch(get('/v2/about'), MEMORY);
    expect(about.status).toBe(200);
    expect(await body(about)).toEqual({ version: expect.any(String), operatorcourier: expect.any(String) });

    const health = await entry.fetch(get('/v1/health/ping'), MEMORY);
    expect(health.status).toBe(200);
    expect(await body(health)).toMatchObject({
      ok: true,
      status: 200,
      services: { quay: { ok: true, details: 'It works!' }, koji: { ok: true, details: 'It works!' } },
    });
  });

  it('builds the app once per isolate: state survives across requests with equal bindings', async () => {
    const edge = createEdgeEntry();
    const pushed = await edge.fetch(upload('/v2/once/zipfile', fixtureZip('marketplace_op_flat')), {
      ...MEMORY,
    });
    expect(pushed.status).toBe(200);
    const { version } = await body(pushed);
    const deleted = await edge.fetch(
      new Request('http://omps.test/v2/once/marketplace', { method: 'DELETE', headers: AUTH }),
      {
        ...MEMORY,
      },
    );
    expect(deleted.status).toBe(200);
    expect(await body(deleted)).toEqual({ organization: 'once', repo: 'marketplace', deleted: [version] });
  });

  it('applies the bindings: organization policies and max_content_length', async () => {
    const edge = createEdgeEntry();
    const env = {
      ...MEMORY,
      max_content_length: '100000',
      organizations: '{"suffixed": {"package_name_suffix": "-edge"}}',
    };
    const res = await edge.fetch(upload('/v2/suffixed/zipfile', fixtureZip('marketplace_op_flat')), env);
    expect(res.status).toBe(200);
    expect(await body(res)).toMatchObject({
      organization: 'suffixed',
      repo: 'marketplace-edge',
      version: '1.0.0',
    });

    const tooBig = await edge.fetch(upload('/v2/suffixed/zipfile', new Uint8Array(150_000)), env);
    expect(tooBig.status).toBe(413);
    expect(await body(tooBig)).toMatchObject({ status: 413, error: 'RequestEntityTooLarge' });

    const noAuth = await edge.fetch(
      upload('/v2/suffixed/zipfile', fixtureZip('marketplace_op_flat'), {}),
      env,
    );
    expect(noAuth.status).toBe(403);
    expect(await body(noAuth)).toMatchObject({ error: 'OMPSAuthorizationHeaderRequired' });
  });
});
