/** Koji-specific behaviour of the adapter, beyond the BuildSystem contract. */

import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  KojiBuildSystem,
  type KojiBuildSystemOptions,
} from '../../../src/adapters/koji/koji-build-system.js';
import type { FetchLike } from '../../../src/adapters/upstream/call.js';
import {
  KojiError,
  KojiNotAnOperatorImageError,
  KojiNVRBuildNotFoundError,
  type OmpsError,
  UploadedFileError,
} from '../../../src/domain/errors.js';
import { archiveBytes, type KojiEmulator, SEEDED, startKojiEmulator } from '../../emulators/koji-emulator.js';
import { caught } from '../../support/failure.js';
import { RecordingLogger } from '../../support/recording-logger.js';
import { transports } from '../../support/transports.js';

/** Wraps fetch to count the body bytes the adapter pulls, and whether it cancelled the body. */
function countingFetch(base: FetchLike) {
  const stats = { bytesRead: 0, largestChunk: 0, cancelled: false };
  const wrapped: FetchLike = async (url, init) => {
    const response = await base(url, init);
    if (!response.body) return response;
    const reader = response.body.getReader();
    const body = new ReadableStream<Uint8Array>(
      {
        async pull(controller) {
          const { done, value } = await reader.read();
          if (done) return controller.close();
          stats.bytesRead += value.byteLength;
          stats.largestChunk = Math.max(stats.largestChunk, value.byteLength);
          controller.enqueue(value);
        },
        cancel(reason) {
          stats.cancelled = true;
          return reader.cancel(reason);
        },
      },
      { highWaterMark: 0 },
    );
    return new Response(body, {
      status: response.status,
      statusText: response.statusText,
      headers: response.headers,
    });
  };
  return { fetch: wrapped, stats };
}

/** toEqual walks typed arrays element by element: slow on big archives. */
function sameBytes(actual: Uint8Array, expected: Uint8Array): boolean {
  return Buffer.from(actual).equals(Buffer.from(expected));
}

describe.each(transports)('KojiBuildSystem over %s', (_transport, transport) => {
  let koji: KojiEmulator;
  let logger: RecordingLogger;
  const make = (options: Partial<KojiBuildSystemOptions> = {}) =>
    new KojiBuildSystem({
      hubUrl: koji.hubUrl,
      rootUrl: koji.rootUrl,
      timeoutMs: 5_000,
      logger,
      fetch: transport,
      ...options,
    });

  beforeEach(async () => {
    koji = await startKojiEmulator();
    logger = new RecordingLogger();
  });

  afterEach(async () => {
    await koji.close();
  });

  describe('locateManifests', () => {
    it('asks the hub getBuild(nvr) in a real XML-RPC envelope', async () => {
      await make({ requestHeaders: () => ({ 'x-request-id': 'req-1' }) }).locateManifests(SEEDED.typeinfo);
      const [call] = koji.state.callsOf('getBuild');
      expect(call?.params).toEqual([SEEDED.typeinfo]);
      expect(call?.headers['content-type']).toBe('text/xml');
      expect(call?.headers['x-request-id']).toBe('req-1');
      expect(call?.body).toMatch(/^<\?xml version="1.0" encoding="UTF-8"\?><methodCall>/);
    });

    it('builds the typeinfo archive URL under packages/, with single slashes', async () => {
      const location = await make().locateManifests(SEEDED.typeinfo);
      const root = koji.rootUrl.replace(/\/$/, '');
      expect(location).toEqual({
        nvr: SEEDED.typeinfo,
        url: `${root}/packages/etcd-operator-metadata/0.9.2/1/files/operator-manifests/operator_manifests.zip`,
      });
      expect(location.url.replace('http://', '')).not.toContain('//');
    });

    it('joins a root URL without a trailing slash the same way', async () => {
      const location = await make({ rootUrl: koji.rootUrl.replace(/\/+$/, '') }).locateManifests(
        SEEDED.typeinfo,
      );
      expect(location.url.replace('http://', '')).not.toContain('//');
      const bytes = await make().download(location, 1_000_000);
      expect(bytes).toEqual(archiveBytes(SEEDED.typeinfo));
    });

    it('finds a legacy archive through getBuildLogs(build id) and downloads it', async () => {
      const buildSystem = make();
      const location = await buildSystem.locateManifests(SEEDED.legacy);
      const build = koji.state.builds.get(SEEDED.legacy);
      expect(koji.state.callsOf('getBuildLogs').map((c) => c.params)).toEqual([[build?.id]]);
      expect(location.url).toBe(
        `${koji.rootUrl}packages/etcd-operator-legacy/0.9.0/3/data/logs/noarch/operator_manifests.zip`,
      );
      expect(sameBytes(await buildSystem.download(location, 1_000_000), archiveBytes(SEEDED.legacy))).toBe(
        true,
      );
    });

    it('answers KojiNotAnOperatorImage for a build whose extra is null', async () => {
      const error = await caught(make().locateManifests(SEEDED.extraNull));
      expect(error).toBeInstanceOf(KojiNotAnOperatorImageError);
    });

    it('answers KojiNotAnOperatorImage for an image build without operator-manifests', async () => {
      koji.state.addBuild('plain-image-1.0-1', { typeinfo: { image: {} }, container_koji_task_id: 7 });
      expect(await caught(make().locateManifests('plain-image-1.0-1'))).toBeInstanceOf(
        KojiNotAnOperatorImageError,
      );
    });

    it('answers KojiNVRBuildNotFound without asking the hub for an NVR XML cannot carry', async () => {
      const error = await caught(make().locateManifests('bad\u0001nvr-1-1'));
      expect(error).toBeInstanceOf(KojiNVRBuildNotFoundError);
      expect(koji.state.calls).toHaveLength(0);
    });

    it('turns an XML-RPC fault into a KojiError naming the call, and logs it', async () => {
      koji.state.failHub('getBuild', { fault: { faultCode: 1000, faultString: 'database is on fire' } });
      const error = await caught(make().locateManifests(SEEDED.typeinfo));
      expect(error).toBeInstanceOf(KojiError);
      expect((error as OmpsError).id).toBe('KojiError');
      expect((error as Error).message).toBe(
        'Koji hub call getBuild failed: answered fault 1000: database is on fire.',
      );
      expect(logger.warnings).toEqual([
        {
          message: 'upstream call failed',
          fields: expect.objectContaining({ upstream: 'koji', operation: 'getBuild', nvr: SEEDED.typeinfo }),
        },
      ]);
      expect(koji.state.callsOf('getBuild')).toHaveLength(1); // faults are not retried
    });

    it('names getBuildLogs when that call fails', async () => {
      koji.state.failHub('getBuildLogs', { fault: { faultCode: 1, faultString: 'nope' } });
      const error = await caught(make().locateManifests(SEEDED.legacy));
      expect(error).toBeInstanceOf(KojiError);
      expect((error as Error).message).toContain('getBuildLogs');
    });

    it('turns a hub HTTP 500 into a KojiError, without retrying', async () => {
      koji.state.failHub('getBuild', { status: 500 });
      const error = await caught(make().locateManifests(SEEDED.typeinfo));
      expect(error).toBeInstanceOf(KojiError);
      expect((error as Error).message).toBe('Koji hub call getBuild failed: answered HTTP 500.');
      expect(koji.state.callsOf('getBuild')).toHaveLength(1);
    });

    it('retries a hub 503 and succeeds when the hub recovers', async () => {
      koji.state.failHub('getBuild', { status: 503, times: 1 });
      const location = await make().locateManifests(SEEDED.typeinfo);
      expect(location.nvr).toBe(SEEDED.typeinfo);
      expect(koji.state.callsOf('getBuild')).toHaveLength(2);
      expect(logger.warnings[0]?.fields).toMatchObject({
        operation: 'getBuild',
        retrying: true,
        status: 503,
      });
    });

    it('gives up after a few retries of a hub that stays unavailable', async () => {
      koji.state.failHub('getBuild', { status: 503 });
      const error = await caught(make().locateManifests(SEEDED.typeinfo));
      expect((error as Error).message).toBe('Koji hub call getBuild failed: answered HTTP 503.');
      expect(koji.state.callsOf('getBuild')).toHaveLength(3);
    });

    it('turns malformed XML into a KojiError', async () => {
      koji.state.failHub('getBuild', { body: '<methodResponse><params><param><value><struct>' });
      const error = await caught(make().locateManifests(SEEDED.typeinfo));
      expect(error).toBeInstanceOf(KojiError);
      expect((error as Error).message).toMatch(
        /^Koji hub call getBuild failed: answered a malformed XML-RPC response/,
      );
    });

    it('turns a well-formed but unusable answer into a KojiError', async () => {
      koji.state.failHub('getBuild', {
        body: '<?xml version="1.0"?><methodResponse><params><param><value><int>5</int></value></param></params></methodResponse>',
      });
      const error = await caught(make().locateManifests(SEEDED.typeinfo));
      expect(error).toBeInstanceOf(KojiError);
      expect((error as Error).message).toContain('getBuild');
    });

    it('times out a slow hub within the budget', async () => {
      koji.state.failHub('getBuild', { delayMs: 10_000 });
      const started = Date.now();
      const error = await caught(make({ timeoutMs: 300 }).locateManifests(SEEDED.typeinfo));
      expect(Date.now() - started).toBeLessThan(3_000);
      expect(error).toBeInstanceOf(KojiError);
      expect((error as Error).message).toBe('Koji hub call getBuild failed: timed out after 300 ms.');
    });

    it('turns a refused connection into a KojiError', async () => {
      const buildSystem = make();
      await koji.close();
      const error = await caught(buildSystem.locateManifests(SEEDED.typeinfo));
      expect(error).toBeInstanceOf(KojiError);
      expect((error as Error).message).toBe(
        'Koji hub call getBuild failed: could not connect (ECONNREFUSED).',
      );
      expect(logger.warnings.at(-1)?.fields).toMatchObject({ upstream: 'koji', operation: 'getBuild' });
    });

    it("names a connection failure by its code only, never by the runtime's message", async () => {
      // A runtime's message may quote the URL, credentials included; without a code nothing is quoted.
      const failing = async () => {
        throw new TypeError('fetch failed', {
          cause: new Error('connect to https://user:s3cret@koji/ failed'),
        });
      };
      const error = await caught(make({ fetch: failing }).locateManifests(SEEDED.typeinfo));
      expect(error).toBeInstanceOf(KojiError);
      expect((error as Error).message).toBe('Koji hub call getBuild failed: could not connect.');
    });
  });

  describe('download', () => {
    const locate = () => make().locateManifests(SEEDED.typeinfo);
    const archivePath = () =>
      `packages/etcd-operator-metadata/0.9.2/1/files/operator-manifests/${SEEDED.archiveName}`;

    it('sends the request headers with the download', async () => {
      const location = await locate();
      await make({ requestHeaders: () => ({ 'x-request-id': 'req-2' }) }).download(location, 1_000_000);
      expect(koji.state.downloads.at(-1)?.headers['x-request-id']).toBe('req-2');
    });

    it('turns a 404 into a KojiError naming the download', async () => {
      const location = await locate();
      koji.state.files.delete(archivePath());
      const error = await caught(make().download(location, 1_000_000));
      expect(error).toBeInstanceOf(KojiError);
      expect((error as Error).message).toBe(
        `Downloading the operator manifests archive of ${SEEDED.typeinfo} from Koji failed: answered HTTP 404.`,
      );
      expect(logger.warnings.at(-1)?.fields).toMatchObject({
        upstream: 'koji',
        operation: 'download',
        status: 404,
      });
    });

    it('refuses a body whose Content-Length is too big before reading it', async () => {
      const location = await locate();
      koji.state.files.set(archivePath(), { data: new Uint8Array(500_000) });
      const { fetch, stats } = countingFetch(transport);
      const error = await caught(make({ fetch }).download(location, 100_000));
      expect(error).toBeInstanceOf(UploadedFileError);
      expect(stats.bytesRead).toBe(0);
      expect(stats.cancelled).toBe(true);
    });

    it('stops reading a body without Content-Length as soon as it passes maxBytes', async () => {
      const location = await locate();
      // A body that never ends: only stopping early lets this test finish.
      koji.state.files.set(archivePath(), { data: archiveBytes('endless'), endless: true });
      const { fetch, stats } = countingFetch(transport);
      const error = await caught(make({ fetch }).download(location, 100_000));
      expect(error).toBeInstanceOf(UploadedFileError);
      expect((error as Error).message).toContain(SEEDED.typeinfo);
      expect(stats.cancelled).toBe(true);
      expect(stats.bytesRead).toBeGreaterThan(100_000);
      expect(stats.bytesRead).toBeLessThanOrEqual(100_000 + stats.largestChunk);
    });

    it('reads a chunked body within maxBytes whole', async () => {
      const location = await locate();
      const data = archiveBytes('chunked', 200_000);
      koji.state.files.set(archivePath(), { data, chunked: true });
      expect(sameBytes(await make().download(location, 200_000), data)).toBe(true);
    });

    it('times out when the headers are slow', async () => {
      const location = await locate();
      koji.state.failFile('*', { delayMs: 10_000 });
      const started = Date.now();
      const error = await caught(make({ timeoutMs: 300 }).download(location, 1_000_000));
      expect(Date.now() - started).toBeLessThan(3_000);
      expect(error).toBeInstanceOf(KojiError);
      expect((error as Error).message).toContain('timed out after 300 ms');
    });

    it('times out when the body stalls after the headers (the budget covers the body)', async () => {
      const location = await locate();
      koji.state.failFile('*', { stallAfterBytes: 100 });
      const { fetch, stats } = countingFetch(transport);
      const started = Date.now();
      const error = await caught(make({ timeoutMs: 400, fetch }).download(location, 1_000_000));
      expect(Date.now() - started).toBeLessThan(3_000);
      expect(error).toBeInstanceOf(KojiError);
      expect((error as Error).message).toContain('timed out after 400 ms');
      expect(stats.bytesRead).toBe(100);
    });

    it('retries a 503 from the files server', async () => {
      const location = await locate();
      koji.state.failFile('*', { status: 503, times: 1 });
      expect(sameBytes(await make().download(location, 1_000_000), archiveBytes(SEEDED.typeinfo))).toBe(true);
      expect(koji.state.downloads).toHaveLength(2);
    });

    it('turns a refused connection into a KojiError', async () => {
      const location = await locate();
      await koji.close();
      const error = await caught(make().download(location, 1_000_000));
      expect(error).toBeInstanceOf(KojiError);
      expect((error as Error).message).toContain('could not connect (ECONNREFUSED)');
    });
  });

  describe('ping', () => {
    it('asks getAPIVersion', async () => {
      await make().ping();
      expect(koji.state.callsOf('getAPIVersion')).toHaveLength(1);
    });

    it('rejects with the reason when the hub faults', async () => {
      koji.state.failHub('getAPIVersion', { fault: { faultCode: 1, faultString: 'maintenance' } });
      await expect(make().ping()).rejects.toThrow(
        'Koji hub call getAPIVersion failed: answered fault 1: maintenance.',
      );
    });

    it('rejects with the reason when the hub is gone', async () => {
      const buildSystem = make();
      await koji.close();
      await expect(buildSystem.ping()).rejects.toThrow(/could not connect/);
    });
  });
});
