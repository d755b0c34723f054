import { beforeEach, describe, expect, it } from 'vitest';
import { InMemoryBuildSystem } from '../../../src/adapters/memory/in-memory-build-system.js';
import { InMemoryPolicyGate } from '../../../src/adapters/memory/in-memory-policy-gate.js';
import { InMemoryRegistry } from '../../../src/adapters/memory/in-memory-registry.js';
import { parseConfig } from '../../../src/infrastructure/config.js';
import { createService } from '../../../src/infrastructure/container.js';
import { SAMPLE_OPERATOR_FILES } from '../../../src/infrastructure/demo/sample-operator.js';
import { createLogger } from '../../../src/infrastructure/logger.js';
import { SERVICE_VERSION } from '../../../src/infrastructure/version.js';
import { fixtureZip, multipart, sampleZip, zipOf } from '../../support/bundles.js';
import { AUTH, json, makeHttpApp } from '../../support/http-app.js';

const NVR = 'hello-operator-container-1.0.0-1';
let h: ReturnType<typeof makeHttpApp>;

function post(path: string, body?: FormData | string, headers: Record<string, string> = AUTH) {
  return h.app.request(path, { method: 'POST', headers, ...(body !== undefined ? { body } : {}) });
}

function expectError(body: Record<string, unknown>, status: number, error: string) {
  expect(body).toMatchObject({ status, error });
  expect(typeof body.message).toBe('string');
}

beforeEach(() => {
  h = makeHttpApp();
  h.buildSystem
    .add(NVR, { kind: 'operator', archive: sampleZip() })
    .add('plain-1-1', { kind: 'not-an-operator' })
    .add('legacy-1-1', { kind: 'archive-missing', archiveName: 'x.zip' });
});

describe('POST zipfile', () => {
  const files = Object.keys(SAMPLE_OPERATOR_FILES).sort();

  it('v2 publishes and answers the documented body', async () => {
    const res = await post('/v2/myorg/zipfile', multipart(sampleZip()));
    expect(res.status).toBe(200);
    expect(await json(res)).toEqual({
      organization: 'myorg',
      repo: 'hello-operator',
      version: '1.0.0',
      extracted_files: files,
    });
    const pushed = h.registry.release('myorg', 'hello-operator', '1.0.0');
    expect(pushed?.bundle.map((f) => f.path)).toEqual(['bundle.yaml']);
  });

  it('v2 with an explicit version', async () => {
    const res = await post('/v2/myorg/zipfile/4.2.0', multipart(sampleZip()));
    expect(await json(res)).toMatchObject({ version: '4.2.0' });
  });

  it('v1 publishes to the URL repository and auto-increments', async () => {
    h.registry.seed('myorg', 'hello-operator', ['2.5.1']);
    const res = await post('/v1/myorg/hello-operator/zipfile', multipart(sampleZip()));
    expect(res.status).toBe(200);
    expect(await json(res)).toEqual({
      organization: 'myorg',
      repo: 'hello-operator',
      version: '3.0.0',
      extracted_files: files,
    });
  });

  it('v1 refuses a repository that is not the packageName, with validation_info', async () => {
    const res = await post('/v1/myorg/other/zipfile/1.0.0', multipart(sampleZip()));
    const body = await json(res);
    expect(res.status).toBe(400);
    expectError(body, 400, 'PackageValidationError');
    expect((body.validation_info as { errors: string[] }).errors).toContain(
      'The packageName (hello-operator) in bundle does not match repository name (other) provided as command line argument.',
    );
  });

  it('publishes the flat and nested fixtures (v2)', async () => {
    const flat = await post('/v2/myorg/zipfile', multipart(fixtureZip('marketplace_op_flat')));
    expect(flat.status).toBe(200);
    expect(await json(flat)).toMatchObject({
      repo: 'marketplace',
      extracted_files: ['crd.yml', 'csv.yaml', 'packages.yaml', 'subscription-crd.yaml'],
    });
    const nested = await post('/v2/myorg/zipfile', multipart(fixtureZip('etcd_op_nested', 'etcd/')));
    expect(nested.status).toBe(200);
    const body = await json(nested);
    expect(body.repo).toBe('etcd');
    expect((body.extracted_files as string[]).every((f) => f.startsWith('etcd/'))).toBe(true);
  });

  it.each([
    ['/v2/myorg/zipfile/1.0', '1.0'],
    ['/v2/myorg/zipfile/v1.0.0', 'v1.0.0'],
    ['/v1/myorg/repo/zipfile/01.0.0', '01.0.0'],
  ])('%s → 400 OMPSInvalidVersionFormat', async (path) => {
    const res = await post(path, multipart(sampleZip()));
    expect(res.status).toBe(400);
    expectError(await json(res), 400, 'OMPSInvalidVersionFormat');
  });

  it('no Authorization header, or an empty one → 403 before anything else', async () => {
    for (const headers of [{}, { Authorization: '' }, { Authorization: '   ' }] as Record<string, string>[]) {
      const res = await post('/v2/myorg/zipfile/bad-version', 'not multipart', headers);
      expect(res.status).toBe(403);
      expectError(await json(res), 403, 'OMPSAuthorizationHeaderRequired');
    }
  });

  it('Quay refusing the token → 403 QuayAuthorizationError with quay_response', async () => {
    const res = await post('/v2/myorg/zipfile', multipart(sampleZip()), { Authorization: 'bad-token' });
    const body = await json(res);
    expect(res.status).toBe(403);
    expectError(body, 403, 'QuayAuthorizationError');
    expect(body.quay_response).toBeTypeOf('object');
  });

  it('an existing explicit release → 500 QuayCourierError with quay_response', async () => {
    h.registry.seed('myorg', 'hello-operator', ['1.0.0']);
    const res = await post('/v2/myorg/zipfile/1.0.0', multipart(sampleZip()));
    const body = await json(res);
    expectError(body, 500, 'QuayCourierError');
    expect(body.quay_response).toMatchObject({ error: { code: 'package-exists' } });
  });

  it('no file field → 400 OMPSExpectedFileError', async () => {
    const form = new FormData();
    form.append('other', new Blob([sampleZip() as Uint8Array<ArrayBuffer>]), 'x.zip');
    const res = await post('/v2/myorg/zipfile', form);
    expect(res.status).toBe(400);
    expectError(await json(res), 400, 'OMPSExpectedFileError');
    const plain = new FormData();
    plain.append('file', 'just text');
    expectError(await json(await post('/v2/myorg/zipfile', plain)), 400, 'OMPSExpectedFileError');
  });

  it('a part with an empty filename → 400 OMPSExpectedFileError', async () => {
    const body = '--b\r\nContent-Disposition: form-data; name="file"; filename=""\r\n\r\nabc\r\n--b--\r\n';
    const res = await post('/v2/myorg/zipfile', body, {
      ...AUTH,
      'Content-Type': 'multipart/form-data; boundary=b',
    });
    expect(res.status).toBe(400);
    expectError(await json(res), 400, 'OMPSExpectedFileError');
  });

  it('not multipart at all → 400 OMPSExpectedFileError', async () => {
    const res = await post('/v2/myorg/zipfile', 'hello', { ...AUTH, 'Content-Type': 'text/plain' });
    expectError(await json(res), 400, 'OMPSExpectedFileError');
  });

  it.each(['manifests.tar.gz', 'manifests', 'zip'])(
    'filename %s → 400 OMPSUploadedFileError',
    async (name) => {
      const res = await post('/v2/myorg/zipfile', multipart(sampleZip(), name));
      expect(res.status).toBe(400);
      expectError(await json(res), 400, 'OMPSUploadedFileError');
    },
  );

  it('accepts .ZIP in any case', async () => {
    expect((await post('/v2/myorg/zipfile', multipart(sampleZip(), 'BUNDLE.ZIP'))).status).toBe(200);
  });

  it('a .zip that is not a zip → 400 OMPSUploadedFileError', async () => {
    const res = await post('/v2/myorg/zipfile', multipart(new TextEncoder().encode('not a zip at all')));
    expectError(await json(res), 400, 'OMPSUploadedFileError');
  });

  it('a body over max_content_length → 413 RequestEntityTooLarge, by header or by counting', async () => {
    h = makeHttpApp({ max_content_length: 1000 });
    const big = multipart(new Uint8Array(5000));
    const res = await post('/v2/myorg/zipfile', big);
    expect(res.status).toBe(413);
    expectError(await json(res), 413, 'RequestEntityTooLarge');
    // no Content-Length: a stream the server must count
    const stream = new ReadableStream<Uint8Array>({
      start(c) {
        for (let i = 0; i < 10; i++) c.enqueue(new Uint8Array(500));
        c.close();
      },
    });
    const streamed = await h.app.request('/v2/myorg/zipfile', {
      method: 'POST',
      headers: { ...AUTH, 'Content-Type': 'multipart/form-data; boundary=xyz' },
      body: stream,
      duplex: 'half',
    } as RequestInit);
    expect(streamed.status).toBe(413);
    expectError(await json(streamed), 413, 'RequestEntityTooLarge');
  });

  it('a multipart boundary longer than 70 characters (RFC 2046) → 400 OMPSExpectedFileError', async () => {
    const boundary = 'q'.repeat(71);
    const res = await h.app.request('/v2/myorg/zipfile', {
      method: 'POST',
      headers: { ...AUTH, 'Content-Type': `multipart/form-data; boundary=${boundary}` },
      body: `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="a.zip"\r\n\r\nzip\r\n--${boundary}--\r\n`,
    });
    const body = await json(res);
    expectError(body, 400, 'OMPSExpectedFileError');
    expect(body.message).toMatch(/boundary is longer than 70 characters/);
    expect(await h.registry.releases('myorg', 'hello-operator', 'any')).toBeUndefined();
  });

  it('a bundle with invalid YAML → 400 PackageValidationError', async () => {
    const zip = zipOf({ ...SAMPLE_OPERATOR_FILES, 'broken.yaml': 'a: [1, 2\n  b: }' });
    const res = await post('/v2/myorg/zipfile', multipart(zip));
    const body = await json(res);
    expectError(body, 400, 'PackageValidationError');
    expect(body.message).toBe('Failed to push manifest: Courier requires valid input YAML files');
    expect(body.validation_info).toEqual({
      errors: [expect.stringMatching(/^Invalid YAML file "broken\.yaml": .*\(line 2, column \d+\)$/)],
      warnings: [],
    });
  });

  it('the broken fixtures fail validation', async () => {
    for (const name of ['no_package_name', 'not_yaml']) {
      const res = await post('/v2/myorg/zipfile', multipart(fixtureZip(name)));
      expect(res.status).toBe(400);
      expectError(await json(res), 400, 'PackageValidationError');
    }
  });
});

describe('POST koji', () => {
  it('v2 publishes a build and answers nvr', async () => {
    const res = await post(`/v2/myorg/koji/${NVR}`);
    expect(res.status).toBe(200);
    expect(await json(res)).toEqual({
      organization: 'myorg',
      repo: 'hello-operator',
      version: '1.0.0',
      nvr: NVR,
      extracted_files: Object.keys(SAMPLE_OPERATOR_FILES).sort(),
    });
  });

  it('v1 with explicit version', async () => {
    const res = await post(`/v1/myorg/hello-operator/koji/${NVR}/2.0.0`);
    expect(await json(res)).toMatchObject({ repo: 'hello-operator', version: '2.0.0', nvr: NVR });
  });

  it.each([
    ['unknown-1-1', 404, 'KojiNVRBuildNotFound'],
    ['plain-1-1', 400, 'KojiNotAnOperatorImage'],
    ['legacy-1-1', 500, 'KojiManifestsArchiveNotFound'],
  ])('%s → %i %s', async (nvr, status, error) => {
    const res = await post(`/v2/myorg/koji/${nvr}`);
    expect(res.status).toBe(status);
    expectError(await json(res), status, error);
  });

  it('Greenwave unsatisfied → 400 GreenwaveUnsatisfiedError with greenwave_response', async () => {
    h.policyGate.refuse(NVR);
    const res = await post(`/v2/myorg/koji/${NVR}`);
    const body = await json(res);
    expectError(body, 400, 'GreenwaveUnsatisfiedError');
    expect(body.greenwave_response).toMatchObject({ policies_satisfied: false });
  });

  it('version format and Authorization are checked first', async () => {
    expectError(await json(await post(`/v2/myorg/koji/unknown-1-1/x`)), 400, 'OMPSInvalidVersionFormat');
    expectError(
      await json(await post(`/v2/myorg/koji/unknown-1-1`, undefined, {})),
      403,
      'OMPSAuthorizationHeaderRequired',
    );
  });
});

describe('DELETE', () => {
  const del = (path: string, headers: Record<string, string> = AUTH) =>
    h.app.request(path, { method: 'DELETE', headers });

  it.each(['v1', 'v2'])('%s deletes one release, and all releases', async (v) => {
    h.registry.seed('myorg', 'repo', ['1.0.0', '2.0.0', 'odd']);
    const one = await del(`/${v}/myorg/repo/odd`);
    expect(one.status).toBe(200);
    expect(await json(one)).toEqual({ organization: 'myorg', repo: 'repo', deleted: ['odd'] });
    const all = await json(await del(`/${v}/myorg/repo`));
    expect((all.deleted as string[]).sort()).toEqual(['1.0.0', '2.0.0']);
    expect(await json(await del(`/${v}/myorg/repo`))).toEqual({
      organization: 'myorg',
      repo: 'repo',
      deleted: [],
    });
  });

  it('unknown package or release → 404 QuayPackageNotFound', async () => {
    expectError(await json(await del('/v2/myorg/nothing')), 404, 'QuayPackageNotFound');
    h.registry.seed('myorg', 'repo', ['1.0.0']);
    const res = await del('/v2/myorg/repo/9.9.9');
    expect(res.status).toBe(404);
    expectError(await json(res), 404, 'QuayPackageNotFound');
  });

  it('requires Authorization', async () => {
    const res = await del('/v2/myorg/repo', {});
    expect(res.status).toBe(403);
    expectError(await json(res), 403, 'OMPSAuthorizationHeaderRequired');
  });
});

describe('health and about', () => {
  it.each(['v1', 'v2'])('%s health is 200 when every upstream answers', async (v) => {
    h = makeHttpApp({ greenwave: null });
    const res = await h.app.request(`/${v}/health/ping`);
    expect(res.status).toBe(200);
    expect(await json(res)).toEqual({
      ok: true,
      status: 200,
      services: {
        quay: { ok: true, details: 'It works!' },
        koji: { ok: true, details: 'It works!' },
        greenwave: null,
      },
    });
  });

  it('health is 503 with the reason when an upstream fails; greenwave reported when configured', async () => {
    h = makeHttpApp();
    h.registry.unavailable = 'Cannot connect to Quay';
    const res = await h.app.request('/v2/health/ping');
    expect(res.status).toBe(503);
    expect(await json(res)).toEqual({
      ok: false,
      status: 503,
      services: {
        quay: { ok: false, details: 'Cannot connect to Quay' },
        koji: { ok: true, details: 'It works!' },
        greenwave: { ok: true, details: 'It works!' },
      },
    });
  });

  it.each(['v1', 'v2'])(
    '%s health/live answers 200 from the process alone, whatever the upstreams do',
    async (v) => {
      const asked: string[] = [];
      const hanging = <T extends object>(name: string, real: T): T =>
        new Proxy(real, {
          get: (target, key, receiver) => {
            const value = Reflect.get(target, key, receiver);
            if (typeof value !== 'function') return value;
            return () => {
              asked.push(`${name}.${String(key)}`);
              return new Promise(() => {}); // an upstream that never answers
            };
          },
        });
      const config = parseConfig({ greenwave: { url: 'http://g.test', context: 'c', product_version: 'p' } });
      const app = createService(config, {
        registry: hanging('registry', new InMemoryRegistry()),
        buildSystem: hanging('buildSystem', new InMemoryBuildSystem()),
        policyGate: hanging('policyGate', new InMemoryPolicyGate()),
        logger: createLogger('ERROR', () => {}),
      });
      const res = await app.request(`/${v}/health/live`);
      expect(res.status).toBe(200);
      expect(await json(res)).toEqual({ ok: true, status: 200 });
      expect(asked).toEqual([]);
    },
  );

  it.each(['v1', 'v2'])('%s about answers the versions', async (v) => {
    const res = await h.app.request(`/${v}/about`);
    expect(await json(res)).toEqual({ version: SERVICE_VERSION, operatorcourier: '2.1.11' });
  });
});

describe('unknown routes, methods and failures', () => {
  it('unknown route → JSON 404 NotFound', async () => {
    for (const path of ['/', '/v3/about', '/v2/myorg/zipfile/1.0.0/extra', '/v1/myorg']) {
      const res = await h.app.request(path);
      expect(res.status).toBe(404);
      expectError(await json(res), 404, 'NotFound');
    }
  });

  it('wrong method → JSON 405 MethodNotAllowed with Allow', async () => {
    const res = await h.app.request('/v2/about', { method: 'POST' });
    expect(res.status).toBe(405);
    expect(res.headers.get('allow')).toContain('GET');
    expectError(await json(res), 405, 'MethodNotAllowed');
    const get = await h.app.request('/v2/myorg/zipfile');
    expect(get.status).toBe(405);
    expectError(await json(get), 405, 'MethodNotAllowed');
  });

  it('an unexpected error → 500 InternalServerError without stack or secrets; logged', async () => {
    h.registry.releases = async () => {
      throw new TypeError('boom at secret-token-123 internals');
    };
    const res = await post('/v2/myorg/zipfile', multipart(sampleZip()));
    const body = await json(res);
    expect(res.status).toBe(500);
    expectError(body, 500, 'InternalServerError');
    expect(JSON.stringify(body)).not.toMatch(/boom|secret-token-123|at /);
    const logged = h.logLines.find((l) => l.includes('unexpected error'));
    expect(logged).toContain('boom at [redacted] internals');
    expect(h.logLines.join('\n')).not.toContain('secret-token-123');
  });

  it('logs one line per request with method, path, status, duration and error id, never the token', async () => {
    await post('/v2/myorg/zipfile/1.0', multipart(sampleZip()));
    const line = h.logLines.map((l) => JSON.parse(l)).find((l) => l.message === 'request');
    expect(line).toMatchObject({
      method: 'POST',
      path: '/v2/myorg/zipfile/1.0',
      status: 400,
      error: 'OMPSInvalidVersionFormat',
    });
    expect(line.duration_ms).toBeTypeOf('number');
    await post('/v2/myorg/zipfile', multipart(sampleZip()));
    expect(h.logLines.join('\n')).not.toContain('secret-token-123');
  });

  it('returns a request id, taking the caller’s when given', async () => {
    const res = await h.app.request('/v2/about', { headers: { 'X-Request-Id': 'abc-123' } });
    expect(res.headers.get('x-request-id')).toBe('abc-123');
    expect((await h.app.request('/v2/about')).headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
  });
});

describe('dry run', () => {
  it.each(['/v2/myorg/zipfile?dry_run=true', '/v1/myorg/hello-operator/zipfile/2.0.0?dry_run=1'])(
    '%s runs every step but the push',
    async (path) => {
      const res = await post(path, multipart(sampleZip()));
      expect(res.status).toBe(200);
      const body = await json(res);
      expect(body).toMatchObject({
        organization: 'myorg',
        repo: 'hello-operator',
        dry_run: true,
        files_to_push: ['bundle.yaml'],
      });
      expect(body.validation_info).toMatchObject({ errors: [] });
      expect(await h.registry.releases('myorg', 'hello-operator', 't')).toBeUndefined();
    },
  );

  it('koji dry run asks Koji and Greenwave, pushes nothing', async () => {
    const res = await post(`/v2/myorg/koji/${NVR}?dry_run=true`);
    expect(await json(res)).toMatchObject({ nvr: NVR, version: '1.0.0', dry_run: true });
    expect(h.policyGate.asked).toEqual([NVR]);
    expect(await h.registry.releases('myorg', 'hello-operator', 't')).toBeUndefined();
  });

  it('fails exactly as the real publish would', async () => {
    const res = await post('/v1/myorg/other/zipfile?dry_run=true', multipart(sampleZip()));
    expectError(await json(res), 400, 'PackageValidationError');
    h.registry.seed('myorg', 'hello-operator', ['1.0.0']);
    const versioned = await json(await post('/v2/myorg/zipfile?dry_run=true', multipart(sampleZip())));
    expect(versioned.version).toBe('2.0.0');
  });
});

describe('trailing slashes', () => {
  it('a known path with a trailing slash is an unknown route, not a wrong method', async () => {
    const res = await h.app.request('/v2/about/');
    expect(res.status).toBe(404);
    expectError(await json(res), 404, 'NotFound');
  });
});
