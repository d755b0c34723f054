/** The bundle job: the registry's blob is made in the job when asked, with the packer given; image layers with the gzip lent. */
import { describe, expect, it } from 'vitest';
import { fflateGzip } from '../../src/adapters/fflate/fflate-gzip.js';
import { runBundleJob } from '../../src/application/bundle-job.js';
import type { BundleJob } from '../../src/application/ports.js';
import { DEFAULT_POLICY } from '../../src/domain/organization-policy.js';
import { sampleZip, text, zipOf } from '../support/bundles.js';
import { FakeArchive } from '../support/fake-archive.js';
import { RecordingPacker } from '../support/recording-packer.js';

const job = (extra: Partial<BundleJob> = {}): BundleJob => ({
  bytes: sampleZip(),
  maxUncompressedSize: 1 << 20,
  policy: DEFAULT_POLICY,
  ...extra,
});

const okVerdict = (work: Awaited<ReturnType<typeof runBundleJob>>) => {
  if (!work.verdict.ok) throw work.verdict.error;
  return work.verdict;
};

describe('runBundleJob packing', () => {
  it('packs the prepared bundle under the packageName (v2) when asked', async () => {
    const packer = new RecordingPacker();
    const verdict = okVerdict(await runBundleJob(new FakeArchive(), job({ pack: true }), { packer }));
    expect(packer.calls).toEqual([
      { paths: verdict.bundle.files.map((f) => f.path), folder: 'hello-operator' },
    ]);
    expect(text(verdict.packed)).toBe(`packed hello-operator: ${verdict.bundle.files.map((f) => f.path)}`);
  });

  it("packs under the URL's repository (v1)", async () => {
    const packer = new RecordingPacker();
    await runBundleJob(new FakeArchive(), job({ pack: true, repository: 'hello-operator' }), { packer });
    expect(packer.calls.map((c) => c.folder)).toEqual(['hello-operator']);
  });

  it('packs nothing unless asked, or without a packer', async () => {
    const packer = new RecordingPacker();
    expect(okVerdict(await runBundleJob(new FakeArchive(), job(), { packer })).packed).toBeUndefined();
    expect(okVerdict(await runBundleJob(new FakeArchive(), job({ pack: true }))).packed).toBeUndefined();
    expect(packer.calls).toEqual([]);
  });

  it('leaves a bundle it cannot pack unpacked, the verdict still valid (the push reports the failure)', async () => {
    const packer = new RecordingPacker();
    packer.failWith = new TypeError('Bundle path "x" is not a safe relative path.');
    const verdict = okVerdict(await runBundleJob(new FakeArchive(), job({ pack: true }), { packer }));
    expect(packer.calls).toHaveLength(1);
    expect(verdict.packed).toBeUndefined();
  });

  it('packs nothing for an invalid bundle', async () => {
    const packer = new RecordingPacker();
    const bytes = zipOf({ 'hello.package.yaml': 'packageName: hello\nchannels: []\n' });
    const work = await runBundleJob(new FakeArchive(), job({ bytes, pack: true }), { packer });
    expect(work.verdict.ok).toBe(false);
    expect(packer.calls).toEqual([]);
  });
});

describe('runBundleJob bundle images', () => {
  const images = {
    ...DEFAULT_POLICY,
    bundleImages: {
      registry: 'https://registry.example.com',
      repository: '{organization}/{package_name}-bundle',
    },
  };

  it('compresses each layer with the layerGzip it is lent', async () => {
    const lent: number[] = [];
    const layerGzip = (bytes: Uint8Array) => {
      lent.push(bytes.byteLength);
      return fflateGzip(bytes);
    };
    const verdict = okVerdict(await runBundleJob(new FakeArchive(), job({ policy: images }), { layerGzip }));
    expect(verdict.images?.images.length).toBeGreaterThan(0);
    expect(lent).toHaveLength(verdict.images!.images.length);
  });

  it('refuses to build images without one (a composition mistake, not a bundle problem)', async () => {
    const work = await runBundleJob(new FakeArchive(), job({ policy: images }));
    expect(work.verdict.ok).toBe(false);
    expect(work.verdict.ok ? '' : String(work.verdict.error)).toContain('no layerGzip');
  });
});
