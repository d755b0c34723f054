/**
 * The bundle-thread BundleEngine: the same work as inline, off the calling
 * thread, errors keeping their ids across the boundary, a bounded queue
 * (503 OMPSServiceBusy + Retry-After through the HTTP app), recovery from a
 * dead thread, and shutdown.
 */
import { gunzipSync } from 'fflate';
import { unpackTar } from 'modern-tar';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { fflateGzip } from '../../../src/adapters/fflate/fflate-gzip.js';
import { asOmpsError } from '../../../src/adapters/http/error-table.js';
import { InMemoryBuildSystem } from '../../../src/adapters/memory/in-memory-build-system.js';
import { InMemoryRegistry } from '../../../src/adapters/memory/in-memory-registry.js';
import { QuayBundlePacker } from '../../../src/adapters/quay/bundle-blob.js';
import {
  ThreadPoolBundleEngine,
  type ThreadPoolOptions,
} from '../../../src/adapters/thread-pool/thread-pool-engine.js';
import { ZipArchive } from '../../../src/adapters/zip/zip-archive.js';
import { runBundleJob } from '../../../src/application/bundle-job.js';
import { type BundleJob, silentLogger } from '../../../src/application/ports.js';
import {
  BundleJobTimeoutError,
  OmpsError,
  PackageValidationError,
  ServiceBusyError,
  UploadedFileError,
} from '../../../src/domain/errors.js';
import { DEFAULT_POLICY } from '../../../src/domain/organization-policy.js';
import { parseConfig } from '../../../src/infrastructure/config.js';
import { createService } from '../../../src/infrastructure/container.js';
import { SAMPLE_OPERATOR_FILES } from '../../../src/infrastructure/demo/sample-operator.js';
import { buildBundleThread } from '../../support/bundle-thread.js';
import { multipart, sampleZip, zipOf } from '../../support/bundles.js';
import { caught } from '../../support/failure.js';
import { manyRulesZip } from '../../support/heavy-bundles.js';

const LIMIT = 20 * 1024 * 1024;
/** A job that never ends on its own: an administrator's regexp that backtracks catastrophically over a manifest line. */
const backtracking = (): BundleJob =>
  job(
    zipOf({
      ...SAMPLE_OPERATOR_FILES,
      'notes.yaml': `notes: ${'a'.repeat(64)}\n`,
    }),
    { policy: { ...DEFAULT_POLICY, replaceRegistry: [{ old: '(a+)+b', new: 'x', regexp: true }] } },
  );

const job = (bytes: Uint8Array, extra: Partial<BundleJob> = {}): BundleJob => ({
  bytes,
  maxUncompressedSize: LIMIT,
  policy: DEFAULT_POLICY,
  ...extra,
});

let script: Awaited<ReturnType<typeof buildBundleThread>>;
const pools: ThreadPoolBundleEngine[] = [];
const pool = (options: Partial<ThreadPoolOptions> = {}) => {
  const made = new ThreadPoolBundleEngine({ size: 1, queueLimit: 4, threadUrl: script.url, ...options });
  pools.push(made);
  return made;
};

beforeAll(async () => {
  script = await buildBundleThread();
});
afterEach(async () => {
  await Promise.all(pools.splice(0).map((p) => p.close()));
});
afterAll(() => script.remove());

describe('ThreadPoolBundleEngine', () => {
  it('does the same work as the inline job, in a thread started on demand; the upload is handed over', async () => {
    const engine = pool();
    expect(engine.stats()).toEqual({ threads: 0, busy: 0, queued: 0 });
    const expected = await runBundleJob(new ZipArchive(), job(sampleZip()));
    const bytes = sampleZip();
    const work = await engine.prepare(job(bytes, { repository: 'hello-operator' }));
    expect(work).toEqual(expected);
    expect(work.verdict.ok && work.verdict.bundle.files[0]!.data).toBeInstanceOf(Uint8Array);
    // Transferred, not copied: the caller's buffer now belongs to the thread.
    expect(bytes.byteLength).toBe(0);
    expect(engine.stats()).toEqual({ threads: 1, busy: 0, queued: 0 });
  });

  it("packs Quay's blob in the thread when asked (zlib's gzip), the same content as the Web-standard packer", async () => {
    const engine = pool();
    const inline = await runBundleJob(new ZipArchive(), job(sampleZip(), { pack: true }), {
      packer: new QuayBundlePacker(),
    });
    const work = await engine.prepare(job(sampleZip(), { pack: true }));
    if (!work.verdict.ok || !inline.verdict.ok) throw new Error('the sample bundle is valid');
    const { packed, ...rest } = work.verdict;
    const { packed: inlinePacked, ...inlineRest } = inline.verdict;
    expect(rest).toEqual(inlineRest);
    const contents = async (blob: Uint8Array | undefined) =>
      (await unpackTar(gunzipSync(blob ?? new Uint8Array()), { strict: true })).map((e) => ({
        ...e.header,
        mtime: undefined,
        data: e.data && [...e.data],
      }));
    expect(packed).toBeInstanceOf(Uint8Array);
    expect(await contents(packed)).toEqual(await contents(inlinePacked));
    expect((await contents(packed))[0]?.name).toBe('hello-operator/');
    // Transferred whole: the blob owns its buffer (nothing else of the thread's memory came with it).
    expect(packed?.byteLength).toBe(packed?.buffer.byteLength);
  });

  it('builds the bundle images in the thread for an organization with bundle_images, the same as inline', async () => {
    const engine = pool();
    const policy = {
      ...DEFAULT_POLICY,
      bundleImages: { registry: 'http://127.0.0.1:5000', repository: '{organization}/{package_name}-bundle' },
    };
    const expected = await runBundleJob(new ZipArchive(), job(sampleZip(), { policy }), {
      layerGzip: fflateGzip,
    });
    const work = await engine.prepare(job(sampleZip(), { policy }));
    expect(work).toEqual(expected);
    const images = work.verdict.ok ? work.verdict.images : undefined;
    expect(images?.images.length).toBeGreaterThan(0);
    for (const { image } of images?.images ?? []) {
      expect(image.layers[0]!.data).toBeInstanceOf(Uint8Array);
      expect(image.manifest.digest).toMatch(/^sha256:[0-9a-f]{64}$/);
    }
  });

  it('keeps the calling thread free: its next turn comes before a heavy job ends', async () => {
    const engine = pool();
    const order: string[] = [];
    const heavy = engine.prepare(job(manyRulesZip(40_000))).then(() => order.push('job'));
    await new Promise<void>((r) => setImmediate(r));
    order.push('event loop');
    await heavy;
    expect(order).toEqual(['event loop', 'job']);
  });

  it('rebuilds the typed errors: unpacking, loading, and the validation verdict', async () => {
    const engine = pool();
    const notZip = await caught(engine.prepare(job(new TextEncoder().encode('not a zip'))));
    expect(notZip).toBeInstanceOf(UploadedFileError);
    expect((notZip as OmpsError).message).toMatch(/^File is not a zip file/);

    const noPackage = await caught(engine.prepare(job(zipOf({ 'readme.yaml': 'a: 1\n' }))));
    expect(noPackage).toBeInstanceOf(PackageValidationError);
    expect((noPackage as PackageValidationError).validationInfo.errors).toContain(
      'Bundle does not contain any packages.',
    );

    const work = await engine.prepare(job(sampleZip(), { repository: 'other' }));
    expect(work.packageName).toBe('hello-operator');
    expect(work.verdict.ok).toBe(false);
    const verdict = !work.verdict.ok && work.verdict.error;
    expect(verdict).toBeInstanceOf(PackageValidationError);
    expect((verdict as PackageValidationError).extra?.field).toBe('validation_info');
    expect((verdict as PackageValidationError).message).toContain('does not match repository name (other)');
  });

  it('turns an unexpected failure into a plain Error: an InternalServerError at the edge', async () => {
    const engine = pool();
    const broken = { ...DEFAULT_POLICY, replaceRegistry: 42 } as unknown as BundleJob['policy'];
    const error = await caught(engine.prepare(job(sampleZip(), { policy: broken })));
    expect(error).toBeInstanceOf(Error);
    expect(error).not.toBeInstanceOf(OmpsError);
    expect(asOmpsError(error).id).toBe('InternalServerError');
  });

  it('runs at most `size` jobs, queues up to `queueLimit`, refuses the rest with ServiceBusyError', async () => {
    const engine = pool({ size: 1, queueLimit: 1, retryAfterSeconds: 3 });
    const first = engine.prepare(job(manyRulesZip(20_000)));
    const second = engine.prepare(job(sampleZip()));
    expect(engine.stats()).toEqual({ threads: 1, busy: 1, queued: 1 });
    const refused = await caught(engine.prepare(job(sampleZip())));
    expect(refused).toBeInstanceOf(ServiceBusyError);
    expect((refused as ServiceBusyError).retryAfterSeconds).toBe(3);
    expect((await first).packageName).toBe('hello-operator');
    expect((await second).packageName).toBe('hello-operator');
    expect(engine.stats()).toEqual({ threads: 1, busy: 0, queued: 0 });
  });

  it('survives a thread that dies: only its job fails, the next job gets a new thread', async () => {
    // A heap limit far below what the big CSV needs: V8 ends that thread, not the process.
    const engine = pool({ resourceLimits: { maxOldGenerationSizeMb: 16, maxYoungGenerationSizeMb: 4 } });
    const dying = caught(engine.prepare(job(manyRulesZip(150_000))));
    const queued = engine.prepare(job(sampleZip()));
    const died = await dying;
    expect(died).toBeInstanceOf(Error);
    expect(asOmpsError(died).id).toBe('InternalServerError');
    expect((await queued).packageName).toBe('hello-operator');
    expect((await engine.prepare(job(sampleZip()))).packageName).toBe('hello-operator');
  }, 60_000);

  it('replaces a thread whose heap grew past recycleHeapBytes, and keeps serving', async () => {
    const engine = pool({ recycleHeapBytes: 1, queueLimit: 1 });
    const first = engine.prepare(job(sampleZip()));
    const second = engine.prepare(job(sampleZip()));
    expect((await first).packageName).toBe('hello-operator');
    expect((await second).packageName).toBe('hello-operator');
    expect(engine.stats()).toEqual({ threads: 0, busy: 0, queued: 0 });
    expect((await engine.prepare(job(sampleZip()))).packageName).toBe('hello-operator');
  });

  it('stops a job past jobTimeoutMs with its thread (BundleJobTimeoutError naming the limit), then serves the waiting and the next job', async () => {
    const engine = pool({ size: 1, queueLimit: 1, jobTimeoutMs: 1_500 });
    const stuck = caught(engine.prepare(backtracking()));
    const waiting = engine.prepare(job(sampleZip()));
    const error = await stuck;
    expect(error).toBeInstanceOf(BundleJobTimeoutError);
    expect(asOmpsError(error).id).toBe('OMPSBundleJobTimeout');
    expect((error as Error).message).toBe(
      'The bundle job did not finish within the limit of 1.5 s (bundle_job_timeout) and was stopped; nothing was pushed.',
    );
    expect((await waiting).packageName).toBe('hello-operator');
    expect((await engine.prepare(job(sampleZip()))).packageName).toBe('hello-operator');
    expect(engine.stats()).toEqual({ threads: 1, busy: 0, queued: 0 });
  }, 30_000);

  it('stops a thread after idleMs without work; the next job starts another', async () => {
    const engine = pool({ idleMs: 20 });
    expect((await engine.prepare(job(sampleZip()))).packageName).toBe('hello-operator');
    for (let waited = 0; engine.stats().threads > 0 && waited < 10_000; waited += 10) {
      await new Promise((r) => setTimeout(r, 10));
    }
    expect(engine.stats().threads).toBe(0);
    expect((await engine.prepare(job(sampleZip()))).packageName).toBe('hello-operator');
  });

  it('close() stops every thread and refuses waiting and later jobs', async () => {
    const engine = pool({ size: 1, queueLimit: 2 });
    const running = caught(engine.prepare(job(manyRulesZip(40_000))));
    const waiting = caught(engine.prepare(job(sampleZip())));
    await engine.close();
    expect(engine.stats().threads).toBe(0);
    expect(asOmpsError(await running).id).toBe('InternalServerError');
    expect(await waiting).toBeInstanceOf(ServiceBusyError);
    expect(await caught(engine.prepare(job(sampleZip())))).toBeInstanceOf(ServiceBusyError);
  });
});

describe('the HTTP app over the pool', () => {
  const appOver = (engine: ThreadPoolBundleEngine) => {
    const app = createService(parseConfig({ max_content_length: 64 * 1024 * 1024 }), {
      registry: new InMemoryRegistry(),
      buildSystem: new InMemoryBuildSystem(),
      policyGate: null,
      bundleEngine: engine,
      logger: silentLogger,
    });
    return (bytes: Uint8Array, org: string) =>
      app.request(`/v2/${org}/zipfile/1.0.0`, {
        method: 'POST',
        body: multipart(bytes),
        headers: { Authorization: 'token' },
      });
  };

  it('answers a publish whose thread dies at its heap limit with 500 InternalServerError, then serves the next', async () => {
    const post = appOver(
      pool({ resourceLimits: { maxOldGenerationSizeMb: 16, maxYoungGenerationSizeMb: 4 } }),
    );
    const died = await post(manyRulesZip(150_000), 'first');
    expect(died.status).toBe(500);
    const body = (await died.json()) as Record<string, unknown>;
    expect(body).toMatchObject({ status: 500, error: 'InternalServerError' });
    expect(String(body.message)).not.toMatch(/ERR_WORKER_OUT_OF_MEMORY|heap|\bat\b.*\.js/);
    expect((await post(zipOf({ ...SAMPLE_OPERATOR_FILES }), 'second')).status).toBe(200);
  }, 60_000);

  it('answers a publish past bundle_job_timeout with 500 OMPSBundleJobTimeout naming the limit, then serves the next', async () => {
    const engine = pool({ jobTimeoutMs: 1_000 });
    const post = appOver(engine);
    const stuck = backtracking();
    const app = createService(
      parseConfig({
        organizations: { slow: { replace_registry: [{ old: '(a+)+b', new: 'x', regexp: true }] } },
      }),
      {
        registry: new InMemoryRegistry(),
        buildSystem: new InMemoryBuildSystem(),
        policyGate: null,
        bundleEngine: engine,
        logger: silentLogger,
      },
    );
    const answer = await app.request('/v2/slow/zipfile/1.0.0', {
      method: 'POST',
      body: multipart(stuck.bytes),
      headers: { Authorization: 'token' },
    });
    expect(answer.status).toBe(500);
    expect(await answer.json()).toEqual({
      status: 500,
      error: 'OMPSBundleJobTimeout',
      message:
        'The bundle job did not finish within the limit of 1 s (bundle_job_timeout) and was stopped; nothing was pushed.',
    });
    expect((await post(zipOf({ ...SAMPLE_OPERATOR_FILES }), 'other')).status).toBe(200);
  }, 30_000);

  it('answers 503 OMPSServiceBusy with Retry-After past the queue bound', async () => {
    const engine = pool({ size: 1, queueLimit: 0, retryAfterSeconds: 2 });
    const post = appOver(engine);
    const heavy = post(manyRulesZip(20_000), 'first');
    // The heavy job holds the only thread: wait until it is there, then ask again.
    while (engine.stats().busy === 0) await new Promise((r) => setTimeout(r, 5));
    const busy = await post(zipOf({ ...SAMPLE_OPERATOR_FILES }), 'second');
    expect(busy.status).toBe(503);
    expect(busy.headers.get('retry-after')).toBe('2');
    expect(await busy.json()).toEqual({
      status: 503,
      error: 'OMPSServiceBusy',
      message: expect.stringContaining('busy'),
    });
    expect((await heavy).status).toBe(200);
  });
});
