/**
 * Quay-only behaviour of QuayRegistry: the exact requests Quay receives and
 * how every kind of failure maps to the domain errors (SPEC §2, §7).
 * The port's shared semantics are in quay-registry.contract.test.ts.
 */

import { gunzipSync } from 'fflate';
import { unpackTar } from 'modern-tar';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { zlibGzip } from '../../../src/adapters/node-native/zlib-gzip.js';
import { packBundle, QuayBundlePacker } from '../../../src/adapters/quay/bundle-blob.js';
import { QuayRegistry, type QuayRegistryOptions } from '../../../src/adapters/quay/quay-registry.js';
import type { LogFields, Logger } from '../../../src/application/ports.js';
import { toBase64, toBase64Portable } from '../../../src/domain/base64.js';
import {
  type OmpsError,
  QuayAuthorizationError,
  QuayCourierError,
  QuayPackageError,
  QuayPackageNotFoundError,
  ReleaseAlreadyExistsError,
} from '../../../src/domain/errors.js';
import type { FileEntry } from '../../../src/domain/files.js';
import { COURIER_FAILED } from '../../../src/domain/original-messages.js';
import { type QuayEmulator, startQuayEmulator, unpackBlob } from '../../emulators/quay-emulator.js';
import { caught as caughtAny } from '../../support/failure.js';
import { transports } from '../../support/transports.js';

const caught = (promise: Promise<unknown>) => caughtAny<OmpsError & Error>(promise);

const TOKEN = 'basic c2VjcmV0LXVzZXI6c2VjcmV0LXBhc3M=';
const OAUTH = 'oauth-secret-token';
/** Short enough for fast tests, long enough for a slow 2-core machine to answer a local call. */
const TIMEOUT_MS = 300;
/** Far beyond TIMEOUT_MS; the emulator ends pending delays when it closes. */
const LONG_DELAY_MS = 10_000;

const text = (s: string) => new TextEncoder().encode(s);

interface LogCall {
  level: string;
  message: string;
  fields: LogFields | undefined;
}

function recordingLogger(calls: LogCall[]): Logger {
  const record = (level: string) => (message: string, fields?: LogFields) => {
    calls.push({ level, message, fields });
  };
  return { debug: record('debug'), info: record('info'), warn: record('warn'), error: record('error') };
}

function pushRequest(overrides: Partial<Parameters<QuayRegistry['push']>[0]> = {}) {
  return {
    organization: 'acme',
    repository: 'etcd',
    version: '1.0.0',
    bundle: [{ path: 'bundle.yaml', data: text('data: {}\n') }],
    token: TOKEN,
    ...overrides,
  };
}

describe.each(transports)('QuayRegistry over %s', (_transport, transport) => {
  let quay: QuayEmulator;
  let logs: LogCall[];

  const makeRegistry = (options: Partial<QuayRegistryOptions> = {}) =>
    new QuayRegistry({
      baseUrl: quay.url,
      logger: recordingLogger(logs),
      retryDelayMs: 5,
      fetch: transport,
      ...options,
    });

  /** Nothing secret ever reaches an error or a log line. */
  const expectNoSecrets = (error?: unknown) => {
    const seen =
      JSON.stringify(logs) + (error instanceof Error ? `${error.message} ${JSON.stringify(error)}` : '');
    expect(seen).not.toContain('c2VjcmV0');
    expect(seen).not.toContain(OAUTH);
  };

  beforeEach(async () => {
    quay = await startQuayEmulator({ tokens: [TOKEN], oauthTokens: [OAUTH] });
    logs = [];
  });

  afterEach(async () => {
    await quay.close();
  });

  describe('constructor', () => {
    it('refuses an invalid base URL or timeout', () => {
      expect(() => new QuayRegistry({ baseUrl: 'not a url' })).toThrow(TypeError);
      expect(() => new QuayRegistry({ baseUrl: 'https://quay.io', timeoutMs: 0 })).toThrow(TypeError);
    });
  });

  describe('releases', () => {
    it('asks GET /cnr/api/v1/packages?namespace=<org> with the token as is', async () => {
      quay.state.seed('acme', 'etcd', ['1.0.0', 'latest']);
      const registry = makeRegistry({ requestHeaders: () => ({ 'X-Request-Id': 'req-42' }) });
      expect(await registry.releases('acme', 'etcd', TOKEN)).toEqual(['1.0.0', 'latest']);
      const [request] = quay.state.requestsFor('list');
      expect(request?.method).toBe('GET');
      expect(request?.path).toBe('/cnr/api/v1/packages?namespace=acme');
      expect(request?.headers.authorization).toBe(TOKEN);
      expect(request?.headers['x-request-id']).toBe('req-42');
    });

    it('encodes the namespace and joins a base URL with trailing slashes without doubling them', async () => {
      const registry = makeRegistry({ baseUrl: `${quay.url}///` });
      expect(await registry.releases('a&b=c', 'etcd', TOKEN)).toBeUndefined();
      expect(quay.state.requestsFor('list')[0]?.path).toBe('/cnr/api/v1/packages?namespace=a%26b%3Dc');
    });

    it('ignores entries of other packages it cannot read', async () => {
      quay.state.fail('list', {
        status: 200,
        body: [
          42,
          null,
          { name: 'acme/other', releases: 'junk' },
          { name: 'acme/etcd', releases: ['2.0.0'] },
        ],
      });
      expect(await makeRegistry().releases('acme', 'etcd', TOKEN)).toEqual(['2.0.0']);
    });

    it('403 with Quay JSON → QuayAuthorizationError with Quay message and quay_response', async () => {
      const body = { error: { code: 'unauthorized-access', message: 'Unauthorized access for: acme' } };
      quay.state.fail('list', { status: 403, body });
      const error = await caught(makeRegistry().releases('acme', 'etcd', TOKEN));
      expect(error).toBeInstanceOf(QuayAuthorizationError);
      expect(error.message).toContain('Unauthorized access for: acme');
      expect(error.extra).toEqual({ field: 'quay_response', value: body });
      expectNoSecrets(error);
    });

    it('403 with a non-JSON body → QuayAuthorizationError with quay_response {}', async () => {
      quay.state.fail('list', { status: 403, body: '<html>Forbidden</html>' });
      const error = await caught(makeRegistry().releases('acme', 'etcd', TOKEN));
      expect(error).toBeInstanceOf(QuayAuthorizationError);
      expect(error.extra).toEqual({ field: 'quay_response', value: {} });
    });

    it.each([
      [404, { error: { code: 'not-found', message: 'no such namespace' } }, 'no such namespace'],
      [401, { error: { code: 'unauthorized-access', message: 'token expired' } }, 'token expired'],
      [500, { error: { code: 'internal', message: 'database is down' } }, 'database is down'],
      [502, '<html>Bad gateway</html>', '502'],
      [503, '{"error": {"code": "unav', '503'],
    ])('%i → QuayPackageError saying what Quay answered', async (status, body, expected) => {
      quay.state.fail('list', { status, body });
      const error = await caught(makeRegistry().releases('acme', 'etcd', TOKEN));
      expect(error).toBeInstanceOf(QuayPackageError);
      expect(error.message).toContain(String(status));
      expect(error.message).toContain(expected);
      expectNoSecrets(error);
    });

    it('retries 5xx answers twice, then reports the last one', async () => {
      quay.state.fail('list', { status: 500 });
      await expect(makeRegistry().releases('acme', 'etcd', TOKEN)).rejects.toBeInstanceOf(QuayPackageError);
      expect(quay.state.requestsFor('list')).toHaveLength(3);
    });

    it('does not retry a 404', async () => {
      quay.state.fail('list', { status: 404 });
      await expect(makeRegistry().releases('acme', 'etcd', TOKEN)).rejects.toBeInstanceOf(QuayPackageError);
      expect(quay.state.requestsFor('list')).toHaveLength(1);
    });

    it('recovers from a transient 503 by retrying', async () => {
      quay.state.seed('acme', 'etcd', ['1.0.0']);
      quay.state.fail('list', { status: 503, times: 1 });
      expect(await makeRegistry().releases('acme', 'etcd', TOKEN)).toEqual(['1.0.0']);
      expect(quay.state.requestsFor('list')).toHaveLength(2);
    });

    it('an answer larger than maxAnswerBytes is refused, not held whole → QuayPackageError', async () => {
      quay.state.seed(
        'acme',
        'etcd',
        Array.from({ length: 5000 }, (_, i) => `${i}.0.0`),
      );
      const error = await caught(makeRegistry({ maxAnswerBytes: 1024 }).releases('acme', 'etcd', TOKEN));
      expect(error).toBeInstanceOf(QuayPackageError);
      expect(error.message).toContain('Quay answered more than 1024 bytes');
      expect(await makeRegistry().releases('acme', 'etcd', TOKEN)).toHaveLength(5000);
    });

    it.each([
      ['a non-JSON body', 'OK', 'not JSON'],
      ['truncated JSON', '[{"name": "acme/etcd", "relea', 'not JSON'],
      ['an object instead of a list', { packages: [] }, 'not a JSON list'],
      [
        'releases that are not a list',
        [{ name: 'acme/etcd', releases: '1.0.0' }],
        'no list of release names',
      ],
      [
        'releases that are not strings',
        [{ name: 'acme/etcd', releases: [1, 2] }],
        'no list of release names',
      ],
      ['an entry without releases', [{ name: 'acme/etcd' }], 'no list of release names'],
    ])('200 with %s → QuayPackageError', async (_what, body, expected) => {
      quay.state.fail('list', { status: 200, body });
      const error = await caught(makeRegistry().releases('acme', 'etcd', TOKEN));
      expect(error).toBeInstanceOf(QuayPackageError);
      expect(error.message).toContain(expected);
      expect(logs).toContainEqual(
        expect.objectContaining({
          level: 'warn',
          fields: expect.objectContaining({ operation: 'releases', status: 200 }),
        }),
      );
    });

    it('a timeout → QuayPackageError, promptly and without retrying', async () => {
      quay.state.fail('list', { delayMs: LONG_DELAY_MS });
      const started = Date.now();
      const error = await caught(makeRegistry({ timeoutMs: TIMEOUT_MS }).releases('acme', 'etcd', TOKEN));
      expect(error).toBeInstanceOf(QuayPackageError);
      expect(error.message).toContain(`did not answer within ${TIMEOUT_MS} ms`);
      expect(Date.now() - started).toBeLessThan(LONG_DELAY_MS / 2);
      expect(quay.state.requestsFor('list')).toHaveLength(1);
      expectNoSecrets(error);
    });

    it('the timeout also covers reading the body', async () => {
      quay.state.fail('list', { stallBodyMs: LONG_DELAY_MS });
      const error = await caught(makeRegistry({ timeoutMs: TIMEOUT_MS }).releases('acme', 'etcd', TOKEN));
      expect(error).toBeInstanceOf(QuayPackageError);
      expect(error.message).toContain('did not answer within');
    });

    it('the timeout covers the retries as a whole', async () => {
      // Every attempt answers 503 after a while: three attempts would exceed the deadline.
      quay.state.fail('list', { status: 503, delayMs: TIMEOUT_MS / 2 });
      const error = await caught(
        makeRegistry({ timeoutMs: TIMEOUT_MS, retryDelayMs: TIMEOUT_MS }).releases('acme', 'etcd', TOKEN),
      );
      expect(error).toBeInstanceOf(QuayPackageError);
      expect(error.message).toContain('did not answer within');
      expect(quay.state.requestsFor('list').length).toBeLessThan(3);
    });

    it('a connection broken mid-answer → QuayPackageError', async () => {
      quay.state.fail('list', { dropConnection: true });
      const error = await caught(makeRegistry({ retryDelayMs: 1 }).releases('acme', 'etcd', TOKEN));
      expect(error).toBeInstanceOf(QuayPackageError);
      expect(error.message).toContain('while reading its answer');
    });

    it('connection refused → QuayPackageError naming the cause, logged without the token', async () => {
      await quay.close();
      const error = await caught(makeRegistry().releases('acme', 'etcd', TOKEN));
      expect(error).toBeInstanceOf(QuayPackageError);
      expect(error.message).toContain('could not connect to Quay (ECONNREFUSED)');
      expect(logs).toContainEqual({
        level: 'warn',
        message: 'upstream call failed',
        fields: expect.objectContaining({ upstream: 'quay', operation: 'releases', status: null }),
      });
      expectNoSecrets(error);
    });
  });

  describe('push', () => {
    it.each([
      ['CompressionStream (Web standard)', undefined],
      ["Node's zlib", new QuayBundlePacker(zlibGzip)],
    ])(
      'POSTs the release, media type helm and the bundle as base64(gzip(tar)) under one folder, gzip by %s',
      async (_, packer) => {
        const bundle: FileEntry[] = [
          { path: 'etcd.package.yaml', data: text('packageName: etcd\n') },
          { path: '0.9.0/etcd.csv.yaml', data: text('kind: ClusterServiceVersion\n') },
          { path: '0.9.0/deep/er/crd.yaml', data: new Uint8Array([0, 1, 2, 254, 255]) },
          { path: 'empty.yaml', data: new Uint8Array() },
        ];
        const registry = makeRegistry({
          requestHeaders: () => ({ 'x-request-id': 'req-7', authorization: 'nope' }),
          ...(packer ? { packer } : {}),
        });
        await registry.push(pushRequest({ version: '2.1.0', bundle }));

        const [request] = quay.state.requestsFor('push');
        expect(request?.method).toBe('POST');
        expect(request?.path).toBe('/cnr/api/v1/packages/acme/etcd');
        expect(request?.headers.authorization).toBe(TOKEN);
        expect(request?.headers['x-request-id']).toBe('req-7');
        expect(request?.headers['content-type']).toContain('application/json');

        const [push] = quay.state.pushes;
        expect(Object.keys(push?.body ?? {}).sort()).toEqual(['blob', 'media_type', 'release']);
        expect(push?.release).toBe('2.1.0');
        expect(push?.mediaType).toBe('helm');

        const unpacked = await unpackBlob(push?.blob ?? new Uint8Array());
        expect(unpacked.topLevel).toEqual(['etcd']);
        expect(unpacked.entries[0]).toEqual({ name: 'etcd/', type: 'directory' });
        expect(unpacked.entries.filter((e) => e.type === 'directory').map((e) => e.name)).toEqual([
          'etcd/',
          'etcd/0.9.0/',
          'etcd/0.9.0/deep/',
          'etcd/0.9.0/deep/er/',
        ]);
        expect(unpacked.files.map((f) => ({ path: f.path, data: [...f.data] }))).toEqual(
          [...bundle]
            .sort((a, b) => (a.path < b.path ? -1 : 1))
            .map((f) => ({ path: f.path, data: [...f.data] })),
        );
        const headers = (await unpackTar(gunzipSync(push!.blob), { strict: true })).map((e) => e.header);
        for (const header of headers) {
          expect(header.mode).toBe(header.type === 'directory' ? 0o755 : 0o644);
          expect([header.uid, header.gid]).toEqual([0, 0]);
          expect(Math.abs((header.mtime?.getTime() ?? 0) - Date.now())).toBeLessThan(60_000);
        }
      },
    );

    it('sends the bundle the job packed (`packed`) as the blob, and packs it itself without it', async () => {
      const bundle = [{ path: 'bundle.yaml', data: text('data: {}\n') }];
      const packed = await packBundle([{ path: 'packed-by-the-job.yaml', data: text('x') }], 'etcd');
      const registry = makeRegistry();
      await registry.push(pushRequest({ version: '1.0.0', bundle, packed }));
      await registry.push(pushRequest({ version: '1.0.1', bundle }));
      const [withPacked, without] = quay.state.pushes;
      expect(Buffer.from(withPacked!.blob).equals(Buffer.from(packed))).toBe(true);
      expect((await unpackBlob(without!.blob)).files.map((f) => f.path)).toEqual(['bundle.yaml']);
    });

    it('a bundle it cannot pack → QuayCourierError naming why, nothing sent', async () => {
      const bundle = [{ path: 'a/../../b', data: text('') }];
      const error = await caught(makeRegistry().push(pushRequest({ bundle })));
      expect(error).toBeInstanceOf(QuayCourierError);
      expect(error.message).toBe(
        `${COURIER_FAILED} could not push release 1.0.0 of acme/etcd to Quay: Bundle path "a/../../b" is not a safe relative path.`,
      );
      expect(quay.state.requestsFor('push')).toEqual([]);
    });

    it('carries a multi-megabyte bundle intact', async () => {
      const big = new Uint8Array(3 * 1024 * 1024 + 7);
      for (let i = 0; i < big.length; i++) big[i] = (i * 7919 + (i >> 9)) & 0xff;
      await makeRegistry().push(pushRequest({ bundle: [{ path: 'big.bin', data: big }] }));
      const unpacked = await unpackBlob(quay.state.pushes[0]?.blob ?? new Uint8Array());
      expect(unpacked.files).toHaveLength(1);
      expect(Buffer.from(unpacked.files[0]?.data ?? []).equals(Buffer.from(big))).toBe(true);
    });

    it('URL-encodes organization and repository', async () => {
      await makeRegistry().push(pushRequest({ organization: 'ac me', repository: 'etcd?x=1' }));
      expect(quay.state.requestsFor('push')[0]?.path).toBe('/cnr/api/v1/packages/ac%20me/etcd%3Fx%3D1');
      expect(quay.state.releases('ac me', 'etcd?x=1')).toEqual(['1.0.0']);
    });

    it('403 → QuayAuthorizationError with Quay message and quay_response', async () => {
      const body = { error: { code: 'unauthorized-access', message: 'Unauthorized access for: acme/etcd' } };
      quay.state.fail('push', { status: 403, body });
      const error = await caught(makeRegistry().push(pushRequest()));
      expect(error).toBeInstanceOf(QuayAuthorizationError);
      expect(error.message).toContain('Unauthorized access for: acme/etcd');
      expect(error.extra).toEqual({ field: 'quay_response', value: body });
      expectNoSecrets(error);
    });

    it('409 package-exists → ReleaseAlreadyExistsError with Quay JSON', async () => {
      quay.state.seed('acme', 'etcd', ['1.0.0']);
      const error = await caught(makeRegistry().push(pushRequest()));
      expect(error).toBeInstanceOf(ReleaseAlreadyExistsError);
      expect(error.id).toBe('QuayCourierError');
      expect((error as unknown as ReleaseAlreadyExistsError).release).toBe('1.0.0');
      expect(error.message).toContain('package exists already');
      expect(error.extra?.value).toMatchObject({ error: { code: 'package-exists' } });
    });

    it.each([
      ['409 with a non-JSON body', 409, 'Conflict'],
      [
        'code package-exists with another status',
        400,
        { error: { code: 'package-exists', message: 'exists' } },
      ],
    ])('%s → ReleaseAlreadyExistsError', async (_what, status, body) => {
      quay.state.fail('push', { status, body });
      await expect(makeRegistry().push(pushRequest())).rejects.toBeInstanceOf(ReleaseAlreadyExistsError);
    });

    it('500 with JSON → QuayCourierError with Quay message and quay_response; never retried', async () => {
      const body = { error: { code: 'internal-error', message: 'storage is full' } };
      quay.state.fail('push', { status: 500, body });
      const error = await caught(makeRegistry().push(pushRequest()));
      expect(error).toBeInstanceOf(QuayCourierError);
      expect(error).not.toBeInstanceOf(ReleaseAlreadyExistsError);
      expect(error.message).toContain('500');
      expect(error.message).toContain('storage is full');
      expect(error.extra).toEqual({ field: 'quay_response', value: body });
      expect(quay.state.requestsFor('push')).toHaveLength(1);
      expect(logs).toContainEqual({
        level: 'warn',
        message: 'upstream call failed',
        fields: expect.objectContaining({ upstream: 'quay', operation: 'push', status: 500 }),
      });
      expect(typeof logs[0]?.fields?.duration_ms).toBe('number');
      expectNoSecrets(error);
    });

    it.each([
      ['non-JSON', 502, '<html>Bad Gateway</html>'],
      ['truncated JSON', 400, '{"error": {"code": "inval'],
      ['a JSON list', 400, ['not', 'an', 'object']],
    ])('an error answer with %s → QuayCourierError with quay_response {}', async (_what, status, body) => {
      quay.state.fail('push', { status, body });
      const error = await caught(makeRegistry().push(pushRequest()));
      expect(error).toBeInstanceOf(QuayCourierError);
      expect(error).not.toBeInstanceOf(ReleaseAlreadyExistsError);
      expect(error.message).toContain(String(status));
      expect(error.extra).toEqual({ field: 'quay_response', value: {} });
    });

    it('a timeout → QuayCourierError with quay_response {}, sent once', async () => {
      quay.state.fail('push', { delayMs: LONG_DELAY_MS });
      const started = Date.now();
      const error = await caught(makeRegistry({ timeoutMs: TIMEOUT_MS }).push(pushRequest()));
      expect(error).toBeInstanceOf(QuayCourierError);
      expect(error).not.toBeInstanceOf(ReleaseAlreadyExistsError);
      expect(error.message).toContain(`did not answer within ${TIMEOUT_MS} ms`);
      expect(error.extra).toEqual({ field: 'quay_response', value: {} });
      expect(Date.now() - started).toBeLessThan(LONG_DELAY_MS / 2);
      expect(quay.state.requestsFor('push')).toHaveLength(1);
    });

    it('connection refused → QuayCourierError with quay_response {}', async () => {
      await quay.close();
      const error = await caught(makeRegistry().push(pushRequest()));
      expect(error).toBeInstanceOf(QuayCourierError);
      expect(error.message).toContain('ECONNREFUSED');
      expect(error.extra).toEqual({ field: 'quay_response', value: {} });
      expectNoSecrets(error);
    });

    it('a token that is not a valid header value → QuayCourierError that does not quote it', async () => {
      const error = await caught(makeRegistry().push(pushRequest({ token: 'c2VjcmV0\nx' })));
      expect(error).toBeInstanceOf(QuayCourierError);
      expectNoSecrets(error);
      expect(quay.state.requests).toHaveLength(0);
    });
  });

  describe('deleteRelease', () => {
    it('sends DELETE /cnr/api/v1/packages/<org>/<repo>/<version>/helm with the token', async () => {
      quay.state.seed('acme', 'etcd', ['1.0.0', 'not semver/1']);
      const registry = makeRegistry();
      await registry.deleteRelease('acme', 'etcd', '1.0.0', TOKEN);
      await registry.deleteRelease('acme', 'etcd', 'not semver/1', TOKEN);
      const requests = quay.state.requestsFor('delete');
      expect(requests.map((r) => [r.method, r.path])).toEqual([
        ['DELETE', '/cnr/api/v1/packages/acme/etcd/1.0.0/helm'],
        ['DELETE', '/cnr/api/v1/packages/acme/etcd/not%20semver%2F1/helm'],
      ]);
      expect(requests[0]?.headers.authorization).toBe(TOKEN);
      expect(quay.state.releases('acme', 'etcd')).toEqual([]);
    });

    it('404 → QuayPackageNotFound with Quay message', async () => {
      const error = await caught(makeRegistry().deleteRelease('acme', 'etcd', '1.0.0', TOKEN));
      expect(error).toBeInstanceOf(QuayPackageNotFoundError);
      expect(error.message).toContain('does not exist');
    });

    it('404 with a non-JSON body → QuayPackageNotFound', async () => {
      quay.state.fail('delete', { status: 404, body: 'Not Found' });
      await expect(makeRegistry().deleteRelease('acme', 'etcd', '1.0.0', TOKEN)).rejects.toBeInstanceOf(
        QuayPackageNotFoundError,
      );
    });

    it.each([
      [
        403,
        { error: { code: 'unauthorized-access', message: 'Unauthorized access' } },
        'Unauthorized access',
      ],
      [500, { error: { code: 'internal', message: 'boom' } }, 'boom'],
      [502, '<html>gateway', '502'],
      [409, '{"trunc', '409'],
    ])('%i → QuayPackageError, sent once', async (status, body, expected) => {
      quay.state.fail('delete', { status, body });
      const error = await caught(makeRegistry().deleteRelease('acme', 'etcd', '1.0.0', TOKEN));
      expect(error).toBeInstanceOf(QuayPackageError);
      expect(error.message).toContain(expected);
      expect(quay.state.requestsFor('delete')).toHaveLength(1);
      expectNoSecrets(error);
    });

    it('a timeout → QuayPackageError', async () => {
      quay.state.fail('delete', { delayMs: LONG_DELAY_MS });
      const error = await caught(
        makeRegistry({ timeoutMs: TIMEOUT_MS }).deleteRelease('acme', 'etcd', '1.0.0', TOKEN),
      );
      expect(error).toBeInstanceOf(QuayPackageError);
      expect(error.message).toContain('did not answer within');
    });

    it('connection refused → QuayPackageError', async () => {
      await quay.close();
      const error = await caught(makeRegistry().deleteRelease('acme', 'etcd', '1.0.0', TOKEN));
      expect(error).toBeInstanceOf(QuayPackageError);
      expect(error.message).toContain('ECONNREFUSED');
    });

    it('a version that URL parsing would resolve away (".." ) → QuayPackageError, nothing sent', async () => {
      const error = await caught(makeRegistry().deleteRelease('acme', 'etcd', '..', TOKEN));
      expect(error).toBeInstanceOf(QuayPackageError);
      expect(quay.state.requests).toHaveLength(0);
    });
  });

  describe('makePublic', () => {
    it('POSTs {"visibility": "public"} to changevisibility with the oauth token as Bearer', async () => {
      quay.state.seed('acme', 'etcd', ['1.0.0']);
      await makeRegistry().makePublic('acme', 'etcd', OAUTH);
      const [request] = quay.state.requestsFor('visibility');
      expect(request?.method).toBe('POST');
      expect(request?.path).toBe('/api/v1/repository/acme/etcd/changevisibility');
      expect(request?.headers.authorization).toBe(`Bearer ${OAUTH}`);
      expect(JSON.parse(request?.body ?? '')).toEqual({ visibility: 'public' });
      expect(quay.state.visibility('acme', 'etcd')).toBe('public');
    });

    it.each([
      [403, undefined],
      [500, '<html>oops'],
      [404, { detail: 'Not Found', error_message: 'Not Found' }],
    ])('%i → QuayPackageError', async (status, body) => {
      quay.state.fail('visibility', { status, body });
      const error = await caught(makeRegistry().makePublic('acme', 'etcd', OAUTH));
      expect(error).toBeInstanceOf(QuayPackageError);
      expect(error.message).toContain(String(status));
      expectNoSecrets(error);
    });

    it('a timeout → QuayPackageError', async () => {
      quay.state.fail('visibility', { delayMs: LONG_DELAY_MS });
      const error = await caught(makeRegistry({ timeoutMs: TIMEOUT_MS }).makePublic('acme', 'etcd', OAUTH));
      expect(error).toBeInstanceOf(QuayPackageError);
      expect(error.message).toContain('did not answer within');
    });

    it('connection refused → QuayPackageError', async () => {
      await quay.close();
      await expect(makeRegistry().makePublic('acme', 'etcd', OAUTH)).rejects.toBeInstanceOf(QuayPackageError);
    });
  });

  describe('ping', () => {
    it('GETs /cnr/version without Authorization', async () => {
      await makeRegistry().ping();
      const [request] = quay.state.requestsFor('version');
      expect(request?.method).toBe('GET');
      expect(request?.path).toBe('/cnr/version');
      expect(request?.headers.authorization).toBeUndefined();
    });

    it.each([
      ['a 502', { status: 502, body: '<html>' }, 'Quay answered 502'],
      ['an answer without cnr-api', { status: 200, body: { 'quay-server': 'v3' } }, 'has no cnr-api'],
      ['an answer that is a list', { status: 200, body: ['cnr-api'] }, 'has no cnr-api'],
      ['a non-JSON answer', { status: 200, body: 'hello' }, 'is not JSON'],
    ])('rejects on %s with the reason', async (_what, fault, reason) => {
      quay.state.fail('version', fault);
      await expect(makeRegistry().ping()).rejects.toThrow(reason);
    });

    it('rejects on a timeout', async () => {
      quay.state.fail('version', { delayMs: LONG_DELAY_MS });
      await expect(makeRegistry({ timeoutMs: TIMEOUT_MS }).ping()).rejects.toThrow(
        `Quay did not answer within ${TIMEOUT_MS} ms`,
      );
    });

    it('says seconds for a whole-second timeout', async () => {
      quay.state.fail('version', { stallBodyMs: LONG_DELAY_MS });
      await expect(makeRegistry({ timeoutMs: 1000 }).ping()).rejects.toThrow(
        'Quay did not answer within 1 s',
      );
    });

    it('rejects when Quay is unreachable', async () => {
      await quay.close();
      await expect(makeRegistry().ping()).rejects.toThrow('Could not connect to Quay (ECONNREFUSED)');
    });
  });

  describe('with an injected fetch and a base URL with a path', () => {
    it('joins the path prefix and uses the given fetch', async () => {
      const seen: string[] = [];
      const fakeFetch = async (url: string) => {
        seen.push(url);
        return Response.json([{ name: 'acme/etcd', releases: ['3.0.0'] }]);
      };
      const registry = new QuayRegistry({ baseUrl: 'https://quay.example/prefix/', fetch: fakeFetch });
      expect(await registry.releases('acme', 'etcd', TOKEN)).toEqual(['3.0.0']);
      expect(seen).toEqual(['https://quay.example/prefix/cnr/api/v1/packages?namespace=acme']);
    });
  });
});

describe('bundle-blob', () => {
  it.each([
    ['toBase64', toBase64],
    ['toBase64Portable', toBase64Portable],
  ])('%s equals the standard encoding for every padding case, views and large inputs', (_, encode) => {
    for (let length = 0; length < 10; length++) {
      const bytes = Uint8Array.from({ length }, (_, i) => (i * 37 + 200) & 0xff);
      expect(encode(bytes)).toBe(Buffer.from(bytes).toString('base64'));
    }
    const big = Uint8Array.from({ length: 5 * 1024 * 1024 + 1 }, (_, i) => (i * 31) & 0xff);
    expect(encode(big)).toBe(Buffer.from(big).toString('base64'));
    expect(encode(big.subarray(7, 107))).toBe(Buffer.from(big.subarray(7, 107)).toString('base64'));
  });

  it('packs under the folder given; an empty bundle is just the folder', async () => {
    const unpacked = await unpackBlob(await packBundle([], 'etcd'));
    expect(unpacked.entries).toEqual([{ name: 'etcd/', type: 'directory' }]);
    expect(unpacked.files).toEqual([]);
  });

  it('keeps long paths intact', async () => {
    const path = `${'d'.repeat(60)}/${'e'.repeat(60)}/${'f'.repeat(150)}.yaml`;
    const unpacked = await unpackBlob(await packBundle([{ path, data: text('x') }], 'etcd'));
    expect(unpacked.files.map((f) => f.path)).toEqual([path]);
  });

  it.each([
    ['an unsafe folder', [], '../x'],
    ['an empty folder', [], ''],
    ['an absolute path', [{ path: '/etc/passwd', data: text('') }], 'etcd'],
    ['a ".." segment', [{ path: 'a/../b', data: text('') }], 'etcd'],
    [
      'a duplicate path',
      [
        { path: 'a', data: text('') },
        { path: 'a', data: text('') },
      ],
      'etcd',
    ],
    [
      'a file that is also a folder',
      [
        { path: 'a', data: text('') },
        { path: 'a/b', data: text('') },
      ],
      'etcd',
    ],
  ])('refuses %s', async (_what, files, folder) => {
    await expect(packBundle(files, folder)).rejects.toThrow(TypeError);
  });
});
